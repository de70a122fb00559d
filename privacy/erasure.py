"""Erase a migrant's personal data everywhere the project keeps it.

- on request ("delete my data", confirmed): called by the tracker store when it erases the
  conversation (rasa_extensions.stores.tracker_store), so the conversation, its cases (transcripts, notes,
  event log), the channel address, the media references and delivery records go together;
- on declined consent (actions/consent.py): the same (the redacted questions kept for the
  content team included), except the address (needed to deliver
  the replies the migrant still asks for) and an active urgent case (someone in danger: vital
  interests outweigh the refusal, and the safety answer promised that the team is alerted);
- by the retention purge (privacy/retention.py), which writes its own summary row;
- by a supervisor in the console, on the migrant's behalf (`erase_on_behalf`): everything, the
  Rasa tracker store's events included, with the supervisor named in the tombstone.

What remains is a tombstone in `erasure_log` (migrations/versions/0004_privacy.py): time,
reason, channel kind and row counts. Never the conversation id, the address or any text.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Dict, Mapping, Optional

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert, text
from sqlalchemy.engine import Connection, Engine

from cases.delivery import DeliveryResult, Send, safe_send
from cases.policy import Actor
from cases.service import engine_for, erasable_conversation, erase_conversation
from content.knowledge import load_knowledge
from core.db import get_engine, scrub_deleted, tracker_store_engine
from core.settings import get_settings

logger = logging.getLogger(__name__)
_CHANNEL_TABLES = ("inbox", "channel_media", "delivery_status", "channel_addresses")
# the content team's copy of questions nobody answered well (redacted, insights/store.py):
# it goes with the conversation on every path, erasure and refusal alike
_INSIGHT_TABLES = ("unanswered_questions",)
CHANNEL_KINDS = {"tg": "telegram", "wa": "whatsapp"}

REQUEST, DECLINED, RETENTION, CASEWORKER = "request", "declined", "retention", "caseworker"

metadata = MetaData()
erasure_log = Table(
    "erasure_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("erased_at", DateTime, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("conversations", Integer, nullable=False),
    Column("counts", Text, nullable=False),
    Column("requested_by", String(80)),  # caseworker:<username> for a console erasure
)


def _engine(engine: Optional[Engine]) -> Engine:
    # get_engine caches per URL: passing the URL follows DATABASE_URL changes (tests, CLI).
    return engine or get_engine(get_settings().database_url)


def channel_kind(conversation_id: str, channel: Optional[str] = None) -> str:
    """telegram | whatsapp | the Rasa input channel | other: never anything that identifies."""
    if channel in ("telegram", "whatsapp"):
        return channel
    prefix = (conversation_id or "").split("-", 1)[0]
    if prefix in CHANNEL_KINDS:
        return CHANNEL_KINDS[prefix]
    return channel if channel in ("rest", "cli", "cmdline", "socketio") else "other"


def log_erasure(connection: Connection, reason: str, channel: str, conversations: int,
                counts: Mapping[str, int], requested_by: Optional[str] = None) -> None:
    from core.clock import utcnow

    connection.execute(insert(erasure_log).values(
        erased_at=utcnow(), reason=reason, channel=channel, conversations=int(conversations),
        counts=json.dumps({k: int(v) for k, v in sorted(counts.items())}), requested_by=requested_by,
    ))


def erase_personal_data(conversation_id: str, engine: Optional[Engine] = None, *, channel: Optional[str] = None,
                        tracker_events: Optional[int] = None, reason: str = REQUEST,
                        requested_by: Optional[str] = None) -> Dict[str, int]:
    """Everything of one conversation in the project database, on the migrant's request."""
    engine = _engine(engine)
    kind = channel_kind(conversation_id, channel or _address_channel(engine, conversation_id))
    removed: Dict[str, int] = {}
    if tracker_events is not None:
        removed["tracker_events"] = int(tracker_events)
    removed["cases"] = erase_conversation(conversation_id, engine=engine)
    with engine.begin() as connection:
        for table in (*_CHANNEL_TABLES, *_INSIGHT_TABLES):
            result = connection.execute(text(f"DELETE FROM {table} WHERE conversation_id = :id"), {"id": conversation_id})
            removed[table] = int(result.rowcount or 0)
        log_erasure(connection, reason, kind, 1, removed, requested_by)
    scrub_deleted(engine)
    # tombstone: counts only, never the id or the address
    logger.info("erasure (%s) completed (%s): %s", reason, kind, removed)
    return removed


