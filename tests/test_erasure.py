"""'Delete my data' erases the conversation, its cases and the channel address, on SQLite."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest
from sqlalchemy import text

from core.db import make_engine, upgrade


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'erasure.db'}"
    upgrade(url)
    engine = make_engine(url)
    import privacy.erasure as erasure

    monkeypatch.setattr(erasure, "get_engine", lambda *_args: engine)
    return engine


def _tracker(sender: str, erase: bool):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load("domain.yml")
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
    if erase:
        tracker.update(SlotSet("erase_requested", True))
    return tracker


def test_sql_tracker_store_erases_conversation_cases_and_address(tmp_path, database):
    from cases.service import open_or_update_case
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    keep, erase = "wa-keep", "wa-erase"
    for sender in (keep, erase):
        asyncio.run(store.save(_tracker(sender, erase=False)))
        open_or_update_case(sender, "whatsapp", "fr", topic="avr_overview", reason="request", engine=database)
        with database.begin() as connection:
            connection.execute(text("INSERT INTO channel_addresses (conversation_id, channel, address, last_inbound_at, opted_out, blocked) "
                                    "VALUES (:c, 'whatsapp', :a, :t, false, false)"), {"c": sender, "a": f"+22790000{len(sender)}", "t": datetime.utcnow()})
    asyncio.run(store.save(_tracker(erase, erase=True)))
    assert asyncio.run(store.retrieve(erase)) is None
    assert asyncio.run(store.retrieve(keep)) is not None
    with database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cases WHERE conversation_id = :c"), {"c": erase}).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM channel_addresses WHERE conversation_id = :c"), {"c": erase}).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM cases WHERE conversation_id = :c"), {"c": keep}).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM channel_addresses WHERE conversation_id = :c"), {"c": keep}).scalar() == 1
        # the tombstone: when, why, which kind of channel, how many rows; never whose
        [tombstone] = connection.execute(text("SELECT * FROM erasure_log")).mappings().all()
    assert tombstone["reason"] == "request" and tombstone["channel"] == "whatsapp" and tombstone["conversations"] == 1
    assert json.loads(tombstone["counts"]) == {"cases": 1, "channel_addresses": 1, "channel_media": 0, "inbox": 0,
                                               "delivery_status": 0, "tracker_events": 1, "unanswered_questions": 0}
    assert erase not in repr(dict(tombstone)) and "+2279" not in repr(dict(tombstone))


def _bytes_on_disk(path) -> bytes:
    """The database file and its write-ahead log, as a forensic copy would read them."""
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_erased_data_is_not_left_in_the_sqlite_files(tmp_path):
    from cases.service import open_or_update_case, record_inbound
    from privacy.erasure import erase_personal_data
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    path = tmp_path / "assistant.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    marker, number = "Zebra-Fatima-Marker-4711", "+2348031234567"
    open_or_update_case("wa-erase", "whatsapp", "en", topic="avr_overview", reason="request", engine=engine)
    record_inbound("wa-erase", f"my name is {marker}, call me on {number}", engine=engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO channel_addresses (conversation_id, channel, address, last_inbound_at, "
                                "opted_out, blocked) VALUES ('wa-erase', 'whatsapp', :a, :t, false, false)"),
                           {"a": number, "t": datetime.utcnow()})
    reader = engine.connect()  # another process's pooled connection, as in the running assistant
    assert marker.encode() in _bytes_on_disk(path) and number.encode() in _bytes_on_disk(path)

    erase_personal_data("wa-erase", engine)
    on_disk = _bytes_on_disk(path)
    assert marker.encode() not in on_disk and number.encode() not in on_disk
    reader.close()
    engine.dispose()

    tracker_path = tmp_path / "tracker.db"
    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(tracker_path))
    from rasa.shared.core.events import UserUttered

    tracker = _tracker("wa-erase", erase=False)
    tracker.update(UserUttered(f"I am {marker}", {"name": "inform", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    assert marker.encode() in _bytes_on_disk(tracker_path)
    asyncio.run(store.erase("wa-erase"))
    assert marker.encode() not in _bytes_on_disk(tracker_path)
