"""Retention: `python -m bot purge [--older-than 90d]` removes what is older than the limit.

- conversations in Rasa's SQL tracker store (`events` table) whose last event is older;
- resolved cases resolved before the limit, with their transcript and log, and any case, active
  or not, with no activity for CASE_RETENTION_DAYS (default 365): RETENTION_WARNING_DAYS before
  that, the purge writes a `retention_warning` event into the case's log and prints the cases;
- channel_media, delivery_status, processed_updates and inbox rows older than the limit, and the
  redacted questions kept for the content team (unanswered_questions, by day);
- channel addresses of purged conversations and of conversations silent since before the
  limit (never while a case is still active: a caseworker may still have to answer).

Safe from cron: no prompt, idempotent (a second run removes nothing more), one transaction per
table (a crash leaves every table consistent; the next run finishes the work). What it removed
is printed as counts, and written to `erasure_log` as one tombstone (reason "retention").
The tracker store is found from TRACKER_DB_URL, else endpoints.yml's `tracker_store`, else
var/rasa_tracker.db.
"""
from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from core.clock import utcnow
from core.paths import ROOT, VAR_DIR
from core.settings import TRACKER_DB_URL

logger = logging.getLogger(__name__)
CHUNK = 500  # ids per statement (SQLite allows 999 parameters)
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*$", re.IGNORECASE)
_UNITS = {"d": "days", "": "days", "h": "hours", "m": "minutes"}


def parse_age(value: str) -> timedelta:
    """'90d', '12h', '30m' or a plain number of days."""
    match = _AGE.match(str(value))
    if not match:
        raise ValueError(f"not an age: {value!r} (use e.g. 90d or 12h)")
    amount, unit = float(match.group(1)), match.group(2).lower()
    if amount <= 0:
        raise ValueError("the age must be more than zero")
    return timedelta(**{_UNITS[unit]: amount})


_CLI_AGE = re.compile(r"^\s*(\d+)\s*([dwh])\s*$", re.IGNORECASE)
CLI_AGE_HELP = "a whole number with its unit: 90d (days), 2w (weeks) or 12h (hours)"


def cli_age(value: str) -> timedelta:
    """The command line's age (`--older-than`, `--since`): '90d', '2w' or '12h', nothing else.

    A bare number is refused rather than read as days ('5' could be meant as anything), and so
    is an unknown unit: argparse prints the message as a usage error (exit 2, no traceback).
    """
    import argparse

    match = _CLI_AGE.match(str(value))
    if not match or int(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not an age: use {CLI_AGE_HELP}")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(days=amount * 7) if unit == "w" else timedelta(**{_UNITS[unit]: amount})



# -- where the tracker store is ------------------------------------------------------------
def tracker_db_url(endpoints: Path = ROOT / "endpoints.yml") -> str:
    """TRACKER_DB_URL, else the SQL tracker store of endpoints.yml, else var/rasa_tracker.db."""
    if TRACKER_DB_URL.read():
        return TRACKER_DB_URL.read()
    config = _endpoint_config(endpoints)
    kind = str(config.get("type") or "")
    if config and (kind.lower() == "sql" or kind.endswith("SQLTrackerStore")):
        from rasa.core.tracker_store import SQLTrackerStore

        dialect = config.get("dialect") or "sqlite"
        db = str(config.get("db") or "rasa.db")
        if dialect == "sqlite":
            path = Path(db)
            return f"sqlite:///{path if path.is_absolute() else ROOT / path}"
        port = config.get("port")
        url = SQLTrackerStore.get_db_url(dialect, config.get("url"), int(str(port)) if port else None, db,
                                         config.get("username"), config.get("password"), query=config.get("query"))
        return url if isinstance(url, str) else url.render_as_string(hide_password=False)
    return f"sqlite:///{VAR_DIR / 'rasa_tracker.db'}"


def _endpoint_config(endpoints: Path) -> Dict[str, object]:
    if not endpoints.exists():
        return {}
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "tracker_store")  # resolves ${ENV} values
    if config is None:
        return {}
    return {**config.kwargs, "url": config.url, "type": config.type}


