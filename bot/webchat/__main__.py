"""Serve the local web chat on 127.0.0.1:8080 (WEBCHAT_PORT). Local development only."""
from __future__ import annotations

import os
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.language.text import as_user_words
from console.middlewares import refuse_encoded_bodies  # the console's rule, kept in one place

PAGE = Path(__file__).with_name("index.html")
RASA_REST = os.environ.get("RASA_REST_URL", "http://127.0.0.1:5005/webhooks/rest/webhook")
MAX_MESSAGE_CHARS = 4000


async def index(_request: web.Request) -> web.StreamResponse:
    return web.FileResponse(PAGE)


async def message(request: web.Request) -> web.Response:
    payload = await request.json()
    sender = str(payload.get("sender", ""))[:64]
    text = as_user_words(str(payload.get("message", ""))[:MAX_MESSAGE_CHARS])
    if not sender.startswith("web-"):
        return web.json_response({"error": "bad sender"}, status=400)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            async with session.post(RASA_REST, json={"sender": sender, "message": text}) as response:
                return web.json_response(await response.json())
    except Exception:
        return web.json_response([{"text": "The assistant is starting or unavailable. Try again in a moment."}], status=503)


def create_app() -> web.Application:
    # Compressed bodies: refused (415) and never inflated by the parser (aiohttp CVE-2025-69223).
    app = web.Application(middlewares=[refuse_encoded_bodies], client_max_size=64 * 1024,
                          handler_args={"auto_decompress": False})
    app.router.add_get("/", index)
    app.router.add_post("/api/message", message)
    return app


def main() -> None:
    web.run_app(create_app(), host="127.0.0.1", port=int(os.environ.get("WEBCHAT_PORT", "8080")), print=None)


if __name__ == "__main__":
    main()
