"""Telegram input channel for Rasa: `channels.telegram.TelegramInput` in credentials.yml.

    channels.telegram.TelegramInput:
      token: ${TELEGRAM_BOT_TOKEN}
      webhook_secret: ${TELEGRAM_WEBHOOK_SECRET}

(values left out are read from the environment). Webhook: POST /webhooks/telegram/webhook,
registered with `python -m bot telegram set-webhook URL`. Telegram sends the secret in the
X-Telegram-Bot-Api-Secret-Token header; anything else gets 403. The update is acknowledged
once it is kept in the durable inbox (delivery/inbox.py) and answered from the sender's queue
(Telegram re-sends if it waits too long).
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.base import ACCEPTED, ManagedInputChannel
from channels.config import TELEGRAM, telegram_config
from channels.telegram_sender import TelegramSender
from channels.telegram_updates import parse_update

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramInput(ManagedInputChannel):
    channel = TELEGRAM

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "TelegramInput":
        return cls(telegram_config(credentials))

    def make_sender(self) -> TelegramSender:
        return TelegramSender(self.config, self.store, self.retry_policy)

    def secret_ok(self, given: Optional[str]) -> bool:
        expected = self.config.webhook_secret if self.config else ""
        # Constant-time comparison: response timing must not reveal how much of a guess was right.
        return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())

    async def handle_update(self, data: Dict[str, Any]) -> str:
        """The shared path of webhook and polling: parse, keep in the inbox (a repeat stops there), queue."""
        try:
            parsed = parse_update(data)
        except Exception:  # from the verified sender, so re-delivery would fail the same way
            logger.exception("Unreadable Telegram update %s ignored", data.get("update_id"))
            parsed = None
        if parsed is None:
            return await self.accept(str(data["update_id"]), None)
        inbound, callback_query_id = parsed
        outcome = await self.accept(str(data["update_id"]), inbound)
        if callback_query_id and outcome == ACCEPTED:
            # Stops the button's spinner now, not behind the user's queue. A repeated delivery
            # answers again, which Telegram just refuses (harmless).
            self.spawn(self.sender.answer_callback(callback_query_id))
        return outcome

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("channels_telegram_webhook", __name__)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.config else "not configured"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if self.config is None:
                return response.text("telegram channel not configured", status=503)
            if not self.secret_ok(request.headers.get(SECRET_HEADER)):
                logger.warning("Telegram webhook with a missing or wrong secret token rejected")
                return response.text("forbidden", status=403)
            try:
                data = request.json
            except Exception:
                data = None
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return response.text("not a Telegram update", status=400)
            self.start(on_new_message, request.app)
            await self.handle_update(data)
            return response.text("ok")

        self.listen(telegram_webhook, on_new_message)

        return telegram_webhook

