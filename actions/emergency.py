"""Life in danger now: a safety answer first, then an urgent handoff."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import case_bridge
from actions.replies import send, ui, user_language


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        text = ui("emergency_safety", language)
        send(dispatcher, text, custom={"urgent": True})
        case_bridge.open_case(tracker, priority="urgent", reason="emergency", bot_text=text)
        return [SlotSet("handoff", True), SlotSet("urgent", True), SlotSet("failed_understandings", 0.0)]
