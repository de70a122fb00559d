"""What the console shows around the case rows: last message, waiting time, unread marks and
each outbound message's delivery state. Read-only except `mark_read`.

Delivery states come from the platforms' status callbacks the channels record in
`delivery_status` (Twilio: sent, delivered, read, failed/undelivered with an error code), matched
by the platform message ids kept on each case message. A channel without status callbacks says
which of its messages were shown through `shown` (the web chat: fetched by its page, passed in
by the console), so this module never imports a channel.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Dict, Iterable, List, Optional

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from cases.models import Case, CaseMessage, CaseRead
from cases.policy import Actor
from cases.service import engine_for
from core.db import session_scope
from delivery.store import delivery_status

PREVIEW_CHARS = 90
# Twilio / WhatsApp error codes a caseworker meets, in words they can act on
ERROR_WORDS = {
    "63016": "WhatsApp's 24-hour window is closed: only an approved template can be sent until the migrant writes.",
    "63024": "WhatsApp refused the message: the recipient cannot receive it now.",
    "30003": "The phone is unreachable (switched off or out of coverage).",
    "30005": "The number is unknown to the network or no longer exists.",
    "30006": "The number cannot receive WhatsApp messages.",
    "30007": "The message was filtered by the network as spam.",
    "30008": "The platform could not deliver the message (unknown error).",
    "21610": "The migrant sent STOP: nothing can reach them until they write START.",
    "403": "The migrant has blocked the assistant on Telegram.",
}
# how far a message got, so a later callback never moves it back ("read" then a late "sent")
RANK = {"sent": 1, "template": 1, "queued": 1, "delivered": 2, "read": 3, "failed": 4, "undelivered": 4}
# (platform message ids, engine) -> those of them the migrant was shown
Shown = Callable[[List[str], Engine], Iterable[str]]


def nothing_shown(_message_ids: List[str], _engine: Engine) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Activity:
    preview: str                         # the last message, cut short (escaped by the template)
    preview_author: str
    last_migrant_at: Optional[datetime]  # "waiting since their last message"
    unread: bool


def _preview(text: str, media: str) -> str:
    text = " ".join((text or "").split())
    if not text and media and media != "[]":
        return "(media)"
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1].rstrip() + "…"


def activity(case_ids: Iterable[int], caseworker_id: int, engine: Optional[Engine] = None) -> Dict[int, Activity]:
    ids = list(case_ids)
    if not ids:
        return {}
    with session_scope(engine_for(engine)) as session:
        last_ids = dict(session.execute(select(CaseMessage.case_id, func.max(CaseMessage.id))
                                        .where(CaseMessage.case_id.in_(ids)).group_by(CaseMessage.case_id)).all())
        migrant_at = dict(session.execute(
            select(CaseMessage.case_id, func.max(CaseMessage.created_at))
            .where(CaseMessage.case_id.in_(ids), CaseMessage.author == "migrant").group_by(CaseMessage.case_id)).all())
        last = {m.case_id: m for m in session.execute(
            select(CaseMessage).where(CaseMessage.id.in_(list(last_ids.values())))).scalars()}
        seen = dict(session.execute(select(CaseRead.case_id, CaseRead.last_message_id).where(
            CaseRead.case_id.in_(ids), CaseRead.caseworker_id == caseworker_id)).all())
    result = {}
    for case_id in ids:
        message = last.get(case_id)
        result[case_id] = Activity(
            preview=_preview(message.text, message.media) if message else "",
            preview_author=message.author if message else "",
            last_migrant_at=migrant_at.get(case_id),
            unread=message is not None and message.author == "migrant" and seen.get(case_id, 0) < message.id,
        )
    return result


def mark_read(case_id: int, caseworker_id: int, last_message_id: int, engine: Optional[Engine] = None) -> None:
    if not last_message_id:
        return
    with session_scope(engine_for(engine)) as session:
        row = session.get(CaseRead, (case_id, caseworker_id))
        if row is None:
            session.add(CaseRead(case_id=case_id, caseworker_id=caseworker_id, last_message_id=last_message_id))
        elif row.last_message_id < last_message_id:
            row.last_message_id = last_message_id


def delivery_states(messages: List[CaseMessage], engine: Optional[Engine] = None,
                    shown: Shown = nothing_shown) -> Dict[int, dict]:
    """message id → {"state": sent|delivered|read|failed|template, "reason": plain words|None}."""
    states = {m.id: {"state": m.delivery, "reason": m.delivery_error} for m in messages if m.delivery}
    by_platform = {pid: m.id for m in messages for pid in m.platform_id_list}
    if not by_platform:
        return states
    for pid in shown(list(by_platform), engine_for(engine)):
        if pid in by_platform:
            _advance(states[by_platform[pid]], "delivered", None)
    with session_scope(engine_for(engine)) as session:
        rows = session.execute(select(delivery_status.c.message_id, delivery_status.c.status, delivery_status.c.error_code)
                               .where(delivery_status.c.message_id.in_(list(by_platform)))
                               .order_by(delivery_status.c.id)).all()
    for pid, status, code in rows:
        _advance(states[by_platform[pid]], status, code)
    return states


def _advance(entry: dict, status: str, code: Optional[str]) -> None:
    status = "failed" if status == "undelivered" else status
    if RANK.get(status, 0) >= RANK.get(entry["state"] or "", 0) or status == "failed":
        entry["state"] = status
        if status == "failed":
            entry["reason"] = ERROR_WORDS.get(str(code or ""), f"The platform reported a failure (code {code})."
                                              if code else "The platform reported a failure.")


def urgent_waiting(actor: Actor, engine: Optional[Engine] = None) -> List[int]:
    """Urgent cases `actor` may open that nobody has answered yet: the console announces new ones."""
    from cases.store import _viewable

    query = (select(Case.id).where(Case.priority == "urgent", Case.first_response_at.is_(None),
                                   Case.status.in_(("pending", "open")), _viewable(actor)).order_by(Case.id))
    with session_scope(engine_for(engine)) as session:
        return list(session.execute(query).scalars())
