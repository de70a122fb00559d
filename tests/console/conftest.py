"""Fixtures for the console tests: a migrated SQLite database, the app with a fake channel."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `tests.cases.support`, also run alone

from bot.cases import accounts  # noqa: E402
from console.app import create_app  # noqa: E402
from tests.cases import support  # noqa: E402

PASSWORDS = {"sup": "supervisor-pw", "amina": "amina-password", "ben": "ben-password1"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def db(tmp_path, monkeypatch):
    engine = support.sqlite_engine(tmp_path)
    support.use_as_default_database(monkeypatch, engine)  # the routing hook uses the default engine
    yield engine
    engine.dispose()
    from bot.settings import get_settings

    monkeypatch.undo()
    get_settings.cache_clear()


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


async def login(client: TestClient, username: str, password: str = "") -> str:
    """Sign in; returns the session's CSRF token (from the inbox page)."""
    page = await (await client.get("/login")).text()
    response = await client.post("/login", allow_redirects=False, data={
        "csrf_token": CSRF.search(page).group(1), "username": username,
        "password": password or PASSWORDS[username], "next": "/inbox",
    })
    assert response.status == 303, await response.text()
    return CSRF.search(await (await client.get("/inbox")).text()).group(1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    support.cheap_password_hashing(monkeypatch)
