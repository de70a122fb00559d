"""`python -m bot stats [--since 30d] [--chart FILE.png]`: how the assistant is used, in aggregates.

From the tracker store (privacy.retention.tracker_db_url): messages per language and per
channel, answers per topic, handoff requests, arrivals through campaign links (the `campaign`
the channels put in a message's metadata, channels/campaign.py). From the case store: cases opened (by reason),
time to first response by a caseworker (median, p90). Only counts and durations come out:
never a conversation id, an address or a message. Conversations that declined consent are
stored without their messages (privacy.consent) and are therefore not counted.
"""
from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

UNKNOWN = "unknown"


@dataclass
class Stats:
    since: datetime
    messages: int = 0
    conversations: int = 0
    by_language: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    by_topic: Counter = field(default_factory=Counter)
    by_campaign: Counter = field(default_factory=Counter)   # arrivals through a campaign link
    handoff_requests: int = 0
    cases_by_reason: Counter = field(default_factory=Counter)
    response_minutes: List[float] = field(default_factory=list)
    cases_waiting: int = 0

    @property
    def cases(self) -> int:
        return sum(self.cases_by_reason.values())

    def percentile(self, q: float) -> Optional[float]:
        values = sorted(self.response_minutes)
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]

    def lines(self) -> List[str]:
        lines = [f"since {self.since:%Y-%m-%d %H:%M} UTC: {self.messages} messages in {self.conversations} conversations"]
        for title, counter in (("messages per language", self.by_language), ("messages per channel", self.by_channel),
                               ("answers per topic", self.by_topic),
                               ("arrivals per campaign link", self.by_campaign),
                               ("cases opened per reason", self.cases_by_reason)):
            lines.append("")
            lines.append(title)
            width = max((len(k) for k in counter), default=0)
            lines += [f"  {key:<{width}}  {count:>7}" for key, count in counter.most_common()] or ["  (none)"]
        lines.append("")
        lines.append("handoffs")
        lines.append(f"  requests in conversations  {self.handoff_requests:>7}")
        lines.append(f"  cases opened               {self.cases:>7}")
        lines.append(f"  cases still waiting        {self.cases_waiting:>7}")
        median, p90 = self.percentile(50), self.percentile(90)
        lines.append(f"  first response, median     {_minutes(median):>7}")
        lines.append(f"  first response, p90        {_minutes(p90):>7}")
        lines.append(f"  (over {len(self.response_minutes)} answered cases)")
        return lines


