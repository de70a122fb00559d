"""A supervisor erases a conversation from its case (the migrant asked a person): the migrant
is told, then Rasa's events, the case, its transcript and the address go; the tombstone names
the supervisor and nobody else (issue: the console had no erase action)."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest
from sqlalchemy import text

from cases import accounts, service
from cases.policy import PermissionDenied
from privacy import erasure
from content.knowledge import load_knowledge
from testing.case_support import FakeChannel

CONV = "tg-" + "5" * 32


def _tracker_with_events(path, sender: str) -> str:
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("my name is Amadou, I am in Sabha", {"name": "inform", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    return f"sqlite:///{path}"


@pytest.mark.asyncio
async def test_a_supervisor_erases_the_whole_conversation_and_is_named_in_the_tombstone(engine, tmp_path):
    supervisor = accounts.create("sup", "lantern orbit fennel 42", "supervisor", engine=engine)
    amina = accounts.create("amina", "quiet harbour tulip mosaic", engine=engine)
    tracker_url = await asyncio.to_thread(_tracker_with_events, tmp_path / "tracker.db", CONV)
    case_id = service.open_or_update_case(CONV, "telegram", "fr", topic="travel_document", reason="request",
                                          engine=engine).case_id
    service.record_inbound(CONV, "je m'appelle Amadou", engine=engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO channel_addresses (conversation_id, channel, address, last_inbound_at, "
                                "opted_out, blocked) VALUES (:c, 'telegram', '987654321', :t, false, false)"),
                           {"c": CONV, "t": datetime.utcnow()})
    channel = FakeChannel()

    with pytest.raises(PermissionDenied):  # a caseworker cannot: irreversible, and it ends the case for all
        await erasure.erase_on_request(case_id, amina, channel.send, engine=engine, tracker_url=tracker_url)
    assert channel.deliveries == []

    await erasure.erase_on_request(case_id, supervisor, channel.send, engine=engine, tracker_url=tracker_url)
    assert channel.deliveries[0]["text"] == load_knowledge().text("delete_data_done", "fr")
    from sqlalchemy import create_engine

    tracker_engine = create_engine(tracker_url)
    with tracker_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :c"), {"c": CONV}).scalar() == 0
    tracker_engine.dispose()
    with engine.connect() as connection:
        for table in ("cases", "channel_addresses"):
            assert connection.execute(text(f"SELECT count(*) FROM {table} WHERE conversation_id = :c"),
                                      {"c": CONV}).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM case_messages")).scalar() == 0
        [tombstone] = connection.execute(text("SELECT * FROM erasure_log")).mappings().all()
    assert tombstone["reason"] == "caseworker" and tombstone["requested_by"] == supervisor.label
    assert json.loads(tombstone["counts"])["tracker_events"] == 1
    assert CONV not in repr(dict(tombstone)) and "987654321" not in repr(dict(tombstone))
