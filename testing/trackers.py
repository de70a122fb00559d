"""The one builder of rasa-sdk trackers for tests: what the action server receives for a turn."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    confidence: float = 0.95,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "tg-test",
    history: Sequence[Dict[str, Any]] = (),
    turn: Sequence[Dict[str, Any]] = (),
    channel: Optional[str] = None,
):
    """A rasa-sdk Tracker as the action server would receive it: `history` (event dicts) before the
    person's message, which came in on `channel`, and `turn` (event dicts) after it, already run in
    this turn."""
    from rasa_sdk import Tracker

    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    events = [*history, {"event": "user", "text": text, "parse_data": latest, "input_channel": channel}, *turn]
    return Tracker.from_dict({
        "sender_id": sender_id, "slots": slots or {}, "latest_message": latest, "events": events,
        "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
    })


def run_action(action, dispatcher, tracker, domain: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """Run a rasa-sdk action as the action server does (rasa-sdk's argument order); its events."""
    import asyncio

    return asyncio.run(action.run(dispatcher, tracker, domain if domain is not None else {}))
