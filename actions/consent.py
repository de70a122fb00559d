"""Consent first, without blocking the answer.

At the end of a conversation's first turn (after the answer, the safety answer, the menu...)
bot.policies.consent.ConsentRulePolicy runs `action_privacy_notice`: in the user's language,
the introduction (ui greet: an information assistant, not a government authority, information
not a decision), the privacy notice and the consent question (1 yes, 2 no, 3 full notice).
"1"/"yes" -> consent "given"; "2"/"no" -> "declined": the assistant still answers, but the
tracker store keeps only a minimal state (bot.privacy.consent) and the project forgets cases,
media and delivery records (bot.privacy.erasure.forget_on_decline); a later request for a
person asks for consent again first (actions/handoff.py). "3" shows the full notice and asks
again. After the answer, the menu that was showing when the question came is shown again.

When the first turn handed the conversation to a person (handoff, emergency), the migrant's
next messages go to the caseworker, who would receive the "1" or "2": so that turn gets the
introduction and the notice only, and the question waits for the assistant's next turn.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import confirmations
from actions.replies import (
    HANDOFF_OPTION,
    Option,
    knowledge,
    main_menu_options,
    send,
    ui,
    unreviewed_note,
    user_language,
)
from bot.privacy.consent import ASKED_SLOT, CONSENT_SLOT, DECLINED, GIVEN, MENU_SLOT, NEXT_SLOT

logger = logging.getLogger(__name__)

YES, NO, FULL = "consent:yes", "consent:no", "consent:full"
CONSENT_MENU = [YES, NO, FULL]
NEXT_HANDOFF, NEXT_URGENT_HANDOFF = "handoff", "handoff:urgent"


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


def notice_text(language: str, with_greeting: bool, with_question: bool = True) -> str:
    parts = [ui("greet", language)] if with_greeting else []
    parts.append(ui("privacy_notice", language))
    if with_question:
        parts.append(ui("consent_ask", language))
    note = unreviewed_note(language, knowledge().is_ui_reviewed(language))
    return "\n\n".join(parts + ([note] if note else []))


def ask_consent(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, then: Optional[str] = None) -> List[EventType]:
    """Send `text` (which ends with the consent question) and wait for 1/2/3 or yes/no."""
    send(dispatcher, text)
    menu = tracker.get_slot("menu_options")
    saved = menu if menu and menu != CONSENT_MENU else tracker.get_slot(MENU_SLOT)
    return [SlotSet(ASKED_SLOT, True), SlotSet("pending_confirmation", "consent"), SlotSet("menu_options", CONSENT_MENU),
            SlotSet(MENU_SLOT, saved), SlotSet(NEXT_SLOT, then)]


def ask_before_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, urgent: bool) -> List[EventType]:
    """A person was asked for after consent was declined: keeping messages is what lets a
    person follow up, so ask again (the answer goes on with the handoff)."""
    text = notice_text(user_language(tracker), with_greeting=False)
    return ask_consent(dispatcher, tracker, text, then=NEXT_URGENT_HANDOFF if urgent else NEXT_HANDOFF)


def answer(dispatcher: CollectingDispatcher, tracker: Tracker, choice: str) -> List[EventType]:
    """The migrant answered the consent question: "yes", "no" or "full"."""
    language = user_language(tracker)
    if choice == "full":
        send(dispatcher, ui("privacy_full", language))
        return ask_consent(dispatcher, tracker, ui("consent_ask", language), then=tracker.get_slot(NEXT_SLOT))
    given = choice == "yes"
    then = tracker.get_slot(NEXT_SLOT)
    events: List[EventType] = [SlotSet("pending_confirmation", None), SlotSet("menu_options", None), SlotSet(NEXT_SLOT, None),
                               SlotSet(MENU_SLOT, None), SlotSet(CONSENT_SLOT, GIVEN if given else DECLINED)]
    send(dispatcher, ui("consent_given" if given else "consent_declined", language))
    if not given:
        _forget(tracker)
    if given and then in (NEXT_HANDOFF, NEXT_URGENT_HANDOFF):
        from actions.handoff import request_handoff

        return events + request_handoff(dispatcher, tracker, urgent=then == NEXT_URGENT_HANDOFF, consent_checked=True)
    return events + _menu_again(dispatcher, tracker.get_slot(MENU_SLOT), language)


def _forget(tracker: Tracker) -> None:
    from actions.case_bridge import NO_WAY_BACK

    channel = tracker.get_latest_input_channel()
    if channel in NO_WAY_BACK:  # `ask`, tests: nothing of this conversation is in the project database
        return
    try:
        from bot.privacy.erasure import forget_on_decline

        forget_on_decline(tracker.sender_id, channel=channel)
    except Exception:  # noqa: BLE001 - the answer still goes out; the purge catches up later
        logger.exception("Could not forget the project data of a declined conversation")


def _menu_again(dispatcher: CollectingDispatcher, menu: Optional[Sequence[str]], language: str) -> List[EventType]:
    options = option_titles(menu or (), language)
    if options:
        return send(dispatcher, ui("menu_hint", language), options)
    return send(dispatcher, ui("help_intro", language), main_menu_options(language))


def option_titles(option_ids: Sequence[str], language: str) -> Optional[List[Option]]:
    """The (id, title) pairs of a menu, as the actions that showed it titled them; None if one
    of them has no title of its own (its question's text explained it)."""
    kb = knowledge()
    options: List[Option] = []
    for option in option_ids:
        kind, _, value = option.partition(":")
        if kind == "topic" and value in kb.articles:
            title = kb.topic_title(value, language)
        elif kind == "group" and kb.group(value) is not None:
            title = kb.text(kb.group(value).title_key, language)
        elif option == HANDOFF_OPTION:
            title = kb.text("menu_talk_to_person", language)
        elif option == "language":
            title = kb.text("menu_change_language", language)
        elif kind == "language" and value in kb.languages:
            title = kb.languages[value].native_name
        elif option == "flow:screening":
            title = kb.text("menu_check_situation", language)
        else:
            return None
        options.append((option, title))
    return options or None


def _on_yes_no(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> List[EventType]:
    return answer(dispatcher, tracker, "yes" if yes else "no")


confirmations.register("consent", _on_yes_no)


class ActionPrivacyNotice(Action):
    def name(self) -> Text:
        return "action_privacy_notice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        greet = not (_greeted_this_turn(tracker) or _notice_shown_before(tracker))
        if _handed_over_this_turn(tracker):
            send(dispatcher, notice_text(language, greet, with_question=False))
            return []
        return ask_consent(dispatcher, tracker, notice_text(language, greet))
