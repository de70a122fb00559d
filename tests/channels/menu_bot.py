"""A stand-in for Rasa that runs the REAL menu actions: the channels' buttons are exactly what
actions/replies.send makes, and a tap is resolved by actions/menu.ActionSelectOption.

Only the NLU is left out: "hello" shows the main menu and a number (what every tap and typed
digit is, rasa_extensions.nlu.menu_number) is `select_option` - the classifier's deterministic path.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import show_main_menu
from actions.menu import ActionSelectOption
from rasa_extensions.nlu.menu_number import parse_option_number
from testing.harness import StubBot, Turn
from testing.trackers import make_tracker


class MenuBot(StubBot):
    def __init__(self, language: str = "en") -> None:
        super().__init__()
        self.menu_language = language
        self.slots: Dict[str, Dict[str, Any]] = {}

    async def language(self, conversation_id: str) -> Optional[str]:
        """The channels' language look-up: Rasa's `language` slot, set from the first turn on."""
        return self.languages.get(conversation_id, self.menu_language)

    def tracker(self, message: Any) -> Tracker:
        number = parse_option_number(message.text or "")
        entities = [{"entity": "option", "value": str(number)}] if number is not None else []
        slots = {"language": self.menu_language, **self.slots.get(message.sender_id, {})}
        return make_tracker(message.text, "select_option", 1.0, slots=slots, entities=entities,
                            sender_id=message.sender_id, metadata=dict(message.metadata or {}))

    async def __call__(self, message: Any) -> None:
        import time

        self.turns.append(Turn(message.sender_id, message.text, dict(message.metadata or {}), time.monotonic()))
        dispatcher = CollectingDispatcher()
        if message.text == "hello":
            events = show_main_menu(dispatcher, self.menu_language)
        else:
            events = await ActionSelectOption().run(dispatcher, self.tracker(message), {})
        for event in events:
            if event.get("event") == "slot":
                self.slots.setdefault(message.sender_id, {})[event["name"]] = event["value"]
        for sent in dispatcher.messages:
            reply: Dict[str, Any] = {"text": sent.get("text") or ""}
            if sent.get("buttons"):
                reply["buttons"] = sent["buttons"]
            await message.output_channel.send_response(message.sender_id, reply)

    def menu(self, sender_id: str) -> List[str]:
        return list(self.slots.get(sender_id, {}).get("menu_options") or [])
