"""Questions that wait for yes/no ("Delete your data? 1 yes 2 no"), answered by words or numbers."""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import send

YES, NO = "confirm:yes", "confirm:no"
Handler = Callable[[CollectingDispatcher, Tracker, bool], List[EventType]]
_HANDLERS: Dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    _HANDLERS[name] = handler


def ask(dispatcher: CollectingDispatcher, name: str, text: str) -> List[EventType]:
    """Ask a yes/no question whose text already says "reply 1 for yes, 2 for no"."""
    send(dispatcher, text)
    return [SlotSet("pending_confirmation", name), SlotSet("menu_options", [YES, NO])]


def answer_pending(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> Optional[List[EventType]]:
    """Run the handler of the pending question, or None when nothing is pending."""
    import actions.privacy  # noqa: F401  (registers its handler)

    name = tracker.get_slot("pending_confirmation")
    handler = _HANDLERS.get(name or "")
    if handler is None:
        return None
    return [SlotSet("pending_confirmation", None), SlotSet("menu_options", None), *handler(dispatcher, tracker, yes)]
