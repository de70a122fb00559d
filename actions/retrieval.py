"""Questions the intent classifier is unsure about: answer from the knowledge index.

Called by the `nlu_fallback` rule instead of `action_not_understood`:
1. a clear danger phrase (knowledge/safety_keywords.yml) -> the safety answer, urgent handoff;
2. one answer clearly best - the fused ranking's lead >= FALLBACK_LEAD, or its dense cosine
   >= ANSWER_SCORE and ANSWER_MARGIN above the rest - and plausible (cosine >= CHOICE_SCORE) -> it;
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
from actions.consular_offer import consular_for_a_country
from actions.conversation import SMALL_TALK_ACTIONS
from actions.follow_up import FOLLOW_UP_MAX_WORDS, classifier_ranking, ranked_follow_up, ranked_follow_up_intent
from actions.fitted_answer import GOING_HOME, fitted_answer, home_not_risk
from actions.knowledge_answer import (
    answer_in_context,
    answer_topic,
    best_answer,
    context_prior,
    first_turn_chars,
    follow_ups_for,
    question_context,
    start_screening_instead,
)
from actions.replies import knowledge, not_understood, send, topic_options, ui, user_language
from language.text import QUESTION_MARKS
from retrieval.story_needs import answer_instead, speaks_of_going_home

logger = logging.getLogger(__name__)

ANSWER_SCORE = 0.88
ANSWER_MARGIN = 0.02
CHOICE_SCORE = 0.86
# the fused ranking's lead (dense + character TF-IDF, the intent as a weak prior) from which its best
# answer is sent. bench/answer_tuning.py --fallback (leave one out, no prior): from a lead of 0.10 the
# best answer is right more often than not (50-53 %; 29-47 % below 0.10); dense cosines alone read
# dialect Arabic and Arabizi poorly, so before this the fallback answered only 31 % of Arabic phrasings
FALLBACK_LEAD = 0.10
CHOICES = 3
SMALL_TALK = tuple(SMALL_TALK_ACTIONS)
SMALL_TALK_MAX_WORDS = 3
SMALL_TALK_MIN = 0.2
CONTEXT_MAX_WORDS = 8        # a message this short, under the fallback, is read with the conversation's topic
CONTEXT_WEIGHT = 1.0         # ... as a prior this strong (the intent's own prior is its probability);
                             # tuned on bench/conversations_dev: 0 -> 1.0 took follow-ups 66.9 -> 68.1 %


@dataclass(frozen=True)
class Decision:
    kind: str                 # answer | choose | none
    topics: Tuple[str, ...] = ()


def decide(hits: Sequence[Any]) -> Decision:
    """What to do with the ranked hits, best first (objects with .topic, .score - the dense cosine -
    and optionally .fused, the ranker's fused score that orders them)."""
    known = [h for h in hits if h.topic in knowledge().answers]
    plausible = [h for h in known if h.score >= CHOICE_SCORE]
    if not plausible:
        return Decision("none")
    best = known[0]
    runner_up = known[1] if len(known) > 1 else None
    dense_margin = best.score - max((h.score for h in known[1:]), default=0.0)
    fused_lead = _fused(best) - (_fused(runner_up) if runner_up is not None else 0.0)
    if best.score >= CHOICE_SCORE and (fused_lead >= FALLBACK_LEAD
                                       or (best.score >= ANSWER_SCORE and dense_margin >= ANSWER_MARGIN)):
        return Decision("answer", (best.topic,))
    return Decision("choose", tuple(h.topic for h in plausible[:CHOICES]))


def _fused(hit: Any) -> float:
    return float(getattr(hit, "fused", hit.score))


def intent_topic(tracker: Tracker) -> Optional[str]:
    """The topic the classifier ranked first, under the fallback (its confidence too low to answer by)."""
    ranking = classifier_ranking(tracker)
    return str(ranking[0]["name"]) if ranking and ranking[0].get("name") in knowledge().articles else None


def in_context(tracker: Tracker, text: str) -> Optional[str]:
    """The entry a short unclear message asks about, read as a follow-up of the current topic."""
    topic = tracker.get_slot("topic")
    if len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return None
    return ranked_follow_up(tracker) or (topic if topic in knowledge().articles else None)


def small_talk_intent(tracker: Tracker, text: str) -> Optional[str]:
    """The small-talk intent a short message under the fallback most likely is ("ok thx", "mr6"):
    never answered from the knowledge base, whose nearest answer would be a guess."""
    # never a question: one with a question mark, or one the classifier also reads as a follow-up
    if len(text.split()) > SMALL_TALK_MAX_WORDS or QUESTION_MARKS & set(text):
        return None
    if ranked_follow_up_intent(tracker, depth=3):
        return None  # "طيب عنوانهم" (ok, their address): affirm 0.22, ask_contact 0.17 - a question
    ranking = classifier_ranking(tracker)
    if ranking and ranking[0].get("name") in SMALL_TALK and float(ranking[0].get("confidence") or 0) >= SMALL_TALK_MIN:
        return str(ranking[0]["name"])
    return None


def ranking_in_context(tracker: Tracker, text: str) -> List[Dict[str, Any]]:
    """The intent ranking a message under the fallback is searched with: a short message in a
    conversation that has a topic also leans towards that topic ("they give food?" after the
    centres answer), as a prior no stronger than CONTEXT_WEIGHT."""
    ranking = [dict(r) for r in tracker.latest_message.get("intent_ranking") or []]
    topic = tracker.get_slot("topic")
    if topic not in knowledge().articles or len(text.split()) > CONTEXT_MAX_WORDS:
        return ranking
    confidence = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in ranking}
    for context in context_prior(topic):
        confidence[context["name"]] = max(confidence.get(context["name"], 0.0), CONTEXT_WEIGHT * context["confidence"])
    return [{"name": name, "confidence": value} for name, value in confidence.items()]


