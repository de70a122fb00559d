"""Case operations: what the actions, the channel router and the console call.

Every change writes an event (who, when, what) in the same transaction as the change itself,
so the log cannot disagree with the case. Status changes go through state.transition and
permissions through policy.check, so no caller can skip them. Sending to the migrant is async
(the channel does network I/O); the database work around it runs in a worker thread.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence, Tuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases import policy
from cases.delivery import DeliveryResult, Send, safe_send
from cases.models import Case, CaseEvent, CaseMessage, Caseworker, WebchatOutbox, dumps
from core.clock import utcnow
from cases.policy import Actor
from cases.state import ACTIVE_STATUSES, CaseError, is_higher, priority_for, transition, validate_priority
from core.db import get_engine, session_scope
from content.knowledge import load_knowledge
from core.settings import get_settings

MAX_REPLY_CHARS = 4096  # the longest message a channel takes in one piece (Telegram)


class CaseNotFound(CaseError):
    pass


@dataclass(frozen=True)
class CaseUpdate:
    """What open_or_update_case did."""

    case_id: int
    created: bool
    status: str
    priority: str
    previous_priority: Optional[str]  # set only when this call raised the priority
    language: str
    topic: Optional[str]

    @property
    def became_urgent(self) -> bool:
        return self.priority == "urgent" and (self.created or self.previous_priority is not None)


def engine_for(engine: Optional[Engine] = None) -> Engine:
    # get_engine is cached per URL; passing the URL (not None) follows DATABASE_URL changes.
    return engine or get_engine(get_settings().database_url)


def _event(session: Session, case: Case, kind: str, actor: str, **payload: Any) -> None:
    case.updated_at = utcnow()
    session.add(CaseEvent(case_id=case.id, kind=kind, actor=actor, payload=dumps(payload), created_at=case.updated_at))


def _message(session: Session, case: Case, author: str, text: str, media: Any = None, **extra: Any) -> CaseMessage:
    message = CaseMessage(case_id=case.id, author=author, text=text or "", media=dumps(_media_refs(media)), **extra)
    message.created_at = message.created_at or utcnow()
    session.add(message)
    session.flush()
    return message


def _media_refs(media: Any) -> list:
    """Media are kept as references (kind, id, caption...), never their bytes."""
    if not media:
        return []
    return list(media) if isinstance(media, (list, tuple)) else [media]


def _active(session: Session, conversation_id: str) -> Optional[Case]:
    query = select(Case).where(Case.conversation_id == conversation_id, Case.status.in_(ACTIVE_STATUSES))
    return session.execute(query).scalar_one_or_none()


def active_case_id(conversation_id: str, engine: Optional[Engine] = None) -> Optional[int]:
    with session_scope(engine_for(engine)) as session:
        case = _active(session, conversation_id)
        return case.id if case else None


def has_active_case(conversation_id: str, engine: Optional[Engine] = None) -> bool:
    """A caseworker case of this conversation is pending or open (not resolved)."""
    with session_scope(engine_for(engine)) as session:
        return _active(session, conversation_id) is not None


# -- handoff triggers (actions, channel router) ------------------------------------------
def open_or_update_case(
    conversation_id: str, channel: str, language: str, topic: Optional[str] = None, priority: Optional[str] = None,
    reason: str = "request", flags: Iterable[str] = (), *, history: Sequence[Tuple[str, str]] = (),
    actor: str = "bot", engine: Optional[Engine] = None,
) -> CaseUpdate:
    """The conversation's active case, created if there is none. Idempotent: asking again
    never opens a second case, only raises the priority (never lowers it) and adds flags.
    `history` (author, text) pairs are copied into a new case's transcript as context."""
    priority = priority_for(reason, priority)
    flags = [str(flag) for flag in flags]
    for attempt in range(2):
        try:
            with session_scope(engine_for(engine)) as session:
                case = _active(session, conversation_id)
                if case is None:
                    return _create(session, conversation_id, channel, language, topic, priority, reason, flags, history, actor)
                return _update(session, case, language, topic, priority, reason, flags, actor)
        except IntegrityError:
            if attempt:  # the other writer's case exists now: the second try updates it
                raise
    raise AssertionError("unreachable")


