"""Sending from outside a webhook (the caseworker console's path), and `python -m bot telegram`."""
from __future__ import annotations

import asyncio

import pytest

from bot.__main__ import build_parser
from delivery import result as d
from bot import cli_telegram as telegram_cli
from channels.config import telegram_config
from channels.outbound import close_senders, send_to_conversation
from channels.telegram import TelegramInput
from testing.harness import FAST_RETRIES, TELEGRAM_SECRET, StubBot, telegram_env, telegram_message



@pytest.fixture
def telegram_configured(db_url, fake_telegram, monkeypatch):
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)


@pytest.mark.asyncio
async def test_unknown_conversation(db_url):
    result = await send_to_conversation("tg-unknown", "Bonjour")
    assert (result.sent, result.reason, result.permanent) == (False, d.UNKNOWN_CONVERSATION, True)


@pytest.mark.asyncio
async def test_channel_not_configured_in_this_process(db_url, store):
    store.record_inbound("tg-1", "telegram", "42")
    result = await send_to_conversation("tg-1", "Bonjour")
    assert (result.sent, result.reason) == (False, d.NOT_CONFIGURED)


@pytest.mark.asyncio
async def test_console_message_with_buttons_reaches_telegram(telegram_configured, store, fake_telegram):
    store.record_inbound("tg-1", "telegram", "4242")
    try:
        result = await send_to_conversation("tg-1", "Voulez-vous un rendez-vous ?\n1. Oui\n2. Non",
                                            buttons=[{"title": "Oui", "payload": "1"}, {"title": "Non", "payload": "2"}])
    finally:
        await close_senders()
    assert result.complete and result.parts == 1 and result.message_ids == ["1"]
    [sent] = fake_telegram.sent(4242)
    from channels import menu_token

    data = [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert [menu_token.read("tg-1", d).value for d in data] == ["1", "2"]  # signed ids, not bare numbers


@pytest.mark.asyncio
async def test_blocked_user_is_not_contacted_again(telegram_configured, store, fake_telegram):
    store.record_inbound("tg-1", "telegram", "4242")
    fake_telegram.block(4242)
    try:
        first = await send_to_conversation("tg-1", "Bonjour")
        second = await send_to_conversation("tg-1", "Bonjour ?")
    finally:
        await close_senders()
    assert (first.sent, first.reason, first.permanent) == (False, d.BLOCKED, True)
    assert second.reason == d.BLOCKED and len(fake_telegram.sent()) == 1


@pytest.mark.asyncio
async def test_set_webhook_registers_url_and_secret(telegram_configured, fake_telegram):
    message = await telegram_cli.set_webhook("https://bot.example.org/webhooks/telegram/webhook")
    assert fake_telegram.webhook["url"] == "https://bot.example.org/webhooks/telegram/webhook"
    assert fake_telegram.webhook["secret_token"] == TELEGRAM_SECRET
    assert "callback_query" in fake_telegram.webhook["allowed_updates"]
    assert TELEGRAM_SECRET not in message


@pytest.mark.asyncio
async def test_polling_feeds_the_same_path_and_removes_the_webhook(telegram_configured, store, fake_telegram):
    fake_telegram.webhook = {"url": "https://old.example.org/hook"}  # getUpdates fails while it is set
    bot = StubBot()
    channel = TelegramInput(telegram_config(require_secret=False), store=store, language_lookup=bot.language,
                            retry_policy=FAST_RETRIES)
    update = telegram_message(31337, "par sondage")
    fake_telegram.queue_update(update)
    fake_telegram.queue_update(update)  # a repeat (offset not confirmed before a restart)
    stop = asyncio.Event()
    polling = asyncio.ensure_future(telegram_cli.run_polling(channel, bot, stop, timeout=1))
    for _ in range(100):
        if fake_telegram.texts(31337):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(polling, 5)
    await close_senders()
    assert fake_telegram.method_calls("deleteWebhook") and fake_telegram.webhook == {}
    assert fake_telegram.texts(31337) == ["Écho : par sondage"] and bot.texts() == ["par sondage"]


def test_bot_command_line_has_the_telegram_commands():
    parser = build_parser()
    args = parser.parse_args(["telegram", "set-webhook", "https://x.example/webhooks/telegram/webhook"])
    assert (args.command, args.telegram_command, args.url) == ("telegram", "set-webhook", "https://x.example/webhooks/telegram/webhook")
    assert parser.parse_args(["telegram", "poll"]).telegram_command == "poll"


def test_set_webhook_without_configuration_says_what_is_missing(db_url, capsys):
    with pytest.raises(SystemExit, match="TELEGRAM_BOT_TOKEN"):
        telegram_cli.main(["set-webhook", "https://x.example/webhooks/telegram/webhook"])
