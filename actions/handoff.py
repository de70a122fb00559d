"""Hand the conversation to a person (caseworker)."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import case_bridge
from actions.consent_question import ask_before_handoff
from actions.replies import send, ui, user_language
from cases.hours import next_opening, opening_words

logger = logging.getLogger(__name__)


def after_hours_line(language: str) -> Optional[str]:
    """Outside office hours (OFFICE_HOURS in OFFICE_TIMEZONE): when a person will answer, in the
    user's language; None while the team is at work."""
    try:
        opening = next_opening()
    except ValueError:  # a wrong OFFICE_TIMEZONE: the promise of office hours still stands
        logger.exception("Office hours could not be checked")
        return None
    if opening is None:
        return None
    day, clock = opening_words(opening)
    return ui("handoff_after_hours", language, day=ui(f"weekday_{day}", language), time=clock)


def request_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, urgent: bool = False,
                    consent_checked: bool = False) -> List[EventType]:
    language = user_language(tracker)
    if tracker.get_slot("consent") != "given" and not consent_checked:
        # a person can only follow up if we keep the messages: ask first (actions/consent.py)
        return ask_before_handoff(dispatcher, tracker, urgent)
    case = case_bridge.open_case(tracker, priority="urgent" if urgent else None)
    # The case store knows whether a person is still on it (the slot stays set after a case
    # is resolved); without a case (no store, no channel) the slot is all we have.
    already = not case.created if case else bool(tracker.get_slot("handoff"))
    send(dispatcher, ui("handoff_already_open" if already else "handoff_requested", language))
    # Urgent cases alert the team at any hour (cases/notify.py); a plain request outside
    # office hours is told when a person will be there, so silence is not read as refusal.
    late = None if urgent else after_hours_line(language)
    if late:
        send(dispatcher, late)
    if case:
        case_bridge.save_summary(case, tracker, language)
    events: List[EventType] = [SlotSet("handoff", True), SlotSet("failed_understandings", 0.0)]
    if urgent:
        events.append(SlotSet("urgent", True))
    return events


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return request_handoff(dispatcher, tracker)
