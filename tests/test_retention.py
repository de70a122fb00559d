"""`python -m bot purge`: retention on SQLite, with records whose times lie in the past."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from core.db import make_engine, upgrade
from core.paths import ROOT
from privacy.retention import parse_age, purge, tracker_db_url

NOW = datetime.utcnow().replace(microsecond=0)  # the CLI runs on the real clock
OLD, RECENT = NOW - timedelta(days=120), NOW - timedelta(days=10)


@pytest.mark.parametrize("value,expected", [("90d", timedelta(days=90)), ("12h", timedelta(hours=12)),
                                            ("30", timedelta(days=30)), (" 7D ", timedelta(days=7)),
                                            ("45m", timedelta(minutes=45))])
def test_ages(value, expected):
    assert parse_age(value) == expected


@pytest.mark.parametrize("value", ["", "ninety", "-3d", "0d", "3w"])
def test_bad_ages_are_refused(value):
    with pytest.raises(ValueError):
        parse_age(value)


def test_tracker_store_location(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    assert tracker_db_url() == f"sqlite:///{ROOT / 'var' / 'rasa_tracker.db'}"  # endpoints.yml
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: rasa_extensions.stores.tracker_store.ErasableSQLTrackerStore\n"
                         "  dialect: postgresql\n  url: ${TRACKER_HOST}\n  port: 5432\n  db: rasa\n"
                         "  username: rasa\n  password: ${TRACKER_PASSWORD}\n")
    monkeypatch.setenv("TRACKER_HOST", "db.internal")
    monkeypatch.setenv("TRACKER_PASSWORD", "s3cret")
    assert tracker_db_url(endpoints) == "postgresql://rasa:s3cret@db.internal:5432/rasa"
    monkeypatch.setenv("TRACKER_DB_URL", "sqlite:////tmp/x.db")
    assert tracker_db_url(endpoints) == "sqlite:////tmp/x.db"
    assert tracker_db_url(tmp_path / "missing.yml") == "sqlite:////tmp/x.db"


def _save_conversation(store, sender: str, when: datetime, events: int = 3) -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    stamp = (when - datetime(1970, 1, 1)).total_seconds()  # naive UTC -> epoch
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("my phone is +22790001122", {"name": "greet", "confidence": 1.0}, timestamp=stamp))
    for n in range(events - 1):
        tracker.update(ActionExecuted("action_greet") if n % 2 == 0 else BotUttered("hello"))
    for event in tracker.events:
        event.timestamp = stamp
    asyncio.run(store.save(tracker))


@pytest.fixture
def databases(tmp_path):
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    project_url = f"sqlite:///{tmp_path / 'assistant.db'}"
    upgrade(project_url)
    engine = make_engine(project_url)
    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    _save_conversation(store, "wa-old", OLD)
    _save_conversation(store, "tg-old", OLD, events=5)
    _save_conversation(store, "wa-recent", RECENT)
    _save_conversation(store, "wa-old-case", OLD)
    with engine.begin() as c:
        for cid, status, created, resolved in (("wa-old", "resolved", OLD, OLD), ("wa-recent", "resolved", OLD, RECENT),
                                               ("wa-old-case", "open", OLD, None)):
            case_id = c.execute(text(
                "INSERT INTO cases (conversation_id, channel, language, reason, priority, status, flags, mirror_to_bot, "
                "created_at, updated_at, resolved_at) VALUES (:c, 'whatsapp', 'fr', 'request', 'normal', :s, '[]', false, "
                ":t, :t, :r) RETURNING id"), {"c": cid, "s": status, "t": created, "r": resolved}).scalar()
            c.execute(text("INSERT INTO case_messages (case_id, author, text, media, created_at) "
                           "VALUES (:i, 'migrant', 'je suis à Agadez', '[]', :t)"), {"i": case_id, "t": created})
            c.execute(text("INSERT INTO case_events (case_id, kind, actor, created_at, payload) "
                           "VALUES (:i, 'opened', 'bot', :t, '{}')"), {"i": case_id, "t": created})
        for cid, number, seen in (("wa-old", "+22790000001", OLD), ("tg-old", "123456789", RECENT),
                                  ("wa-recent", "+22790000003", RECENT), ("wa-old-case", "+22790000004", OLD),
                                  ("wa-silent", "+22790000005", OLD)):
            c.execute(text("INSERT INTO channel_addresses (conversation_id, channel, address, last_inbound_at, opted_out, "
                           "blocked) VALUES (:c, 'whatsapp', :a, :t, false, false)"), {"c": cid, "a": number, "t": seen})
        for when in (OLD, RECENT):
            c.execute(text("INSERT INTO channel_media (conversation_id, channel, reference, received_at) "
                           "VALUES ('wa-x', 'whatsapp', 'ME1', :t)"), {"t": when})
            c.execute(text("INSERT INTO delivery_status (channel, message_id, conversation_id, status, recorded_at) "
                           "VALUES ('whatsapp', 'SM1', 'wa-x', 'sent', :t)"), {"t": when})
            c.execute(text("INSERT INTO processed_updates (channel, update_id, received_at) VALUES ('telegram', :u, :t)"),
                      {"u": str(when.timestamp()), "t": when})
            c.execute(text("INSERT INTO inbox (id, channel, conversation_id, message, replies_sent, owner, attempts, "
                           "received_at) VALUES (:i, 'whatsapp', 'wa-x', '{}', 0, 'w1', 1, :t)"), {"i": str(when), "t": when})
            c.execute(text("INSERT INTO unanswered_questions (conversation_id, language, text, outcome, confidence, day) "
                           "VALUES ('wa-x', 'fr', 'je peux emmener ma chèvre ?', 'not_understood', 0.2, :d)"),
                      {"d": when.date()})
    yield engine, f"sqlite:///{tmp_path / 'tracker.db'}", store
    engine.dispose()


def _senders(store) -> set:
    return set(asyncio.run(store.keys()))


def test_purge_removes_what_is_older_and_only_that_and_is_idempotent(databases):
    engine, tracker_url, store = databases
    report = purge(timedelta(days=90), engine=engine, tracker_url=tracker_url, now=NOW)
    assert report.counts == {
        "tracker_conversations": 3, "tracker_events": 11,
        "case_messages": 1, "case_events": 1, "cases": 1,  # resolved long ago; not the open one
        "channel_media": 1, "delivery_status": 1, "processed_updates": 1, "inbox": 1,
        "unanswered_questions": 1,  # the redacted questions kept for the content team
        # of the purged conversations (wa-old, tg-old), and wa-silent's (silent since); wa-old-case
        # keeps its address: its case is still open
        "channel_addresses": 3,
    }
    assert _senders(store) == {"wa-recent"}
    with engine.connect() as c:
        assert {r[0] for r in c.execute(text("SELECT conversation_id FROM cases"))} == {"wa-recent", "wa-old-case"}
        assert {r[0] for r in c.execute(text("SELECT conversation_id FROM channel_addresses"))} == {
            "wa-recent", "wa-old-case"}
        [tombstone] = c.execute(text("SELECT * FROM erasure_log")).mappings().all()
    assert tombstone["reason"] == "retention" and tombstone["conversations"] == 3
    assert json.loads(tombstone["counts"])["tracker_events"] == 11 and "wa-old" not in tombstone["counts"]

    again = purge(timedelta(days=90), engine=engine, tracker_url=tracker_url, now=NOW)
    assert set(again.counts.values()) == {0}
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM erasure_log")).scalar() == 1  # nothing removed, nothing logged


def test_purge_command_from_cron_prints_counts_and_no_identifiers(databases, tmp_path):
    engine, tracker_url, _ = databases
    env = {**os.environ, "DATABASE_URL": str(engine.url), "TRACKER_DB_URL": tracker_url, "RETENTION_DAYS": "90"}
    result = subprocess.run([sys.executable, "-m", "bot", "purge"], capture_output=True, text=True, cwd=ROOT,
                            env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "older than 90 days" in result.stdout and "tracker_conversations" in result.stdout
    assert "wa-old" not in result.stdout + result.stderr and "2279" not in result.stdout + result.stderr
    # 12 hours: everything but the open case's address and the ten-day-old records goes
    result = subprocess.run([sys.executable, "-m", "bot", "purge", "--older-than", "12h"], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    counts = dict(line.split() for line in result.stdout.splitlines()[1:] if len(line.split()) == 2)
    assert counts["tracker_conversations"] == "1" and counts["cases"] == "1"


def test_purge_without_a_tracker_store_yet(tmp_path):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    upgrade(url)
    engine = make_engine(url)
    report = purge(timedelta(days=90), engine=engine, tracker_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert report.counts["tracker_conversations"] == 0 and report.notes
    assert not (tmp_path / "none.db").exists()
    engine.dispose()


def test_an_open_case_does_not_keep_a_transcript_and_an_address_for_ever(databases):
    engine, tracker_url, store = databases  # wa-old-case: open, no activity since OLD
    with engine.connect() as c:
        last_activity = c.execute(text("SELECT updated_at FROM cases WHERE conversation_id = 'wa-old-case'")).scalar()
    limit = timedelta(days=365)
    # three weeks before its limit: kept, and its log warns once (without counting as activity)
    first, second = (purge(timedelta(days=90), engine=engine, tracker_url=tracker_url,
                           now=OLD + limit - timedelta(days=10), case_older_than=limit, warn_before=timedelta(days=14))
                     for _ in range(2))
    assert any("#" in note and "will be deleted" in note for note in first.notes)
    assert not any("will be deleted" in note for note in second.notes)  # warned once
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM cases WHERE conversation_id = 'wa-old-case'")).scalar() == 1
        warnings = c.execute(text("SELECT payload FROM case_events WHERE kind = 'retention_warning'")).scalars().all()
        assert c.execute(text("SELECT updated_at FROM cases WHERE conversation_id = 'wa-old-case'")).scalar() == last_activity
    assert len(warnings) == 1 and json.loads(warnings[0])["deleted_from"] == f"{OLD + limit:%Y-%m-%d}"
    # past the limit: gone, with its transcript, log and the address it was keeping
    late = purge(timedelta(days=90), engine=engine, tracker_url=tracker_url, now=OLD + limit + timedelta(days=1),
                 case_older_than=limit)
    assert late.counts["cases"] >= 1
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM cases WHERE conversation_id = 'wa-old-case'")).scalar() == 0
        assert c.execute(text("SELECT count(*) FROM case_messages")).scalar() == 0
        assert c.execute(text("SELECT count(*) FROM channel_addresses WHERE conversation_id = 'wa-old-case'")).scalar() == 0
