"""A number typed after a numbered menu, or a menu button tapped: do what that option says.

A typed number picks from the newest menu (`menu_options`). A tap carries a signed token
naming its own menu and option (channels/menu_token.py, in the message metadata): it answers
what that button said even when newer menus were sent since. The token is verified here again
(the web chat's REST channel passes any metadata a client sends); an expired, forged or
unknown one gets "this menu is old" and the current menu, in the user's language.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback
from actions.confirmations import answer_pending
from actions.conversation import show_group, show_main_menu
from actions.handoff import request_handoff
from actions.knowledge_answer import answer_topic, host_country
from actions.language import language_choice, set_language
from actions.replies import (CONFIRM_NO, CONFIRM_YES, HANDOFF_OPTION, Option, knowledge, main_menu_options,
                             option_title, send, ui, user_language)
from channels import menu_token

EXPIRED = menu_token.EXPIRED


def tapped_option(tracker: Tracker) -> Optional[str]:
    """The option a tapped button named, EXPIRED for a token that does not verify, None for typing."""
    token = ((tracker.latest_message or {}).get("metadata") or {}).get(menu_token.METADATA_KEY)
    if token is None:
        return None
    tap = menu_token.read(tracker.sender_id, token) if token != EXPIRED else None
    if tap is None:
        return EXPIRED
    if not tap.index:
        return None  # a payload button (consent) is read as its words
    return tap.value if _still_offered(tap.value) else EXPIRED


def _still_offered(option: str) -> bool:
    """An option of an old menu may be gone since (an article removed, a language dropped)."""
    kind, _, value = option.partition(":")
    kb = knowledge()
    if kind == "topic":
        return value in kb.answers
    if kind == "group":
        return kb.group(value) is not None
    if kind == "language" and value:
        return value in kb.languages
    return True


def current_menu(tracker: Tracker, language: str) -> List[Option]:
    """The newest menu again, when every option has a title of its own; else the main menu."""
    options = tracker.get_slot("menu_options") or []
    titled = [(option, option_title(option, language)) for option in options]
    if titled and all(title for _, title in titled):
        return [(option, str(title)) for option, title in titled]
    return main_menu_options(language)


def chosen_option(tracker: Tracker) -> Optional[str]:
    number: Any = next((e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == "option"), None)
    options = tracker.get_slot("menu_options") or []
    try:
        index = int(number) - 1
    except (TypeError, ValueError):
        return None
    return options[index] if 0 <= index < len(options) else None


class ActionSelectOption(Action):
    def name(self) -> Text:
        return "action_select_option"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        option = tapped_option(tracker)
        if option == EXPIRED:
            return send(dispatcher, ui("menu_expired", language), current_menu(tracker, language))
        if option in (CONFIRM_YES, CONFIRM_NO) and tracker.get_slot("menu_options") != [CONFIRM_YES, CONFIRM_NO]:
            # the "yes" of a question no longer asked never confirms a newer one
            return send(dispatcher, ui("menu_expired", language), current_menu(tracker, language))
        option = option or chosen_option(tracker)
        if option is None:
            if tracker.get_slot("menu_options"):
                return send(dispatcher, ui("option_invalid", language))
            return show_main_menu(dispatcher, language)
        kind, _, value = option.partition(":")
        if option in (CONFIRM_YES, CONFIRM_NO):
            handled = answer_pending(dispatcher, tracker, yes=option == CONFIRM_YES)
            return handled if handled is not None else show_main_menu(dispatcher, language)
        if kind == "topic" and value in knowledge().answers:  # a topic's article or a specific entry
            return answer_topic(dispatcher, value, language, country=host_country(tracker),
                                ask_feedback=feedback.due(tracker))
        if kind == "group":
            return show_group(dispatcher, value, language)
        if option == HANDOFF_OPTION:
            return request_handoff(dispatcher, tracker)
        if kind == "language" and value in knowledge().languages:
            return set_language(dispatcher, value)
        if kind == "language":
            return language_choice(dispatcher, language)
        if kind == "flow" and value in ("screening", "consular"):
            # a guided flow offered in a menu (actions/eligibility.py, actions/consular.py)
            return [FollowupAction("action_start_screening" if value == "screening" else "action_start_consular")]
        return show_main_menu(dispatcher, language)
