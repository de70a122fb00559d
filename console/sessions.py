"""Server-side console sessions (table console_sessions): the cookie holds a random token,
the database only its SHA-256, plus the session's CSRF token. Signing out or deactivating the
account ends the session at once, which a self-contained signed cookie could not do."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Optional, Tuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from cases.models import Caseworker, ConsoleSession

from core.clock import utcnow
from cases.policy import Actor
from core.db import session_scope


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(engine: Engine, caseworker_id: int, hours: int) -> str:
    """A new session; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))  # tidy as we go
        session.add(ConsoleSession(token_hash=_hash(token), caseworker_id=caseworker_id,
                                   csrf_token=secrets.token_urlsafe(32), created_at=now,
                                   expires_at=now + timedelta(hours=hours)))
    return token


def lookup(engine: Engine, token: Optional[str]) -> Optional[Tuple[Actor, str]]:
    """(caseworker, CSRF token) for a live session of an active account, else None."""
    if not token:
        return None
    query = (
        select(Caseworker, ConsoleSession.csrf_token)
        .join(ConsoleSession, ConsoleSession.caseworker_id == Caseworker.id)
        .where(ConsoleSession.token_hash == _hash(token), ConsoleSession.expires_at > utcnow(),
               Caseworker.active.is_(True))
    )
    with session_scope(engine) as session:
        row = session.execute(query).first()
    if row is None:
        return None
    worker, csrf = row
    return Actor(worker.id, worker.username, worker.role), csrf


def end(engine: Engine, token: Optional[str]) -> None:
    if token:
        with session_scope(engine) as session:
            session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
