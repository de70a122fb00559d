"""The local web chat (served by `python -m bot.webchat` on 127.0.0.1:8080). Local development only.

It is a channel like Telegram and WhatsApp, small: the browser's random session token becomes a
pseudonymous `web-…` conversation id (channels/webchat/outbox.py) before anything is stored, sent
to Rasa or logged; each message is offered to the case router first (cases/routing.py), so
after a handoff the migrant's words reach the caseworker, not the bot; and the page polls
/api/updates for what a caseworker sent (replies, "the assistant is back").
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, List, Optional

import aiohttp
from aiohttp import web

from cases.delivery import TO_CASE
from language.text import as_user_words
from core.settings import RASA_REST_URL
from channels.webchat import outbox
from core.http import refuse_encoded_bodies  # the console's rule too, kept in one place

logger = logging.getLogger(__name__)
PAGE = Path(__file__).with_name("index.html")
RASA_REST = RASA_REST_URL.read()
MAX_MESSAGE_CHARS = 4000
RASA_URL = web.AppKey("rasa_url", str)
UNAVAILABLE = [{"text": "The assistant is starting or unavailable. Try again in a moment."}]


async def index(_request: web.Request) -> web.StreamResponse:
    return web.FileResponse(PAGE)


async def _payload(request: web.Request) -> dict:
    try:
        payload = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="send JSON") from None
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest(text="send a JSON object")
    return payload


def _conversation(payload: dict) -> str:
    try:
        conversation_id = outbox.conversation_for(str(payload.get("session", "")))
    except Exception:  # noqa: BLE001 - MissingSecret: say so instead of a bare 500
        logger.error("PSEUDONYM_KEY is not set: the web chat cannot name conversations")
        raise web.HTTPServiceUnavailable(text="PSEUDONYM_KEY is not set") from None
    if conversation_id is None:
        raise web.HTTPBadRequest(text="bad session")
    return conversation_id


def _route(conversation_id: str, text: str) -> Optional[str]:
    """The case router's decision (None: no open case), as for Telegram and WhatsApp."""
    from cases import routing

    return routing.on_inbound(conversation_id, outbox.CHANNEL, text, None)


def _record_for_case(conversation_id: str, replies: List[dict]) -> None:
    """While a case is open - also one this very turn opened (a handoff) - the caseworker reads
    what the assistant answered, as for Telegram and WhatsApp (cases/routing.on_outbound).
    The page gets them in this response: sent, with no platform id to follow."""
    from cases import service
    from cases.delivery import DeliveryResult

    try:
        for reply in replies:
            if reply.get("text") and service.record_delivered(conversation_id, str(reply["text"]),
                                                              DeliveryResult(ok=True)) is None:
                return  # no case is open: nothing to record
    except Exception:  # noqa: BLE001 - the page still gets its answer
        logger.exception("Case store unavailable; the assistant's answer is missing from the case")


async def message(request: web.Request) -> web.Response:
    payload = await _payload(request)
    conversation_id = _conversation(payload)
    text = as_user_words(str(payload.get("message", ""))[:MAX_MESSAGE_CHARS])
    if not text:
        return web.json_response([])
    decision = await asyncio.to_thread(_route, conversation_id, text)
    if decision == TO_CASE:  # the caseworker has it; their answer comes through /api/updates
        return web.json_response([])
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            async with session.post(request.app[RASA_URL], json={
                    "sender": conversation_id, "message": text, "input_channel": outbox.CHANNEL}) as response:
                replies: Any = await response.json()
    except Exception:  # noqa: BLE001 - Rasa down or starting: the page says so
        return web.json_response(UNAVAILABLE, status=503)
    replies = [r for r in replies if isinstance(r, dict)] if isinstance(replies, list) else []
    await asyncio.to_thread(_record_for_case, conversation_id, replies)
    return web.json_response(replies)


async def updates(request: web.Request) -> web.Response:
    """POST {session, after}: messages a caseworker sent since `after` (those up to it were
    shown and are deleted). A POST, so the session token never appears in an access log."""
    payload = await _payload(request)
    conversation_id = _conversation(payload)
    try:
        after = max(0, int(payload.get("after", 0)))
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="after must be a number") from None
    rows = await asyncio.to_thread(outbox.fetch, conversation_id, after)
    return web.json_response({"messages": [{"id": row_id, "text": text} for row_id, text in rows]})


def create_app(rasa_url: str = RASA_REST) -> web.Application:
    # Compressed bodies: refused (415) and never inflated by the parser (aiohttp CVE-2025-69223).
    app = web.Application(middlewares=[refuse_encoded_bodies], client_max_size=64 * 1024,
                          handler_args={"auto_decompress": False})
    app[RASA_URL] = rasa_url
    app.router.add_get("/", index)
    app.router.add_post("/api/message", message)
    app.router.add_post("/api/updates", updates)
    return app