def _minutes(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return f"{value:.0f} min" if value < 600 else f"{value / 60:.1f} h"


def collect(since: timedelta, engine: Optional[Engine] = None, tracker_url: Optional[str] = None,
            now: Optional[datetime] = None) -> Stats:
    from core.db import get_engine
    from privacy.retention import tracker_db_url
    from core.clock import utcnow
    from core.settings import get_settings

    start = (now or utcnow()) - since
    stats = Stats(start)
    _from_tracker(tracker_url or tracker_db_url(), start, stats)
    _from_cases(engine or get_engine(get_settings().database_url), start, stats)
    return stats


def _from_tracker(url: str, start: datetime, stats: Stats) -> None:
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return
    engine = create_engine(url, future=True)
    try:
        if "events" not in inspect(engine).get_table_names():
            return
        epoch = start.replace(tzinfo=timezone.utc).timestamp()
        query = text("SELECT sender_id, type_name, data FROM events WHERE timestamp >= :start "
                     "AND type_name IN ('user', 'slot') ORDER BY sender_id, id")
        conversations = set()
        current: Optional[str] = None
        language: Optional[str] = None          # the conversation's language so far
        waiting: Optional[Dict[str, Any]] = None  # the last user message, until its turn sets a language
        undecided = 0  # messages before the conversation's language was known ("hello"): counted once it is
        with engine.connect() as connection:
            for sender, kind, data in connection.execute(query, {"start": epoch}):
                if sender != current:
                    undecided += _count_language(stats, waiting, language)
                    stats.by_language[UNKNOWN] += undecided
                    current, language, waiting, undecided = sender, None, None, 0
                event = json.loads(data or "{}")
                if kind == "user":
                    undecided += _count_language(stats, waiting, language)
                    conversations.add(sender)
                    stats.messages += 1
                    stats.by_channel[event.get("input_channel") or UNKNOWN] += 1
                    campaign = (event.get("metadata") or {}).get("campaign")
                    if isinstance(campaign, str) and campaign:  # channels/campaign.py: a plain short id
                        stats.by_campaign[campaign[:24]] += 1
                    entity = next((e.get("value") for e in (event.get("parse_data") or {}).get("entities") or []
                                   if e.get("entity") == "language"), None)
                    waiting = {"language": entity}
                elif event.get("name") == "language" and event.get("value"):
                    language = str(event["value"])
                    if undecided:
                        stats.by_language[language] += undecided
                        undecided = 0
                elif event.get("name") == "topic" and event.get("value"):
                    stats.by_topic[str(event["value"])] += 1
                elif event.get("name") == "handoff" and event.get("value") is True:
                    stats.handoff_requests += 1
        stats.by_language[UNKNOWN] += undecided + _count_language(stats, waiting, language)
        stats.conversations = len(conversations)
    finally:
        engine.dispose()


def _count_language(stats: Stats, waiting: Optional[Dict[str, Any]], language: Optional[str]) -> int:
    """Count the message whose turn just ended in the conversation's `language` slot (sticky,
    set by the turn or before it), else in the language detected for it; 1 when neither is known
    yet (the caller counts it when the slot is set later, else as unknown)."""
    if waiting is None:
        return 0
    found = language or waiting["language"]
    if found:
        stats.by_language[found] += 1
        return 0
    return 1


def _from_cases(engine: Engine, start: datetime, stats: Stats) -> None:
    if "cases" not in inspect(engine).get_table_names():
        return
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT reason, status, created_at, first_response_at FROM cases WHERE created_at >= :start"),
            {"start": start}).all()
    for reason, status, created, first_response in rows:
        stats.cases_by_reason[reason] += 1
        created, first_response = _as_datetime(created), _as_datetime(first_response)
        if first_response is not None and created is not None:
            stats.response_minutes.append(max(0.0, (first_response - created).total_seconds() / 60))
        elif status in ("pending", "open"):
            stats.cases_waiting += 1


def _as_datetime(value: Any) -> Optional[datetime]:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def draw(stats: Stats, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    panels = ((axes[0][0], "Messages per language", stats.by_language),
              (axes[0][1], "Messages per channel", stats.by_channel),
              (axes[1][0], "Answers per topic", stats.by_topic))
    for axis, title, counter in panels:
        items = counter.most_common(12)[::-1]
        axis.barh([k for k, _ in items], [v for _, v in items], color="#3b6ea5")
        axis.set_title(title)
        axis.tick_params(axis="y", labelsize=8)
    axis = axes[1][1]
    if stats.response_minutes:
        axis.hist(stats.response_minutes, bins=20, color="#a5673b")
        for q, style in ((50, "--"), (90, ":")):
            axis.axvline(stats.percentile(q), color="black", linestyle=style, label=f"p{q}: {_minutes(stats.percentile(q))}")
        axis.legend()
    axis.set_title(f"Time to first response (minutes), {len(stats.response_minutes)} cases")
    figure.suptitle(f"Since {stats.since:%Y-%m-%d}: {stats.messages} messages, {stats.cases} cases (aggregates only)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def main(since: str | timedelta = "30d", chart: Optional[str] = None) -> int:
    from privacy.retention import parse_age

    stats = collect(since if isinstance(since, timedelta) else parse_age(since))
    for line in stats.lines():
        print(line)
    if chart:
        print(f"\nchart: {draw(stats, Path(chart))}")
    return 0