# -- the purge -----------------------------------------------------------------------------
@dataclass
class PurgeReport:
    older_than: timedelta
    cutoff: datetime
    counts: Dict[str, int] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)

    @property
    def conversations(self) -> int:
        return self.counts.get("tracker_conversations", 0)

    def lines(self) -> List[str]:
        lines = [f"purge: older than {_age_text(self.older_than)} (before {self.cutoff:%Y-%m-%d %H:%M} UTC)"]
        width = max(len(name) for name in self.counts) if self.counts else 0
        lines += [f"  {name:<{width}}  {count:>7}" for name, count in self.counts.items()]
        lines += [f"  note: {note}" for note in self.notes]
        return lines


def _age_text(age: timedelta) -> str:
    seconds = age.total_seconds()
    if seconds % 86400 == 0:
        return f"{int(seconds // 86400)} days"
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)} hours"
    return f"{int(seconds // 60)} minutes"


def purge(older_than: timedelta, engine: Optional[Engine] = None, tracker_url: Optional[str] = None,
          now: Optional[datetime] = None, case_older_than: Optional[timedelta] = None,
          warn_before: Optional[timedelta] = None) -> PurgeReport:
    from core.db import get_engine, scrub_deleted
    from core.settings import get_settings

    settings = get_settings()
    engine = engine or get_engine(settings.database_url)
    now = now or utcnow()
    cutoff = now - older_than
    case_age = max(case_older_than or timedelta(days=settings.case_retention_days), older_than)
    case_cutoff = now - case_age
    warn_before = warn_before if warn_before is not None else timedelta(days=settings.retention_warning_days)
    report = PurgeReport(older_than, cutoff)
    purged = _purge_tracker(tracker_url or tracker_db_url(), cutoff, report)
    tables = set(inspect(engine).get_table_names())
    if "cases" in tables:
        _purge_cases(engine, cutoff, case_cutoff, report)
        _warn_before_purge(engine, case_age, case_cutoff + warn_before, now, report)
    else:
        report.notes.append("no case tables in the project database")
    for table, column in (("channel_media", "received_at"), ("delivery_status", "recorded_at"),
                          ("processed_updates", "received_at"), ("inbox", "received_at")):
        if table in tables:
            _delete(engine, report, table, f"DELETE FROM {table} WHERE {column} < :cutoff", cutoff=cutoff)
    if "unanswered_questions" in tables:  # kept by day: the cutoff's own day goes too (early, never late)
        _delete(engine, report, "unanswered_questions", "DELETE FROM unanswered_questions WHERE day <= :cutoff_day",
                cutoff_day=cutoff.date())
    if "channel_addresses" in tables:
        _purge_addresses(engine, cutoff, purged, report, "cases" in tables)
    if "erasure_log" in tables and any(report.counts.values()):
        from privacy.erasure import RETENTION, log_erasure

        with engine.begin() as connection:
            log_erasure(connection, RETENTION, "all", report.conversations, report.counts)
    scrub_deleted(engine)
    logger.info("retention purge: %s", report.counts)
    return report


def _delete(engine: Engine, report: PurgeReport, name: str, sql: str, **params: object) -> int:
    with engine.begin() as connection:  # one transaction per table
        removed = int(connection.execute(text(sql), params).rowcount or 0)
    report.counts[name] = report.counts.get(name, 0) + removed
    return removed


