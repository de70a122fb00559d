"""The real channel code served by a real sanic server on 127.0.0.1, with a stub in Rasa's place.

Used by tests/channels and bench/webhook_ack.py. The stub bot answers like the assistant would
(French echo, a numbered menu with buttons, a 5,000-character answer, a crash, silence), and
mounts the channels exactly like Rasa does (`app.blueprint(channel.blueprint(on_new_message),
url_prefix="/webhooks/<name>")`).
"""
from __future__ import annotations

import asyncio
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import httpx
from sanic import Sanic
from twilio.request_validator import RequestValidator

from channels import base as channels_base
from delivery.retry import RetryPolicy

TELEGRAM_SECRET = "test-Secret_token-42"
TWILIO_FROM = "whatsapp:+14155238886"
TEMPLATE_SID = "HX" + "a" * 32
CHANNEL_ENV = [
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_BASE_URL",
    "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM", "TWILIO_PUBLIC_URL",
    "TWILIO_TEMPLATE_SID", "TWILIO_API_BASE_URL",
]
# The channels freeze the garbage collector's view of the heap at their first webhook (right for
# a Rasa server); these tests share their process with every other suite, so they do not.
channels_base._heap_frozen = True
# Several sanic apps start in one process (one per test, and again on a simulated restart); only
# test mode makes sanic 21.12 re-apply its start-up code rewriting ("TouchUp") from the originals.
Sanic.test_mode = True
FAST_RETRIES = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, max_server_wait=5)
SENTENCE = "Voici une phrase d'information assez longue pour remplir un message, numéro {n}. "
LONG_REPLY = "".join(SENTENCE.format(n=n) for n in range(70))  # ~5,000 characters


def telegram_env(fake: Any) -> Dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": fake.base_url}


def twilio_env(fake: Any, public_url: str, template: bool = True) -> Dict[str, str]:
    return {"TWILIO_ACCOUNT_SID": fake.account_sid, "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_WHATSAPP_FROM": TWILIO_FROM, "TWILIO_PUBLIC_URL": public_url,
            "TWILIO_TEMPLATE_SID": TEMPLATE_SID if template else "", "TWILIO_API_BASE_URL": fake.base_url}


@dataclass
class Turn:
    sender_id: str
    text: str
    metadata: Dict[str, Any]
    started: float
    finished: float = 0.0


@dataclass
class StubBot:
    """Plays Rasa's `on_new_message`: reads the UserMessage, answers through its output channel."""
    turns: List[Turn] = field(default_factory=list)
    languages: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    answers: Dict[Any, Any] = field(default_factory=dict)  # (sender, message id) -> replies: "the tracker"

    async def __call__(self, message: Any) -> None:
        turn = Turn(message.sender_id, message.text, dict(message.metadata or {}), time.monotonic())
        self.turns.append(turn)
        out, sender, text = message.output_channel, message.sender_id, message.text
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if text == "boom":
                raise RuntimeError("action server unreachable")
            if text == "silence":
                return
            if text.startswith("slow"):
                await asyncio.sleep(0.3)
            if text == "bonjour":
                self.languages[sender] = "fr"
            if text.startswith("slot language="):  # as if a message had set the slot to anything
                self.languages[sender] = text.split("=", 1)[1]
            if text == "long":
                await out.send_response(sender, {"text": LONG_REPLY})
            elif text == "two":
                await out.send_response(sender, {"text": "Première réponse."})
                await out.send_response(sender, {"text": "Deuxième réponse."})
            elif text == "menu":
                buttons = [{"title": "1. Dangers du voyage", "payload": "1"},
                           {"title": "2. Parler à une personne", "payload": "2"}]
                await out.send_response(sender, {"text": "Choisissez :\n\n1. Dangers du voyage\n2. Parler à une personne",
                                                 "buttons": buttons})
            else:
                await out.send_response(sender, {"text": f"Écho : {text}"})
                await out.send_response(sender, {"custom": {"topic": "echo"}})  # metadata: never shown
            if hasattr(out, "replies"):  # like Rasa saving the turn with its bot events
                self.answers[(sender, message.message_id)] = out.replies()
        finally:
            turn.finished = time.monotonic()

    async def language(self, conversation_id: str) -> Optional[str]:
        return self.languages.get(conversation_id)

    async def answered(self, conversation_id: str, message_id: str) -> Optional[List[Any]]:
        return self.answers.get((conversation_id, message_id))

    def texts(self, sender_id: Optional[str] = None) -> List[str]:
        return [t.text for t in self.turns if sender_id is None or t.sender_id == sender_id]


