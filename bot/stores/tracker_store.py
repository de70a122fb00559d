"""Rasa tracker stores that honour a migrant's request to erase their conversation.

When a turn ends with the `erase_requested` slot set (the user confirmed "delete my data"),
`save` removes every stored event of that conversation instead of appending the turn. Rasa has
no other hook that sees the whole turn, including the confirmation itself.
Configure in endpoints.yml: `type: bot.stores.tracker_store.ErasableSQLTrackerStore`.
"""
from __future__ import annotations

import logging

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)
ERASE_SLOT = "erase_requested"


def wants_erasure(tracker: DialogueStateTracker) -> bool:
    return bool(tracker.get_slot(ERASE_SLOT))


def _erase_project_data(sender_id: str) -> None:
    """Cases, channel address and media go with the conversation. A failure here is logged
    and re-raised only after the tracker itself is gone, so the conversation never survives."""
    from bot.privacy.erasure import erase_personal_data

    erase_personal_data(sender_id)


class ErasableInMemoryTrackerStore(InMemoryTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        if wants_erasure(tracker):
            await self.erase(tracker.sender_id)
            return
        await super().save(tracker)

    async def erase(self, sender_id: str) -> int:
        return 1 if self.store.pop(sender_id, None) is not None else 0


class ErasableSQLTrackerStore(SQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        if wants_erasure(tracker):
            removed = await self.erase(tracker.sender_id)
            logger.info("Conversation erased on request (%d events removed)", removed)
            _erase_project_data(tracker.sender_id)
            return
        await super().save(tracker)

    async def erase(self, sender_id: str) -> int:
        with self.session_scope() as session:
            removed = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False
            )
            session.commit()
        return int(removed or 0)
