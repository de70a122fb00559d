"""Where a migrant's inbound message goes while a caseworker case is active.

The channels install it as one of their inbound hooks (channels.hooks.install_case_routing) and
call it for every inbound message before Rasa sees it:
  - no active case                     → "to_bot"
  - active case                        → "to_case" (the message joins the case transcript)
  - active case, message looks urgent  → "to_case_and_bot": safety answers must never wait
    for a person to be at the console (retrieval.safety.looks_urgent, all languages,
    because people in distress mix languages)
  - urgent case nobody has answered yet → "to_case_and_bot": the assistant acknowledges every
    message ("we are alerting the team"), so a person in danger never meets silence
  - active case, migrant wrote 'menu'  → "to_case_and_bot" from then on, until a caseworker
    answers: ui handoff_requested promises that 'menu' brings the assistant back.
  - active case, migrant asks to delete their data ("delete my data", "/delete") → the same:
    erasure is always reachable, and the answer to the assistant's "are you sure?" follows.
If the case store fails, the message goes to the bot: an answer from the assistant is better
than silence.

`on_outbound` is the other half (channels.hooks' outbound handler): what the channel then sent
the migrant - the assistant's answers, "we are alerting the team", "I have passed this on" -
joins the active case with its delivery state, after the migrant's message, so the transcript
is the conversation as the migrant saw it.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from cases import service
from cases.delivery import TO_CASE, TO_CASE_AND_BOT, DeliveryResult
from retrieval.safety import asks_for_erasure, looks_urgent, wants_assistant

logger = logging.getLogger(__name__)


def on_inbound(conversation_id: str, channel: str, text: Optional[str], media: Any = None) -> Optional[str]:
    """The on_inbound contract of channels.hooks: "to_case" | "to_case_and_bot" while a case is
    open, else None (not ours: the next hook, or the assistant, takes the message)."""
    text = text or ""
    try:
        back_to_assistant = wants_assistant(text) or asks_for_erasure(text)
        recorded = service.record_inbound(conversation_id, text, media, back_to_assistant=back_to_assistant)
    except Exception:  # noqa: BLE001 - any store failure: fall back to the assistant
        logger.exception("Case store unavailable; message routed to the assistant")
        return None
    if recorded is None:
        return None
    _case_id, mirror_to_bot = recorded
    if mirror_to_bot or looks_urgent(text):
        return TO_CASE_AND_BOT
    return TO_CASE


def on_outbound(conversation_id: str, channel: str, text: str, result: DeliveryResult) -> None:
    """The outbound contract of channels.hooks: a sent message joins the active case, if any."""
    try:
        service.record_delivered(conversation_id, text, result)
    except Exception:  # noqa: BLE001 - the message went out; only the case's copy is missing
        logger.exception("Case store unavailable; a sent message is missing from the case")

