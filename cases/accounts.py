"""Caseworker accounts: argon2id password hashes, roles, deactivation.

Passwords must be long and hard to guess (check_password_rules): at least 12 characters
besides spaces, not one character repeated or a run like "abcd…"/"1234…", not containing the
username, and zxcvbn (offline, with its lists of common passwords, words and names) must rate
it at least 3 of 4: about 10^8 guesses, which the sign-in throttle (console/throttle.py)
puts far out of reach of online guessing.
A new password and any change of the active flag end every console session of the account.
"""
from __future__ import annotations

import re
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from cases.models import Caseworker, ConsoleSession

from core.clock import utcnow
from cases.policy import ROLES, Actor
from cases.service import engine_for
from cases.state import CaseError
from core.db import session_scope

MIN_PASSWORD_CHARS = 12
MIN_STRENGTH = 3  # zxcvbn score 0-4
ZXCVBN_MAX_CHARS = 72  # zxcvbn refuses longer input; more characters can only make it stronger
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the username does not exist, so a wrong name costs as long as a wrong password
# and response times do not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _actor(worker: Caseworker) -> Actor:
    return Actor(id=worker.id, username=worker.username, role=worker.role)


def check_password_rules(password: str, username: str = "") -> None:
    """Raise CaseError, in words the person choosing it can act on, unless the password is
    long and hard to guess."""
    letters = "".join(password.split()).lower()
    if len(letters) < MIN_PASSWORD_CHARS:
        raise CaseError(f"The password needs at least {MIN_PASSWORD_CHARS} characters, not counting spaces.")
    if len(set(letters)) == 1:
        raise CaseError("The password is one character repeated; use several unrelated words.")
    if _steps(letters) in (1, -1):
        raise CaseError("The password is a run like 'abcd' or '1234'; use several unrelated words.")
    name = username.strip().lower()
    if len(name) >= 3 and name in letters:  # shorter names would forbid ordinary words
        raise CaseError("The password must not contain the username.")
    rating = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=[name] if name else [])
    if rating["score"] < MIN_STRENGTH:
        feedback = rating["feedback"]
        advice = " ".join([feedback["warning"], *feedback["suggestions"]]).strip()
        raise CaseError("The password is too easy to guess. "
                        + (advice or "Use a longer passphrase of several unrelated words."))


def _steps(letters: str) -> int:
    """The step between neighbouring characters when it is the same all along, else 0."""
    steps = {ord(b) - ord(a) for a, b in zip(letters, letters[1:])}
    return steps.pop() if len(steps) == 1 else 0


def create(username: str, password: str, role: str = "caseworker", engine: Optional[Engine] = None) -> Actor:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise CaseError("A username is 2-64 characters: lower-case letters, digits, '.', '_' or '-'.")
    if role not in ROLES:
        raise CaseError(f"The role must be one of: {', '.join(ROLES)}.")
    check_password_rules(password, username)
    with session_scope(engine_for(engine)) as session:
        if session.execute(select(Caseworker.id).where(Caseworker.username == username)).first():
            raise CaseError(f"The caseworker {username!r} already exists.")
        worker = Caseworker(username=username, password_hash=_hasher.hash(password), role=role, active=True,
                            created_at=utcnow())
        session.add(worker)
        session.flush()
        return _actor(worker)


def authenticate(username: str, password: str, engine: Optional[Engine] = None) -> Optional[Actor]:
    """The caseworker if the password is right and the account active; otherwise None."""
    with session_scope(engine_for(engine)) as session:
        worker = session.execute(
            select(Caseworker).where(Caseworker.username == username.strip().lower())
        ).scalar_one_or_none()
        try:
            _hasher.verify(worker.password_hash if worker else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if worker is None or not worker.active:
            return None
        if _hasher.check_needs_rehash(worker.password_hash):  # parameters were raised since
            worker.password_hash = _hasher.hash(password)
        worker.last_login_at = utcnow()
        return _actor(worker)


def active_actor(caseworker_id: int, engine: Optional[Engine] = None) -> Optional[Actor]:
    with session_scope(engine_for(engine)) as session:
        worker = session.get(Caseworker, caseworker_id)
        return _actor(worker) if worker is not None and worker.active else None


def set_password(username: str, password: str, engine: Optional[Engine] = None) -> None:
    """A new password; whoever is signed in with the old one (maybe who stole it) is signed out."""
    check_password_rules(password, username)
    with session_scope(engine_for(engine)) as session:
        worker = _by_name(session, username)
        worker.password_hash = _hasher.hash(password)
        _end_sessions(session, worker)


def set_active(username: str, active: bool, engine: Optional[Engine] = None) -> None:
    """Deactivating signs the account out at once; re-activating does not bring back a
    session from before (the account starts signed out either way)."""
    with session_scope(engine_for(engine)) as session:
        worker = _by_name(session, username)
        if worker.active != active:
            worker.active = active
            _end_sessions(session, worker)


def _end_sessions(session: Session, worker: Caseworker) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.caseworker_id == worker.id))


def list_all(engine: Optional[Engine] = None) -> List[Caseworker]:
    with session_scope(engine_for(engine)) as session:
        return list(session.execute(select(Caseworker).order_by(Caseworker.username)).scalars().all())


def _by_name(session: Session, username: str) -> Caseworker:
    worker = session.execute(
        select(Caseworker).where(Caseworker.username == username.strip().lower())
    ).scalar_one_or_none()
    if worker is None:
        raise CaseError(f"No caseworker {username!r}.")
    return worker
