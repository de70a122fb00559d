"""Fixtures for the case store tests: `engine` runs each test on SQLite and on PostgreSQL."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `testing.case_support`, also run alone

from core.db import make_engine  # noqa: E402
from testing import case_support as support  # noqa: E402


@pytest.fixture(scope="session")
def postgres_url():
    with support.postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = support.sqlite_engine(tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = support.sqlite_engine(tmp_path)
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        support.clear_cases(engine)  # one database per run, emptied before each test
    yield engine
    engine.dispose()


@pytest.fixture
def default_db(sqlite_engine):
    """The SQLite test database as DATABASE_URL, for code that uses the default engine."""
    with support.as_default_database(sqlite_engine):
        yield sqlite_engine


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    support.cheap_password_hashing(monkeypatch)


@pytest.fixture(autouse=True)
def _office_hours_now(monkeypatch):
    yield from support.team_always_at_work(monkeypatch)
