"""Fixtures for the console tests: a migrated SQLite database, the app with a fake channel."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `testing.case_support`, also run alone

from cases import accounts  # noqa: E402
from console.app import create_app  # noqa: E402
from testing import case_support as support  # noqa: E402
from tests.console.helpers import PASSWORDS  # noqa: E402


@pytest.fixture
def people(db):
    return {
        "sup": accounts.create("sup", PASSWORDS["sup"], "supervisor", engine=db),
        "amina": accounts.create("amina", PASSWORDS["amina"], engine=db),
        "ben": accounts.create("ben", PASSWORDS["ben"], engine=db),
    }


@pytest.fixture
def channel():
    return support.FakeChannel()


@pytest.fixture
def app(db, channel):
    return create_app(db.url.render_as_string(hide_password=False), send=channel.send)


@pytest_asyncio.fixture
async def client(app):
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    support.cheap_password_hashing(monkeypatch)


@pytest.fixture(autouse=True)
def _office_hours_now(monkeypatch):
    yield from support.team_always_at_work(monkeypatch)
