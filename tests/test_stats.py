"""`python -m bot stats`: aggregates only, from a tracker store and a case store on SQLite."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from core.db import make_engine, upgrade
from core.paths import ROOT
from bot.stats import collect

NOW = datetime.utcnow().replace(microsecond=0)
SENDERS = ["wa-3f9a1c0d5e", "tg-77c2b9e014", "web-5b1d", "wa-old-0001"]


def _epoch(when: datetime) -> float:
    return (when - datetime(1970, 1, 1)).total_seconds()


def _conversation(store, sender, channel, turns, when):
    """turns: (text, language entity or None, slots set in the turn)."""
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker(sender, [])
    for said, language, slots in turns:
        entities = [{"entity": "language", "value": language}] if language else []
        tracker.update(UserUttered(said, {"name": "x", "confidence": 1.0}, entities, input_channel=channel))
        for name, value in slots.items():
            tracker.update(SlotSet(name, value))
    for event in tracker.events:
        event.timestamp = _epoch(when)
    asyncio.run(store.save(tracker))


@pytest.fixture
def sample(tmp_path):
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    upgrade(url)
    engine = make_engine(url)
    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    recent = NOW - timedelta(days=2)
    _conversation(store, SENDERS[0], "whatsapp", [
        ("c quoi le retour volontaire", "fr", {"language": "fr", "topic": "avr_overview"}),
        ("1", None, {"topic": "avr_eligibility"}),
        ("je veux parler à quelqu'un", "fr", {"handoff": True}),
    ], recent)
    _conversation(store, SENDERS[1], "telegram", [("شنو هي العودة الطوعية", "ar", {"language": "ar", "topic": "avr_overview"})],
                  recent)
    _conversation(store, SENDERS[2], "rest", [("hello", None, {})], recent)
    _conversation(store, SENDERS[3], "whatsapp", [("long ago", "en", {"language": "en", "topic": "risk_sea"})],
                  NOW - timedelta(days=60))
    with engine.begin() as c:
        for n, (minutes, status) in enumerate([(5, "open"), (30, "resolved"), (120, "resolved"), (None, "pending")]):
            created = NOW - timedelta(days=1, hours=n)
            answered = created + timedelta(minutes=minutes) if minutes is not None else None
            c.execute(text(
                "INSERT INTO cases (conversation_id, channel, language, reason, priority, status, flags, mirror_to_bot, "
                "created_at, updated_at, first_response_at) VALUES (:c, 'whatsapp', 'fr', :r, 'normal', :s, '[]', false, "
                ":t, :t, :f)"), {"c": SENDERS[n], "r": "emergency" if n == 0 else "request", "s": status, "t": created,
                                 "f": answered})
    yield engine, f"sqlite:///{tmp_path / 'tracker.db'}"
    engine.dispose()


def test_aggregates(sample):
    engine, tracker_url = sample
    stats = collect(timedelta(days=30), engine=engine, tracker_url=tracker_url, now=NOW)
    assert stats.messages == 5 and stats.conversations == 3  # the 60-day-old conversation is outside
    # "1" has no language of its own: it counts in the conversation's language
    assert stats.by_language == {"fr": 3, "ar": 1, "unknown": 1}
    assert stats.by_channel == {"whatsapp": 3, "telegram": 1, "rest": 1}
    assert stats.by_topic == {"avr_overview": 2, "avr_eligibility": 1}
    assert stats.handoff_requests == 1
    assert stats.cases_by_reason == {"request": 3, "emergency": 1} and stats.cases_waiting == 1
    assert stats.percentile(50) == 30 and 100 <= stats.percentile(90) <= 120


def test_command_prints_only_aggregates_and_draws_a_chart(sample, tmp_path):
    engine, tracker_url = sample
    chart = tmp_path / "out" / "stats.png"
    env = {**os.environ, "DATABASE_URL": str(engine.url), "TRACKER_DB_URL": tracker_url, "MPLCONFIGDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot", "stats", "--since", "30d", "--chart", str(chart)],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "messages per language" in out and "first response, median" in out and "30 min" in out
    for sender in SENDERS:
        assert sender not in out and sender not in result.stderr
        assert sender.split("-", 1)[1] not in out
    for said in ("retour volontaire", "quelqu'un", "العودة"):
        assert said not in out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_message_before_the_language_is_known_counts_in_the_conversations_language(tmp_path):
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    recent = NOW - timedelta(days=1)
    _conversation(store, "web-hello-en", "rest", [("hello", None, {}),  # a greeting: no language of its own yet
                                                  ("what is voluntary return", "en", {"language": "en"})], recent)
    _conversation(store, "web-hello-fr", "rest", [("hello", None, {}), ("1", None, {}),
                                                  ("c quoi le retour", "fr", {"language": "fr"})], recent)
    _conversation(store, "web-ok-ar", "rest", [("شنو", "ar", {"language": "ar"}), ("ok", "en", {})], recent)  # sticky
    _conversation(store, "web-hi-only", "rest", [("hi", None, {})], recent)
    engine = make_engine(f"sqlite:///{tmp_path / 'assistant.db'}")
    stats = collect(timedelta(days=30), engine=engine, tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}", now=NOW)
    engine.dispose()
    assert stats.by_language == {"en": 2, "fr": 3, "ar": 2, "unknown": 1}
