"""Fixtures for the channel tests: a fresh SQLite database per test, the fake platform APIs, and
the real channel code mounted in a real sanic server on 127.0.0.1 (see testing/harness.py)."""
from __future__ import annotations

import shutil

import pytest
import pytest_asyncio

from testing.harness import CHANNEL_ENV, Harness, StubBot, telegram_env, twilio_env
from testing.telegram_api import FakeTelegramAPI
from testing.twilio_api import FakeTwilioAPI


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory):
    """The schema made once by the real migrations (core.db.upgrade); each test gets a copy."""
    from core.db import upgrade

    path = tmp_path_factory.mktemp("schema") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path, monkeypatch, schema_template):
    from core.settings import get_settings

    path = tmp_path / "channels.db"
    shutil.copyfile(schema_template, path)
    url = f"sqlite:///{path}"
    for name in CHANNEL_ENV:  # a developer's .env or shell must not leak into tests
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PSEUDONYM_KEY", "test-pseudonym-key-of-at-least-32-characters")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture
def store(db_url):
    from core.db import make_engine
    from delivery.store import ChannelStore

    engine = make_engine(db_url)
    yield ChannelStore(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def clean_hooks():
    from channels import hooks

    saved, saved_outbound = list(hooks.INBOUND_HOOKS), list(hooks.OUTBOUND_HOOKS)
    hooks.INBOUND_HOOKS.clear()
    hooks.OUTBOUND_HOOKS.clear()
    yield hooks.INBOUND_HOOKS
    hooks.INBOUND_HOOKS[:] = saved
    hooks.OUTBOUND_HOOKS[:] = saved_outbound


@pytest_asyncio.fixture
async def fake_telegram():
    fake = FakeTelegramAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def fake_twilio():
    fake = FakeTwilioAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def stub_bot():
    return StubBot()


@pytest_asyncio.fixture
async def telegram(db_url, store, fake_telegram, stub_bot, monkeypatch):
    """The Telegram channel, served, wired to the fake API and the stub bot."""
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    harness = Harness(store, stub_bot, telegram_fake=fake_telegram)
    await harness.start()
    yield harness
    await harness.stop()


@pytest_asyncio.fixture
async def whatsapp(db_url, store, fake_twilio, stub_bot, monkeypatch):
    """The WhatsApp channel, served, wired to the fake Twilio API and the stub bot."""
    harness = Harness(store, stub_bot, twilio_fake=fake_twilio)  # binds its port: the public URL
    for name, value in twilio_env(fake_twilio, harness.base_url).items():
        monkeypatch.setenv(name, value)
    await harness.start()
    yield harness
    await harness.stop()
