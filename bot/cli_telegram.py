"""`python -m bot telegram set-webhook URL | delete-webhook | poll`.

set-webhook registers URL (normally https://<public host>/webhooks/telegram/webhook) together
with TELEGRAM_WEBHOOK_SECRET, which Telegram then sends with every update, restricted to the
updates the channel handles (messages, edits - noted on an open case -, button callbacks and
my_chat_member, which records a user who blocked the bot), and sets the command menu and the
description in each language (setMyCommands / setMyDescription with language_code). poll is for local
development without a public URL: it removes the webhook and feeds getUpdates results through
the same path as the webhook (de-duplication, per-user queues, replies), answering with the
trained model in this process (custom actions in-process, conversations in memory).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from telegram import BotCommand

from telegram.error import BadRequest, RetryAfter, TelegramError

from channels.config import telegram_config
from channels.telegram import TelegramInput
from channels.telegram_sender import close_bot, make_bot, retry_after_seconds

logger = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MENU_COMMANDS = ("start", "menu", "language", "human", "delete")  # /help works too, unlisted


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot telegram")
    commands = parser.add_subparsers(dest="telegram_command", required=True)
    set_webhook = commands.add_parser("set-webhook", help="register the webhook URL with the secret token")
    set_webhook.add_argument("url", help="public HTTPS URL ending in /webhooks/telegram/webhook")
    set_webhook.add_argument("--drop-pending-updates", action="store_true")
    commands.add_parser("delete-webhook", help="remove the webhook (polling needs this)")
    poll = commands.add_parser("poll", help="local development: getUpdates loop instead of a webhook")
    poll.add_argument("--timeout", type=int, default=25, help="long-polling timeout in seconds")
    return parser


async def set_webhook(url: str, drop_pending_updates: bool = False) -> str:
    config = telegram_config()
    if config is None:
        raise SystemExit("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first (environment or .env).")
    bot = make_bot(config)
    try:
        await bot.set_webhook(
            url, secret_token=config.webhook_secret, allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=drop_pending_updates, max_connections=40,
        )
        languages = await set_commands(bot)
    finally:
        await close_bot(bot)
    return (f"Webhook set to {url} (with the secret token; updates: {', '.join(ALLOWED_UPDATES)}); "
            f"commands and description in: default (en), {', '.join(languages)}")


def telegram_language_codes() -> Dict[str, str]:
    """Our language → Telegram's language_code (ISO 639-1, two letters). Nigerian Pidgin has no
    such code: its speakers see the default (English) command list."""
    from content.knowledge import load_knowledge

    return {code: code for code in load_knowledge().languages if len(code) == 2}


async def set_commands(bot: Any) -> List[str]:
    """The command menu (/start, /menu, /language, /human, /delete) and the bot's description,
    per language: Telegram shows each user the list for their app's language."""
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    targets = [(None, kb.default_language)] + [(tg, ours) for ours, tg in telegram_language_codes().items()]
    for language_code, language in targets:
        commands = [BotCommand(command, kb.text(f"tg_command_{command}", language)) for command in MENU_COMMANDS]
        await bot.set_my_commands(commands, language_code=language_code)
        await bot.set_my_description(kb.text("tg_description", language)[:512], language_code=language_code)
    return [code for code, _ in targets if code]


async def delete_webhook() -> str:
    config = telegram_config(require_secret=False)
    if config is None:
        raise SystemExit("Set TELEGRAM_BOT_TOKEN first (environment or .env).")
    bot = make_bot(config)
    try:
        await bot.delete_webhook()
    finally:
        await close_bot(bot)
    return "Webhook removed"


async def run_polling(
    channel: TelegramInput,
    on_new_message: Callable[[Any], Awaitable[Any]],
    stop: Optional[asyncio.Event] = None,
    timeout: int = 25,
) -> None:
    """getUpdates until `stop` is set; each update takes the webhook's path (channel.handle_update)."""
    stop = stop or asyncio.Event()
    channel.start(on_new_message)
    bot = channel.sender.bot
    await bot.delete_webhook()  # Telegram refuses getUpdates while a webhook is set
    offset: Optional[int] = None
    failures = 0
    try:
        while not stop.is_set():
            try:
                updates = await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
                failures = 0
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except TelegramError as exc:
                failures += 1
                logger.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(min(30.0, 0.5 * 2 ** failures))
                continue
            for update in updates:
                await channel.handle_update(update.to_dict())
                offset = update.update_id + 1
    finally:
        await channel.shutdown()


async def _poll_with_model(timeout: int) -> None:
    from bot.ask import Assistant
    from delivery.tracker_view import TrackerView

    config = telegram_config(require_secret=False)
    if config is None:
        raise SystemExit("Set TELEGRAM_BOT_TOKEN first (environment or .env).")
    agent = Assistant.load().agent

    view = TrackerView.of_agent(agent)
    channel = TelegramInput(config, language_lookup=view.language, answered_lookup=view.answered)
    print("Polling Telegram for updates; Ctrl-C to stop.")
    await run_polling(channel, agent.handle_message, timeout=timeout)


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        if args.telegram_command == "set-webhook":
            print(asyncio.run(set_webhook(args.url, args.drop_pending_updates)))
        elif args.telegram_command == "delete-webhook":
            print(asyncio.run(delete_webhook()))
        else:
            asyncio.run(_poll_with_model(args.timeout))
    except TelegramError as exc:
        # BadRequest carries Telegram's explanation ("bad webhook: ..."); other texts may hold the token.
        print(f"Telegram refused: {exc.message if isinstance(exc, BadRequest) else type(exc).__name__}")
        return 1
    except KeyboardInterrupt:
        return 0
    return 0
