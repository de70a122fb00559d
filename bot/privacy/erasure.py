"""Erase a migrant's personal data everywhere the project keeps it, on their request.

Called by the tracker store when a conversation is erased (bot.stores.tracker_store), so the
conversation, its cases (transcripts, notes, event log), the channel address and the media
references go together. What remains is a non-identifying tombstone count in the log.
"""
from __future__ import annotations

import logging
from typing import Dict, Optional

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import get_engine

logger = logging.getLogger(__name__)
_CHANNEL_TABLES = ("channel_media", "delivery_status", "channel_addresses")


def erase_personal_data(conversation_id: str, engine: Optional[Engine] = None) -> Dict[str, int]:
    engine = engine or get_engine()
    removed: Dict[str, int] = {}
    from bot.cases.service import erase_conversation

    removed["cases"] = erase_conversation(conversation_id, engine=engine)
    with engine.begin() as connection:
        for table in _CHANNEL_TABLES:
            result = connection.execute(text(f"DELETE FROM {table} WHERE conversation_id = :id"), {"id": conversation_id})
            removed[table] = int(result.rowcount or 0)
    # tombstone: counts only, never the id or the address
    logger.info("erasure on request completed: %s", removed)
    return removed
