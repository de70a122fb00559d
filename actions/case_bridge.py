"""Open (or update) the caseworker case when an action hands the conversation to a person.

Called by actions/handoff.py and actions/emergency.py after they have answered. The migrant's
answer never depends on the case store: if it fails, the failure is logged and the action
goes on as before (the `handoff` slot still records the request).

A new case starts with the conversation so far (the last turns, up to this message). What the
assistant says in this turn is not copied here: the channel records each message once it has
gone out, with its delivery state (cases/routing.on_outbound, the web chat likewise).
`save_summary` then adds what the assistant knows (cases/summary.py), after the case is
open: an emergency's case and its alert never wait for it.
"""
from __future__ import annotations

import logging
from typing import List, Optional, Tuple

from rasa_sdk import Tracker

from actions.replies import user_language
from cases import notify, service

logger = logging.getLogger(__name__)

# Conversations a caseworker cannot answer: `python -m bot ask` (cli) and trackers without a
# channel (action tests) have no way back to the migrant, so a case would only be noise.
NO_WAY_BACK = {None, "", "cli", "cmdline"}
HISTORY_EVENTS = 20  # the last turns copied into a new case, so nobody has to ask again
ABUSE_TOPICS = {"report_abuse"}
# The eligibility screening (actions/eligibility.py) stores its answer as "child_alone,medical"
# and sets priority_handoff when one of them makes the person vulnerable.
MINOR_FLAGS = {"child_alone"}
NOT_FLAGS = {"", "none", "unknown", "false"}
SUMMARY_SLOTS = ("host_country", "known_host_country", "nationality", "known_nationality", "own_wish", "has_document",
                 "detained", "vulnerability", "asylum_pending", "previous_return", "consent", "topic")


def open_case(tracker: Tracker, priority: Optional[str] = None,
              reason: Optional[str] = None) -> Optional[service.CaseUpdate]:
    """The conversation's case after this handoff, or None (no channel, or the store failed)."""
    channel = tracker.get_latest_input_channel()
    if channel in NO_WAY_BACK:
        return None
    try:
        topic = tracker.get_slot("topic")
        flags = _flags(tracker)
        update = service.open_or_update_case(
            tracker.sender_id, channel, user_language(tracker), topic, priority,
            reason or _reason(tracker, topic, flags), flags, history=_history(tracker),
        )
        notify.schedule(update)
        return update
    except Exception:  # noqa: BLE001 - the migrant still gets the action's answer
        logger.exception("Could not open a case for a handoff")
        return None


def save_summary(case: service.CaseUpdate, tracker: Tracker, language: str, emergency: bool = False) -> None:
    """What the assistant knows, as the case's summary card and, for a new case (or one that
    just became an emergency), a private note. Never raises: the migrant's answer and the case
    itself never depend on it."""
    from cases import summary

    try:
        slots = {name: tracker.get_slot(name) for name in SUMMARY_SLOTS}
        if not emergency:  # a handoff opens a case only after consent; an emergency never waits for it
            slots["consent"] = slots.get("consent") or "given"
        facts = summary.from_slots(slots, tracker.get_latest_input_channel(), language, emergency=emergency)
        summary.save(case.case_id, facts, created=case.created)
    except Exception:  # noqa: BLE001 - the case is open and the migrant answered: only the card is missing
        logger.exception("Could not save the summary of a case")


def _flags(tracker: Tracker) -> List[str]:
    value = tracker.get_slot("vulnerability")
    values = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    return [str(v).strip() for v in values if str(v).strip().lower() not in NOT_FLAGS]


def _reason(tracker: Tracker, topic: Optional[str], flags: List[str]) -> str:
    if topic in ABUSE_TOPICS:
        return "abuse"
    if any(flag in MINOR_FLAGS or "minor" in flag for flag in flags):
        return "unaccompanied_minor"
    return "vulnerable" if flags or tracker.get_slot("priority_handoff") else "request"


def _history(tracker: Tracker) -> List[Tuple[str, str]]:
    """The conversation up to the migrant's latest message: the assistant's words after it
    belong to this turn, and the channel adds them when it has sent them."""
    events = [e for e in tracker.events if e.get("event") in ("user", "bot") and e.get("text")]
    latest_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    lines = [("migrant" if e.get("event") == "user" else "bot", e.get("text") or "") for e in events[:latest_user + 1]]
    return lines[-HISTORY_EVENTS:]
