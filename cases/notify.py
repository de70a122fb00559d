"""Tell the caseworkers' Telegram group that an urgent case is waiting (optional).

Set CASEWORKER_TELEGRAM_CHAT_ID and TELEGRAM_BOT_TOKEN (TELEGRAM_API_BASE_URL for a test
server or a local Bot API server). The message names the case number, priority, language and
topic only: never the migrant's words or any identifier of theirs, because a group chat
lives on phones outside our control. Caseworkers open the case in the console.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Optional, Set

import httpx

from cases.service import CaseUpdate
from core.settings import CASEWORKER_TELEGRAM_CHAT_ID, TELEGRAM_API_BASE_URL, TELEGRAM_BOT_TOKEN

logger = logging.getLogger(__name__)
_pending: Set[asyncio.Task] = set()  # keeps fire-and-forget tasks alive until they finish


def notification_text(update: CaseUpdate) -> str:
    topic = update.topic or "not known"
    return f"New {update.priority.upper()} case #{update.case_id} - language: {update.language}, topic: {topic}. Open it in the caseworker console."


async def notify_urgent(update: CaseUpdate, transport: Optional[httpx.AsyncBaseTransport] = None) -> bool:
    """Post the notification; False when not configured or the post failed (never raises)."""
    chat_id = CASEWORKER_TELEGRAM_CHAT_ID.read()
    token = TELEGRAM_BOT_TOKEN.read()
    if not (chat_id and token and update.became_urgent):
        return False
    base = TELEGRAM_API_BASE_URL.read().rstrip("/")
    try:
        async with httpx.AsyncClient(timeout=10, transport=transport) as client:
            response = await client.post(f"{base}/bot{token}/sendMessage",
                                         json={"chat_id": chat_id, "text": notification_text(update)})
        response.raise_for_status()
        return True
    except httpx.HTTPError as error:  # the URL holds the token: log the kind of error only
        logger.warning("Urgent-case notification failed: %s", type(error).__name__)
        return False


def schedule(update: Optional[CaseUpdate]) -> None:
    """Notify in the background from synchronous code running inside an event loop (the
    custom actions); a handoff never waits for Telegram."""
    if update is None or not update.became_urgent:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(notify_urgent(update))
        return
    task = loop.create_task(notify_urgent(update))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
