"""Answer a knowledge topic: the article's first answer in the user's language, then follow-ups."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import knowledge, send, topic_options, unreviewed_note, user_language


def answer_topic(dispatcher: CollectingDispatcher, topic: str, language: str) -> List[EventType]:
    kb = knowledge()
    article = kb.articles[topic]
    text, used_language = kb.article_text(topic, language)
    body = "\n\n".join(p for p in (text.answer, unreviewed_note(language, text.reviewed and used_language == language)) if p)
    custom = {"topic": topic, "sources": [s.get("file") or s.get("url") for s in article.sources]}
    events = send(dispatcher, body, topic_options(article.follow_ups, language), custom=custom)
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
        return answer_topic(dispatcher, topic, user_language(tracker))
