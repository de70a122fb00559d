"""Recorded audio answers (issue 13, optional part): knowledge/audio/<lang>/<answer id>.ogg is
sent as a voice message after the written answer, where it exists."""
from __future__ import annotations

import pytest
import pytest_asyncio

from channels import audio
from testing.harness import Harness, StubBot, telegram_env, telegram_message, twilio_env, twilio_message

OGG = b"OggS\x00\x02" + b"\x00" * 64  # enough for the fakes: they check presence and size
CHAT, NUMBER = 27182818, "+22790000001"


class AnsweringBot(StubBot):
    """Answers every message with the article text and the answer's custom JSON, as
    actions/knowledge_answer.answer_topic does."""

    async def __call__(self, message):
        await super().__call__(message) if message.text == "bonjour" else None
        if message.text.startswith("answer "):
            await message.output_channel.send_response(message.sender_id, {"text": "Le retour est gratuit."})
            await message.output_channel.send_response(
                message.sender_id, {"custom": {"topic": "avr_overview", "answer": message.text.split()[1]}})


@pytest.fixture
def recordings(tmp_path, monkeypatch):
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "avr_cost.ogg").write_bytes(OGG)
    monkeypatch.setattr(audio, "AUDIO_DIR", tmp_path)
    return tmp_path


def test_only_plain_ids_of_existing_files_are_found(recordings):
    assert audio.find("avr_cost", "fr") == recordings / "fr" / "avr_cost.ogg"
    for answer_id, language in (("avr_cost", "en"), ("../fr/avr_cost", "fr"), ("avr_cost", "../fr"),
                                ("AVR_COST", "fr"), (None, "fr"), ("avr_cost", None)):
        assert audio.find(answer_id, language) is None


@pytest_asyncio.fixture
async def tg(db_url, store, fake_telegram, monkeypatch, recordings):
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    harness = Harness(store, AnsweringBot(), telegram_fake=fake_telegram)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.mark.asyncio
async def test_telegram_sends_the_recording_after_the_text_uploading_it_once(tg, fake_telegram):
    for text in ("bonjour", "answer avr_cost", "answer avr_cost", "answer avr_process"):
        assert (await tg.post_update(telegram_message(CHAT, text))).status_code == 200
        await tg.settle()
    methods = [c.method for c in fake_telegram.calls if c.method in ("sendMessage", "sendVoice")]
    assert methods == ["sendMessage", "sendMessage", "sendVoice", "sendMessage", "sendVoice", "sendMessage"]
    first, second = [c.params["voice"] for c in fake_telegram.method_calls("sendVoice")]
    assert first == ("avr_cost.ogg", OGG) and second == "voice-file-1"  # then Telegram's file_id


@pytest_asyncio.fixture
async def wa(db_url, store, fake_twilio, monkeypatch, recordings):
    harness = Harness(store, AnsweringBot(), twilio_fake=fake_twilio)
    for name, value in twilio_env(fake_twilio, harness.base_url).items():
        monkeypatch.setenv(name, value)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.mark.asyncio
async def test_whatsapp_sends_the_recording_from_our_public_url(wa, fake_twilio):
    for text in ("bonjour", "answer avr_cost"):
        assert (await wa.post_twilio(twilio_message(NUMBER, text))).status_code == 200
        await wa.settle()
    url = f"{wa.base_url}/webhooks/whatsapp/audio/fr/avr_cost.ogg"
    assert fake_twilio.messages[-1].params.get("MediaUrl") == url
    assert fake_twilio.fetched_media == [(url, 200, "audio/ogg", len(OGG))]
    for bad in ("fr/..%2F..%2Fsecrets.ogg", "fr/avr_process.ogg", "xx/avr_cost.ogg", "fr/avr_cost.txt"):
        assert (await wa.client.get(f"/webhooks/whatsapp/audio/{bad}")).status_code == 404