def _create(session, conversation_id, channel, language, topic, priority, reason, flags, history, actor) -> CaseUpdate:
    now = utcnow()
    case = Case(conversation_id=conversation_id, channel=channel, language=language, topic=topic, reason=reason,
                priority=priority, status="pending", flags=dumps(flags), mirror_to_bot=False,
                created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    _event(session, case, "opened", actor, reason=reason, priority=priority, topic=topic, flags=flags)
    for author, text in history:
        _message(session, case, author, text, created_at=now)
    return CaseUpdate(case.id, True, case.status, priority, None, language, topic)


def _update(session, case: Case, language, topic, priority, reason, flags, actor) -> CaseUpdate:
    previous = None
    if is_higher(priority, case.priority):
        previous, case.priority = case.priority, priority
        _event(session, case, "priority_changed", actor, **{"from": previous, "to": priority, "reason": reason})
    new_flags = [flag for flag in flags if flag not in case.flag_list]
    if new_flags:
        case.flags = dumps(case.flag_list + new_flags)
        _event(session, case, "note", actor, text=f"Handoff asked again ({reason}); new flags: {', '.join(new_flags)}")
    case.language, case.topic = language or case.language, topic or case.topic
    case.mirror_to_bot = False  # they asked for a person again: stop mirroring to the bot
    return CaseUpdate(case.id, False, case.status, case.priority, previous, case.language, case.topic)


def record_inbound(conversation_id: str, text: str, media: Any = None, *, back_to_assistant: bool = False,
                   engine: Optional[Engine] = None) -> Optional[Tuple[int, bool]]:
    """Add a migrant's message to their active case: (case id, mirror to bot), or None."""
    with session_scope(engine_for(engine)) as session:
        case = _active(session, conversation_id)
        if case is None:
            return None
        transition(case.status, "message_in")
        message = _message(session, case, "migrant", text, media)
        if back_to_assistant:
            case.mirror_to_bot = True
        _event(session, case, "message_in", "migrant", message_id=message.id, back_to_assistant=back_to_assistant)
        # an urgent case nobody has answered yet: the assistant acknowledges every message
        # ("we are alerting the team") so that a person in danger is never met with silence
        awaiting_urgent = case.priority == "urgent" and case.first_response_at is None
        return case.id, bool(case.mirror_to_bot) or awaiting_urgent


def record_delivered(conversation_id: str, text: str, result: DeliveryResult,
                     engine: Optional[Engine] = None) -> Optional[int]:
    """What the assistant (or the channel itself) just sent the migrant joins their active case
    with its delivery state, so the caseworker reads everything the migrant received, in
    order: the message id, or None when no case is active. The channels call it after each
    send (cases/routing.on_outbound), the local web chat after each turn."""
    with session_scope(engine_for(engine)) as session:
        case = _active(session, conversation_id)
        return _add_outbound(session, case, None, text, result).id if case is not None else None


def _record_outbound(engine: Engine, case_id: int, actor: Optional[Actor], text: str, result: DeliveryResult) -> int:
    with session_scope(engine) as session:
        return _add_outbound(session, _get(session, case_id), actor, text, result).id


def _add_outbound(session: Session, case: Case, actor: Optional[Actor], text: str, result: DeliveryResult) -> CaseMessage:
    delivery = "failed" if not result.ok else ("template" if result.used_template else "sent")
    message = _message(session, case, "caseworker" if actor else "bot", text,
                       caseworker_id=actor.id if actor else None, delivery=delivery, delivery_error=result.error,
                       platform_ids=dumps(list(result.message_ids)) if result.message_ids else None)
    _event(session, case, "message_out", actor.label if actor else "bot",
           message_id=message.id, delivery=delivery, error=result.error)
    if actor and result.ok:
        case.mirror_to_bot = False  # a person answered: the conversation is with them again
    if actor and delivery == "sent":  # a template instead of the text is not yet an answer
        case.first_response_at = case.first_response_at or message.created_at
    return message


# -- caseworker operations (console) -----------------------------------------------------
def _get(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"Case {case_id} does not exist.")
    return case


def _checked(session: Session, case_id: int, actor: Actor, action: str, target_id: Optional[int] = None) -> Tuple[Case, str]:
    case = _get(session, case_id)
    policy.check(actor, action, case.assignee_id, target_id)
    return case, transition(case.status, action)


def assign(case_id: int, actor: Actor, assignee_id: int, engine: Optional[Engine] = None) -> None:
    with session_scope(engine_for(engine)) as session:
        case, status = _checked(session, case_id, actor, "assign", assignee_id)
        assignee = session.get(Caseworker, assignee_id)
        if assignee is None or not assignee.active:
            raise CaseError("That caseworker does not exist or is not active.")
        _assign(session, case, status, assignee, actor)


def _assign(session: Session, case: Case, status: str, assignee: Caseworker, actor: Actor, **payload: Any) -> None:
    previous = session.get(Caseworker, case.assignee_id).username if case.assignee_id else None
    case.assignee_id, case.status = assignee.id, status
    _event(session, case, "assigned", actor.label, assignee=assignee.username, previous=previous, **payload)


def add_note(case_id: int, actor: Actor, text: str, engine: Optional[Engine] = None) -> None:
    text = (text or "").strip()
    if not text:
        raise CaseError("A note cannot be empty.")
    with session_scope(engine_for(engine)) as session:
        case, _ = _checked(session, case_id, actor, "note")
        _event(session, case, "note", actor.label, text=text)


def change_priority(case_id: int, actor: Actor, priority: str, engine: Optional[Engine] = None) -> None:
    validate_priority(priority)
    with session_scope(engine_for(engine)) as session:
        case, _ = _checked(session, case_id, actor, "change_priority")
        if case.priority != priority:
            previous, case.priority = case.priority, priority
            _event(session, case, "priority_changed", actor.label, **{"from": previous, "to": priority})


def reopen(case_id: int, actor: Actor, engine: Optional[Engine] = None) -> None:
    with session_scope(engine_for(engine)) as session:
        case, status = _checked(session, case_id, actor, "reopen")
        if _active(session, case.conversation_id) is not None:
            raise CaseError("This conversation already has another active case; work on that one.")
        case.status, case.resolved_at = status, None
        case.assignee_id = case.assignee_id or actor.id
        _event(session, case, "reopened", actor.label)


def _start_reply(engine: Engine, case_id: int, actor: Actor) -> str:
    with session_scope(engine) as session:
        case, status = _checked(session, case_id, actor, "reply")
        if case.status == "pending":  # whoever answers first owns the case
            _assign(session, case, status, session.get(Caseworker, actor.id), actor, auto=True)
        return case.conversation_id


async def reply(case_id: int, actor: Actor, text: str, send: Send, engine: Optional[Engine] = None) -> DeliveryResult:
    """Send a caseworker's reply through the migrant's channel and record it (also when the
    send failed, marked as such, so nobody believes it arrived)."""
    text = (text or "").strip()
    if not text:
        raise CaseError("The reply is empty.")
    if len(text) > MAX_REPLY_CHARS:
        raise CaseError(f"The reply is longer than {MAX_REPLY_CHARS} characters.")
    engine = engine_for(engine)
    conversation_id = await asyncio.to_thread(_start_reply, engine, case_id, actor)
    result = await safe_send(send, conversation_id, text)
    await asyncio.to_thread(_record_outbound, engine, case_id, actor, text, result)
    return result


def _resendable(engine: Engine, case_id: int, actor: Actor, message_id: int) -> Tuple[str, str]:
    with session_scope(engine) as session:
        case, _ = _checked(session, case_id, actor, "reply")
        message = session.get(CaseMessage, message_id)
        if message is None or message.case_id != case.id or message.delivery not in ("failed", "template"):
            raise CaseError("Only a message that failed or went out as a template can be sent again.")
        return case.conversation_id, message.text


async def resend(case_id: int, actor: Actor, message_id: int, send: Send, engine: Optional[Engine] = None) -> DeliveryResult:
    """Send a failed (or template-replaced) message again, as a new message of the transcript:
    the first attempt and its failure stay visible, so the record says what really happened."""
    engine = engine_for(engine)
    _, text = await asyncio.to_thread(_resendable, engine, case_id, actor, message_id)
    return await reply(case_id, actor, text, send, engine=engine)


def _resolve(engine: Engine, case_id: int, actor: Actor) -> Tuple[str, str]:
    with session_scope(engine) as session:
        case, status = _checked(session, case_id, actor, "resolve")
        case.status, case.resolved_at, case.mirror_to_bot = status, utcnow(), False
        _event(session, case, "resolved", actor.label)
        return case.conversation_id, case.language


async def resolve(case_id: int, actor: Actor, send: Send, engine: Optional[Engine] = None) -> DeliveryResult:
    """Resolve, then tell the migrant (ui handoff_resolved, their language) that the assistant
    is back. The case is resolved first: from then on their messages go to the bot again."""
    engine = engine_for(engine)
    conversation_id, language = await asyncio.to_thread(_resolve, engine, case_id, actor)
    text = load_knowledge().text("handoff_resolved", language)
    result = await safe_send(send, conversation_id, text)
    await asyncio.to_thread(_record_outbound, engine, case_id, None, text, result)
    return result


def erasable_conversation(engine: Engine, case_id: int, actor: Actor) -> Tuple[str, str]:
    """(conversation id, language) of a case a supervisor may erase (privacy.erasure.erase_on_request)."""
    if not actor.is_supervisor:  # irreversible, and it ends the case for everyone
        raise policy.PermissionDenied("Only a supervisor can erase a conversation.")
    with session_scope(engine) as session:
        case = _get(session, case_id)
        return case.conversation_id, case.language


def erase_conversation(conversation_id: str, engine: Optional[Engine] = None) -> int:
    """Delete every case of a conversation with its transcript and log (erasure on request)."""
    with session_scope(engine_for(engine)) as session:
        ids = session.execute(select(Case.id).where(Case.conversation_id == conversation_id)).scalars().all()
        if ids:
            session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(ids)))
            session.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(ids)))
            session.execute(delete(Case).where(Case.id.in_(ids)))
        # a caseworker's messages a web chat page has not fetched yet go with the conversation
        session.execute(delete(WebchatOutbox).where(WebchatOutbox.conversation_id == conversation_id))
        return len(ids)
