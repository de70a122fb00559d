"""Follow-ups read in context: "is it free?" after the return answer, "their number?" after the
embassy answer, "how can he get out?" after the detention answer.

The follow-up intents (ask_cost, ask_duration, ask_family, ask_where, ask_contact, ask_how) say
*what* is asked; the `topic` slot (the last knowledge answer) says *about what*.
knowledge/follow_ups.yml maps the pair to the entry that answers it - content as data.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback
from actions.knowledge_answer import answer_in_context, answer_topic, first_turn_chars, follow_ups_for, host_country
from actions.replies import knowledge, not_understood, user_language
from core.paths import KNOWLEDGE_DIR
from retrieval.story_needs import answer_instead

FOLLOW_UPS_FILE = KNOWLEDGE_DIR / "follow_ups.yml"
FOLLOW_UP_MAX_WORDS = 15      # longer messages say enough to be judged on their own
FACET_MIN_CONFIDENCE = 0.1    # a follow-up intent this likely, when the top intent is unsure, is taken


@lru_cache(maxsize=1)
def follow_up_table() -> Dict[str, Dict[str, Any]]:
    return yaml.safe_load(FOLLOW_UPS_FILE.read_text(encoding="utf-8")) or {}


def answer_for(intent: str, topic: Optional[str], answer: Optional[str] = None) -> Optional[str]:
    """The entry that answers follow-up `intent` in a conversation about `topic` whose last answer
    was `answer` (an entry of the topic, the topic's article, or None)."""
    rule = follow_up_table().get(intent)
    if rule is None:
        return None
    after = rule.get("after") or {}
    answers = knowledge().answers
    if answer not in answers or answers[answer].parent != topic:  # stale: a flow set the topic since
        answer = None
    if answer and answer in after:  # the last answer's own rule first ("where?" after the counselling
        return str(after[answer])   # answer is about counselling, not the medical topic it belongs to)
    if topic and topic in after:
        return str(after[topic])
    if topic and rule.get("same_topic"):  # after a specific entry, that entry ("how much is it?" after
        return answer or topic            # the exit-visa answer), not the topic's general article
    return str(rule.get("default")) if rule.get("default") else None


def ranked_follow_up(tracker: Tracker, depth: int = 2) -> Optional[str]:
    """The entry a short message asks about when the conversation has a topic and the classifier,
    unsure of its top intent, still ranked a follow-up intent ("قداش؟" after the reintegration
    answer: out_of_scope 0.30, ask_duration 0.16)."""
    topic = tracker.get_slot("topic")
    text = (tracker.latest_message or {}).get("text") or ""
    if not topic or len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return None
    intent = ranked_follow_up_intent(tracker, depth)
    return answer_for(intent, topic, tracker.get_slot("answer")) if intent else None


def classifier_ranking(tracker: Tracker) -> List[Dict[str, Any]]:
    """The intent classifier's ranking of the latest message without `nlu_fallback` (what it would have
    said had it been sure enough)."""
    return [r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]


def ranked_follow_up_intent(tracker: Tracker, depth: int) -> Optional[str]:
    """The first follow-up intent among the classifier's best `depth`, if it is likely enough."""
    for ranked in classifier_ranking(tracker)[:depth]:
        if ranked.get("name") in follow_up_table() and float(ranked.get("confidence") or 0.0) >= FACET_MIN_CONFIDENCE:
            return str(ranked["name"])
    return None


class ActionAnswerFollowUp(Action):
    def name(self) -> Text:
        return "action_answer_follow_up"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        entry = answer_for(intent, tracker.get_slot("topic"), tracker.get_slot("answer"))
        if entry not in knowledge().answers:
            return not_understood(dispatcher, tracker)
        # what the message says, then what the answer sent last makes of it, in the order of every
        # other answer (fitted_answer, then answer_in_context): "before then, where do we sleep?" is a
        # place to sleep, not where to ask for the return (story_needs.yml `instead`); "how does he
        # get out?" after the embassy's visit to detention is how detention ends, not the laissez-passer
        text = (tracker.latest_message or {}).get("text") or ""
        entry = answer_in_context(tracker, answer_instead(entry, text), text)
        language = user_language(tracker)
        return answer_topic(dispatcher, entry, language, max_follow_ups=follow_ups_for(tracker),
                            country=host_country(tracker), max_chars=first_turn_chars(tracker, language),
                            ask_feedback=feedback.due(tracker))
