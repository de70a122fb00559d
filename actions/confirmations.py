"""Answers to yes/no questions ("Delete your data? 1 yes 2 no"), by words or numbers.

A question is asked with actions.replies.ask_yes_no, which keeps its id in the
`pending_confirmation` slot; the answer ("yes", "2", a tapped button) runs the question's handler
from ANSWERS, the one list of such questions. (The consent question uses the same slot but has an
action of its own, chosen by rasa_extensions.policies.conversation: actions/consent.py.)
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import privacy

Handler = Callable[[CollectingDispatcher, Tracker, bool], List[EventType]]
ANSWERS: Dict[str, Handler] = {
    privacy.DELETE_DATA: privacy.answer_delete_data,
}


def answer_pending(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> Optional[List[EventType]]:
    """Run the handler of the pending question, or None when nothing is pending."""
    handler = ANSWERS.get(tracker.get_slot("pending_confirmation") or "")
    if handler is None:
        return None
    return [SlotSet("pending_confirmation", None), SlotSet("menu_options", None), *handler(dispatcher, tracker, yes)]
