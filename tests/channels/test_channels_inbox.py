"""The durable inbox: an acknowledged message survives the death of the server that took it."""
from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from sqlalchemy import func, insert, select

from content.knowledge import load_knowledge
from privacy.pseudonym import pseudonymise
from delivery.inbox import Arrival, Inbox, inbox, inbox_workers
from core.clock import utcnow
from testing.harness import telegram_message, twilio_message

pytestmark = pytest.mark.asyncio
CHAT = 612345789
NUMBER = "+22370123456"


@pytest.fixture(autouse=True)
def quick_takeover(monkeypatch):
    """Seconds instead of production's 5 s heartbeat / 15 s staleness."""
    monkeypatch.setattr(Inbox, "HEARTBEAT", 0.05)
    monkeypatch.setattr(Inbox, "STALE_AFTER", 0.4)


def leave_row(store, text, owner, conversation=None, attempts=1, replies=None, replies_sent=0):
    """A message left in the inbox by `owner` (a server that died, or one that looks dead)."""
    with store.engine.begin() as connection:
        connection.execute(insert(inbox).values(
            id=uuid.uuid4().hex, channel="telegram", conversation_id=conversation or pseudonymise("telegram", str(CHAT)),
            message=json.dumps({"text": text}), replies=None if replies is None else json.dumps(replies),
            replies_sent=replies_sent, owner=owner, attempts=attempts, received_at=utcnow()))


def rows(store):
    with store.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(inbox).order_by(inbox.c.id)).mappings()]


async def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_the_message_is_kept_before_the_acknowledgement_and_removed_once_answered(
        telegram, fake_telegram, stub_bot, store):
    stub_bot.delay = 0.5
    response = await telegram.post_update(telegram_message(CHAT, "bonjour"))
    assert response.status_code == 200
    kept = rows(store)  # the 200 came back: the message is in the database already
    assert len(kept) == 1 and json.loads(kept[0]["message"])["text"] == "bonjour"
    assert str(CHAT) not in repr(kept)  # the address stays in channel_addresses only
    await telegram.settle()
    assert fake_telegram.texts(CHAT) == ["Écho : bonjour"]
    assert rows(store) == []


async def _killed_while_thinking(harness, post, texts, stub_bot, store) -> None:
    stub_bot.delay = 30  # the assistant is thinking when the server is killed
    assert (await post()).status_code == 200
    await wait_until(lambda: stub_bot.turns)
    await harness.restart_after_crash()
    assert texts() == []  # nothing was answered before the crash
    stub_bot.delay = 0
    await wait_until(texts)
    await harness.settle()
    assert texts() == ["Écho : au secours"]
    assert stub_bot.texts() == ["au secours", "au secours"]  # asked again: the first turn never ended
    assert rows(store) == []


async def test_a_telegram_message_in_flight_when_the_server_dies_is_answered_after_the_restart(
        telegram, fake_telegram, stub_bot, store):
    await _killed_while_thinking(telegram, lambda: telegram.post_update(telegram_message(CHAT, "au secours")),
                                 lambda: fake_telegram.texts(CHAT), stub_bot, store)


async def test_a_whatsapp_message_in_flight_when_the_server_dies_is_answered_after_the_restart(
        whatsapp, fake_twilio, stub_bot, store):
    await _killed_while_thinking(whatsapp, lambda: whatsapp.post_twilio(twilio_message(NUMBER, "au secours")),
                                 lambda: fake_twilio.bodies(NUMBER), stub_bot, store)


async def test_only_the_replies_not_yet_delivered_are_sent_after_a_takeover(telegram, fake_telegram, store):
    """A server died between the first and the second reply of a turn."""
    await telegram.post_update(telegram_message(CHAT, "salut"))  # records the address
    await telegram.settle()
    leave_row(store, "two", "a-server-that-died",
              replies=[["Première réponse.", None], ["Deuxième réponse.", None]], replies_sent=1)
    await wait_until(lambda: len(fake_telegram.texts(CHAT)) == 2)
    await telegram.settle()
    assert fake_telegram.texts(CHAT) == ["Écho : salut", "Deuxième réponse."]
    assert rows(store) == []


async def test_replies_are_recorded_before_they_are_delivered(telegram, fake_telegram, store, monkeypatch):
    steps = []
    for step in ("hold_replies", "mark_sent", "finish"):
        original = getattr(Inbox, step)

        async def spy(self, *args, _original=original, _step=step):
            steps.append((_step, args[1:]))
            return await _original(self, *args)

        monkeypatch.setattr(Inbox, step, spy)
    await telegram.post_update(telegram_message(CHAT, "two"))
    await telegram.settle()
    assert fake_telegram.texts(CHAT) == ["Première réponse.", "Deuxième réponse."]
    assert steps == [("hold_replies", ([("Première réponse.", None), ("Deuxième réponse.", None)],)),
                     ("mark_sent", (1,)), ("finish", ())]


async def test_a_message_that_keeps_killing_servers_is_given_up_politely(telegram, fake_telegram, stub_bot, store):
    await telegram.post_update(telegram_message(CHAT, "salut"))
    await telegram.settle()
    leave_row(store, "poison", "dead", attempts=Inbox.MAX_ATTEMPTS)
    await wait_until(lambda: len(fake_telegram.texts(CHAT)) == 2)
    assert fake_telegram.texts(CHAT)[1] == load_knowledge().text("try_again", None)
    assert stub_bot.texts() == ["salut"] and rows(store) == []