def _purge_tracker(url: str, cutoff: datetime, report: PurgeReport) -> List[str]:
    """Conversations whose last event is older than `cutoff`: every event of them goes."""
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        report.notes.append("no tracker store database yet")
        report.counts.update(tracker_conversations=0, tracker_events=0)
        return []
    from core.db import scrub_deleted, tracker_store_engine

    engine = tracker_store_engine(url)
    try:
        if "events" not in inspect(engine).get_table_names():
            report.notes.append("the tracker store has no events table yet")
            report.counts.update(tracker_conversations=0, tracker_events=0)
            return []
        cutoff_epoch = cutoff.replace(tzinfo=timezone.utc).timestamp()
        with engine.begin() as connection:
            senders = [row[0] for row in connection.execute(text(
                "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                {"cutoff": cutoff_epoch})]
            removed = 0
            for chunk in _chunks(senders):
                params = {f"s{i}": sender for i, sender in enumerate(chunk)}
                placeholders = ", ".join(f":{name}" for name in params)
                removed += int(connection.execute(
                    text(f"DELETE FROM events WHERE sender_id IN ({placeholders})"), params).rowcount or 0)
        scrub_deleted(engine)
        report.counts.update(tracker_conversations=len(senders), tracker_events=removed)
        return senders
    finally:
        engine.dispose()


_OLD_CASE = "(status = 'resolved' AND resolved_at < :cutoff) OR updated_at < :case_cutoff"


def _purge_cases(engine: Engine, cutoff: datetime, case_cutoff: datetime, report: PurgeReport) -> None:
    old = f"SELECT id FROM cases WHERE {_OLD_CASE}"
    dates = {"cutoff": cutoff, "case_cutoff": case_cutoff}
    # children first, each table in its own transaction; a rerun finishes an interrupted one
    _delete(engine, report, "case_messages", f"DELETE FROM case_messages WHERE case_id IN ({old})", **dates)
    _delete(engine, report, "case_events", f"DELETE FROM case_events WHERE case_id IN ({old})", **dates)
    _delete(engine, report, "cases", f"DELETE FROM cases WHERE {_OLD_CASE}", **dates)


def _warn_before_purge(engine: Engine, case_age: timedelta, warn_cutoff: datetime, now: datetime,
                       report: PurgeReport) -> None:
    """A `retention_warning` in the log of each case the next weeks' purges will remove, once
    (written without touching updated_at: a warning is not activity that keeps a case)."""
    with engine.begin() as connection:
        rows = connection.execute(text(
            "SELECT id, updated_at FROM cases WHERE status IN ('pending', 'open') AND updated_at < :warn "
            "AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'retention_warning' "
            "AND e.created_at >= cases.updated_at)"), {"warn": warn_cutoff}).all()
        for case_id, updated_at in rows:
            updated = updated_at if isinstance(updated_at, datetime) else datetime.fromisoformat(str(updated_at))
            deleted_from = updated + case_age
            connection.execute(text(
                "INSERT INTO case_events (case_id, kind, actor, created_at, payload) "
                "VALUES (:c, 'retention_warning', 'system', :t, :p)"),
                {"c": case_id, "t": now, "p": json.dumps({"deleted_from": f"{deleted_from:%Y-%m-%d}"})})
    if rows:
        numbers = ", ".join(f"#{case_id}" for case_id, _ in rows)
        report.notes.append(f"{len(rows)} active case(s) with no activity will be deleted by a coming purge: {numbers}")
        logger.warning("retention: %d active case(s) near the case limit: %s", len(rows), numbers)


def _purge_addresses(engine: Engine, cutoff: datetime, purged: Sequence[str], report: PurgeReport,
                     has_cases: bool) -> None:
    active = ("AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.conversation_id = channel_addresses.conversation_id "
              "AND c.status IN ('pending', 'open'))") if has_cases else ""
    removed = 0
    with engine.begin() as connection:
        removed += int(connection.execute(text(
            f"DELETE FROM channel_addresses WHERE last_inbound_at < :cutoff {active}"), {"cutoff": cutoff}).rowcount or 0)
        for chunk in _chunks(purged):
            params = {f"s{i}": sender for i, sender in enumerate(chunk)}
            placeholders = ", ".join(f":{name}" for name in params)
            removed += int(connection.execute(text(
                f"DELETE FROM channel_addresses WHERE conversation_id IN ({placeholders}) {active}"), params).rowcount or 0)
    report.counts["channel_addresses"] = removed


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def main(older_than: Optional[str | timedelta] = None) -> int:
    from core.settings import get_settings

    if isinstance(older_than, timedelta):
        age = older_than
    else:
        age = parse_age(older_than) if older_than else timedelta(days=get_settings().retention_days)
    started = time.monotonic()
    report = purge(age)
    for line in report.lines():
        print(line)
    print(f"  took {time.monotonic() - started:.2f} s")
    return 0
