"""Test helpers shared by tests/cases and tests/console: databases, a fake channel, trackers."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from cases.delivery import DeliveryResult
from core.db import make_engine, upgrade
from testing.trackers import make_tracker

# An existing database on the local server to connect to while creating the test database.
PG_ADMIN = os.environ.get("CASES_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with minimal cost: the production parameters take ~0.5 s a hash on a busy CI box
    and prove nothing more here (the hash format is still argon2id)."""
    from argon2 import PasswordHasher

    from cases import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def sqlite_engine(directory: Path) -> Engine:
    url = f"sqlite:///{directory / 'cases.db'}"
    upgrade(url)  # the real migrations, so the tests also prove 0003_cases matches the models
    return make_engine(url)


def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(PG_ADMIN, connect_timeout=3)
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
    return connection


def require_postgres() -> None:
    """Skip when PostgreSQL is unreachable, unless CI is set: in CI it must run."""
    try:
        _admin_connection().close()
    except Exception as error:  # noqa: BLE001 - any connection failure counts as unreachable
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_ADMIN} is unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable ({type(error).__name__}); set CI=1 to make this a failure")


@contextmanager
def postgres_database(prefix: str = "cases_test") -> Iterator[str]:
    """A fresh, migrated database `<prefix>_<random>`, dropped afterwards."""
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def clear_cases(engine: Engine) -> None:
    from cases.models import Case, CaseEvent, CaseMessage, Caseworker, ConsoleSession
    from core.db import session_scope

    with session_scope(engine) as session:
        for table in (CaseMessage, CaseEvent, ConsoleSession, Case, Caseworker):
            session.execute(delete(table))


@contextmanager
def as_default_database(engine: Engine) -> Iterator[Engine]:
    """Point DATABASE_URL (what the actions and the channel router use) at the test database."""
    from core.settings import get_settings

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    get_settings.cache_clear()
    try:
        yield engine
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
        get_settings.cache_clear()


@dataclass
class FakeChannel:
    """Stands in for channels.outbound.send_to_conversation: records what would be sent."""

    deliveries: List[Dict[str, Any]] = field(default_factory=list)
    next_results: List[Any] = field(default_factory=list)

    async def send(self, conversation_id: str, text: str, buttons: Optional[list] = None) -> Any:
        self.deliveries.append({"conversation_id": conversation_id, "text": text, "buttons": buttons})
        result = self.next_results.pop(0) if self.next_results else DeliveryResult(ok=True)
        if isinstance(result, Exception):
            raise result
        return result

    def texts(self, conversation_id: Optional[str] = None) -> List[str]:
        return [d["text"] for d in self.deliveries if conversation_id in (None, d["conversation_id"])]


def tracker(sender_id: str, text: str, channel: Optional[str] = "telegram", slots: Optional[dict] = None,
            history: tuple = ()):
    """A rasa-sdk Tracker whose latest message came in on `channel` (None: no channel). Consent is
    given unless `slots` say otherwise: a person is only involved after it (actions/consent.py)."""
    return make_tracker(text, "human_handoff", 0.99, slots={"consent": "given", **(slots or {})}, sender_id=sender_id,
                        history=[{"event": kind, "text": said} for kind, said in history], channel=channel)


def team_always_at_work(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """For an autouse fixture (`yield from`): office hours that never end, so a handoff's messages
    do not depend on when tests run (outside them a second message says when a person will answer:
    tests/cases/test_cases_hours.py); afterwards the real OFFICE_HOURS, and no settings cached from ours."""
    from core.settings import get_settings

    monkeypatch.setenv("OFFICE_HOURS", "daily 00:00-24:00")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
