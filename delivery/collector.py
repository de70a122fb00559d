"""The output channel handed to Rasa: it only collects the bot's messages of one turn.

Sending happens afterwards, by the channel's sender, so that long texts can be split, menus
turned into keyboards and failures handled in one place. Unlike Rasa's CollectingOutputChannel
it does not cut a text at blank lines: a numbered menu stays one message.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from rasa.core.channels.channel import OutputChannel

Reply = Tuple[str, Optional[List[Dict[str, Any]]]]  # (text, buttons)


class ReplyCollector(OutputChannel):
    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    @classmethod
    def name(cls) -> str:
        return "channels_collector"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.messages.append({"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        self.messages.append({"text": text, "buttons": list(buttons)})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # Metadata for other parts of the system (topic, sources, urgency): never shown to the user.
        self.messages.append({"custom": json_message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        self.messages.append({"text": image})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        self.messages.append({"text": str(attachment)})

    async def send_elements(self, recipient_id: str, elements: Iterable[Dict[str, Any]], **kwargs: Any) -> None:
        for element in elements:
            text = "\n".join(part for part in (element.get("title"), element.get("subtitle")) if part)
            self.messages.append({"text": text, "buttons": element.get("buttons") or None})

    def replies(self) -> List[Reply]:
        """The messages to show, in order: (text, buttons or None); empty texts are skipped."""
        return [
            (message["text"].strip(), message.get("buttons") or None)
            for message in self.messages
            if isinstance(message.get("text"), str) and message["text"].strip()
        ]

    def customs(self) -> List[Dict[str, Any]]:
        """The custom JSON messages of the turn (metadata such as the answer id; never shown)."""
        return [m["custom"] for m in self.messages if isinstance(m.get("custom"), dict)]

    @property
    def silence_intended(self) -> bool:
        """An action may end a turn without a reply on purpose by sending custom {"silent": true}."""
        return any(isinstance(m.get("custom"), dict) and m["custom"].get("silent") for m in self.messages)
