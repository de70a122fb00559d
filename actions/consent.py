"""Consent first, without blocking the answer, and never in the way of a menu.

UNHCR's three tiers: at the end of a conversation's first turn (after the answer, the menu, the
greeting...) rasa_extensions.policies.conversation.ConversationPolicy runs `action_privacy_notice`: the short
introduction (once per conversation) and ONE short message that says what is kept and asks
"Is that OK? Reply YES or NO", with buttons that carry their own payloads (consent:yes,
consent:no, consent:full). The short notice (privacy_notice) comes before a handoff; the full
text on request ("privacy", the third button).

The answer is a word or a button, never a number: the menu shown in the same turn keeps its
numbers ("2" is Going home, not "no"). The policy runs `action_consent_answer` only when the
whole message is a consent word within two messages of the question, or, right after it, a
short plain yes or no as the intent classifier reads it ("ok na", "maya hadda maya";
privacy.consent.consent_reply); anything else ("a'a bani da fasfo", "is it free?") is
understood as what it says.
"yes" -> consent "given"; "no" -> "declined": the assistant still answers, but the tracker store
keeps only a minimal state (privacy.consent) and the project forgets cases, media and
delivery records (privacy.erasure.forget_on_decline).

Every path that involves a person asks first: a request for a person while consent is not
given asks (the short notice and the question, actions/consent_question.py), and "yes" goes on
with the handoff. An
emergency never waits: the safety answer and the urgent case come at once, with a one-line
notice (actions/emergency.py).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case_bridge import NO_WAY_BACK
from actions.consent_question import NEXT_HANDOFF, NEXT_URGENT_HANDOFF, ask_consent, notice_text
from actions.handoff import request_handoff
from actions.replies import send, ui, user_language
from privacy.consent import CONSENT_SLOT, DECLINED, GIVEN, MENU_SLOT, NEXT_SLOT, consent_reply, messages_since_question
from privacy import erasure

logger = logging.getLogger(__name__)


def _this_turn(tracker: Tracker) -> List[Dict[str, Any]]:
    events: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        events.append(event)
    return events


def _greeted_this_turn(tracker: Tracker) -> bool:
    return any(e.get("event") == "action" and e.get("name") == "action_greet" for e in _this_turn(tracker))


def _notice_shown_before(tracker: Tracker) -> bool:
    return any(e.get("event") == "action" and e.get("name") == "action_privacy_notice" for e in tracker.events)


def _handed_over_this_turn(tracker: Tracker) -> bool:
    return any(e.get("event") == "slot" and e.get("name") == "handoff" and e.get("value") for e in _this_turn(tracker))


def answer(dispatcher: CollectingDispatcher, tracker: Tracker, choice: str) -> List[EventType]:
    """The migrant answered the consent question: "yes", "no" or "full"."""
    language = user_language(tracker)
    then = tracker.get_slot(NEXT_SLOT)
    if choice == "full":
        return ask_consent(dispatcher, f"{ui('privacy_full', language)}\n\n{ui('consent_ask_again', language)}",
                           language, then=then)
    given = choice == "yes"
    events: List[EventType] = [SlotSet("pending_confirmation", None), SlotSet(NEXT_SLOT, None),
                               SlotSet(MENU_SLOT, None), SlotSet(CONSENT_SLOT, GIVEN if given else DECLINED)]
    if not given:
        _forget(tracker)
    if then in (NEXT_HANDOFF, NEXT_URGENT_HANDOFF):
        if given:
            return events + request_handoff(dispatcher, tracker, urgent=then == NEXT_URGENT_HANDOFF, consent_checked=True)
        send(dispatcher, ui("consent_declined_no_person", language))
        return events
    send(dispatcher, ui("consent_given" if given else "consent_declined", language))
    return events


def _forget(tracker: Tracker) -> None:
    channel = tracker.get_latest_input_channel()
    if channel in NO_WAY_BACK:  # `ask`, tests: nothing of this conversation is in the project database
        return
    try:
        erasure.forget_on_decline(tracker.sender_id, channel=channel)
    except Exception:  # noqa: BLE001 - the answer still goes out; the purge catches up later
        logger.exception("Could not forget the project data of a declined conversation")


class ActionConsentAnswer(Action):
    """The whole message answered the consent question (the policy checked it)."""

    def name(self) -> Text:
        return "action_consent_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        since = messages_since_question(tracker) or 1
        message = tracker.latest_message
        choice = consent_reply(message.get("text") or "", since, message.get("intent"))
        if choice is None:  # the policy only runs this for a consent answer; be safe anyway
            return []
        return answer(dispatcher, tracker, choice)


class ActionPrivacyNotice(Action):
    def name(self) -> Text:
        return "action_privacy_notice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        greet = not (_greeted_this_turn(tracker) or _notice_shown_before(tracker))
        if _handed_over_this_turn(tracker):  # consent was given on the way to the person
            return []
        return ask_consent(dispatcher, notice_text(language, greet), language)
