"""A number typed after a numbered menu: do what that option says."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import confirmations
from actions.conversation import show_group, show_main_menu
from actions.handoff import request_handoff
from actions.knowledge_answer import answer_topic, host_country
from actions.language import language_choice, set_language
from actions.replies import HANDOFF_OPTION, knowledge, send, ui, user_language


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
        option = chosen_option(tracker)
        if option is None:
            if tracker.get_slot("menu_options"):
                return send(dispatcher, ui("option_invalid", language))
            return show_main_menu(dispatcher, language)
        kind, _, value = option.partition(":")
        if option in (confirmations.YES, confirmations.NO):
            handled = confirmations.answer_pending(dispatcher, tracker, yes=option == confirmations.YES)
            return handled if handled is not None else show_main_menu(dispatcher, language)
        if kind == "topic" and value in knowledge().answers:  # a topic's article or a specific entry
            return answer_topic(dispatcher, value, language, country=host_country(tracker))
        if kind == "group":
            return show_group(dispatcher, value, language)
        if option == HANDOFF_OPTION:
            return request_handoff(dispatcher, tracker)
        if kind == "language" and value:
            return set_language(dispatcher, value)
        if kind == "language":
            return language_choice(dispatcher, language)
        if kind == "flow" and value in ("screening", "consular"):
            # a guided flow offered in a menu (actions/eligibility.py, actions/consular.py)
            return [FollowupAction("action_start_screening" if value == "screening" else "action_start_consular")]
        return show_main_menu(dispatcher, language)
