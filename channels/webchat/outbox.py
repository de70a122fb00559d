"""The local web chat's way back: what a caseworker (or the assistant-is-back notice) sends to a
web chat conversation waits here until that browser fetches it.

The console and the web chat are separate processes (`make run`), so the database is the one
place both reach. Identity stays pseudonymous: the browser keeps a random session token, and
only its keyed hash (`web-…`, PSEUDONYM_KEY, like `tg-…`/`wa-…`) is stored, sent to Rasa or
logged. A row is deleted once the browser confirms it has shown it, and rows nobody fetched
(the tab was closed) go after MAX_AGE: nothing stays longer than needed.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from datetime import timedelta
from typing import List, Optional, Tuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from cases.models import WebchatOutbox

from core.clock import utcnow
from core.db import get_engine, session_scope
from core.settings import get_settings

CHANNEL = "webchat"
PREFIX = "web-"
MAX_AGE = timedelta(days=2)
# what the browser may send as its session: 32-128 URL-safe characters (a UUID or longer)
SESSION_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def _engine(engine: Optional[Engine] = None) -> Engine:
    return engine or get_engine(get_settings().database_url)


def is_webchat(conversation_id: str) -> bool:
    return str(conversation_id or "").startswith(PREFIX)


def conversation_for(session_token: str, key: Optional[bytes] = None) -> Optional[str]:
    """The pseudonymous conversation id of a browser session, None for a malformed token."""
    token = str(session_token or "").replace("-", "")
    if not SESSION_TOKEN.match(token):
        return None
    key = key or get_settings().pseudonym_key_bytes
    return PREFIX + hmac.new(key, f"{CHANNEL}:{token}".encode(), hashlib.sha256).hexdigest()[:32]


def put(conversation_id: str, text: str, engine: Optional[Engine] = None) -> int:
    now = utcnow()
    with session_scope(_engine(engine)) as session:
        # the rows of closed tabs: a caseworker's words are not kept for a browser that is gone
        session.execute(delete(WebchatOutbox).where(WebchatOutbox.created_at < now - MAX_AGE))
        row = WebchatOutbox(conversation_id=conversation_id, text=text, created_at=now)
        session.add(row)
        session.flush()
        return int(row.id)


async def deliver(conversation_id: str, text: str, engine: Optional[Engine] = None) -> dict:
    """A caseworker's message to a `web-…` conversation (channels.outbound.send_to_migrant): queued
    for the page's next poll."""
    row_id = await asyncio.to_thread(put, conversation_id, text, engine)
    return {"ok": True, "message_ids": [f"{CHANNEL}:{row_id}"]}


def fetch(conversation_id: str, after: int = 0, engine: Optional[Engine] = None) -> List[Tuple[int, str]]:
    """(id, text) waiting for this conversation; rows up to `after` were shown, so they go."""
    with session_scope(_engine(engine)) as session:
        if after:
            session.execute(delete(WebchatOutbox).where(
                WebchatOutbox.conversation_id == conversation_id, WebchatOutbox.id <= after))
        query = (select(WebchatOutbox.id, WebchatOutbox.text)
                 .where(WebchatOutbox.conversation_id == conversation_id, WebchatOutbox.id > after)
                 .order_by(WebchatOutbox.id))
        return [(int(row.id), row.text) for row in session.execute(query)]


def waiting(message_ids: List[str], engine: Optional[Engine] = None) -> set:
    """Those of `message_ids` (`webchat:<id>`) the browser has not fetched yet."""
    ids = [int(m.split(":", 1)[1]) for m in message_ids if m.startswith(CHANNEL + ":") and m[len(CHANNEL) + 1:].isdigit()]
    if not ids:
        return set()
    with session_scope(_engine(engine)) as session:
        found = session.execute(select(WebchatOutbox.id).where(WebchatOutbox.id.in_(ids))).scalars().all()
    return {f"{CHANNEL}:{i}" for i in found}


def shown(message_ids: List[str], engine: Optional[Engine] = None) -> set:
    """Those of `message_ids` that are the web chat's and its page has fetched (a case shows them
    delivered: cases.overview.delivery_states' `shown`)."""
    ours = {m for m in message_ids if m.startswith(CHANNEL + ":")}
    return ours - waiting(sorted(ours), engine) if ours else set()


def erase(conversation_id: str, engine: Optional[Engine] = None) -> None:
    with session_scope(_engine(engine)) as session:
        session.execute(delete(WebchatOutbox).where(WebchatOutbox.conversation_id == conversation_id))
