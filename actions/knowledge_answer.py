"""Answer a knowledge topic: the article's first answer in the user's language, then follow-ups."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import knowledge, send, topic_options, ui, unreviewed_note, user_language


# A story ("I am in Libya 2 years, my boss took my passport, I want to go back to Nigeria") has a
# main need (the intent) and often a second one: offered as the first option, never answered
# instead of the main one.
STORY_MIN_WORDS = 10
# answers that offer a guided flow as one more option of their own menu (inside the same bubble)
FLOW_OFFERS = {"avr_eligibility": ("flow:screening", "menu_check_situation")}
# the first turn also carries the consent question: its answer offers fewer follow-ups, so the
# whole turn stays within what a migrant pays for (about 700 characters)
FIRST_TURN_FOLLOW_UPS = 2


def first_turn(tracker: Tracker) -> bool:
    return not any(e.get("event") == "bot" for e in tracker.events)


def follow_ups_for(tracker: Tracker) -> Optional[int]:
    """How many follow-ups the answer in this turn may offer (None: all of them)."""
    return FIRST_TURN_FOLLOW_UPS if first_turn(tracker) else None
SECOND_NEED_MIN_CONFIDENCE = 0.12


def second_need(tracker: Tracker, topic: str) -> Optional[str]:
    """Another topic a long message also asks about (from a different menu group), or None."""
    text = tracker.latest_message.get("text") or ""
    if len(text.split()) < STORY_MIN_WORDS:
        return None
    kb = knowledge()
    group_of = {t: g.id for g in kb.menu_groups for t in g.topics}
    for ranked in (tracker.latest_message.get("intent_ranking") or [])[1:4]:
        name, confidence = ranked.get("name"), float(ranked.get("confidence") or 0.0)
        if confidence < SECOND_NEED_MIN_CONFIDENCE:
            break
        if name in kb.articles and name != topic and group_of.get(name) != group_of.get(topic):
            return name
    return None


def answer_topic(dispatcher: CollectingDispatcher, topic: str, language: str, also: Optional[str] = None,
                 max_follow_ups: Optional[int] = None) -> List[EventType]:
    kb = knowledge()
    article = kb.articles[topic]
    text, used_language = kb.article_text(topic, language)
    parts = [text.answer, ui("also_mentioned", language) if also else "",
             unreviewed_note(language, text.reviewed and used_language == language)]
    body = "\n\n".join(p for p in parts if p)
    custom = {"topic": topic, "sources": [s.get("file") or s.get("url") for s in article.sources]}
    follow_ups = [also, *(t for t in article.follow_ups if t != also)] if also else list(article.follow_ups)
    follow_ups = follow_ups[:max_follow_ups] if max_follow_ups is not None else follow_ups
    options = topic_options(follow_ups, language)
    if topic in FLOW_OFFERS:
        flow, title_key = FLOW_OFFERS[topic]
        options.insert(len(options) - 1, (flow, ui(title_key, language)))  # before "Talk to a person"
    events = send(dispatcher, body, options, custom=custom)
    return [SlotSet("topic", topic), SlotSet("failed_understandings", 0.0), *events]


class ActionAnswerTopic(Action):
    def name(self) -> Text:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        topic = (tracker.latest_message.get("intent") or {}).get("name")
        if topic not in knowledge().articles:
            # only reachable if a topic intent exists without its article: say so, never guess
            from actions.conversation import not_understood

            return not_understood(dispatcher, tracker)
        return answer_topic(dispatcher, topic, user_language(tracker), also=second_need(tracker, topic),
                            max_follow_ups=follow_ups_for(tracker))
