"""`python -m bot ask`: talk to the trained assistant from the command line, in one process.

The evaluation contract: one JSON object (or the plain replies) per input message. The model is
loaded once; the custom actions run in-process; conversations live in memory.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from bot.knowledge import load_knowledge

logger = logging.getLogger(__name__)


@dataclass
class Turn:
    text: str
    language: str
    intent: Optional[str]
    topic: Optional[str]
    confidence: float
    messages: List[str] = field(default_factory=list)
    handoff: bool = False


class Assistant:
    """A loaded model with in-process actions and an in-memory tracker store."""

    def __init__(self, agent: Any, store: Any = None) -> None:
        self.agent = agent
        self.store = store  # the ErasableInMemoryTrackerStore inside the agent's fail-safe wrapper

    @classmethod
    def load(cls, model_path: Optional[Path] = None) -> "Assistant":
        from rasa.core.agent import Agent

        from bot.inprocess_actions import InProcessActionEndpoint
        from bot.model import latest_model
        from bot.stores.tracker_store import ErasableInMemoryTrackerStore

        model = model_path or latest_model()
        if model is None:
            raise SystemExit("No trained model in models/. Run `make train` (or `make run`) first.")
        store = ErasableInMemoryTrackerStore(None)
        agent = Agent.load(str(model), tracker_store=store, action_endpoint=InProcessActionEndpoint())
        return cls(agent, store)

    async def send(self, text: str, sender: str) -> Turn:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        collector = CollectingOutputChannel()
        await self.agent.handle_message(UserMessage(text, collector, sender, input_channel="cli"))
        # a declined conversation is stored as a minimal state: its turn is described from the
        # full tracker the store holds until the next turn
        last_turn = self.store.last_turns.get(sender) if self.store is not None else None
        tracker = last_turn or await self.agent.tracker_store.retrieve(sender)
        messages = [m.get("text") for m in collector.messages if m.get("text")]
        if tracker is None:  # the conversation was just erased on request
            parse = await self.agent.parse_message(text)
            intent = parse.get("intent") or {}
            return Turn(text, load_knowledge().default_language, intent.get("name"), None,
                        float(intent.get("confidence") or 0.0), messages, False)
        return describe_turn(tracker, text, messages)


def describe_turn(tracker: Any, text: str, messages: List[str]) -> Turn:
    """What happened in the last turn of `tracker`: intent, topic answered, handoff, language."""
    from rasa.shared.core.events import SlotSet, UserUttered

    turn_events: List[Any] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        turn_events.append(event)
    intent = tracker.latest_message.intent or {}
    topic = next((e.value for e in reversed(turn_events) if isinstance(e, SlotSet) and e.key == "topic"), None)
    handoff_now = any(isinstance(e, SlotSet) and e.key == "handoff" and e.value for e in turn_events)
    language = load_knowledge().resolve_language(tracker.get_slot("language"))
    return Turn(
        text=text,
        language=language,
        intent=intent.get("name"),
        topic=topic,
        confidence=round(float(intent.get("confidence") or 0.0), 4),
        messages=messages,
        handoff=bool(handoff_now or tracker.get_slot("handoff")),
    )


def _print_turn(turn: Turn, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(turn), ensure_ascii=False), flush=True)
    else:
        print("\n\n".join(turn.messages) + "\n", flush=True)


async def _run(lines: Iterable[str], sender: Optional[str], as_json: bool) -> int:
    assistant = Assistant.load()
    for line in lines:
        text = line.rstrip("\r\n")
        conversation = sender or f"cli-{uuid.uuid4().hex}"
        try:
            turn = await assistant.send(text, conversation)
        except Exception as error:  # one bad line must not lose the rest of the batch
            logger.exception("ask failed on a line")
            turn = Turn(text, "en", None, None, 0.0, [f"error: {type(error).__name__}"], False)
        _print_turn(turn, as_json)
    return 0


def main(text: Optional[str], sender: Optional[str], as_json: bool) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    _quiet_libraries()
    lines: Iterable[str] = [text] if text is not None else sys.stdin
    return asyncio.run(_run(lines, sender, as_json))


def _quiet_libraries() -> None:
    # Rasa logs through structlog to standard output: keep stdout for the replies only
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl", "sanic", "apscheduler", "asyncio", "rasa_sdk"):
        logging.getLogger(name).setLevel(logging.ERROR)
