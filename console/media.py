"""GET /cases/{case}/media/{message}/{n}: a migrant's photo or voice note, fetched from the
platform with the channel's credentials at the moment a caseworker looks at it.

The page never sees a platform URL (a Twilio media URL names the account) or a token; nothing
is written to disk or kept in memory after the response. Twilio media need HTTP basic auth with
the account SID and auth token; Telegram needs getFile, then the file download. Only URLs on
the configured Twilio API host are fetched, so a reference cannot make the console call
anywhere else. Types that a browser could run (SVG, HTML) are sent as downloads.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Optional, Tuple
from urllib.parse import quote, urlsplit

import httpx
from aiohttp import web

from cases import store
from cases.models import Case, CaseMessage
from cases.service import CaseNotFound
from console.views import database_id, db

logger = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024  # Telegram's bot download limit; WhatsApp media are smaller
INLINE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "audio/", "video/mp4", "application/pdf")
TWILIO_API = "https://api.twilio.com"
STORED_PREFIX = "channel_media:"  # channels/inbound.py: a case names the channel store's media row


class MediaUnavailable(Exception):
    """The platform cannot give the file now; the message is safe to show (no URL, no token)."""


def _reference(engine, case_id: int, message_id: int, number: int) -> Tuple[str, dict]:
    from core.db import session_scope

    with session_scope(engine) as session:
        message = session.get(CaseMessage, message_id)
        media = message.media_list if message is not None and message.case_id == case_id else []
        case = session.get(Case, case_id) if media else None
        conversation_id = case.conversation_id if case is not None else None
    if not 0 <= number < len(media) or not isinstance(media[number], dict) or not media[number].get("reference"):
        raise CaseNotFound("No such file.")
    reference = str(media[number]["reference"])
    if reference.startswith(STORED_PREFIX):  # the channels record a row of theirs, not the platform URL
        reference = _stored_reference(engine, reference[len(STORED_PREFIX):], conversation_id)
    return reference, media[number]


def _stored_reference(engine, row_id: str, conversation_id: Optional[str]) -> str:
    """The platform reference of channel_media row `row_id`, only if it is this case's conversation's."""
    from delivery.store import ChannelStore

    rows = ChannelStore(engine).media_for(conversation_id) if row_id.isdigit() and conversation_id else []
    reference = next((row["reference"] for row in rows if row["id"] == int(row_id)), None)
    if reference is None:  # erased, purged, or another conversation's
        raise CaseNotFound("No such file.")
    return str(reference)


async def _twilio(client: httpx.AsyncClient, reference: str) -> httpx.Response:
    from channels.config import whatsapp_config

    config = whatsapp_config()
    if config is None:
        raise MediaUnavailable("WhatsApp is not configured on this server, so its files cannot be fetched.")
    allowed = urlsplit(config.api_base_url or TWILIO_API)
    target = urlsplit(reference)
    if (target.scheme, target.netloc) != (allowed.scheme, allowed.netloc) or "/Media/" not in target.path:
        raise MediaUnavailable("This file's address is not a Twilio media address; it was not fetched.")
    return await client.get(reference, auth=(config.account_sid, config.auth_token), follow_redirects=True)


async def _telegram(client: httpx.AsyncClient, file_id: str) -> httpx.Response:
    from channels.config import telegram_config

    config = telegram_config(require_secret=False)
    if config is None:
        raise MediaUnavailable("Telegram is not configured on this server, so its files cannot be fetched.")
    found = await client.post(f"{config.api_base_url}/bot{config.token}/getFile", json={"file_id": file_id})
    path = (found.json().get("result") or {}).get("file_path") if found.status_code == 200 else None
    if not path:
        raise MediaUnavailable("Telegram no longer has this file (files expire), or it is too large for a bot.")
    return await client.get(f"{config.api_base_url}/file/bot{config.token}/{quote(path)}")


async def fetch(channel: str, reference: str, transport: Optional[httpx.AsyncBaseTransport] = None) -> Tuple[bytes, str]:
    """(content, content type) from the platform, or MediaUnavailable."""
    try:
        async with httpx.AsyncClient(timeout=20, transport=transport) as client:
            if channel == "whatsapp":
                response = await _twilio(client, reference)
            elif channel == "telegram":
                response = await _telegram(client, reference)
            else:
                raise MediaUnavailable("Files from this channel cannot be shown.")
    except httpx.HTTPError as error:  # URLs hold tokens: the kind of error only
        logger.warning("Fetching a case's media failed: %s", type(error).__name__)
        raise MediaUnavailable("The platform could not be reached. Try again in a moment.") from None
    if response.status_code != 200:
        logger.warning("Fetching a case's media: the platform answered %s", response.status_code)
        raise MediaUnavailable(f"The platform refused the file (HTTP {response.status_code}); it may have expired.")
    if len(response.content) > MAX_BYTES:
        raise MediaUnavailable("The file is larger than 20 MB.")
    return response.content, response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()


async def case_media(request: web.Request) -> web.Response:
    case_id, message_id, number = (database_id(request.match_info[k]) for k in ("case_id", "message_id", "number"))
    if case_id is None or message_id is None or number is None:
        raise web.HTTPNotFound(text="No such file.")
    try:
        case, _ = await db(request, store.get_case, case_id, request["actor"])  # may this caseworker see it?
        reference, _item = await asyncio.to_thread(_reference, request.app["engine"], case_id, message_id, number)
    except CaseNotFound:
        raise web.HTTPNotFound(text="No such file (or the case is assigned to a colleague).") from None
    try:
        content, content_type = await fetch(case.channel, reference, request.app.get("media_transport"))
    except MediaUnavailable as error:
        raise web.HTTPBadGateway(text=str(error)) from None
    inline = content_type.startswith(INLINE_TYPES) and content_type != "image/svg+xml"
    headers = {"Content-Disposition": "inline" if inline else f'attachment; filename="case-{case_id}-file-{number}"'}
    return web.Response(body=content, content_type=content_type if inline else "application/octet-stream",
                        headers=headers)

