"""A local fake of the Telegram Bot API (aiohttp, 127.0.0.1, random port) for tests and the bench.

It answers like the real API: {"ok": true, "result": ...} on success and
{"ok": false, "error_code": ..., "description": ..., ["parameters": {...}]} on errors, with the
same HTTP status. Failures are scripted per test: `block(chat_id)` (403 bot was blocked),
`rate_limit(retry_after, times)` (429 with parameters.retry_after), `fail(status, times)` (5xx).
It enforces the real limits our code must respect: text 1-4096 UTF-16 units, callback_data
1-64 bytes, reply-keyboard buttons with text, bot commands ([a-z0-9_]{1,32}, description
1-256) and descriptions (<= 512) per language_code. Every call is recorded in `calls` (method, params, monotonic time).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from aiohttp import web

from testing import media

BOT_USER = {"id": 999000111, "is_bot": True, "first_name": "Fake", "username": "fake_migrant_bot"}


@dataclass
class Call:
    method: str
    params: Dict[str, Any]
    at: float = field(default_factory=time.monotonic)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegramAPI:
    def __init__(self, token: str = "123456:TEST-token_abc") -> None:
        self.token = token
        self.calls: List[Call] = []
        self.blocked: set[int] = set()
        self.failures: List[tuple] = []      # queued (status, description, parameters) for sendMessage
        self.updates: List[Dict[str, Any]] = []
        self.webhook: Dict[str, Any] = {}
        self.commands: Dict[str, List[Dict[str, str]]] = {}   # language_code ("" = default) -> commands
        self.descriptions: Dict[str, str] = {}
        self.short_descriptions: Dict[str, str] = {}
        self.voice_files: Dict[str, bytes] = {}               # sendVoice uploads by file_id
        self.latency = 0.0                   # seconds added to each sendMessage (bench: a real API's delay)
        self.listeners: List[Any] = []       # called with (chat_id, text) for each message accepted
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._runner: Optional[web.AppRunner] = None
        self.base_url = ""

    # -- scripting ------------------------------------------------------------------------
    def block(self, chat_id: int) -> None:
        self.blocked.add(int(chat_id))

    def rate_limit(self, retry_after: int = 1, times: int = 1) -> None:
        for _ in range(times):
            self.failures.append((429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}))

    def fail(self, status: int = 502, times: int = 1) -> None:
        for _ in range(times):
            self.failures.append((status, "Bad Gateway" if status == 502 else "Internal Server Error", None))

    def queue_update(self, update: Dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    # -- what was sent --------------------------------------------------------------------
    def sent(self, chat_id: Optional[int] = None) -> List[Dict[str, Any]]:
        return [c.params for c in self.calls if c.method == "sendMessage"
                and (chat_id is None or int(c.params["chat_id"]) == int(chat_id))]

    def texts(self, chat_id: Optional[int] = None) -> List[str]:
        return [p["text"] for p in self.sent(chat_id)]

    def method_calls(self, method: str) -> List[Call]:
        return [c for c in self.calls if c.method == method]

    # -- server ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        media.add_telegram_files(app, self)  # console tests: photos and voice notes to download
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @staticmethod
    def _error(status: int, description: str, parameters: Optional[Dict[str, Any]] = None) -> web.Response:
        body: Dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> Dict[str, Any]:
        if request.content_type == "application/json":
            params = await request.json()
        elif request.content_type == "multipart/form-data":  # an upload: files as (filename, bytes)
            params = {}
            for name, value in (await request.post()).items():
                params[name] = (value.filename, value.file.read()) if hasattr(value, "file") else value
        else:
            params = dict(await request.post())
            params.update(request.query)
        for key in ("reply_markup", "allowed_updates"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(Call(method, params))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found")
        return await handler(params)

    async def _m_getFile(self, params: Dict[str, Any]) -> web.Response:
        return media.telegram_get_file(params)

    async def _m_getMe(self, params: Dict[str, Any]) -> web.Response:
        return self._ok(BOT_USER)

    async def _m_sendMessage(self, params: Dict[str, Any]) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.failures:
            status, description, parameters = self.failures.pop(0)
            return self._error(status, description, parameters)
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        text = str(params.get("text") or "")
        if not text.strip():
            return self._error(400, "Bad Request: message text is empty")
        if _utf16(text) > 4096:
            return self._error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data", "")
                if not 1 <= len(data.encode()) <= 64:
                    return self._error(400, "Bad Request: BUTTON_DATA_INVALID")
        for row in markup.get("keyboard", []):  # a reply keyboard: each button sends its text
            if not row or any(not str(b.get("text") if isinstance(b, dict) else b).strip() for b in row):
                return self._error(400, "Bad Request: keyboard button text is empty")
        if "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
            return self._error(400, "Bad Request: remove_keyboard must be true")
        message = {
            "message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private"}, "text": text,
        }
        if markup.get("inline_keyboard"):  # like Telegram: only an inline keyboard belongs to the message
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        for listener in self.listeners:
            listener(chat_id, text)
        return self._ok(message)

    async def _m_sendVoice(self, params: Dict[str, Any]) -> web.Response:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        voice = params.get("voice")
        if isinstance(voice, tuple):
            if not voice[1]:
                return self._error(400, "Bad Request: file must be non-empty")
            file_id = f"voice-file-{len(self.voice_files) + 1}"
            self.voice_files[file_id] = voice[1]
        elif isinstance(voice, str) and voice in self.voice_files:
            file_id = voice
        else:
            return self._error(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return self._ok({"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                         "chat": {"id": chat_id, "type": "private"},
                         "voice": {"file_id": file_id, "file_unique_id": file_id, "duration": 3, "mime_type": "audio/ogg"}})

    async def _m_answerCallbackQuery(self, params: Dict[str, Any]) -> web.Response:
        return self._ok(True)

    async def _m_setMyCommands(self, params: Dict[str, Any]) -> web.Response:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        for command in commands or []:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                return self._error(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[params.get("language_code") or ""] = commands or []
        return self._ok(True)

    async def _m_setMyDescription(self, params: Dict[str, Any]) -> web.Response:
        description = params.get("description") or ""
        if len(description) > 512:
            return self._error(400, "Bad Request: description is too long")
        self.descriptions[params.get("language_code") or ""] = description
        return self._ok(True)

    async def _m_setMyShortDescription(self, params: Dict[str, Any]) -> web.Response:
        if len(params.get("short_description") or "") > 120:
            return self._error(400, "Bad Request: short description is too long")
        self.short_descriptions[params.get("language_code") or ""] = params.get("short_description") or ""
        return self._ok(True)

    async def _m_setWebhook(self, params: Dict[str, Any]) -> web.Response:
        self.webhook = params
        return self._ok(True)

    async def _m_deleteWebhook(self, params: Dict[str, Any]) -> web.Response:
        self.webhook = {}
        return self._ok(True)

    async def _m_getUpdates(self, params: Dict[str, Any]) -> web.Response:
        if self.webhook.get("url"):
            return self._error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending:
            self._new_update.clear()
            try:  # long polling, shortened: tests should not wait long
                await asyncio.wait_for(self._new_update.wait(), timeout=min(float(params.get("timeout") or 0), 0.5))
            except asyncio.TimeoutError:
                pass
            pending = [u for u in self.updates if u["update_id"] >= offset]
        return self._ok(pending)
