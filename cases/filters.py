"""Saved inbox filters: a caseworker names the filter set they use often and applies it in one click.

Each account sees and changes only its own (the rows are keyed by caseworker and go with the
account). Only the inbox's own parameters are kept (folder, topic, language, status), checked as
the inbox checks them: a caseworker cannot save the supervisors' "all" folder.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional
from urllib.parse import urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from cases.models import SavedFilter, dumps
from cases.policy import Actor, may_see_folder
from cases.service import engine_for
from cases.state import CaseError
from cases.store import FOLDERS, STATUS_FILTERS
from core.db import session_scope

NAME_CHARS = 60
VALUE_CHARS = 64
MAX_PER_ACCOUNT = 20
DEFAULTS = {"folder": "unassigned", "status": "active"}


def clean(params: Mapping[str, object], actor: Actor) -> Dict[str, str]:
    """The filter set `params` describes, as the inbox would read it; CaseError when it is not one."""
    folder = str(params.get("folder") or DEFAULTS["folder"])
    status = str(params.get("status") or DEFAULTS["status"])
    if folder not in FOLDERS or status not in STATUS_FILTERS:
        raise CaseError("Unknown folder or status.")
    if not may_see_folder(actor, folder):
        raise CaseError("Only supervisors can see all cases.")
    found = {"folder": folder, "status": status}
    for key in ("topic", "language"):
        value = str(params.get(key) or "").strip()
        if len(value) > VALUE_CHARS:
            raise CaseError(f"That {key} is not one of the inbox's.")
        if value:
            found[key] = value
    return found


def query_string(params: Mapping[str, str]) -> str:
    """The inbox URL's query for a saved filter set."""
    return urlencode({key: params[key] for key in ("folder", "topic", "language", "status") if params.get(key)})


def saved(actor: Actor, engine: Optional[Engine] = None) -> List[SavedFilter]:
    with session_scope(engine_for(engine)) as session:
        query = select(SavedFilter).where(SavedFilter.caseworker_id == actor.id).order_by(SavedFilter.name)
        return list(session.execute(query).scalars())


def save(actor: Actor, name: str, params: Mapping[str, object], engine: Optional[Engine] = None) -> SavedFilter:
    """Save (or replace, under the same name) the filter set; CaseError for a bad name or set."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_CHARS:
        raise CaseError(f"Give the filter a name of 1 to {NAME_CHARS} characters.")
    values = dumps(clean(params, actor))
    with session_scope(engine_for(engine)) as session:
        row = session.execute(select(SavedFilter).where(SavedFilter.caseworker_id == actor.id,
                                                        SavedFilter.name == name)).scalar_one_or_none()
        if row is None:
            count = session.execute(select(func.count(SavedFilter.id))
                                    .where(SavedFilter.caseworker_id == actor.id)).scalar_one()
            if count >= MAX_PER_ACCOUNT:
                raise CaseError(f"You have {MAX_PER_ACCOUNT} saved filters: delete one first.")
            row = SavedFilter(caseworker_id=actor.id, name=name, params=values)
            session.add(row)
        else:
            row.params = values
        session.flush()
        return row


def remove(actor: Actor, filter_id: int, engine: Optional[Engine] = None) -> bool:
    """Delete one of `actor`'s own saved filters; False when they have none with that id."""
    with session_scope(engine_for(engine)) as session:
        removed = session.execute(delete(SavedFilter).where(SavedFilter.id == filter_id,
                                                            SavedFilter.caseworker_id == actor.id)).rowcount
    return bool(removed)
