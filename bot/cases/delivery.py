"""The one place that knows the channels engineer's interfaces (channels.outbound, channels.hooks).

Everything in bot/cases and console/ sends through `send()` and registers through
`register_inbound()` / `register_outbound()`, so a change in the channels package is adjusted
here and nowhere else.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional, Tuple

logger = logging.getLogger(__name__)

TO_BOT, TO_CASE, TO_CASE_AND_BOT = "to_bot", "to_case", "to_case_and_bot"


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    used_template: bool = False  # WhatsApp: outside the 24 h window only a template could be sent
    error: Optional[str] = None
    reason: Optional[str] = None      # channels.delivery's reason code (blocked, opted_out...)
    permanent: bool = False           # trying again later will not help
    message_ids: Tuple[str, ...] = ()  # the platform's ids, matched with its status callbacks


# channels.delivery reason codes in words a caseworker can act on (never an address)
REASON_WORDS = {
    "unknown_conversation": "No channel address is known for this conversation, so it cannot be reached "
                            "(the migrant erased their data, or it came from a tool without a way back).",
    "channel_not_configured": "The migrant's channel is not set up on this server (its credentials are missing).",
    "blocked": "The migrant has blocked the assistant on Telegram: nothing can reach them until they unblock it.",
    "opted_out": "The migrant sent STOP on WhatsApp: nothing can reach them until they write START.",
    "invalid_address": "The number is not a WhatsApp number.",
    "outside_window_no_template": "WhatsApp's 24-hour window is closed and no template is configured: nothing "
                                  "was sent. It can be sent when the migrant writes again.",
    "failed": "The platform did not accept the message, even after retries.",
}


Send = Callable[..., Awaitable[Any]]  # async (conversation_id, text, buttons=None) -> result


def normalise(result: Any) -> DeliveryResult:
    """Any result (object or dict) → DeliveryResult. Accepts the agreed ok/used_template/error
    and channels.delivery.DeliveryResult's sent/used_template/reason/detail."""
    if isinstance(result, DeliveryResult):
        return result
    get = result.get if isinstance(result, dict) else (lambda name, default=None: getattr(result, name, default))
    ok = get("ok", None)
    ok = get("sent", False) if ok is None else ok
    reason = get("reason", None)
    error = get("error", None) or get("detail", None) or REASON_WORDS.get(reason or "") or reason
    ids = tuple(str(i) for i in (get("message_ids", None) or ()))
    return DeliveryResult(ok=bool(ok), used_template=bool(get("used_template", False)),
                          error=str(error) if error else None, reason=reason,
                          permanent=bool(get("permanent", False)), message_ids=ids)


async def send(conversation_id: str, text: str, buttons: Optional[list] = None) -> DeliveryResult:
    """Send through the migrant's own channel (channels.outbound.send_to_conversation); the
    local web chat's conversations (`web-…`) through its outbox, which its page polls."""
    from bot.webchat import outbox

    if outbox.is_webchat(conversation_id):
        return normalise(await outbox.deliver(conversation_id, text))
    try:
        from channels.outbound import send_to_conversation
    except ImportError:
        return DeliveryResult(ok=False, error="channels.outbound is not installed")
    return normalise(await send_to_conversation(conversation_id, text, buttons=buttons))


async def safe_send(sender: Send, conversation_id: str, text: str) -> DeliveryResult:
    """Send and never raise: a failed delivery is recorded and shown, not a crashed request.
    The error names only the exception type, because channel errors can quote an address."""
    try:
        return normalise(await sender(conversation_id, text))
    except Exception as error:  # noqa: BLE001 - any channel failure is reported the same way
        logger.warning("Delivery to a conversation failed: %s", type(error).__name__)
        return DeliveryResult(ok=False, error=f"send failed ({type(error).__name__})")


def register_inbound(handler: Callable[[str, str, Optional[str], Any], Optional[str]]) -> bool:
    """Add `handler` to channels.hooks.INBOUND_HOOKS (once); False if channels has no hooks.

    The hook runs in a worker thread (the case store is synchronous; the channels' event loop
    must keep acknowledging webhooks). channels.hooks knows no "to_case_and_bot": our handler
    has already stored the message in the case by then, so plain "to_bot" means exactly that.
    """
    try:
        from channels import hooks
    except ImportError:
        logger.warning("channels.hooks is not available: messages will not be routed to cases")
        return False
    if any(getattr(hook, "__wrapped__", None) is handler for hook in hooks.INBOUND_HOOKS):
        return True

    async def case_router(conversation_id: str, channel: str, text: Optional[str], media: Any) -> Optional[str]:
        decision = await asyncio.to_thread(handler, conversation_id, channel, text, media)
        if decision == TO_CASE_AND_BOT and decision not in getattr(hooks, "DECISIONS", ()):
            return hooks.TO_BOT
        return decision

    case_router.__wrapped__ = handler  # type: ignore[attr-defined]
    hooks.INBOUND_HOOKS.append(case_router)
    return True


def register_outbound(handler: Callable[[str, str, str, DeliveryResult], Any]) -> bool:
    """Add `handler` to channels.hooks.OUTBOUND_HOOKS (once); False if channels has none.

    It gets every message a channel sent while answering a user, with its result normalised
    (DeliveryResult); like the inbound hook it runs in a worker thread."""
    try:
        from channels import hooks
    except ImportError:
        return False
    outbound_hooks = getattr(hooks, "OUTBOUND_HOOKS", None)
    if outbound_hooks is None:
        logger.warning("channels.hooks reports no sent messages: cases will miss the assistant's replies")
        return False
    if any(getattr(hook, "__wrapped__", None) is handler for hook in outbound_hooks):
        return True

    async def case_recorder(conversation_id: str, channel: str, text: str, result: Any) -> None:
        await asyncio.to_thread(handler, conversation_id, channel, text, normalise(result))

    case_recorder.__wrapped__ = handler  # type: ignore[attr-defined]
    outbound_hooks.append(case_recorder)
    return True
