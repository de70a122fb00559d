"""Sending Telegram messages with python-telegram-bot's Bot (API calls only, no Application).

Texts go out with no parse mode (plain text), so nothing needs escaping and a "*" or "_" in an
answer can never break a message. Menus become inline keyboards whose callback_data is a signed
token naming the menu and the option (channels/menu_token.py), so a button of an old message
still answers what it says. 429 waits the `retry_after` Telegram asks for; 403 (the user
blocked the bot) marks the address blocked. ptb's error texts can contain the token or the
chat id: only exception class names are logged.
"""
from __future__ import annotations

import logging
import re
import warnings
from datetime import timedelta
from typing import Any, Dict, List, Optional

from telegram import (Bot, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup,
                      ReplyKeyboardRemove)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from delivery import result as d
from channels import menus
from channels.config import TELEGRAM, TelegramConfig
from delivery.result import DeliveryResult
from channels.menu_token import choices
from delivery.retry import Classification, RetryPolicy, call_with_retries
from delivery.store import Address, ChannelStore
from channels.telegram_http import AiohttpRequest
from channels.text import TELEGRAM_LIMIT, split_message

logger = logging.getLogger(__name__)
CALLBACK_DATA_LIMIT = 64  # bytes
REMOVED = "removed"
BLOCKED_DETAIL = "The user has blocked the bot; they must write to it again first."
MAX_KEYBOARD_STATES = 50_000  # conversations whose keyboard state is remembered (then: sent again, harmless)


class _RedactBotToken(logging.Filter):
    """httpx (if anything in the process sends to Telegram with it) logs each request URL at
    INFO, and Telegram's URLs contain the bot token."""

    _pattern = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(self._pattern.sub("/bot<token>", str(a)) if "/bot" in str(a) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactBotToken())
# ptb 22 itself reads RetryAfter.retry_after while building the exception and warns about the
# coming timedelta type on every 429; retry_after_seconds() already handles both types.
warnings.filterwarnings("ignore", message=r".*`retry_after` will be of type", category=DeprecationWarning)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # ptb 22 warns that the type will become timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: BaseException) -> Classification:
    if isinstance(exc, RetryAfter):
        return True, retry_after_seconds(exc)
    if isinstance(exc, (Forbidden, BadRequest, InvalidToken, ChatMigrated, Conflict)):
        return False, None
    return isinstance(exc, NetworkError), None  # network errors, time-outs and 5xx


def inline_keyboard(conversation_id: str, buttons: Optional[List[Dict[str, Any]]]) -> Optional[InlineKeyboardMarkup]:
    made = choices(conversation_id, buttons)
    if len(made) < len(buttons or []):
        logger.warning("Skipped %d button(s) whose id does not fit Telegram's 64-byte callback data",
                       len(buttons or []) - len(made))
    rows: List[List[InlineKeyboardButton]] = []
    for number, choice in enumerate(made):
        button = InlineKeyboardButton(choice.title, callback_data=choice.token)
        if choice.beside and number and made[number - 1].beside:
            rows[-1].append(button)  # 👍 👎 side by side, under the menu's one-per-row options
        else:
            rows.append([button])
    return InlineKeyboardMarkup(rows) if rows else None


def make_bot(config: TelegramConfig) -> Bot:
    return Bot(
        config.token,
        base_url=f"{config.api_base_url}/bot",
        base_file_url=f"{config.api_base_url}/file/bot",
        # 16 connections: ptb's default of one is too few for many users answered in parallel,
        # and more buys nothing (Telegram accepts ~30 messages per second from a bot).
        request=AiohttpRequest(connection_pool_size=16),
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=40),
    )


async def close_bot(bot: Bot) -> None:
    """Closes the HTTP sessions; Bot.shutdown() skips that when initialize() (getMe) never ran."""
    for request in (bot.request, getattr(bot, "_request", (None,))[0]):
        if request is not None:
            await request.shutdown()


