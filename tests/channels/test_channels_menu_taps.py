"""Tap, don't type (issue 13): every button carries its menu's and option's id, signed.

A tap on an old menu answers what that button said; a forged, foreign or expired one gets "this
menu is old" and the current menu; typed digits still pick from the newest menu.
"""
from __future__ import annotations

import time

import pytest
import pytest_asyncio

from content.knowledge import load_knowledge
from privacy.pseudonym import pseudonymise
from channels import menu_token
from tests.channels.menu_bot import MenuBot
from testing.harness import Harness, telegram_callback, telegram_env, telegram_message

CHAT = 55501234
KB = load_knowledge()


def cid(chat: int = CHAT) -> str:
    return pseudonymise("telegram", str(chat))


# -- the token itself ------------------------------------------------------------------------

def test_token_round_trip_and_refusals():
    menu = menu_token.new_menu_id()
    token = menu_token.make("tg-a", menu, 3, "group:documents")
    assert token and token.isascii() and len(token.encode()) <= 64
    assert menu_token.read("tg-a", token) == menu_token.Tap(menu, 3, "group:documents")
    assert menu_token.read("tg-b", token) is None  # another user's button
    forged = token.replace("group:documents", "group:protection")
    assert menu_token.read("tg-a", forged) is None
    assert menu_token.read("tg-a", "3") is None and menu_token.read("tg-a", "/greet{}") is None
    old = menu_token.new_menu_id(time.time() - (menu_token.MAX_AGE_MINUTES + 5) * 60)
    assert menu_token.read("tg-a", menu_token.make("tg-a", old, 1, "handoff")) is None
    assert menu_token.make("tg-a", menu, 1, "topic:x.y") is None  # the separator cannot be smuggled in
    assert menu_token.make("tg-a", menu, 1, '/intent{"slot": 1}') is None


def test_every_option_id_of_the_knowledge_base_fits_telegrams_64_bytes():
    ids = [f"topic:{t}" for t in KB.answers] + [f"group:{g.id}" for g in KB.menu_groups]
    ids += [f"language:{code}" for code in KB.languages] + ["handoff", "menu", "language", "flow:screening",
                                                              "flow:consular", "confirm:yes", "consent:full"]
    menu = menu_token.new_menu_id(4_102_444_800)  # the year 2100: menu ids grow with time
    too_long = [i for i in ids if menu_token.make("wa-" + "f" * 32, menu, 10, i) is None]
    assert too_long == []


def test_tap_metadata_is_the_number_and_the_token_or_an_old_menu():
    token = menu_token.make("tg-a", menu_token.new_menu_id(), 2, "topic:risk_sea")
    assert menu_token.tap_metadata("tg-a", token) == {"text": "2", "metadata": {"tap": token}}
    consent = menu_token.make("tg-a", menu_token.new_menu_id(), 0, "consent:yes")
    assert menu_token.tap_metadata("tg-a", consent)["text"] == "consent:yes"
    assert menu_token.tap_metadata("tg-a", "2") == {"text": "0", "metadata": {"tap": "expired"}}


# -- Telegram, end to end with the real menu actions -----------------------------------------

@pytest_asyncio.fixture
async def menu_telegram(db_url, store, fake_telegram, monkeypatch):
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    harness = Harness(store, MenuBot("en"), telegram_fake=fake_telegram)
    await harness.start()
    yield harness
    await harness.stop()


async def _post(harness, update) -> None:
    response = await harness.post_update(update)
    assert response.status_code == 200, response.text
    await harness.settle()


def _keyboard(fake, index: int = -1):
    with_keyboard = [m for m in fake.sent(CHAT) if m.get("reply_markup", {}).get("inline_keyboard")]
    return {row[0]["text"]: row[0]["callback_data"] for row in with_keyboard[index]["reply_markup"]["inline_keyboard"]}


