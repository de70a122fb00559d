"""Erasure on request: confirm, then mark the conversation for erasure.

The tracker store (bot.stores.tracker_store) erases every stored event of a conversation
whose last turn sets `erase_requested`, when it saves that turn: the only place where the
whole conversation, including this very turn, can be removed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import confirmations
from actions.replies import send, ui, user_language

ERASE_SLOT = "erase_requested"


def _on_answer(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> List[EventType]:
    language = user_language(tracker)
    if not yes:
        return send(dispatcher, ui("delete_data_cancelled", language))
    send(dispatcher, ui("delete_data_done", language))
    return [SlotSet(ERASE_SLOT, True)]


confirmations.register("delete_data", _on_answer)


class ActionDeleteData(Action):
    def name(self) -> Text:
        return "action_delete_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return confirmations.ask(dispatcher, "delete_data", ui("delete_data_confirm", user_language(tracker)))
