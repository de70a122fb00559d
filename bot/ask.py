"""`python -m bot ask`: talk to the trained assistant from the command line, in one process.

The evaluation contract: one JSON object (or the plain replies) per input message. The model is
loaded once; the custom actions run in-process; conversations live in memory.

`--jsonl` reads one JSON object per line, `{"sender": ..., "text": ...}`, so that many
conversations interleave in one process; the output objects name their `sender`. Every JSON
output also says which knowledge entry was sent (`answer`, null when none) and, when the turn
opened or asked for a case (`handoff`), its priority (`case_priority`: urgent, high or normal).
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Iterable, Iterator, List, Optional, Tuple

from content.knowledge import load_knowledge

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
    sender: Optional[str] = None
    answer: Optional[str] = None          # the answer sent this turn (entry or topic id), or None
    case_priority: Optional[str] = None   # the turn opened or asked for a case: its priority
    consent: Optional[str] = None         # the consent answer given this turn ("given"/"declined")
    host_country: Optional[str] = None    # what the conversation knows so far (slots)
    nationality: Optional[str] = None
    form: Optional[str] = None            # the guided flow running after this turn
    emergency: bool = False               # the conversation is in emergency handling after this turn


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
        from rasa_extensions.stores.tracker_store import ErasableInMemoryTrackerStore

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
                        float(intent.get("confidence") or 0.0), messages, False, sender=sender)
        turn = describe_turn(tracker, text, messages)
        turn.sender = sender
        return turn


def describe_turn(tracker: Any, text: str, messages: List[str]) -> Turn:
    """What happened in the last turn of `tracker`: intent, answer sent, case asked for, language."""
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

    turn_events: List[Any] = []
    user: Optional[Any] = None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            user = event
            break
        turn_events.append(event)
    turn_events.reverse()
    set_now = {e.key: e.value for e in turn_events if isinstance(e, SlotSet)}
    actions = [e.action_name for e in turn_events if isinstance(e, ActionExecuted)]
    # the turn's own message: a retrieved tracker's `latest_message` skips the turns a form
    # consumed (Rasa replays only a loop's first execution), so it would name an older one
    intent = (user.intent if user is not None else tracker.latest_message.intent) or {}
    topic = set_now.get("topic")  # set by every action that sends a knowledge answer
    asked = set_now.get("consent_next") in ("handoff", "handoff:urgent")
    # a message during an emergency joins the urgent case (actions/emergency.py)
    joined_urgent = "action_emergency_followup" in actions and bool(tracker.get_slot("emergency_active"))
    opened = bool(set_now.get("handoff")) or asked or joined_urgent
    priority = None
    if opened:
        urgent = bool(set_now.get("urgent")) or set_now.get("consent_next") == "handoff:urgent" \
            or "action_emergency" in actions or joined_urgent
        priority = "urgent" if urgent else ("high" if tracker.get_slot("priority_handoff") else "normal")
    language = load_knowledge().resolve_language(tracker.get_slot("language"))
    return Turn(
        text=text,
        language=language,
        intent=intent.get("name"),
        topic=topic,
        confidence=round(float(intent.get("confidence") or 0.0), 4),
        messages=messages,
        handoff=opened,
        # a close call offers a choice: the topic is set, the answer cleared (nothing was sent)
        answer=set_now["answer"] if "answer" in set_now else topic,
        case_priority=priority,
        consent=set_now.get("consent"),
        host_country=tracker.get_slot("host_country") or tracker.get_slot("known_host_country"),
        nationality=tracker.get_slot("nationality") or tracker.get_slot("known_nationality"),
        form=tracker.active_loop_name,
        emergency=bool(tracker.get_slot("emergency_active")),
    )


def _print_turn(turn: Turn, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(turn), ensure_ascii=False), flush=True)
    else:
        print("\n\n".join(turn.messages) + "\n", flush=True)


def _read_jsonl(lines: Iterable[str]) -> Iterator[Tuple[str, Optional[str]]]:
    """(text, sender) per line of `{"sender": ..., "text": ...}`; a bad line is an empty message."""
    for line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            yield str(item.get("text") or ""), str(item.get("sender") or "") or None
        except (ValueError, AttributeError):
            yield "", None


async def answer_lines(assistant: "Assistant", items: Iterable[Tuple[str, Optional[str]]]) -> AsyncIterator[Turn]:
    """One Turn per (text, sender); a line without a sender is a conversation of its own."""
    for text, sender in items:
        conversation = sender or f"cli-{uuid.uuid4().hex}"
        try:
            turn = await assistant.send(text, conversation)
        except Exception as error:  # one bad line must not lose the rest of the batch
            logger.exception("ask failed on a line")
            turn = Turn(text, "en", None, None, 0.0, [f"error: {type(error).__name__}"], False, sender=conversation)
        yield turn


async def _run(items: Iterable[Tuple[str, Optional[str]]], as_json: bool) -> int:
    assistant = Assistant.load()
    async for turn in answer_lines(assistant, items):
        _print_turn(turn, as_json)
    return 0


def main(text: Optional[str], sender: Optional[str], as_json: bool, jsonl: bool = False) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    _quiet_libraries()
    if jsonl:
        return asyncio.run(_run(_read_jsonl(sys.stdin), as_json=True))
    lines: Iterable[str] = [text] if text is not None else sys.stdin
    return asyncio.run(_run(((line.rstrip("\r\n"), sender) for line in lines), as_json))


def _quiet_libraries() -> None:
    # Rasa logs through structlog to standard output: keep stdout for the replies only
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl", "sanic", "apscheduler", "asyncio", "rasa_sdk"):
        logging.getLogger(name).setLevel(logging.ERROR)
