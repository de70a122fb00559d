"""The consent question, asked by the privacy notice (actions/consent.py) and before a person is
involved (actions/handoff.py): one short message that says what is kept and asks "Is that OK?",
with buttons that carry their own payloads (never numbers: numbers belong to the menu).

Below both: consent.py runs the answer (and goes on with a handoff after "yes"), handoff.py asks
before a handoff, so neither needs the other's module to ask.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ui, user_language
from privacy.consent import ASKED_SLOT, NEXT_SLOT, PENDING_CONSENT

YES, NO, FULL = "consent:yes", "consent:no", "consent:full"
NEXT_HANDOFF, NEXT_URGENT_HANDOFF = "handoff", "handoff:urgent"


def consent_buttons(language: str) -> List[Dict[str, str]]:
    """Buttons with their own payloads (not numbers: numbers belong to the menu)."""
    return [{"title": ui(f"consent_button_{answer}", language), "payload": payload}
            for answer, payload in (("yes", YES), ("no", NO), ("full", FULL))]


def notice_text(language: str, with_greeting: bool) -> str:
    """The consent question; with the introduction folded in when it was not shown yet."""
    return ui("intro_consent" if with_greeting else "consent_short", language)


def ask_consent(dispatcher: CollectingDispatcher, text: str, language: str, then: Optional[str] = None) -> List[EventType]:
    """Send `text` (which ends with the consent question) with the consent buttons."""
    dispatcher.utter_message(text=text, buttons=consent_buttons(language))
    return [SlotSet(ASKED_SLOT, True), SlotSet("pending_confirmation", PENDING_CONSENT), SlotSet(NEXT_SLOT, then)]


def ask_before_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, urgent: bool) -> List[EventType]:
    """A person was asked for before consent was given: keeping the messages is what lets a
    person follow up, so ask first (the answer goes on with the handoff)."""
    language = user_language(tracker)
    return ask_consent(dispatcher, ui("consent_before_handoff", language), language,
                       then=NEXT_URGENT_HANDOFF if urgent else NEXT_HANDOFF)
