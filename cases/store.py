"""Read-only case queries for the console: inbox folders, a case's transcript and log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import and_, case as when, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from cases.models import Case, CaseEvent, CaseMessage, Caseworker
from cases.policy import Actor, may_see_folder, may_view
from cases.service import CaseNotFound, engine_for
from cases.state import ACTIVE_STATUSES, PRIORITIES, CaseError
from core.db import session_scope

FOLDERS = ("unassigned", "mine", "all")
STATUS_FILTERS = {"active": ACTIVE_STATUSES, "resolved": ("resolved",)}

# Priority as a number in SQL, so the database sorts urgent first (a plain string sort would not).
_PRIORITY_ORDER = when({p: rank for rank, p in enumerate(PRIORITIES)}, value=Case.priority, else_=len(PRIORITIES))


@dataclass(frozen=True)
class InboxRow:
    case: Case
    assignee: Optional[str]


@dataclass(frozen=True)
class TranscriptLine:
    message: CaseMessage
    caseworker: Optional[str]


def inbox(actor: Actor, folder: str = "unassigned", topic: Optional[str] = None, language: Optional[str] = None,
          status: str = "active", engine: Optional[Engine] = None) -> List[InboxRow]:
    """A folder's cases, most urgent first, then oldest first (longest waiting on top)."""
    if folder not in FOLDERS or status not in STATUS_FILTERS:
        raise CaseError("Unknown folder or status.")
    if not may_see_folder(actor, folder):
        raise CaseError("Only supervisors can see all cases.")
    assignee = aliased(Caseworker)
    query = select(Case, assignee.username).outerjoin(assignee, Case.assignee_id == assignee.id)
    if folder == "unassigned":
        query = query.where(Case.status == "pending")
    else:
        query = query.where(Case.status.in_(STATUS_FILTERS[status]))
        if folder == "mine":
            query = query.where(Case.assignee_id == actor.id)
    if topic:
        query = query.where(Case.topic == topic)
    if language:
        query = query.where(Case.language == language)
    query = query.order_by(_PRIORITY_ORDER, Case.created_at, Case.id)
    with session_scope(engine_for(engine)) as session:
        return [InboxRow(case, name) for case, name in session.execute(query).all()]


def _viewable(actor: Actor):
    """policy.may_view as SQL: the cases `actor` may open (counts and lists reveal no others)."""
    return true() if actor.is_supervisor else or_(Case.assignee_id.is_(None), Case.assignee_id == actor.id)


def filter_values(actor: Actor, engine: Optional[Engine] = None) -> Tuple[List[str], List[str]]:
    """The topics and languages that occur in the cases `actor` may open, for the inbox filters."""
    with session_scope(engine_for(engine)) as session:
        topics = session.execute(
            select(Case.topic).where(Case.topic.is_not(None), _viewable(actor)).distinct()).scalars().all()
        languages = session.execute(select(Case.language).where(_viewable(actor)).distinct()).scalars().all()
    return sorted(topics), sorted(languages)


def inbox_version(actor: Actor, engine: Optional[Engine] = None) -> str:
    """Changes whenever a case `actor` may open changes: the inbox page polls it and reloads
    when it moves."""
    query = select(func.count(Case.id), func.max(Case.updated_at)).where(_viewable(actor))
    with session_scope(engine_for(engine)) as session:
        count, latest = session.execute(query).one()
    return f"{count}:{latest.isoformat() if isinstance(latest, datetime) else latest}"


def get_case(case_id: int, actor: Actor, engine: Optional[Engine] = None) -> Tuple[Case, Optional[str]]:
    """The case and its assignee's username, if `actor` may see it."""
    with session_scope(engine_for(engine)) as session:
        row = session.execute(
            select(Case, Caseworker.username).outerjoin(Caseworker, Case.assignee_id == Caseworker.id)
            .where(Case.id == case_id)
        ).first()
    if row is None or not may_view(actor, row[0].assignee_id):
        # Same answer for "missing" and "not yours": case numbers reveal nothing.
        raise CaseNotFound(f"Case {case_id} does not exist or is assigned to a colleague.")
    return row[0], row[1]


def transcript(case_id: int, after_id: int = 0, engine: Optional[Engine] = None) -> List[TranscriptLine]:
    query = (
        select(CaseMessage, Caseworker.username)
        .outerjoin(Caseworker, CaseMessage.caseworker_id == Caseworker.id)
        .where(and_(CaseMessage.case_id == case_id, CaseMessage.id > after_id))
        .order_by(CaseMessage.id)
    )
    with session_scope(engine_for(engine)) as session:
        return [TranscriptLine(message, name) for message, name in session.execute(query).all()]


def events(case_id: int, engine: Optional[Engine] = None) -> List[CaseEvent]:
    with session_scope(engine_for(engine)) as session:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        return list(session.execute(query).scalars().all())


def caseworkers(engine: Optional[Engine] = None) -> List[Tuple[int, str]]:
    """Active caseworkers (id, username), for a supervisor's assign menu."""
    with session_scope(engine_for(engine)) as session:
        query = select(Caseworker.id, Caseworker.username).where(Caseworker.active.is_(True)).order_by(Caseworker.username)
        return [(row.id, row.username) for row in session.execute(query)]