@dataclass(frozen=True)
class Candidate:
    topic: str      # the answer id (a topic's article or a specific entry)
    score: float    # its best question's cosine similarity (the score thresholds above are cosines)
    fused: float    # the ranker's fused score (the order, and FALLBACK_LEAD)


def search(text: str, intent_ranking: Sequence[Dict[str, Any]] = (), context: Optional[str] = None) -> List[Any]:
    """The best answers (articles and specific entries), in the fused ranking's order; `context`:
    the person's previous question, read with a short message (retrieval.answers)."""
    from retrieval.answers import get_ranker

    prior = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in intent_ranking
             if r.get("name") != "nlu_fallback"}
    ranked = get_ranker().rank(text, prior, k=CHOICES + 2, context=context, story=False)
    return [Candidate(r.answer, r.dense, r.score) for r in ranked]


class ActionAnswerFromRetrieval(Action):
    def name(self) -> Text:
        return "action_answer_from_retrieval"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events = await self._answer(dispatcher, tracker, domain)
        unanswered.note(tracker, events)  # the content team's list of questions without a good answer
        return events

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from retrieval.safety import danger_phrase

        text = (tracker.latest_message or {}).get("text") or ""
        if danger_phrase(text):
            from actions.emergency import ActionEmergency

            return await ActionEmergency().run(dispatcher, tracker, domain)
        if not text.strip():
            return not_understood(dispatcher, tracker)
        consular = consular_for_a_country(tracker, text)  # "south sudan" after the papers answer
        if consular:
            return consular
        small_talk = small_talk_intent(tracker, text)
        if small_talk is not None:  # "ok thx": thanks 0.51, affirm 0.47 - unsure which, sure it is no question
            return await SMALL_TALK_ACTIONS[small_talk]().run(dispatcher, tracker, domain)
        # a short message is searched after the person's previous question, as exact answers are.
        # Tuning sets, follow-ups right: dev 72.0 -> 72.0 % (+2/-2 turns), dev2 67.8 -> 69.0 %
        context = question_context(tracker, text)
        try:
            decision = decide(search(text, ranking_in_context(tracker, text), context=context))
        except Exception:  # never leave the user without a reply because the index failed
            logger.exception("retrieval failed")
            decision = Decision("none")
        language = user_language(tracker)
        # the search's answer, else going home when the message wishes it (or refuses it: then the
        # answer for those who cannot go home, story_needs.yml `instead`): fitted to this person
        found = decision.topics[0] if decision.kind == "answer" else \
            GOING_HOME if speaks_of_going_home(text) else None
        if found is not None and home_not_risk(found, text):  # "no work here, can I get help to go back?":
            found = GOING_HOME                                  # going home, not the signs of trafficking
        if found is not None:
            answer = fitted_answer(found, text, tracker.get_slot("topic"), intent_topic(tracker))
            answer = answer_in_context(tracker, answer, text)
            screening = start_screening_instead(tracker, answer, text)
            if screening:
                return screening
            return answer_topic(dispatcher, answer, language, max_follow_ups=follow_ups_for(tracker),
                                max_chars=first_turn_chars(tracker, language), ask_feedback=feedback.due(tracker))
        follow_up = in_context(tracker, text)
        if follow_up is not None:
            failures = int(tracker.get_slot("failed_understandings") or 0) + 1
            if failures >= 2:  # the same topic again would not help: offer a person
                return not_understood(dispatcher, tracker)
            nearby: Tuple[str, ...] = ()
            if follow_up in knowledge().articles:  # "but I have no money" after the return answer: the
                # most specific answer of the conversation's topic (or of its menu group), not the article again
                follow_up, nearby = best_answer(text, follow_up, context_prior(follow_up),  # the context is the prior
                                                context=context, conversation_topic=tracker.get_slot("topic"))
            else:  # an entry: what the message says, as best_answer's answers get (story_needs.yml `instead`)
                follow_up = answer_instead(follow_up, text)
            follow_up = answer_in_context(tracker, follow_up, text)
            return [*answer_topic(dispatcher, follow_up, language, ask_feedback=feedback.due(tracker), nearby=nearby),
                    SlotSet("failed_understandings", float(failures))]
        if decision.kind == "choose":
            events = send(dispatcher, ui("retrieval_choose", language), topic_options(decision.topics, language))
            return [SlotSet("failed_understandings", 0.0), *events]
        return not_understood(dispatcher, tracker)
