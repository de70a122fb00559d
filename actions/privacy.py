"""Erasure on request: confirm, then mark the conversation for erasure.

The tracker store (rasa_extensions.stores.tracker_store) erases every stored event of a conversation
whose last turn sets `erase_requested`, when it saves that turn: the only place where the
whole conversation, including this very turn, can be removed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ask_yes_no, send, ui, user_language

ERASE_SLOT = "erase_requested"
DELETE_DATA = "delete_data"  # the yes/no question "Delete your data?" (actions/confirmations.py)


def answer_delete_data(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> List[EventType]:
    language = user_language(tracker)
    if not yes:
        return send(dispatcher, ui("delete_data_cancelled", language))
    send(dispatcher, ui("delete_data_done", language))
    return [SlotSet(ERASE_SLOT, True)]


class ActionDeleteData(Action):
    def name(self) -> Text:
        return "action_delete_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return ask_yes_no(dispatcher, DELETE_DATA, ui("delete_data_confirm", user_language(tracker)))
