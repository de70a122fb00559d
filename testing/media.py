"""Generated media for the fake platforms: a small PNG and a short WAV tone, made in memory
(no files in the repository), and the routes that serve them like Twilio and Telegram do."""
from __future__ import annotations

import io
import math
import struct
import wave
from functools import lru_cache

from aiohttp import BasicAuth, web

TELEGRAM_FILES = {"photo-file-id": ("photos/file_1.png", "image/png"), "voice-file-id": ("voice/file_2.wav", "audio/wav")}


@lru_cache(maxsize=1)
def png_bytes() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 80), (31, 58, 95))
    ImageDraw.Draw(image).rectangle((20, 20, 100, 60), fill=(230, 160, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@lru_cache(maxsize=1)
def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                                 for i in range(int(seconds * rate))))
    return buffer.getvalue()


def _body(name: str) -> tuple:
    return (wav_bytes(), "audio/wav") if name.endswith((".wav", "-audio")) else (png_bytes(), "image/png")


def add_twilio_media(app: web.Application, fake) -> None:
    """GET /2010-04-01/Accounts/{sid}/Messages/{mm}/Media/{me}: basic auth, like Twilio's API
    (media ids ending in "-audio" are the voice note)."""

    async def media(request: web.Request) -> web.Response:
        try:
            auth = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            auth = None
        if auth is None or (auth.login, auth.password) != (fake.account_sid, fake.auth_token):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        body, content_type = _body(request.match_info["media"])
        return web.Response(body=body, content_type=content_type)

    app.router.add_get("/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}", media)


def add_telegram_files(app: web.Application, fake) -> None:
    """GET /file/bot{token}/{path}: the download step after getFile."""

    async def download(request: web.Request) -> web.Response:
        if request.match_info["token"] != fake.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        body, content_type = _body(request.match_info["path"])
        return web.Response(body=body, content_type=content_type)

    app.router.add_get("/file/bot{token}/{path:.+}", download)


def telegram_get_file(params: dict) -> web.Response:
    found = TELEGRAM_FILES.get(str(params.get("file_id", "")))
    if not found:
        return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                                 status=400)
    return web.json_response({"ok": True, "result": {"file_id": params["file_id"], "file_path": found[0]}})
