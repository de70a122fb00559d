"""What the channels read from Rasa's tracker store: the conversation's language, and whether a
message was already answered (for the inbox's takeover: delivery/inbox.py).

Works in a Rasa server (the agent is on app.ctx, loaded after the channels exist) and with an
agent held directly (`python -m bot telegram poll`).
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, List, Optional

from delivery.collector import Reply

ERASED = object()      # a language look-up's answer when the conversation was erased on request

LanguageLookup = Callable[[str], Awaitable[Any]]                                # id -> code, None or ERASED
AnsweredLookup = Callable[[str, str], Awaitable[Optional[List[Reply]]]]         # id, message id -> replies


class TrackerView:
    def __init__(self, agent: Callable[[], Any]) -> None:
        self._agent = agent

    @classmethod
    def of_app(cls, app: Any) -> "TrackerView":
        return cls(lambda: getattr(getattr(app, "ctx", None), "agent", None))

    @classmethod
    def of_agent(cls, agent: Any) -> "TrackerView":
        return cls(lambda: agent)

    def _tracker_store(self) -> Any:
        return getattr(self._agent(), "tracker_store", None)  # None while Rasa loads the model

    async def language(self, conversation_id: str) -> Any:
        tracker_store = self._tracker_store()
        if tracker_store is None:
            return None
        tracker = await tracker_store.retrieve(conversation_id)
        return ERASED if tracker is None else tracker.get_slot("language")

    async def answered(self, conversation_id: str, message_id: str) -> Optional[List[Reply]]:
        """The replies the assistant gave to the message `message_id`, None if it never saw it.

        A server killed after Rasa saved a turn but before the inbox held its replies left the
        turn in the tracker: its replies are delivered instead of asking again (which would
        answer a form's question twice, for instance).
        """
        from rasa.shared.core.events import BotUttered, UserUttered

        tracker_store = self._tracker_store()
        tracker = None if tracker_store is None else await tracker_store.retrieve(conversation_id)
        if tracker is None:
            return None
        replies: Optional[List[Reply]] = None
        for event in tracker.events:
            if isinstance(event, UserUttered):
                if replies is not None:
                    break  # the next message: that turn is over
                if event.message_id == message_id:
                    replies = []
            elif isinstance(event, BotUttered) and replies is not None:
                text = (event.text or "").strip()
                if text:
                    replies.append((text, (event.data or {}).get("buttons") or None))
        return replies