class TelegramSender:
    channel = TELEGRAM

    def __init__(self, config: TelegramConfig, store: ChannelStore, policy: RetryPolicy = RetryPolicy()) -> None:
        self.config = config
        self.store = store
        self.policy = policy
        self.bot = make_bot(config)
        # The main menu as a persistent reply keyboard: which one each conversation has now
        # (REMOVED, or the language it was sent in), and whether a caseworker holds it.
        self._keyboards: Dict[str, str] = {}
        self._held: Dict[str, bool] = {}
        self._voice_ids: Dict[str, str] = {}  # recorded answer file -> Telegram file_id (channels/audio.py)

    def hold(self, conversation_id: str, held: bool) -> None:
        """Told by the inbound path: a caseworker holds the conversation (no menu keyboard) or not."""
        if len(self._held) > MAX_KEYBOARD_STATES:
            self._held.clear()
        self._held[conversation_id] = held
        if held and self._keyboards.get(conversation_id) != REMOVED:
            # The console (another process, its own sender) may remove the keyboard: from now on
            # this sender does not know what the user has, so it shows the menu again afterwards.
            self._keyboards.pop(conversation_id, None)

    def _reply_keyboard(self, address: Address, held: Optional[bool]) -> Optional[tuple]:
        """(markup, new state) when the reply keyboard must change with this message, else None."""
        cid = address.conversation_id
        held = self._held.get(cid, False) if held is None else held
        state = self._keyboards.get(cid)
        if held:
            return None if state == REMOVED else (ReplyKeyboardRemove(), REMOVED)
        wanted = f"menu:{address.language or ''}"
        if state == wanted:
            return None
        rows = [[KeyboardButton(title)] for _, title in menus.main_menu(address.language)]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True), wanted

    async def deliver(self, address: Address, text: str, buttons: Optional[List[Dict[str, Any]]] = None,
                      held: Optional[bool] = None) -> DeliveryResult:
        """`held`: sent by a caseworker (True) or the assistant (False); None: as last told (hold())."""
        cid = address.conversation_id
        if address.blocked:
            return DeliveryResult(cid, TELEGRAM, False, reason=d.BLOCKED, permanent=True,
                                  detail=BLOCKED_DETAIL)
        parts = split_message(text, TELEGRAM_LIMIT)
        if not parts:
            return DeliveryResult(cid, TELEGRAM, False, reason=d.EMPTY)
        keyboard = inline_keyboard(cid, buttons)
        chat_id = int(address.address) if address.address.lstrip("-").isdigit() else address.address
        ids: List[str] = []
        # The reply keyboard rides on a part without an inline menu (one markup per message):
        # the first part, unless that is also the last and carries the menu (then: a later message).
        change = self._reply_keyboard(address, held)
        change_on = 1 if change and (keyboard is None or len(parts) > 1) else None
        for number, part in enumerate(parts, start=1):
            markup = keyboard if number == len(parts) else None  # the menu goes under the last part
            if number == change_on and change is not None:
                markup = change[0]
            try:
                message = await call_with_retries(
                    lambda: self.bot.send_message(chat_id=chat_id, text=part, reply_markup=markup),  # noqa: B023 awaited here
                    classify,
                    self.policy,
                )
            except Exception as exc:
                return await self._failed(address, ids, exc)
            ids.append(str(message.message_id))
            if number == change_on and change is not None:
                if len(self._keyboards) > MAX_KEYBOARD_STATES:
                    self._keyboards.clear()
                self._keyboards[cid] = change[1]
        return DeliveryResult(cid, TELEGRAM, True, parts=len(ids), message_ids=ids)

    async def send_audio(self, address: Address, path: Any, answer_id: str) -> DeliveryResult:
        """A recorded answer as a voice message: uploaded once per process, then by Telegram's file_id."""
        import asyncio

        from telegram import InputFile

        cid = address.conversation_id
        if address.blocked:
            return DeliveryResult(cid, TELEGRAM, False, reason=d.BLOCKED, permanent=True)
        key = str(path)
        voice: Any = self._voice_ids.get(key)
        if voice is None:
            voice = InputFile(await asyncio.to_thread(path.read_bytes), filename=f"{answer_id}.ogg")
        chat_id = int(address.address) if address.address.lstrip("-").isdigit() else address.address
        try:
            message = await call_with_retries(lambda: self.bot.send_voice(chat_id=chat_id, voice=voice),
                                              classify, self.policy)
        except Exception as exc:
            return await self._failed(address, [], exc)
        if message.voice is not None:
            self._voice_ids[key] = message.voice.file_id
        return DeliveryResult(cid, TELEGRAM, True, parts=1, message_ids=[str(message.message_id)])

    async def _failed(self, address: Address, sent_ids: List[str], exc: BaseException) -> DeliveryResult:
        cid = address.conversation_id
        reason, permanent = d.FAILED, not classify(exc)[0]
        if isinstance(exc, Forbidden):
            reason, permanent = d.BLOCKED, True
            await self.store.run(self.store.set_blocked, cid, True)
        label = type(exc).__name__
        code = "403" if isinstance(exc, Forbidden) else "429" if isinstance(exc, RetryAfter) else label[:16]
        await self.store.run(self.store.record_delivery, TELEGRAM, "failed", None, cid, code)
        logger.warning("Telegram message to %s failed (%s, %s)", cid, label, reason)
        detail = BLOCKED_DETAIL if reason == d.BLOCKED else f"Telegram error {label}"
        return DeliveryResult(cid, TELEGRAM, bool(sent_ids), parts=len(sent_ids), message_ids=sent_ids,
                              reason=reason, permanent=permanent, detail=detail)

    async def answer_callback(self, query_id: str) -> None:
        """Stops the button's loading spinner; a failure (query too old) only matters cosmetically."""
        try:
            await call_with_retries(lambda: self.bot.answer_callback_query(query_id), classify, self.policy)
        except Exception as exc:
            logger.info("answerCallbackQuery failed (%s)", type(exc).__name__)

    async def close(self) -> None:
        await close_bot(self.bot)