async def test_a_repeat_of_a_kept_message_is_not_answered_twice(telegram, fake_telegram, stub_bot, store):
    stub_bot.delay = 0.3
    update = telegram_message(CHAT, "une fois")
    assert (await telegram.post_update(update)).status_code == 200
    assert (await telegram.post_update(update)).status_code == 200  # Telegram missed our 200
    await telegram.settle()
    assert fake_telegram.texts(CHAT) == ["Écho : une fois"] and len(rows(store)) == 0


async def test_a_clean_shutdown_hands_over_at_once(telegram, store):
    owner = telegram.channels["telegram"].inbox.owner
    await wait_until(lambda: _workers(store) == [owner])
    await telegram.restart()
    new_owner = telegram.channels["telegram"].inbox.owner
    await wait_until(lambda: _workers(store) == [new_owner])  # the old heartbeat was deleted


def _workers(store):
    with store.engine.connect() as connection:
        return [r[0] for r in connection.execute(select(inbox_workers.c.owner))]


async def test_a_flooded_message_is_not_kept(telegram, stub_bot, store, monkeypatch):
    from delivery import queues

    monkeypatch.setattr(queues.SenderQueues, "submit", lambda self, key, item: False)
    assert (await telegram.post_update(telegram_message(CHAT, "encore"))).status_code == 200
    await telegram.settle()
    assert rows(store) == [] and stub_bot.turns == []


def test_two_servers_taking_over_at_once_get_each_row_once(store):
    alive, first, second = (Inbox(store, "telegram", owner) for owner in ("alive", "first", "second"))
    alive.beat()
    for owner, text in (("dead", "a"), ("dead", "b"), ("alive", "c")):
        leave_row(store, text, owner, conversation="tg-x")
    first.beat()
    second.beat()
    taken_first, taken_second = first.take_over(), second.take_over()
    texts = sorted(k.message["text"] for k in taken_first + taken_second)
    assert texts == ["a", "b"]  # each dead row once; the live owner's row stays with it
    assert {k.attempts for k in taken_first + taken_second} == {2}


def test_erasure_on_request_removes_kept_messages(store, db_url):
    from privacy.erasure import erase_personal_data

    async def keep():
        box = Inbox(store, "whatsapp")
        await box.accept(Arrival("m1", "wa-erase", "+22370000001", "SM1", {"text": "mon passeport"}))
        box.close()

    asyncio.run(keep())
    removed = erase_personal_data("wa-erase", store.engine)
    assert removed["inbox"] == 1
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(inbox)).scalar() == 0


async def test_a_server_takes_nothing_over_before_it_has_beaten_for_a_while(telegram, fake_telegram, store, monkeypatch):
    """At start and after a database outage other owners look dead until they beat again."""
    monkeypatch.setattr(Inbox, "STALE_AFTER", 1.5)
    await telegram.post_update(telegram_message(CHAT, "salut"))
    await telegram.settle()
    leave_row(store, "encore là ?", "slow-but-alive")
    await telegram.restart()
    await asyncio.sleep(0.5)
    assert [r["owner"] for r in rows(store)] == ["slow-but-alive"]  # not yet: it may still beat
    await wait_until(lambda: not rows(store))  # it never did: taken over and answered
    await telegram.settle()
    assert fake_telegram.texts(CHAT) == ["Écho : salut", "Écho : encore là ?"]


async def test_a_turn_the_assistant_had_saved_is_not_asked_again_after_a_crash(
        telegram, fake_telegram, stub_bot, store, monkeypatch):
    """Killed after Rasa saved the turn but before the inbox held its replies: the replies come
    from the tracker (the message's id), so a form's answer is not taken twice."""
    from channels.inbound import InboundProcessor

    original, stalled = InboundProcessor._inbox_step, asyncio.Event()

    async def stall_once(self, inbound, step, *args):
        if step == "hold_replies" and not stalled.is_set():
            stalled.set()
            await asyncio.sleep(60)  # the crash comes first
        return await original(self, inbound, step, *args)

    monkeypatch.setattr(InboundProcessor, "_inbox_step", stall_once)
    assert (await telegram.post_update(telegram_message(CHAT, "oui"))).status_code == 200
    await asyncio.wait_for(stalled.wait(), 10)
    await telegram.restart_after_crash()
    await wait_until(lambda: fake_telegram.texts(CHAT))
    await telegram.settle()
    assert fake_telegram.texts(CHAT) == ["Écho : oui"]
    assert stub_bot.texts() == ["oui"]  # answered once, delivered once
    assert rows(store) == []


async def test_the_tracker_view_finds_the_replies_of_a_saved_turn():
    from types import SimpleNamespace

    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from delivery.tracker_view import TrackerView

    menu = [{"title": "1. Oui", "payload": "1"}]
    store = InMemoryTrackerStore(Domain.empty())
    await store.save(DialogueStateTracker.from_events("tg-1", [
        UserUttered("bonjour", message_id="m1"), BotUttered("Salut !"), ActionExecuted("action_listen"),
        UserUttered("oui", message_id="m2"), BotUttered("Question 4 ?", data={"buttons": menu}),
        BotUttered(None, data={"custom": {"topic": "x"}}), ActionExecuted("action_listen"),
        UserUttered("non", message_id="m3"), BotUttered("Question 5 ?")]))
    view = TrackerView.of_agent(SimpleNamespace(tracker_store=store))
    assert await view.answered("tg-1", "m2") == [("Question 4 ?", menu)]
    assert await view.answered("tg-1", "m9") is None  # never saw it: ask the assistant
    assert await view.answered("tg-unknown", "m1") is None
    assert await view.language("tg-1") is None