def erase_on_behalf(conversation_id: str, requested_by: str, engine: Optional[Engine] = None,
                    tracker_url: Optional[str] = None) -> Dict[str, int]:
    """A supervisor erases a conversation from the console (the migrant asked a person, on the
    phone or at a centre): Rasa's stored events and everything in the project database."""
    from privacy.retention import tracker_db_url

    events = erase_tracker_events(tracker_url or tracker_db_url(), conversation_id)
    return erase_personal_data(conversation_id, engine, tracker_events=events, reason=CASEWORKER,
                               requested_by=requested_by)


def erase_tracker_events(url: str, conversation_id: str) -> int:
    """Delete one conversation's events from Rasa's SQL tracker store (another process's store)."""
    from sqlalchemy import inspect

    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):]):
        return 0
    engine = tracker_store_engine(url)
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0
        with engine.begin() as connection:
            removed = connection.execute(text("DELETE FROM events WHERE sender_id = :id"), {"id": conversation_id})
        scrub_deleted(engine)
        return int(removed.rowcount or 0)
    finally:
        engine.dispose()


def forget_on_decline(conversation_id: str, engine: Optional[Engine] = None, *, channel: Optional[str] = None,
                      ) -> Dict[str, int]:
    """The migrant said no to keeping their messages: drop what the project holds about them,
    except the reply address and an active urgent case (see the module docstring)."""
    engine = _engine(engine)
    kind = channel_kind(conversation_id, channel or _address_channel(engine, conversation_id))
    removed: Dict[str, int] = {}
    with engine.begin() as connection:
        ids = [row[0] for row in connection.execute(text(
            "SELECT id FROM cases WHERE conversation_id = :id "
            "AND NOT (priority = 'urgent' AND status IN ('pending', 'open'))"), {"id": conversation_id})]
        for case_id in ids:
            connection.execute(text("DELETE FROM case_messages WHERE case_id = :c"), {"c": case_id})
            connection.execute(text("DELETE FROM case_events WHERE case_id = :c"), {"c": case_id})
            connection.execute(text("DELETE FROM cases WHERE id = :c"), {"c": case_id})
        removed["cases"] = len(ids)
        for table in ("channel_media", "delivery_status", *_INSIGHT_TABLES):
            result = connection.execute(text(f"DELETE FROM {table} WHERE conversation_id = :id"), {"id": conversation_id})
            removed[table] = int(result.rowcount or 0)
        if any(removed.values()):
            log_erasure(connection, DECLINED, kind, 1, removed)
    scrub_deleted(engine)
    logger.info("consent declined (%s): %s", kind, removed)
    return removed


def _address_channel(engine: Engine, conversation_id: str) -> Optional[str]:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT channel FROM channel_addresses WHERE conversation_id = :id"),
                                      {"id": conversation_id}).scalar()
    except Exception:  # noqa: BLE001 - only a label for the tombstone
        return None


async def erase_on_request(case_id: int, actor: Actor, send: Send, engine: Optional[Engine] = None,
                           tracker_url: Optional[str] = None) -> DeliveryResult:
    """A supervisor erases the case's whole conversation because the migrant asked a person
    (on the phone, at a centre): they are told first (ui delete_data_done, their language),
    then everything goes, Rasa's events included; the tombstone names the supervisor."""
    engine = engine_for(engine)
    conversation_id, language = await asyncio.to_thread(erasable_conversation, engine, case_id, actor)
    result = await safe_send(send, conversation_id, load_knowledge().text("delete_data_done", language))
    await asyncio.to_thread(erase_on_behalf, conversation_id, actor.label, engine, tracker_url)
    return result
