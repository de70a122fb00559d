"""The channels mounted the way Rasa mounts them (credentials file → input channel classes →
rasa's `register`), with an agent stand-in in `app.ctx.agent`: the message handler is Rasa's
own, and the language comes from the agent's tracker store."""
from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from rasa.core.channels.channel import register
from rasa.shared.utils.common import class_from_module_path
from rasa.shared.utils.io import read_config_file
from sanic import Sanic

from content.knowledge import load_knowledge
from privacy.pseudonym import pseudonymise
from channels import config
from testing.harness import TELEGRAM_SECRET, StubBot, telegram_env, telegram_message

pytestmark = pytest.mark.asyncio
CHAT = 5550001


class Tracker:
    def __init__(self, language):
        self.language = language

    def get_slot(self, name):
        return self.language if name == "language" else None


class TrackerStore:
    def __init__(self):
        self.trackers = {}

    async def retrieve(self, sender_id):
        return self.trackers.get(sender_id)


class Agent:
    """What Rasa's handler calls: `app.ctx.agent.handle_message(message)`."""

    def __init__(self):
        self.bot = StubBot()
        self.tracker_store = TrackerStore()

    async def handle_message(self, message):
        await self.bot(message)
        if message.text == "delete my data":
            self.tracker_store.trackers.pop(message.sender_id, None)  # what the erasable store does
        else:
            self.tracker_store.trackers[message.sender_id] = Tracker("ar")


@pytest_asyncio.fixture
async def rasa_app(db_url, store, fake_telegram, monkeypatch, tmp_path):
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    credentials = tmp_path / "credentials.yml"
    config.write_credentials(credentials)
    # What rasa.core.run.create_http_input_channels does for custom channels (that module itself
    # takes ~10 s to import, so it is not used here).
    channels = [class_from_module_path(path).from_credentials(values)
                for path, values in read_config_file(str(credentials)).items() if path != "rest"]
    assert [c.name() for c in channels] == ["telegram"]
    app = Sanic(f"rasa_wiring_{uuid.uuid4().hex[:8]}", configure_logging=False)
    app.ctx.agent = Agent()
    register(channels, app, route="/webhooks/")
    server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    port = server.server.sockets[0].getsockname()[1]
    telegram = next(c for c in channels if c.name() == "telegram")
    yield app, telegram, f"http://127.0.0.1:{port}"
    await server.before_stop()
    server.close()
    await server.wait_closed()
    await server.after_stop()


async def test_rasa_mounted_channel_answers_and_learns_the_language(rasa_app, fake_telegram, store):
    import httpx

    app, telegram, base = rasa_app
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with httpx.AsyncClient(base_url=base) as client:
        response = await client.post("/webhooks/telegram/webhook", json=telegram_message(CHAT, "مرحبا"), headers=headers)
        assert response.status_code == 200
        await telegram.wait_idle()
        conversation = pseudonymise("telegram", str(CHAT))
        assert app.ctx.agent.bot.texts() == ["مرحبا"] and fake_telegram.texts(CHAT) == ["Écho : مرحبا"]
        assert store.get_address(conversation).language == "ar"  # read from the tracker's slot

        store.record_media(conversation, "telegram", "file-1", "image/jpeg")
        response = await client.post("/webhooks/telegram/webhook", json=telegram_message(CHAT, "/delete"), headers=headers)
        await telegram.wait_idle()
        # The conversation was erased in Rasa: its media references and language go too.
        assert store.media_for(conversation) == [] and store.get_address(conversation).language is None

        response = await client.post("/webhooks/telegram/webhook", json=telegram_message(CHAT, None, photo=[
            {"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]), headers=headers)
        await telegram.wait_idle()
        assert fake_telegram.texts(CHAT)[-1] == load_knowledge().text("media_unsupported", "en")
