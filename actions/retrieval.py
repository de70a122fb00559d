"""Questions the intent classifier is unsure about: answer from the knowledge index.

Called by the `nlu_fallback` rule instead of `action_not_understood`:
1. a clear danger phrase (knowledge/safety_keywords.yml) -> the safety answer, urgent handoff;
2. one article clearly best (score >= ANSWER_SCORE and ANSWER_MARGIN above the 2nd) -> its answer;
3. a message that says the person wants to go home ("bghit nrj3 l lmaghrib", "ina son komawa
   Niger") is about going home: the main need of a story wins;
4. a short message in a conversation that has a topic ("they open saturday?", "c anonyme?") is
   read as a follow-up: the classifier's follow-up intent if it ranked one (knowledge/follow_ups.yml),
   else the current topic again - once; a second unclear message in a row offers a person;
5. some articles plausible (score >= CHOICE_SCORE) -> their titles as a numbered choice
   (options "topic:<id>", picked by actions/menu.py), plus "talk to a person";
6. nothing fits -> `not_understood` (which offers a person after repeated failures).
Thresholds were set on the held-out messages in tests/nlu_test (see bench/retrieval_eval.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback, unanswered
from actions.conversation import not_understood
from actions.follow_up import answer_for, follow_up_table
from actions.knowledge_answer import answer_topic, best_answer, follow_ups_for
from actions.replies import knowledge, send, topic_options, ui, user_language
from bot.retrieval.countries import wants_to_go_home

logger = logging.getLogger(__name__)

ANSWER_SCORE = 0.88
ANSWER_MARGIN = 0.02
CHOICE_SCORE = 0.86
CHOICES = 3
GOING_HOME = "avr_overview"
FOLLOW_UP_MAX_WORDS = 15      # longer messages say enough to be judged on their own
FACET_MIN_CONFIDENCE = 0.1    # a follow-up intent this likely, under the fallback, is taken
GROUP_PRIOR = 0.5             # an unclear follow-up may ask about a neighbour of the current topic


@dataclass(frozen=True)
class Decision:
    kind: str                 # answer | choose | none
    topics: Tuple[str, ...] = ()


def decide(hits: Sequence[Any]) -> Decision:
    """What to do with the ranked hits (objects with .topic and .score), best first."""
    known = [h for h in hits if h.topic in knowledge().answers]
    if not known or known[0].score < CHOICE_SCORE:
        return Decision("none")
    margin = known[0].score - (known[1].score if len(known) > 1 else 0.0)
    if known[0].score >= ANSWER_SCORE and margin >= ANSWER_MARGIN:
        return Decision("answer", (known[0].topic,))
    return Decision("choose", tuple(h.topic for h in known[:CHOICES] if h.score >= CHOICE_SCORE))


def in_context(tracker: Tracker, text: str) -> Optional[str]:
    """The entry a short unclear message asks about, read as a follow-up of the current topic."""
    topic = tracker.get_slot("topic")
    if len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return None
    ranking = [r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    for ranked in ranking[:2]:
        if ranked.get("name") in follow_up_table() and float(ranked.get("confidence") or 0.0) >= FACET_MIN_CONFIDENCE:
            return answer_for(ranked["name"], topic)
    return topic if topic in knowledge().articles else None


def context_prior(topic: str) -> List[Dict[str, Any]]:
    """The intent ranking an unclear follow-up is read with: the conversation's topic first, the
    other topics of its menu group (going home: overview, eligibility, process) next."""
    group = next((g.topics for g in knowledge().menu_groups if topic in g.topics), (topic,))
    return [{"name": t, "confidence": 1.0 if t == topic else GROUP_PRIOR} for t in dict.fromkeys((topic, *group))]


@dataclass(frozen=True)
class Candidate:
    topic: str      # the answer id (a topic's article or a specific entry)
    score: float    # its best question's cosine similarity (the thresholds above are cosines)


def search(text: str, intent_ranking: Sequence[Dict[str, Any]] = ()) -> List[Any]:
    """The best answers (articles and specific entries) by the fused ranking, as cosine scores."""
    from bot.retrieval.answers import get_ranker

    prior = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in intent_ranking
             if r.get("name") != "nlu_fallback"}
    ranked = get_ranker().rank(text, prior, k=CHOICES + 2)
    return sorted((Candidate(r.answer, r.dense) for r in ranked), key=lambda c: -c.score)[:CHOICES]


class ActionAnswerFromRetrieval(Action):
    def name(self) -> Text:
        return "action_answer_from_retrieval"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events = await self._answer(dispatcher, tracker, domain)
        unanswered.note(tracker, events)  # the content team's list of questions without a good answer
        return events

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from bot.retrieval.safety import danger_phrase

        text = (tracker.latest_message or {}).get("text") or ""
        if danger_phrase(text):
            from actions.emergency import ActionEmergency

            return await ActionEmergency().run(dispatcher, tracker, domain)
        if not text.strip():
            return not_understood(dispatcher, tracker)
        try:
            decision = decide(search(text, tracker.latest_message.get("intent_ranking") or []))
        except Exception:  # never leave the user without a reply because the index failed
            logger.exception("retrieval failed")
            decision = Decision("none")
        language = user_language(tracker)
        if decision.kind == "answer":
            return answer_topic(dispatcher, decision.topics[0], language, max_follow_ups=follow_ups_for(tracker),
                                ask_feedback=feedback.due(tracker))
        if wants_to_go_home(text):
            return answer_topic(dispatcher, GOING_HOME, language, max_follow_ups=follow_ups_for(tracker),
                                ask_feedback=feedback.due(tracker))
        follow_up = in_context(tracker, text)
        if follow_up is not None:
            failures = int(tracker.get_slot("failed_understandings") or 0) + 1
            if failures >= 2:  # the same topic again would not help: offer a person
                return not_understood(dispatcher, tracker)
            choices: Tuple[str, ...] = ()
            if follow_up in knowledge().articles:  # "but I have no money" after the return answer: the
                # most specific answer of the conversation's topic (or of its menu group), not the article again
                follow_up, choices = best_answer(text, follow_up, context_prior(follow_up), current_topic=follow_up)
            if choices:
                events = send(dispatcher, ui("retrieval_choose", language), topic_options(choices, language))
                return [*events, SlotSet("failed_understandings", float(failures))]
            return [*answer_topic(dispatcher, follow_up, language, ask_feedback=feedback.due(tracker)),
                    SlotSet("failed_understandings", float(failures))]
        if decision.kind == "choose":
            events = send(dispatcher, ui("retrieval_choose", language), topic_options(decision.topics, language))
            return [SlotSet("failed_understandings", 0.0), *events]
        return not_understood(dispatcher, tracker)
