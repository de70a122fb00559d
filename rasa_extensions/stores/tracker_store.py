"""Rasa tracker stores that honour a migrant's choices about their conversation.

- Erasure: when a turn ends with the `erase_requested` slot set (the user confirmed "delete my
  data"), `save` removes every stored event of that conversation instead of appending the turn,
  then the project's data about it (privacy.erasure). Rasa has no other hook that sees the
  whole turn, including the confirmation itself.
- Declined consent: when the `consent` slot is "declined", `save` replaces the stored
  conversation with a minimal, non-identifying state (privacy.consent.minimal_events):
  nothing the migrant wrote, and nothing the assistant answered, outlives the current turn.

Configure in endpoints.yml: `type: rasa_extensions.stores.tracker_store.ErasableSQLTrackerStore`.

The SQL store also survives a database that is briefly unavailable (rasa_extensions.stores.resilience): its
queries run off the event loop, are retried for up to `retry_seconds` (endpoints.yml, default
10), and a failure that outlasts that fails the turn (the channels then ask the migrant to send
again) instead of Rasa carrying on with an empty conversation.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, Optional, TypeVar

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from core.db import overwrite_deletes, scrub_deleted
from privacy.consent import is_declined, minimal_tracker
from rasa_extensions.stores import resilience

T = TypeVar("T")

logger = logging.getLogger(__name__)
ERASE_SLOT = "erase_requested"


def wants_erasure(tracker: DialogueStateTracker) -> bool:
    return bool(tracker.get_slot(ERASE_SLOT))


def _erase_project_data(sender_id: str, channel: str | None = None, tracker_events: int | None = None) -> None:
    """Cases, channel address and media go with the conversation. A failure here is logged
    and re-raised only after the tracker itself is gone, so the conversation never survives."""
    from privacy.erasure import erase_personal_data

    erase_personal_data(sender_id, channel=channel, tracker_events=tracker_events)


class ErasableInMemoryTrackerStore(InMemoryTrackerStore):
    """In memory (`python -m bot ask`, tests). `last_turns` keeps the full tracker of a declined
    conversation's current turn only, so `ask` can still describe the turn it just answered."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.last_turns: Dict[str, DialogueStateTracker] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        self.last_turns.pop(tracker.sender_id, None)
        if wants_erasure(tracker):
            await self.erase(tracker.sender_id)
            return
        if is_declined(tracker):
            self.last_turns[tracker.sender_id] = tracker
            await super().save(minimal_tracker(tracker, self.domain))
            return
        await super().save(tracker)

    async def erase(self, sender_id: str) -> int:
        self.last_turns.pop(sender_id, None)
        return 1 if self.store.pop(sender_id, None) is not None else 0


class ErasableSQLTrackerStore(SQLTrackerStore):
    fail_loudly = True  # see rasa_extensions.stores.resilience: a database failure fails the turn

    def __init__(self, *args: Any, retry_seconds: float = resilience.DEFAULT_RETRY_SECONDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_seconds = float(retry_seconds)
        overwrite_deletes(self.engine)  # erased events are zeroed, not left in free pages
        resilience.install_strict_fail_safe()  # before the Agent wraps this store

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        return await resilience.run(function, *args, retry_seconds=self.retry_seconds)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await self._db(self._load, sender_id, False)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await self._db(self._load, conversation_id, True)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if wants_erasure(tracker):
            removed = await self.erase(tracker.sender_id)
            logger.info("Conversation erased on request (%d events removed)", removed)
            _erase_project_data(tracker.sender_id, tracker.get_latest_input_channel(), removed)
            return
        if is_declined(tracker):
            await self._db(self._replace, minimal_tracker(tracker, self.domain))
            return
        await self.stream_events(tracker)
        await self._db(self._append, tracker)

    async def erase(self, sender_id: str) -> int:
        return await self._db(self._delete, sender_id)

    # -- the database work: synchronous, one transaction each (safe to run again) -------------
    def _load(self, sender_id: str, all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's SQLTrackerStore._retrieve, on the store's threads."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions).all()
            events = [json.loads(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _append(self, tracker: DialogueStateTracker) -> None:
        """The events not stored yet (Rasa's SQLTrackerStore.save). Run again after a failed
        commit, it counts the stored events again, so nothing is written twice."""
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"), data=json.dumps(data),
                ))
            session.commit()

    def _delete(self, sender_id: str) -> int:
        with self.session_scope() as session:
            removed = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False
            )
            session.commit()
        scrub_deleted(self.engine)
        return int(removed or 0)

    def _replace(self, tracker: DialogueStateTracker) -> None:
        """Replace every stored event of the conversation by `tracker`'s, in one transaction
        (never streamed to an event broker: the point is that nothing else is kept)."""
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete(
                synchronize_session=False
            )
            for event in tracker.events:
                data = event.as_dict()
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                    intent_name=None, action_name=data.get("name"), data=json.dumps(data),
                ))
            session.commit()
        scrub_deleted(self.engine)