@pytest.mark.asyncio
async def test_a_button_of_an_old_menu_answers_what_it_said(menu_telegram, fake_telegram):
    """The issue's report: hello, tap 1, tap 1, tap 2, then "3" of the FIRST menu."""
    await _post(menu_telegram, telegram_message(CHAT, "hello"))
    first_menu = _keyboard(fake_telegram)
    assert list(first_menu)[2] == "3. Travel documents and embassy"
    assert all(data.startswith("t1.") and len(data.encode()) <= 64 for data in first_menu.values())
    for _ in range(2):
        await _post(menu_telegram, telegram_callback(CHAT, list(_keyboard(fake_telegram).values())[0]))
    await _post(menu_telegram, telegram_callback(CHAT, list(_keyboard(fake_telegram).values())[1]))
    newest = menu_telegram.bot.menu(cid())
    assert len(newest) >= 3 and newest[2] != "group:documents"
    await _post(menu_telegram, telegram_callback(CHAT, first_menu["3. Travel documents and embassy"]))
    assert fake_telegram.texts(CHAT)[-1].startswith("Travel documents and embassy")
    assert menu_telegram.bot.menu(cid()) == ["topic:travel_document", "topic:embassy_contact", "handoff"]
    # Rasa saw a number and a token, never the option as words
    assert menu_telegram.bot.texts()[-1] == "3" and menu_telegram.bot.turns[-1].metadata["tap"].startswith("t1.")


@pytest.mark.asyncio
async def test_typed_digits_still_pick_from_the_newest_menu(menu_telegram, fake_telegram):
    await _post(menu_telegram, telegram_message(CHAT, "hello"))
    await _post(menu_telegram, telegram_message(CHAT, "3"))
    assert fake_telegram.texts(CHAT)[-1].startswith("Travel documents and embassy")
    await _post(menu_telegram, telegram_message(CHAT, "1"))  # now option 1 of the documents menu
    assert menu_telegram.bot.menu(cid())[-1] == "handoff" and "tap" not in menu_telegram.bot.turns[-1].metadata


@pytest.mark.asyncio
@pytest.mark.parametrize("data", ["3", "t1.zzzzz.3.group:documents.AAAAAAAAAAA", "/greet{\"consent\": true}", ""])
async def test_forged_or_legacy_button_data_gets_the_old_menu_answer(menu_telegram, fake_telegram, data):
    await _post(menu_telegram, telegram_message(CHAT, "hello"))
    await _post(menu_telegram, telegram_callback(CHAT, data))
    reply = fake_telegram.sent(CHAT)[-1]
    assert reply["text"].startswith(KB.text("menu_expired", "en"))
    assert menu_telegram.bot.menu(cid())[0] == "group:risks"  # the current menu again, tappable
    assert reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"].startswith("t1.")


@pytest.mark.asyncio
async def test_another_users_button_is_not_accepted(menu_telegram, fake_telegram):
    await _post(menu_telegram, telegram_message(777, "hello"))
    theirs = [m for m in fake_telegram.sent(777)][-1]["reply_markup"]["inline_keyboard"][2][0]["callback_data"]
    await _post(menu_telegram, telegram_message(CHAT, "hello"))
    await _post(menu_telegram, telegram_callback(CHAT, theirs))
    assert fake_telegram.texts(CHAT)[-1].startswith(KB.text("menu_expired", "en"))


@pytest.mark.parametrize("language", sorted(KB.languages))
def test_old_menu_answer_exists_in_every_language(language):
    text = KB.text("menu_expired", language)
    assert text and (language == "en" or text != KB.text("menu_expired", "en"))


@pytest.mark.parametrize("tap", ["t1.zzzzz.1.flow:screening.AAAAAAAAAAA", "expired", {"option": "flow:screening"}])
def test_the_action_checks_the_token_itself(tap):
    """The web chat's REST channel passes any metadata a client sends: the action verifies too."""
    import asyncio
    from types import SimpleNamespace

    from rasa_sdk.executor import CollectingDispatcher

    from actions.menu import ActionSelectOption

    bot = MenuBot("fr")
    message = SimpleNamespace(text="1", metadata={"tap": tap}, sender_id="rest-user")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSelectOption().run(dispatcher, bot.tracker(message), {}))
    assert dispatcher.messages[0]["text"].startswith(KB.text("menu_expired", "fr"))
    assert not any(getattr(e, "get", lambda _: None)("event") == "followup" for e in events)


def test_an_option_no_longer_offered_is_an_old_menu():
    import asyncio
    from types import SimpleNamespace

    from rasa_sdk.executor import CollectingDispatcher

    from actions.menu import ActionSelectOption

    token = menu_token.make("tg-gone", menu_token.new_menu_id(), 2, "topic:an_article_removed_since")
    message = SimpleNamespace(text="2", metadata={"tap": token}, sender_id="tg-gone")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSelectOption().run(dispatcher, MenuBot("en").tracker(message), {}))
    assert dispatcher.messages[0]["text"].startswith(KB.text("menu_expired", "en"))
