"""What a delivery means to a case: the routing decisions, the result of a send, in words.

The case domain never imports the channels: whoever sends for it passes a `Send` in (the
console: channels.outbound.send_to_migrant; tests: a fake), and the channels install the case
router into their own hooks (channels.hooks.install_case_routing). Whatever result a sender
returns is `normalise`d here, so a change in the channels' result type is adjusted in one place.
"""
from __future__ import annotations

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
    reason: Optional[str] = None      # delivery.result's reason code (blocked, opted_out...)
    permanent: bool = False           # trying again later will not help
    message_ids: Tuple[str, ...] = ()  # the platform's ids, matched with its status callbacks


# delivery.result reason codes in words a caseworker can act on (never an address)
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
    and delivery.result.DeliveryResult's sent/used_template/reason/detail."""
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


async def safe_send(sender: Send, conversation_id: str, text: str) -> DeliveryResult:
    """Send and never raise: a failed delivery is recorded and shown, not a crashed request.
    The error names only the exception type, because channel errors can quote an address."""
    try:
        return normalise(await sender(conversation_id, text))
    except Exception as error:  # noqa: BLE001 - any channel failure is reported the same way
        logger.warning("Delivery to a conversation failed: %s", type(error).__name__)
        return DeliveryResult(ok=False, error=f"send failed ({type(error).__name__})")
