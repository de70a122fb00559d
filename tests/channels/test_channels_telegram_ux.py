"""Telegram (issue 13): the main menu as a reply keyboard, removed while a caseworker holds the
conversation; commands and descriptions per language; voice notes; campaign deep links."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from content.knowledge import load_knowledge
from privacy.pseudonym import pseudonymise
from bot import cli_telegram as telegram_cli
from channels import menu_token
from channels.outbound import send_to_conversation
from delivery.store import channel_media
from testing.harness import TELEGRAM_SECRET, telegram_callback, telegram_env, telegram_message

pytestmark = pytest.mark.asyncio
CHAT = 31415926
KB = load_knowledge()
VOICE = {"voice": {"file_id": "AwACAgQAAxkBAAIBvoice", "file_unique_id": "v", "duration": 4, "mime_type": "audio/ogg"}}


def cid() -> str:
    return pseudonymise("telegram", str(CHAT))


async def send(telegram, update) -> None:
    response = await telegram.post_update(update)
    assert response.status_code == 200, response.text
    await telegram.settle()


def markups(fake):
    return [m.get("reply_markup") for m in fake.sent(CHAT)]


async def test_the_main_menu_is_a_persistent_reply_keyboard_sent_once(telegram, fake_telegram):
    await send(telegram, telegram_message(CHAT, "salut"))
    await send(telegram, telegram_message(CHAT, "encore"))
    first, second = markups(fake_telegram)
    assert first["is_persistent"] is True and first["resize_keyboard"] is True
    titles = [row[0]["text"] for row in first["keyboard"]]
    assert all(len(row) == 1 for row in first["keyboard"])  # one button per row
    assert titles[0] == KB.text("group_risks", "en") and titles[-2] == KB.text("menu_talk_to_person", "en")
    assert second is None  # not sent again with every message


async def test_the_keyboard_follows_the_language(telegram, fake_telegram):
    await send(telegram, telegram_message(CHAT, "salut"))
    await send(telegram, telegram_message(CHAT, "bonjour"))  # the stub bot sets language=fr
    await send(telegram, telegram_message(CHAT, "et alors"))
    first, switched, later = markups(fake_telegram)
    assert [row[0]["text"] for row in first["keyboard"]][0] == KB.text("group_risks", "en")
    # from the answer of the turn that set the language, not one message later
    assert [row[0]["text"] for row in switched["keyboard"]][0] == KB.text("group_risks", "fr")
    assert later is None


async def test_a_keyboard_press_is_a_signed_tap_of_that_option(telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, KB.text("group_documents", "en")))
    turn = stub_bot.turns[0]
    assert turn.text == "3" and menu_token.read(cid(), turn.metadata["tap"]).value == "group:documents"


async def test_the_keyboard_goes_while_a_caseworker_holds_the_conversation(telegram, fake_telegram, store, clean_hooks):
    await send(telegram, telegram_message(CHAT, "salut"))
    assert "keyboard" in markups(fake_telegram)[0]
    result = await send_to_conversation(cid(), "Bonjour, je suis Amina de l'équipe.", store=store)
    assert result.complete and markups(fake_telegram)[1] == {"remove_keyboard": True}
    clean_hooks.append(lambda *args: "to_case")  # the case takes the migrant's messages now
    await send(telegram, telegram_message(CHAT, "merci"))
    clean_hooks[:] = [lambda *args: None]  # resolved: the assistant answers again, with its keyboard
    await send(telegram, telegram_message(CHAT, "et maintenant ?"))
    assert "keyboard" in markups(fake_telegram)[-1]


async def test_set_webhook_sets_commands_and_descriptions_per_language(db_url, fake_telegram, monkeypatch):
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    message = await telegram_cli.set_webhook("https://bot.example.org/webhooks/telegram/webhook")
    assert fake_telegram.webhook["allowed_updates"] == ["message", "edited_message", "callback_query", "my_chat_member"]
    assert set(fake_telegram.commands) == {"", "en", "fr", "ar", "am", "ha", "pt", "so", "ti"}  # pcm: no ISO code
    assert [c["command"] for c in fake_telegram.commands["fr"]] == ["start", "menu", "language", "human", "delete"]
    assert fake_telegram.commands["fr"][3]["description"] == KB.text("tg_command_human", "fr")
    assert fake_telegram.descriptions["ar"] == KB.text("tg_description", "ar")
    assert fake_telegram.descriptions[""] == KB.text("tg_description", "en") and TELEGRAM_SECRET not in message


async def test_a_user_who_blocked_the_bot_gets_nothing_more(telegram, fake_telegram, store):
    await send(telegram, telegram_message(CHAT, "salut"))
    blocked = {"update_id": 777001, "my_chat_member": {
        "chat": {"id": CHAT, "type": "private", "first_name": "T"}, "from": {"id": CHAT, "is_bot": False, "first_name": "T"},
        "date": 1_700_000_000, "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "B"}},
        "new_chat_member": {"status": "kicked", "until_date": 0, "user": {"id": 1, "is_bot": True, "first_name": "B"}}}}
    await send(telegram, blocked)
    before = len(fake_telegram.sent(CHAT))
    result = await send_to_conversation(cid(), "Nouvelles de votre dossier", store=store)
    assert not result.sent and result.reason == "blocked" and len(fake_telegram.sent(CHAT)) == before
    assert store.get_address(cid()).blocked is True  # recorded under the pseudonym only


# -- voice notes -----------------------------------------------------------------------------------

async def test_a_voice_note_gets_what_the_assistant_can_do_with_tappable_buttons(telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, "bonjour"))  # language fr
    await send(telegram, telegram_message(CHAT, None, **VOICE))
    reply = fake_telegram.sent(CHAT)[-1]
    assert reply["text"] == KB.text("voice_note_reply", "fr")
    rows = reply["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows][-2] == KB.text("menu_talk_to_person", "fr")
    person = menu_token.read(cid(), rows[-2][0]["callback_data"])
    assert person.value == "handoff"  # a tap asks for a person, like the menu's own button
    await send(telegram, telegram_callback(CHAT, rows[-2][0]["callback_data"]))
    assert stub_bot.turns[-1].text == str(person.index) and stub_bot.turns[-1].metadata["tap"]


async def test_a_voice_note_during_a_case_goes_to_the_caseworker_as_our_media_row(telegram, fake_telegram, store,
                                                                                 clean_hooks, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    seen = []
    clean_hooks.append(lambda c, channel, text, media: seen.append(media) or "to_case")
    await send(telegram, telegram_message(CHAT, None, **VOICE))
    with store.engine.connect() as connection:
        row = connection.execute(select(channel_media)).mappings().one()
    assert row["reference"] == VOICE["voice"]["file_id"]  # the platform reference stays in channel_media
    assert seen == [{"kind": "voice", "reference": f"channel_media:{row['id']}", "content_type": "audio/ogg"}]
    assert fake_telegram.texts(CHAT) == [KB.text("media_kept_for_caseworker", "en")]
    assert VOICE["voice"]["file_id"] not in caplog.text and str(CHAT) not in caplog.text


@pytest.mark.parametrize("language", sorted(KB.languages))
async def test_the_channels_main_menu_is_the_assistants(language):
    from actions.replies import main_menu_options
    from channels.menus import main_menu

    assert main_menu(language) == main_menu_options(language)


async def test_an_edit_that_now_describes_danger_is_answered(telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, "salut"))
    await send(telegram, telegram_message(CHAT, "they are beating me now help", edited=True))
    assert stub_bot.texts() == ["salut", "they are beating me now help"]
    assert fake_telegram.texts(CHAT)[-1] == "Écho : they are beating me now help"