class Harness:
    """Both channels (those whose fake is given) in one sanic app, like Rasa's server."""

    def __init__(self, store: Any, bot: StubBot, telegram_fake: Any = None, twilio_fake: Any = None,
                 policy: RetryPolicy = FAST_RETRIES, port: int = 0) -> None:
        self.store, self.bot, self.policy = store, bot, policy
        self.telegram_fake, self.twilio_fake = telegram_fake, twilio_fake
        self.sock = self._bind(port)
        self.port = self.sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.channels: Dict[str, Any] = {}
        self.server: Any = None
        self.client: Optional[httpx.AsyncClient] = None

    @staticmethod
    def _bind(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        return sock

    def _make_channels(self) -> None:
        from channels.config import telegram_config, whatsapp_config
        from channels.telegram import TelegramInput
        from channels.whatsapp import WhatsAppInput

        kwargs = {"store": self.store, "language_lookup": self.bot.language, "retry_policy": self.policy,
                  "answered_lookup": self.bot.answered}
        self.channels = {}
        if self.telegram_fake is not None:
            self.channels["telegram"] = TelegramInput(telegram_config(), **kwargs)
        if self.twilio_fake is not None:
            self.channels["whatsapp"] = WhatsAppInput(whatsapp_config(), **kwargs)

    async def start(self) -> None:
        self._make_channels()
        app = Sanic(f"channels_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
        for name, channel in self.channels.items():
            app.blueprint(channel.blueprint(self.bot), url_prefix=f"/webhooks/{name}")
        self.server = await app.create_server(sock=self.sock, return_asyncio_server=True, access_log=False)
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=10)

    async def stop(self) -> None:
        """Like a server shutdown: queued messages are finished, clients closed."""
        from channels.outbound import close_senders

        if self.server is not None:
            await self.server.before_stop()
            self.server.close()
            await self.server.wait_closed()
            await self.server.after_stop()
            self.server = None
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        await close_senders()

    async def restart(self) -> None:
        """A process restart: new channel objects and app on the same port and database."""
        await self.stop()
        self.sock = self._bind(self.port)
        await self.start()

    async def crash(self) -> None:
        """Like SIGKILL: every task stops where it is; no shutdown code runs (no drain, no retire)."""
        from channels.outbound import close_senders

        tasks: List[asyncio.Task] = []
        for channel in self.channels.values():
            tasks += [t for t in (channel._watcher,) if t is not None]
            tasks += list(channel.queues._tasks if channel.queues else []) + list(channel._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.server.close()
        await self.server.wait_closed()
        self.server = None
        await self.client.aclose()
        self.client = None
        await close_senders()

    async def restart_after_crash(self) -> None:
        await self.crash()
        self.sock = self._bind(self.port)
        await self.start()

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every queued message has been answered."""
        for channel in self.channels.values():
            await channel.wait_idle(timeout)

    # -- Telegram -------------------------------------------------------------------------
    async def post_update(self, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.client.post("/webhooks/telegram/webhook", json=update, headers=headers)

    # -- WhatsApp -------------------------------------------------------------------------
    def sign(self, path: str, params: Dict[str, str], token: Optional[str] = None, public_url: Optional[str] = None) -> str:
        url = (public_url or self.base_url) + path
        return RequestValidator(token or self.twilio_fake.auth_token).compute_signature(url, params)

    async def post_twilio(self, params: Dict[str, str], path: str = "/webhooks/whatsapp/webhook",
                          signature: Any = "auto") -> httpx.Response:
        headers = {}
        if signature == "auto":
            signature = self.sign(path, params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return await self.client.post(path, data=params, headers=headers)


_update_ids = iter(range(10_000, 10_000_000))


def telegram_message(chat_id: int, text: Optional[str] = None, update_id: Optional[int] = None,
                     edited: bool = False, language_code: str = "fr", **content: Any) -> Dict[str, Any]:
    message: Dict[str, Any] = {
        "message_id": next(_update_ids), "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language_code},
        **content,
    }
    if text is not None:
        message["text"] = text
    if edited:
        message["edit_date"] = int(time.time())
    return {"update_id": update_id or next(_update_ids), "edited_message" if edited else "message": message}


def telegram_callback(chat_id: int, data: str, update_id: Optional[int] = None) -> Dict[str, Any]:
    return {
        "update_id": update_id or next(_update_ids),
        "callback_query": {
            "id": str(uuid.uuid4().int)[:18], "chat_instance": "42", "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "message": {"message_id": 7, "date": int(time.time()), "text": "menu",
                        "chat": {"id": chat_id, "type": "private"}},
        },
    }


def twilio_message(number: str, body: str = "", sid: Optional[str] = None, **extra: str) -> Dict[str, str]:
    sid = sid or "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{number}", "To": TWILIO_FROM, "Body": body, "NumMedia": "0",
        "ProfileName": "Test", "WaId": number.lstrip("+"), "ApiVersion": "2010-04-01", **extra,
    }
