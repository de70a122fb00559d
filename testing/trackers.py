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
    metadata: Optional[Dict[str, Any]] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[Dict[str, Any]] = None,
    latest_action_name: str = "action_listen",
    events: Optional[Sequence[Dict[str, Any]]] = None,
):
    """A rasa-sdk Tracker as the action server would receive it: `history` (event dicts) before the
    person's message, which came in on `channel` with `metadata`, and `turn` (event dicts) after it,
    already run in this turn; `events`: the whole event list instead (a store's own). `ranking`: the
    classifier's intent ranking; `active_loop` and `latest_action_name` as Rasa sends them in a form."""
    from rasa_sdk import Tracker

    latest: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": confidence},
                              "entities": entities or []}
    if metadata is not None:
        latest["metadata"] = metadata
    if ranking is not None:
        latest["intent_ranking"] = ranking
    said = {"event": "user", "text": text, "parse_data": latest, "input_channel": channel,
            **({"metadata": metadata} if metadata is not None else {})}
    return Tracker.from_dict({
        "sender_id": sender_id, "slots": slots or {}, "latest_message": latest,
        "events": list(events) if events is not None else [*history, said, *turn],
        "paused": False, "followup_action": None, "active_loop": active_loop or {},
        "latest_action_name": latest_action_name,
    })


def run_action(action, dispatcher, tracker, domain: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """Run a rasa-sdk action as the action server does (rasa-sdk's argument order); its events."""
    import asyncio

    return asyncio.run(action.run(dispatcher, tracker, domain if domain is not None else {}))
