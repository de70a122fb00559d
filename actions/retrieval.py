"""Questions the intent classifier is unsure about: answer from the knowledge index.

Called by the `nlu_fallback` rule instead of `action_not_understood`:
1. a clear danger phrase (knowledge/safety_keywords.yml) -> the safety answer, urgent handoff;
2. one article clearly best (score >= ANSWER_SCORE and ANSWER_MARGIN above the 2nd) -> its answer;
3. some articles plausible (score >= CHOICE_SCORE) -> their titles as a numbered choice
   (options "topic:<id>", picked by actions/menu.py), plus "talk to a person";
4. nothing fits -> `not_understood` (which offers a person after repeated failures).
Thresholds were set on the held-out messages in tests/nlu_test (see bench/retrieval_eval.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import not_understood
from actions.knowledge_answer import answer_topic
from actions.replies import knowledge, send, topic_options, ui, user_language

logger = logging.getLogger(__name__)

ANSWER_SCORE = 0.88
ANSWER_MARGIN = 0.02
CHOICE_SCORE = 0.86
CHOICES = 3


@dataclass(frozen=True)
class Decision:
    kind: str                 # answer | choose | none
    topics: Tuple[str, ...] = ()


def decide(hits: Sequence[Any]) -> Decision:
    """What to do with the ranked hits (objects with .topic and .score), best first."""
    known = [h for h in hits if h.topic in knowledge().articles]
    if not known or known[0].score < CHOICE_SCORE:
        return Decision("none")
    margin = known[0].score - (known[1].score if len(known) > 1 else 0.0)
    if known[0].score >= ANSWER_SCORE and margin >= ANSWER_MARGIN:
        return Decision("answer", (known[0].topic,))
    return Decision("choose", tuple(h.topic for h in known[:CHOICES] if h.score >= CHOICE_SCORE))


def search(text: str) -> List[Any]:
    from bot.retrieval.index import get_index

    return get_index().search(text, k=CHOICES)


class ActionAnswerFromRetrieval(Action):
    def name(self) -> Text:
        return "action_answer_from_retrieval"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from bot.retrieval.safety import danger_phrase

        text = (tracker.latest_message or {}).get("text") or ""
        if danger_phrase(text):
            from actions.emergency import ActionEmergency

            return await ActionEmergency().run(dispatcher, tracker, domain)
        if not text.strip():
            return not_understood(dispatcher, tracker)
        try:
            decision = decide(search(text))
        except Exception:  # never leave the user without a reply because the index failed
            logger.exception("retrieval failed")
            decision = Decision("none")
        language = user_language(tracker)
        if decision.kind == "answer":
            return answer_topic(dispatcher, decision.topics[0], language)
        if decision.kind == "choose":
            events = send(dispatcher, ui("retrieval_choose", language), topic_options(decision.topics, language))
            return [SlotSet("failed_understandings", 0.0), *events]
        return not_understood(dispatcher, tracker)
