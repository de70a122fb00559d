"""While a case is open, the caseworker reads everything the migrant received - the assistant's
answers and the channel's own notices, in order, with their delivery state (issue 14) - through
the real Telegram and WhatsApp channels, the real handoff, emergency and erasure actions and the
real case store, against the fake platforms."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List, Tuple

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import EMERGENCY_SLOT, ActionEmergency, ActionEmergencyFollowup
from actions.handoff import ActionHandoff
from actions.privacy import ActionDeleteData
from actions.replies import ui
from cases import notify, overview, service, store as case_store
from privacy.pseudonym import pseudonymise
from retrieval.safety import looks_urgent
from channels.telegram_sender import BLOCKED_DETAIL
from testing.case_support import tracker
from testing.harness import StubBot, Turn, telegram_message, twilio_message

pytestmark = pytest.mark.asyncio
CHAT = 734512998
NUMBER = "+22790123456"


class HandoffBot(StubBot):
    """Rasa with the real actions for the paths that involve a person: "person" hands off, words
    of danger are an emergency (then every message is acknowledged until a caseworker answers),
    "delete my data" asks to confirm (at any time); anything else is echoed. The tracker's history is what the
    migrant and the assistant said before."""

    def __init__(self) -> None:
        super().__init__()
        self.history: Dict[str, List[Tuple[str, str]]] = {}
        self.slots: Dict[str, Dict[str, Any]] = {}

    async def __call__(self, message: Any) -> None:
        sender, text = message.sender_id, message.text
        self.turns.append(Turn(sender, text, dict(message.metadata or {}), time.monotonic()))
        slots = self.slots.setdefault(sender, {"language": "en"})
        current = tracker(sender, text, channel=message.input_channel, slots=slots,
                          history=tuple(self.history.get(sender, ())))
        dispatcher = CollectingDispatcher()
        if text == "delete my data":  # erasure stays reachable, in an emergency too
            events = await ActionDeleteData().run(dispatcher, current, {})
        elif slots.get(EMERGENCY_SLOT):
            events = await ActionEmergencyFollowup().run(dispatcher, current, {})
        elif looks_urgent(text):
            events = await ActionEmergency().run(dispatcher, current, {})
        elif "person" in text:
            events = await ActionHandoff().run(dispatcher, current, {})
        else:
            events = []
            dispatcher.utter_message(text=f"Echo: {text}")
        slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        self.history.setdefault(sender, []).append(("user", text))
        for sent in dispatcher.messages:
            await message.output_channel.send_response(sender, {"text": sent["text"], "buttons": sent.get("buttons")})
            self.history[sender].append(("bot", sent["text"]))


@pytest.fixture
def stub_bot(monkeypatch):
    from core.settings import get_settings

    monkeypatch.setattr(notify, "schedule", lambda update: None)  # no alert group in these tests
    monkeypatch.setenv("OFFICE_HOURS", "daily 00:00-24:00")  # no "after hours" line, whatever the time
    get_settings.cache_clear()
    return HandoffBot()


def transcript(conversation_id: str) -> List[Tuple[str, str, Any]]:
    case_id = service.active_case_id(conversation_id)
    lines = case_store.transcript(case_id)
    states = overview.delivery_states([line.message for line in lines])
    return [(line.message.author, line.message.text, (states.get(line.message.id) or {}).get("state"))
            for line in lines]


async def test_telegram_the_handoff_turn_notices_and_a_failed_answer_join_the_case(telegram, fake_telegram):
    cid = pseudonymise("telegram", str(CHAT))
    for text in ("hello", "I want to talk to a person", "My passport was stolen"):
        assert (await telegram.post_update(telegram_message(CHAT, text))).status_code == 200
        await telegram.settle()
    voice = {"voice": {"file_id": "v-1", "file_unique_id": "u-1", "duration": 3, "mime_type": "audio/ogg"}}
    await telegram.post_update(telegram_message(CHAT, None, **voice))
    await telegram.settle()
    fake_telegram.block(CHAT)  # the migrant blocked the bot: the next answer cannot arrive
    await telegram.post_update(telegram_message(CHAT, "help, the boat is sinking"))
    await telegram.settle()

    assert transcript(cid) == [
        ("migrant", "hello", None), ("bot", "Echo: hello", None),  # the conversation before the case
        ("migrant", "I want to talk to a person", None),
        ("bot", ui("handoff_requested", "en"), "sent"),  # the handoff turn, as the channel sent it
        ("migrant", "My passport was stolen", None),     # the case took it: no answer from the bot
        ("migrant", "", None), ("bot", ui("media_kept_for_caseworker", "en"), "sent"),
        ("migrant", "help, the boat is sinking", None),
        ("bot", ui("emergency_safety", "en"), "failed"),
    ]
    case_id = service.active_case_id(cid)
    failed = case_store.transcript(case_id)[-1].message
    assert failed.delivery_error == BLOCKED_DETAIL  # plain words, never the chat id
    sent = case_store.transcript(case_id)[3].message
    assert len(sent.platform_id_list) == 1 and sent.platform_id_list[0].isdigit()  # Telegram's message id


async def test_whatsapp_an_urgent_case_records_every_answer_as_delivered(whatsapp, fake_twilio):
    fake_twilio.status_callbacks = True  # Twilio reports sent, then delivered
    cid = pseudonymise("whatsapp", NUMBER)
    for text in ("the boat is sinking", "we are 50 people", "delete my data"):
        assert (await whatsapp.post_twilio(twilio_message(NUMBER, text))).status_code == 200
        await whatsapp.settle()
    for _ in range(200):  # the status callbacks arrive a moment after each send
        if all(state == "delivered" for author, _, state in transcript(cid) if author == "bot"):
            break
        await asyncio.sleep(0.02)
    assert transcript(cid) == [
        ("migrant", "the boat is sinking", None), ("bot", ui("emergency_safety", "en"), "delivered"),
        ("migrant", "we are 50 people", None), ("bot", ui("emergency_ack", "en"), "delivered"),
        ("migrant", "delete my data", None), ("bot", ui("delete_data_confirm", "en"), "delivered"),
    ]
    assert NUMBER not in repr(transcript(cid))


async def test_no_case_no_record_and_the_bot_answers_as_before(whatsapp, fake_twilio):
    await whatsapp.post_twilio(twilio_message(NUMBER, "hello"))
    await whatsapp.settle()
    assert fake_twilio.bodies(NUMBER) == ["Echo: hello"]
    assert service.active_case_id(pseudonymise("whatsapp", NUMBER)) is None
