"""'Delete my data' on the production database: PostgreSQL for the tracker store and the project.

A database of its own per run (`erasure_test_<random>`), migrated by the real migrations and
dropped afterwards. Skipped only when PostgreSQL is unreachable and CI is unset.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime

import pytest
from sqlalchemy import text

from core.db import make_engine
from testing import case_support as support


@pytest.fixture(scope="module")
def pg_url():
    with support.postgres_database("erasure_test") as url:
        yield url


@pytest.fixture
def engine(pg_url):
    engine = make_engine(pg_url)
    with support.as_default_database(engine):  # what the tracker store's erasure uses
        yield engine
    engine.dispose()


@pytest.fixture
def tracker_store(pg_url):
    from sqlalchemy.engine import make_url

    from rasa.shared.core.domain import Domain

    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    url = make_url(pg_url)
    store = ErasableSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="postgresql", host=url.host,
                                    port=url.port or 5432, db=url.database, username=url.username or "postgres",
                                    password=url.password)
    yield store
    store.engine.dispose()


def _tracker(sender: str, *events):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker(sender, Domain.load("domain.yml").slots)
    tracker.update(UserUttered("my number is +22790001122, help", {"name": "greet", "confidence": 1.0},
                               input_channel="whatsapp"))
    for event in events:
        tracker.update(event)
    return tracker


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar())


def _seed(engine, sender: str, number: str) -> None:
    from cases.service import open_or_update_case, record_inbound

    case = open_or_update_case(sender, "whatsapp", "fr", topic="avr_overview", reason="request",
                               history=[("migrant", "bonjour")], engine=engine)
    record_inbound(sender, "je suis à Agadez", engine=engine)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO channel_addresses (conversation_id, channel, address, last_inbound_at, opted_out, blocked) "
            "VALUES (:c, 'whatsapp', :a, :t, false, false)"), {"c": sender, "a": number, "t": datetime.utcnow()})
        connection.execute(text(
            "INSERT INTO channel_media (conversation_id, channel, reference, content_type, received_at) "
            "VALUES (:c, 'whatsapp', 'https://api.twilio.com/media/ME1', 'image/jpeg', :t)"),
            {"c": sender, "t": datetime.utcnow()})
        connection.execute(text(
            "INSERT INTO delivery_status (channel, message_id, conversation_id, status, recorded_at) "
            "VALUES ('whatsapp', 'SM1', :c, 'delivered', :t)"), {"c": sender, "t": datetime.utcnow()})
        connection.execute(text(  # a message the channel had not finished answering (delivery/inbox.py)
            "INSERT INTO inbox (id, channel, conversation_id, message, replies_sent, owner, attempts, received_at) "
            "VALUES (:i, 'whatsapp', :c, '{\"text\": \"je suis à Agadez\"}', 0, 'w1', 1, :t)"),
            {"i": uuid.uuid4().hex, "c": sender, "t": datetime.utcnow()})
        connection.execute(text(  # a redacted question kept for the content team (insights/store.py)
            "INSERT INTO unanswered_questions (conversation_id, language, text, outcome, confidence, day) "
            "VALUES (:c, 'fr', 'je suis à [place], je peux rentrer ?', 'not_understood', 0.2, :d)"),
            {"c": sender, "d": datetime.utcnow().date()})
    assert case.created


def test_erasure_on_request_removes_everything_of_that_conversation_only(engine, tracker_store):
    from rasa.shared.core.events import SlotSet

    keep, erase = f"wa-keep-{uuid.uuid4().hex[:8]}", f"wa-erase-{uuid.uuid4().hex[:8]}"
    for sender, number in ((keep, "+22790000001"), (erase, "+22790000002")):
        asyncio.run(tracker_store.save(_tracker(sender)))
        _seed(engine, sender, number)
    before = _count(engine, "SELECT count(*) FROM erasure_log")

    asyncio.run(tracker_store.save(_tracker(erase, SlotSet("erase_requested", True))))

    assert asyncio.run(tracker_store.retrieve(erase)) is None
    assert asyncio.run(tracker_store.retrieve(keep)) is not None
    for table in ("cases", "channel_addresses", "channel_media", "delivery_status", "inbox", "unanswered_questions"):
        assert _count(engine, f"SELECT count(*) FROM {table} WHERE conversation_id = :c", c=erase) == 0, table
        assert _count(engine, f"SELECT count(*) FROM {table} WHERE conversation_id = :c", c=keep) == 1, table
    # the case's transcript and log went with it; the other conversation's stayed
    assert _count(engine, "SELECT count(*) FROM case_messages m JOIN cases c ON c.id = m.case_id "
                          "WHERE c.conversation_id = :c", c=keep) == 2
    assert _count(engine, "SELECT count(*) FROM case_messages") == 2
    assert _count(engine, "SELECT count(*) FROM case_events") == _count(
        engine, "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.conversation_id = :c", c=keep)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM erasure_log ORDER BY id")).mappings().all()
    assert len(rows) == before + 1
    tombstone = dict(rows[-1])
    assert tombstone["reason"] == "request" and tombstone["channel"] == "whatsapp" and tombstone["conversations"] == 1
    assert json.loads(tombstone["counts"]) == {"cases": 1, "channel_addresses": 1, "channel_media": 1,
                                               "delivery_status": 1, "inbox": 1, "tracker_events": 1,
                                               "unanswered_questions": 1}
    assert erase not in repr(tombstone) and "22790000002" not in repr(tombstone)


def test_declined_consent_keeps_only_a_minimal_state_in_postgres(engine, tracker_store):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet

    sender = f"wa-declined-{uuid.uuid4().hex[:8]}"
    asyncio.run(tracker_store.save(_tracker(sender)))  # first turn, before the answer: kept
    declined = _tracker(sender, ActionExecuted("action_answer_topic"), BotUttered("Le retour volontaire ..."),
                        SlotSet("language", "fr"), SlotSet("topic", "avr_overview"),
                        SlotSet("menu_options", ["topic:avr_process", "handoff"]), SlotSet("consent", "declined"))
    asyncio.run(tracker_store.save(declined))

    stored = asyncio.run(tracker_store.retrieve(sender))
    assert stored.get_slot("consent") == "declined" and stored.get_slot("language") == "fr"
    assert stored.get_slot("menu_options") == ["topic:avr_process", "handoff"]  # "2" still works
    assert stored.get_slot("topic") is None
    with engine.connect() as connection:
        data = " ".join(row[0] for row in connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender}))
        types = {row[0] for row in connection.execute(
            text("SELECT type_name FROM events WHERE sender_id = :s"), {"s": sender})}
    assert "+22790001122" not in data and "retour volontaire" not in data and "avr_overview" not in data
    assert types <= {"action", "session_started", "slot"}
