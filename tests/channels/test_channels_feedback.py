"""The rating buttons on both channels, through the real channel code against the fake platform
APIs: Telegram shows the thumbs side by side under the answer's numbered options, WhatsApp as two
unnumbered items of the answer's list; a tap reaches the assistant as the thumb and a signed token,
and is counted for the answer it was shown under."""
from __future__ import annotations

import datetime as dt
import time
from typing import Any, Dict, List

import pytest
import pytest_asyncio
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text

from actions.conversation import ActionNoise
from actions.knowledge_answer import answer_topic
from insights.store import settled, week_of
from content.knowledge import load_knowledge
from testing.harness import (Harness, StubBot, Turn, telegram_callback, telegram_env, telegram_message,
                                 twilio_env, twilio_message)
from testing.twilio_api import list_reply
from testing.trackers import make_tracker

KB = load_knowledge()
CHAT, NUMBER = 55507777, "+221770000042"


class RatingBot(StubBot):
    """Rasa with the real actions for two turns: "is it free" gets the avr_cost answer with the
    rating question; anything else (a thumb is `noise` to the NLU) goes to action_noise."""

    def __init__(self) -> None:
        super().__init__()
        self.events: Dict[str, List[Dict[str, Any]]] = {}

    async def __call__(self, message: Any) -> None:
        sender, said, metadata = message.sender_id, message.text, dict(message.metadata or {})
        self.turns.append(Turn(sender, said, metadata, time.monotonic()))
        history = self.events.setdefault(sender, [])  # what the tracker store would hold
        latest = {"text": said, "intent": {"name": "noise", "confidence": 1.0}, "entities": [], "metadata": metadata}
        history.append({"event": "user", "text": said, "parse_data": latest, "input_channel": "telegram",
                        "metadata": metadata})
        dispatcher = CollectingDispatcher()
        if said == "is it free":
            answer_topic(dispatcher, "avr_cost", "en", ask_feedback=True)
        else:
            tracker = make_tracker(said, "noise", 1.0, slots={"language": "en", "consent": "given"}, sender_id=sender,
                                   metadata=metadata, events=history)
            await ActionNoise().run(dispatcher, tracker, {})
            await settled()
        for sent in dispatcher.messages:
            history.append({"event": "bot", "text": sent.get("text"), "data": {"custom": sent.get("custom")}})
            await message.output_channel.send_response(sender, {k: sent[k] for k in ("text", "buttons") if sent.get(k)})


def counted(db_url: str) -> list:
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT answer_id, language, week, helpful, count FROM answer_feedback")).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest_asyncio.fixture
async def telegram(db_url, store, fake_telegram, monkeypatch):
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    harness = Harness(store, RatingBot(), telegram_fake=fake_telegram)
    await harness.start()
    yield harness
    await harness.stop()


@pytest_asyncio.fixture
async def whatsapp(db_url, store, fake_twilio, monkeypatch):
    harness = Harness(store, RatingBot(), twilio_fake=fake_twilio)
    for name, value in twilio_env(fake_twilio, harness.base_url).items():
        monkeypatch.setenv(name, value)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.mark.asyncio
async def test_telegram_thumbs_sit_under_the_menu_and_a_tap_is_counted(telegram, fake_telegram, db_url):
    await telegram.post_update(telegram_message(CHAT, "is it free"))
    await telegram.settle()
    [answer] = [m for m in fake_telegram.sent(CHAT) if m.get("reply_markup", {}).get("inline_keyboard")]
    rows = answer["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in rows[-1]] == ["👍", "👎"] and all(len(row) == 1 for row in rows[:-1])
    assert answer["text"].endswith(KB.text("feedback_question", "en"))
    await telegram.post_update(telegram_callback(CHAT, rows[-1][1]["callback_data"]))  # 👎
    await telegram.settle()
    assert telegram.bot.turns[-1].text == "👎" and telegram.bot.turns[-1].metadata["tap"].startswith("t1.")
    assert fake_telegram.texts(CHAT)[-1] == KB.text("feedback_thanks_unhelpful", "en")
    assert counted(db_url) == [("avr_cost", "en", str(week_of(dt.date.today())), 0, 1)]


@pytest.mark.asyncio
async def test_whatsapp_thumbs_are_unnumbered_list_items_and_a_pick_is_counted(whatsapp, fake_twilio, db_url):
    from bot.cli_whatsapp import sync_content

    await sync_content()
    await whatsapp.post_twilio(twilio_message(NUMBER, "is it free"))
    await whatsapp.settle()
    [answer] = fake_twilio.content_messages(NUMBER)
    picker = answer.rendered["twilio/list-picker"]
    assert [item["item"] for item in picker["items"][-2:]] == ["👍", "👎"]
    assert picker["body"].endswith(KB.text("feedback_question", "en"))
    thumbs_up = picker["items"][-2]
    await whatsapp.post_twilio(list_reply(NUMBER, thumbs_up["id"], thumbs_up["item"]))
    await whatsapp.settle()
    assert whatsapp.bot.turns[-1].text == "👍"
    assert fake_twilio.bodies(NUMBER)[-1] == KB.text("feedback_thanks", "en")
    assert counted(db_url) == [("avr_cost", "en", str(week_of(dt.date.today())), 1, 1)]
