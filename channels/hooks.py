"""The seam between the channels and caseworker handoff: who gets an inbound message?

Every inbound message (after verification, de-duplication and pseudonymisation, in the order the
user sent them) is offered to the callables in `INBOUND_HOOKS`, in order. Each is called as

    hook(conversation_id, channel, text, media) -> decision | None   (may also be async)

with `text` the user's text (or None) and `media` None or a dict
{"kind": "photo"|"voice"|..., "reference": file_id/URL, "content_type": str|None}. The first
hook that returns something other than None decides:

- TO_BOT  ("to_bot"):  the assistant (Rasa) answers, as when no hook is registered;
- TO_CASE ("to_case"): an open case took the message (the hook stored it for the caseworker);
  the channel sends nothing to Rasa. For media it tells the user the file was passed on
  (ui `media_kept_for_caseworker`), for text it stays silent;
- TO_CASE_AND_BOT ("to_case_and_bot"): the case has it and the assistant answers too (urgent
  messages, or the user asked for the menu); media is acknowledged as passed on;
- DROP    ("drop"):    ignore the message entirely.

A hook that raises is logged and skipped, so a broken case store never silences the bot.
Register with `channels.hooks.INBOUND_HOOKS.append(my_hook)`; the case router
(cases/routing.py) is registered by `install_case_routing()`.

The other way, every message a channel sends while answering a user - the assistant's replies
and the channel's own notices (`media_kept_for_caseworker`, `try_again`, ...) - is reported,
once the platform has answered, to the callables in `OUTBOUND_HOOKS`:

    hook(conversation_id, channel, text, result) -> None   (may also be async)

with `result` the delivery.result.DeliveryResult (sent or not, template instead, the
platform's message ids). An open case records it, so the caseworker reads everything the
migrant received. Messages sent through channels.outbound (a caseworker's) are not reported:
whoever sends them records them.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Union

from cases import routing
from cases.delivery import normalise

logger = logging.getLogger(__name__)

TO_BOT = "to_bot"
TO_CASE = "to_case"
TO_CASE_AND_BOT = "to_case_and_bot"
DROP = "drop"
DECISIONS = (TO_BOT, TO_CASE, TO_CASE_AND_BOT, DROP)

Media = Optional[Dict[str, Any]]
Hook = Callable[[str, str, Optional[str], Media], Union[Optional[str], Awaitable[Optional[str]]]]

INBOUND_HOOKS: List[Hook] = []
OutboundHook = Callable[[str, str, str, Any], Union[None, Awaitable[None]]]
OUTBOUND_HOOKS: List[OutboundHook] = []


async def on_inbound(conversation_id: str, channel: str, text: Optional[str], media: Media) -> str:
    """The decision for one inbound message; "to_bot" unless a registered hook says otherwise."""
    for hook in list(INBOUND_HOOKS):
        try:
            decision = hook(conversation_id, channel, text, media)
            if inspect.isawaitable(decision):
                decision = await decision
        except Exception:
            logger.exception("Inbound hook %r failed for %s; ignoring it", hook, conversation_id)
            continue
        if decision is None:
            continue
        if decision not in DECISIONS:
            logger.error("Inbound hook %r returned unknown decision %r; ignoring it", hook, decision)
            continue
        return decision
    return TO_BOT


async def on_outbound(conversation_id: str, channel: str, text: str, result: Any) -> None:
    """Report one sent message to every OUTBOUND_HOOKS callable; a failing hook is logged and skipped."""
    for hook in list(OUTBOUND_HOOKS):
        try:
            done = hook(conversation_id, channel, text, result)
            if inspect.isawaitable(done):
                await done
        except Exception:
            logger.exception("Outbound hook %r failed for %s; ignoring it", hook, conversation_id)


def install_case_routing() -> bool:
    """While a caseworker handles a conversation, the migrant's messages go to the case and what
    the channel sends them joins it (cases/routing.py). Once per process that runs channels
    (idempotent); True when both hooks are in place.

    The router runs in a worker thread: the case store is synchronous, and the channels' event
    loop must keep acknowledging webhooks meanwhile.
    """
    on_inbound, on_outbound = routing.on_inbound, routing.on_outbound
    if not any(getattr(hook, "__wrapped__", None) is on_inbound for hook in INBOUND_HOOKS):
        async def case_router(conversation_id: str, channel: str, text: Optional[str], media: Media) -> Optional[str]:
            return await asyncio.to_thread(on_inbound, conversation_id, channel, text, media)

        case_router.__wrapped__ = on_inbound  # type: ignore[attr-defined]
        INBOUND_HOOKS.append(case_router)
    if not any(getattr(hook, "__wrapped__", None) is on_outbound for hook in OUTBOUND_HOOKS):
        async def case_recorder(conversation_id: str, channel: str, text: str, result: Any) -> None:
            await asyncio.to_thread(on_outbound, conversation_id, channel, text, normalise(result))

        case_recorder.__wrapped__ = on_outbound  # type: ignore[attr-defined]
        OUTBOUND_HOOKS.append(case_recorder)
    return True
