"""Life in danger now: the safety answer first, an urgent case, and the conversation stays there.

`action_emergency` answers at once (consent never delays it: a one-line notice rides in the same
message when consent was not given), opens an urgent case and sets `emergency_active`. From then
on rasa_extensions.policies.conversation.ConversationPolicy sends every message to
`action_emergency_followup`: one short "your message reached the team, we are alerting them"
in the user's language - no menu, no consent question, no introduction - until a caseworker
resolves the case. Then the assistant is back and the message is handled as usual.
Erasure stays reachable throughout.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import case_bridge
from actions.follow_up import follow_up_table
from actions.replies import knowledge, send, ui, user_language
from cases import service

EMERGENCY_SLOT = "emergency_active"
# what a message is answered with once the emergency is over (the rules' intent -> action)
_INTENT_ACTIONS = {"nlu_fallback": "action_answer_from_retrieval", "start_screening": "action_start_screening",
                   "consular_help": "action_start_consular", "human_handoff": "action_handoff"}


def safety_text(tracker: Tracker, language: str) -> str:
    text = ui("emergency_safety", language)
    if tracker.get_slot("consent") is None:
        # every path that involves a person says what is kept; here in one line, never a question
        text = f"{text}\n\n{ui('emergency_notice_line', language)}"
    return text


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        text = safety_text(tracker, language)
        send(dispatcher, text, custom={"urgent": True})
        case = case_bridge.open_case(tracker, priority="urgent", reason="emergency")  # opened and alerted first
        if case:
            case_bridge.save_summary(case, tracker, language, emergency=True)
        return [SlotSet("handoff", True), SlotSet("urgent", True), SlotSet(EMERGENCY_SLOT, True),
                SlotSet("failed_understandings", 0.0), SlotSet("menu_options", None),
                SlotSet("pending_confirmation", None)]


def resolved_by_caseworker(tracker: Tracker) -> bool:
    """The urgent case was resolved (only where a caseworker can answer: a channel)."""
    if tracker.get_latest_input_channel() in case_bridge.NO_WAY_BACK:
        return False
    try:
        return not service.has_active_case(tracker.sender_id)
    except Exception:  # noqa: BLE001 - when the store cannot tell, stay with the emergency
        return False


def action_for(intent: Optional[str]) -> str:
    """The action the rules give `intent` outside an emergency."""
    if intent in knowledge().articles:
        return "action_answer_topic"
    if intent in follow_up_table():
        return "action_answer_follow_up"
    return _INTENT_ACTIONS.get(intent or "", f"action_{intent}" if intent else "action_not_understood")


class ActionEmergencyFollowup(Action):
    def name(self) -> Text:
        return "action_emergency_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if resolved_by_caseworker(tracker):
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            follow = action_for(intent)
            events: List[EventType] = [SlotSet(EMERGENCY_SLOT, None), SlotSet("urgent", None), SlotSet("handoff", None)]
            known = set(domain.get("actions") or ())
            return events + [FollowupAction(follow if follow in known else "action_not_understood")]
        language = user_language(tracker)
        text = ui("emergency_ack", language)
        send(dispatcher, text, custom={"urgent": True})
        case_bridge.open_case(tracker, priority="urgent", reason="emergency")
        return [SlotSet("failed_understandings", 0.0)]
