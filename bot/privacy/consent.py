"""Consent to keeping a conversation: the slot values, and what is kept when it was declined.

The `consent` slot is None (not answered yet), "given" or "declined" (actions/consent.py sets
it). A declined conversation is stored as a minimal, non-identifying state only (the tracker
stores in bot/stores/tracker_store.py call `minimal_events`): the language, the consent answer
and what the next number means, plus a guided flow's answers while that flow is still running.
No user text, no bot text, no intents, no topics: the next turn starts from this state.
"""
from __future__ import annotations

import time
from typing import Iterable, List, Optional

CONSENT_SLOT = "consent"
ASKED_SLOT = "consent_asked"      # the privacy notice and consent question were shown
NEXT_SLOT = "consent_next"        # what to do after "yes" (e.g. "handoff"), or None
MENU_SLOT = "consent_menu"        # the menu that was showing when the question came
GIVEN, DECLINED = "given", "declined"

# What a declined conversation keeps between turns (none of it identifies the migrant).
KEPT_SLOTS = (
    "language", CONSENT_SLOT, ASKED_SLOT, NEXT_SLOT, MENU_SLOT, "menu_options", "pending_confirmation",
    "failed_understandings",
)
LOOP_SLOTS = ("requested_slot", "form_invalid_answers", "form_stopped")


def is_declined(tracker) -> bool:
    return tracker.get_slot(CONSENT_SLOT) == DECLINED


def minimal_events(tracker, form_slots: Optional[Iterable[str]] = None) -> List:
    """The events of a fresh session that restores only the non-identifying state of `tracker`.

    `form_slots`: the required slots of the active guided flow (kept only while it runs, since
    the flow cannot go on without them; they go as soon as it ends).
    """
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet

    now = time.time()
    events: List = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=now), SessionStarted(timestamp=now)]
    keep = set(KEPT_SLOTS)
    loop = tracker.active_loop_name
    if loop:
        keep |= set(LOOP_SLOTS) | set(form_slots or ())
    for name, slot in tracker.slots.items():
        if name in keep and slot.value is not None and slot.value != slot.initial_value:
            events.append(SlotSet(name, slot.value, timestamp=now))
    if loop:
        events.append(ActiveLoop(loop, timestamp=now))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=now))
    return events


def minimal_tracker(tracker, domain=None):
    """A tracker holding only `minimal_events(tracker)`."""
    from rasa.shared.core.trackers import DialogueStateTracker

    loop = tracker.active_loop_name
    form_slots = domain.required_slots_for_form(loop) if (domain is not None and loop) else ()
    return DialogueStateTracker.from_events(
        tracker.sender_id, minimal_events(tracker, form_slots), slots=list(tracker.slots.values()),
    )
