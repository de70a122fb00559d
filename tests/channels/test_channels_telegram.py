"""Telegram channel, end to end: an update into the real webhook → the reply at the fake Bot API."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from content.knowledge import load_knowledge
from privacy.log_filter import conversation_tag
from privacy.pseudonym import pseudonymise
from channels import menu_token
from delivery.store import channel_addresses, channel_media, delivery_status
from testing.harness import LONG_REPLY, TELEGRAM_SECRET, telegram_callback, telegram_message

pytestmark = pytest.mark.asyncio
CHAT = 987654321


def cid(chat: int = CHAT) -> str:
    return pseudonymise("telegram", str(chat))


def ui(key: str, language: str = "en") -> str:
    return load_knowledge().text(key, language)


async def send(telegram, update) -> None:
    response = await telegram.post_update(update)
    assert response.status_code == 200, response.text
    await telegram.settle()


async def test_text_reaches_rasa_pseudonymised_and_reply_comes_back(telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, "salut"))
    assert fake_telegram.texts(CHAT) == ["Écho : salut"]  # the custom JSON message is not shown
    turn = stub_bot.turns[0]
    assert turn.sender_id == cid() and str(CHAT) not in turn.sender_id
    assert turn.metadata["channel"] == "telegram"
    assert str(CHAT) not in repr(turn.metadata)  # metadata is stored in the tracker
    assert "parse_mode" not in fake_telegram.sent(CHAT)[0]  # plain text: nothing to escape


@pytest.mark.parametrize("secret", [None, "", "wrong", TELEGRAM_SECRET + "x", TELEGRAM_SECRET[:-1]])
async def test_webhook_without_the_right_secret_is_refused(telegram, fake_telegram, stub_bot, secret):
    update = telegram_message(CHAT, "forged")
    response = await telegram.post_update(update, secret=secret)
    assert response.status_code == 403
    await telegram.settle()
    assert stub_bot.turns == [] and fake_telegram.sent() == []
    # The refused request did not use up the update id: the genuine delivery is still answered.
    await send(telegram, update)
    assert fake_telegram.texts(CHAT) == ["Écho : forged"]


async def test_webhook_rejects_a_body_that_is_not_an_update(telegram):
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
    assert (await telegram.client.post("/webhooks/telegram/webhook", content=b"{not json", headers=headers)).status_code == 400
    assert (await telegram.post_update({"message": {}})).status_code == 400


@pytest.mark.parametrize("when", ["later", "while-queued", "after-restart"])
async def test_duplicate_update_is_answered_once(telegram, fake_telegram, stub_bot, when):
    update = telegram_message(CHAT, "une fois", update_id=424242)
    if when == "while-queued":  # both acknowledged before the first is handled
        assert [(await telegram.post_update(update)).status_code for _ in range(2)] == [200, 200]
    await send(telegram, update)
    if when == "after-restart":
        await telegram.restart()
    await send(telegram, update)  # Telegram re-sends when it missed our 200
    assert fake_telegram.texts(CHAT) == ["Écho : une fois"]
    assert stub_bot.texts() == ["une fois"]


PHOTO = [{"file_id": "small-id", "file_unique_id": "s", "width": 90, "height": 90},
         {"file_id": "large-id", "file_unique_id": "l", "width": 1280, "height": 960}]
MEDIA = {
    "photo": ({"photo": PHOTO}, "large-id", "image/jpeg"),
    "voice": ({"voice": {"file_id": "voice-id", "file_unique_id": "v", "duration": 4, "mime_type": "audio/ogg"}},
              "voice-id", "audio/ogg"),
    "document": ({"document": {"file_id": "doc-id", "file_unique_id": "d", "file_name": "passport.pdf",
                               "mime_type": "application/pdf"}}, "doc-id", "application/pdf"),
    "location": ({"location": {"latitude": 13.5, "longitude": 2.125}}, "geo:13.5,2.125", "location"),
    "video": ({"video": {"file_id": "video-id", "file_unique_id": "x", "width": 1, "height": 1, "duration": 2,
                         "mime_type": "video/mp4"}}, "video-id", "video/mp4"),
    "sticker": ({"sticker": {"file_id": "sticker-id", "file_unique_id": "k", "type": "regular", "width": 512,
                             "height": 512, "is_animated": False, "is_video": False}}, "sticker-id", "sticker"),
}


@pytest.mark.parametrize("kind", list(MEDIA))
async def test_media_only_message_is_kept_and_answered_in_the_users_language(telegram, fake_telegram, stub_bot, store, kind):
    content, reference, content_type = MEDIA[kind]
    await send(telegram, telegram_message(CHAT, "bonjour"))  # the assistant sets language=fr
    await send(telegram, telegram_message(CHAT, None, **content))
    # a voice note gets what the assistant can do instead (issue 13), any other file the old answer
    assert fake_telegram.texts(CHAT)[-1] == ui("voice_note_reply" if kind == "voice" else "media_unsupported", "fr")
    assert stub_bot.texts() == ["bonjour"]  # media never reaches NLU
    with store.engine.connect() as connection:
        rows = connection.execute(select(channel_media)).mappings().all()
    assert [(r["conversation_id"], r["channel"], r["reference"], r["content_type"]) for r in rows] == [
        (cid(), "telegram", reference, content_type)]


async def test_media_with_caption_keeps_media_and_answers_the_caption(telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, None, photo=PHOTO, caption="Est-ce valable ?"))
    assert stub_bot.texts() == ["Est-ce valable ?"]
    assert fake_telegram.texts(CHAT) == [ui("media_unsupported"), "Écho : Est-ce valable ?"]


async def test_long_reply_is_split_without_losing_anything(telegram, fake_telegram):
    await send(telegram, telegram_message(CHAT, "long"))
    parts = fake_telegram.texts(CHAT)
    assert len(LONG_REPLY) > 4096 and len(parts) == 2
    assert all(len(part.encode("utf-16-le")) // 2 <= 4096 for part in parts)
    assert " ".join(parts).split() == LONG_REPLY.split()
    assert all(part.endswith(".") for part in parts)  # cut at sentence ends


@pytest.mark.parametrize("text", [
    "مرحبا، أريد العودة إلى بلدي. هل يمكنكم مساعدتي؟",    # Arabic
    "ሰላም፣ ወደ ሀገሬ መመለስ እፈልጋለሁ። እርዳታ ይኖራል?",            # Amharic (Ge'ez script)
    "ሰላም፡ ናብ ዓደይ ክምለስ እደሊ እየ።",                       # Tigrinya (Ge'ez script)
    "Àwọn ọ̀rọ̀ — emoji 🙏🏾 and ZWJ 👨‍👩‍👧",
])
async def test_unicode_round_trip(telegram, fake_telegram, stub_bot, text):
    await send(telegram, telegram_message(CHAT, text))
    assert stub_bot.texts() == [text]
    assert fake_telegram.texts(CHAT) == [f"Écho : {text}"]


async def test_user_who_blocked_the_bot_is_recorded_without_crashing(telegram, fake_telegram, stub_bot, store):
    fake_telegram.block(CHAT)
    await send(telegram, telegram_message(CHAT, "hello"))
    assert store.get_address(cid()).blocked is True
    with store.engine.connect() as connection:
        row = connection.execute(select(delivery_status)).mappings().one()
    assert (row["conversation_id"], row["status"], row["error_code"]) == (cid(), "failed", "403")
    # Other users are still served, and the channel keeps working.
    await send(telegram, telegram_message(111, "autre"))
    assert fake_telegram.texts(111) == ["Écho : autre"]
    assert len(fake_telegram.sent(CHAT)) == 1  # a 403 is permanent: no retries


async def test_block_and_unblock_notifications_update_the_address(telegram, store):
    await send(telegram, telegram_message(CHAT, "hello"))
    for status, blocked in (("kicked", True), ("member", False)):
        update = {"update_id": 770000 + blocked, "my_chat_member": {
            "chat": {"id": CHAT, "type": "private"}, "from": {"id": CHAT, "is_bot": False, "first_name": "T"},
            "date": 1, "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "B"}},
            "new_chat_member": {"status": status, "user": {"id": 1, "is_bot": True, "first_name": "B"},
                                **({"until_date": 0} if status == "kicked" else {})}}}
        await send(telegram, update)
        assert store.get_address(cid()).blocked is blocked


async def test_rate_limit_waits_for_retry_after(telegram, fake_telegram):
    fake_telegram.rate_limit(retry_after=1)
    await send(telegram, telegram_message(CHAT, "patience"))
    first, second = fake_telegram.method_calls("sendMessage")
    assert second.at - first.at >= 0.95  # Telegram's retry_after, not our short test backoff
    assert fake_telegram.texts(CHAT) == ["Écho : patience"] * 2 and fake_telegram.sent(CHAT)[-1]


async def test_server_errors_are_retried(telegram, fake_telegram):
    fake_telegram.fail(502, times=2)
    await send(telegram, telegram_message(CHAT, "encore"))
    assert len(fake_telegram.method_calls("sendMessage")) == 3


async def test_menu_becomes_an_inline_keyboard(telegram, fake_telegram):
    await send(telegram, telegram_message(CHAT, "menu"))
    sent = fake_telegram.sent(CHAT)[0]
    assert "1. Dangers du voyage" in sent["text"]  # the numbered list stays in the text
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["1. Dangers du voyage", "2. Parler à une personne"]
    # each button carries a signed id of its menu and payload (channels/menu_token.py)
    assert [menu_token.read(cid(), row[0]["callback_data"]).value for row in rows] == ["1", "2"]


async def test_button_press_is_answered_and_sent_to_rasa_as_what_it_stands_for(telegram, fake_telegram, stub_bot):
    token = menu_token.make(cid(), menu_token.new_menu_id(), 0, "2")
    update = telegram_callback(CHAT, token)
    await send(telegram, update)
    answered = fake_telegram.method_calls("answerCallbackQuery")
    assert [call.params["callback_query_id"] for call in answered] == [update["callback_query"]["id"]]
    assert stub_bot.texts() == ["2"] and stub_bot.turns[0].metadata.get("callback") is True
    assert stub_bot.turns[0].metadata["tap"] == token
    assert fake_telegram.texts(CHAT) == ["Écho : 2"]


async def test_one_senders_messages_keep_their_order_while_others_run_in_parallel(telegram, fake_telegram, stub_bot):
    for text in ("slow un", "deux", "trois"):
        assert (await telegram.post_update(telegram_message(CHAT, text))).status_code == 200
    assert (await telegram.post_update(telegram_message(222, "rapide"))).status_code == 200
    await telegram.settle()
    assert stub_bot.texts(cid()) == ["slow un", "deux", "trois"]
    assert fake_telegram.texts(CHAT) == ["Écho : slow un", "Écho : deux", "Écho : trois"]
    mine = [t for t in stub_bot.turns if t.sender_id == cid()]
    other = next(t for t in stub_bot.turns if t.sender_id == cid(222))
    assert all(a.finished <= b.started for a, b in zip(mine, mine[1:]))  # strictly one after another
    assert other.finished < mine[0].finished  # not stuck behind the slow message of another user


@pytest.mark.parametrize("command, text, payload", [
    ("/start", "hello", None),
    ("/start campagne-niger_2024", "hello", None),  # not a campaign payload: dropped, never stored
    ("/start radio-niamey", "hello", "radio-niamey"),
    ("/start fr_radio1", "bonjour", "radio1"),  # the language is preselected by its greeting
    ("/help", "menu", None),
    ("/help@fake_migrant_bot", "menu", None),
    ("/language", "change language", None),
    ("/human", "human", None),
    ("/delete", "delete my data", None),
    ("/emergency", "emergency", None),   # not a command: Rasa must not read "/intent" syntax
])
async def test_commands(telegram, stub_bot, command, text, payload):
    await send(telegram, telegram_message(CHAT, command))
    assert stub_bot.texts() == [text]
    assert stub_bot.turns[0].metadata.get("campaign") == payload
    assert "start_payload" not in stub_bot.turns[0].metadata


async def test_an_edited_message_is_not_answered_as_a_new_one(telegram, fake_telegram, stub_bot, clean_hooks):
    seen = []
    clean_hooks.append(lambda cid_, channel, text, media: seen.append(text))
    await send(telegram, telegram_message(CHAT, "premier"))
    await send(telegram, telegram_message(CHAT, "premier corrigé", edited=True))
    assert stub_bot.texts() == ["premier"] and fake_telegram.texts(CHAT) == ["Écho : premier"]
    assert seen == ["premier", "✎ premier corrigé"]  # an open case would note the correction


@pytest.mark.parametrize("text", ["boom", "silence"], ids=["assistant-raises", "assistant-silent"])
async def test_a_failed_turn_asks_the_user_to_try_again(telegram, fake_telegram, store, text):
    await send(telegram, telegram_message(CHAT, "bonjour"))
    await send(telegram, telegram_message(CHAT, text))
    assert store.get_address(cid()).language == "fr"  # copied from the assistant's language slot
    assert fake_telegram.texts(CHAT)[-1] == ui("try_again", "fr")


async def test_overlong_and_empty_messages_get_a_hint(telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, "mot " * 600))
    await send(telegram, telegram_message(CHAT, None, dice={"emoji": "🎲", "value": 3}))
    assert stub_bot.turns == []
    assert fake_telegram.texts(CHAT) == [ui("message_too_long"), ui("not_understood")]


async def test_group_chats_are_ignored(telegram, fake_telegram, stub_bot):
    update = telegram_message(CHAT, "dans un groupe")
    update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "G"}
    await send(telegram, update)
    assert stub_bot.turns == [] and fake_telegram.sent() == []


@pytest.mark.parametrize("decision, media, expected_reply, bot_called", [
    ("to_case", False, None, False),
    ("to_case", True, "media_kept_for_caseworker", False),
    ("to_case_and_bot", False, "Écho : message", True),
    ("drop", True, None, False),
    (None, False, "Écho : message", True),
])
async def test_inbound_hook_decides_who_gets_the_message(telegram, fake_telegram, stub_bot, clean_hooks,
                                                         decision, media, expected_reply, bot_called):
    seen = []

    async def hook(conversation_id, channel, text, media_info):
        seen.append((conversation_id, channel, text, media_info))
        return decision

    clean_hooks.append(hook)
    content = {"voice": MEDIA["voice"][0]["voice"]} if media else {}
    await send(telegram, telegram_message(CHAT, None if media else "message", **content))
    # the case gets our media row, never the platform's reference (Twilio's URL holds the account id)
    expected_media = {"kind": "voice", "reference": "channel_media:1", "content_type": "audio/ogg"} if media else None
    assert seen == [(cid(), "telegram", None if media else "message", expected_media)]
    assert bool(stub_bot.turns) is bot_called
    expected = [] if expected_reply is None else [ui(expected_reply) if "_" in expected_reply else expected_reply]
    assert fake_telegram.texts(CHAT) == expected


async def test_a_failing_hook_does_not_silence_the_bot(telegram, fake_telegram, clean_hooks):
    clean_hooks.append(lambda *args: 1 / 0)
    await send(telegram, telegram_message(CHAT, "toujours"))
    assert fake_telegram.texts(CHAT) == ["Écho : toujours"]


async def test_logs_never_contain_the_telegram_id_or_token(telegram, fake_telegram, caplog):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="channels")
    await send(telegram, telegram_message(CHAT, "bonjour"))
    await send(telegram, telegram_message(CHAT, "boom"))
    await send(telegram, telegram_message(CHAT, None, photo=PHOTO))
    await send(telegram, telegram_message(CHAT, "bonjour"))  # duplicate-free, normal
    fake_telegram.block(CHAT)
    await send(telegram, telegram_message(CHAT, "bloqué"))
    await telegram.post_update(telegram_message(CHAT, "x"), secret="wrong")
    # the logs do name the conversation, by a tag that only this process can link to it
    assert conversation_tag(cid()) in caplog.text and cid() not in caplog.text
    assert str(CHAT) not in caplog.text
    assert fake_telegram.token not in caplog.text and fake_telegram.token.split(":")[1] not in caplog.text


FORCED_INTENTS = ['/greet{"language": "<b>xx-long-injected-language</b>"}', "//handoff", " /emergency{}"]


@pytest.mark.parametrize("data", FORCED_INTENTS)
async def test_button_data_cannot_force_an_intent(telegram, stub_bot, data):
    # callback data is whatever a client sends: Rasa must never read it as "/intent{slots}";
    # only a signed menu token is taken, anything else is an old menu ("0" and tap=expired)
    await send(telegram, telegram_callback(CHAT, data))
    [turn] = stub_bot.turns
    assert turn.text == "0" and turn.metadata["tap"] == "expired"


@pytest.mark.parametrize("language, kept", [("ha", "ha"), ("<b>xx-long-injected-language</b>", None), ("zz", None)])
async def test_only_a_language_the_assistant_speaks_is_copied_to_the_address(telegram, store, language, kept):
    await send(telegram, telegram_message(CHAT, f"slot language={language}"))
    with store.engine.connect() as connection:
        stored = connection.execute(select(channel_addresses.c.language)
                                    .where(channel_addresses.c.conversation_id == cid())).scalar()
    assert stored == kept


@pytest.mark.parametrize("age_hours, answered", [(0, True), (30, True), (24 * 8, False), (24 * 40, False)])
async def test_a_replayed_update_older_than_telegram_keeps_them_is_refused(telegram, stub_bot, age_hours, answered):
    # the secret token proves who sent it, not when: an old captured update must not be answered again
    update = telegram_message(CHAT, "bonjour")
    update["message"]["date"] -= age_hours * 3600
    await send(telegram, update)
    assert stub_bot.texts() == (["bonjour"] if answered else [])
