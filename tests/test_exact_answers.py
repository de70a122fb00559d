"""The exact question gets its exact answer, through the trained model and the actions (issue 12).

Phrasings written for this test, not copied from the entries or the held-out bench/answers.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.model import latest_model

pytestmark = pytest.mark.skipif(latest_model() is None, reason="needs a trained model (make train)")


@pytest.fixture(scope="module")
def assistant():
    from bot.ask import Assistant

    return Assistant.load()


def talk(assistant, *texts):
    async def run():
        sender = f"exact-{uuid.uuid4().hex}"
        return [await assistant.send(text, sender) for text in texts]
    return asyncio.run(run())


@pytest.mark.parametrize("topic_question, follow_up, entry", [
    ("what is voluntary return", "is it free?", "avr_cost"),
    ("c quoi le retour volontaire", "ça prend combien de temps ?", "avr_duration"),
    ("what is voluntary return", "and my wife and kids?", "avr_family"),
    ("ما هي العودة الطوعية", "بكم التذكرة؟", "avr_cost"),
])
def test_a_follow_up_after_the_topic_gets_the_specific_entry(assistant, topic_question, follow_up, entry):
    first, second = talk(assistant, topic_question, follow_up)
    assert first.answer == "avr_overview"
    assert second.answer == entry, (follow_up, second.intent, second.answer)


def test_the_general_question_keeps_the_topics_article_and_the_entry_leads_back_to_it(assistant):
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    first, second = talk(assistant, "what is voluntary return", "is it free?")
    assert first.answer == "avr_overview" and first.topic == "avr_overview"
    assert second.messages[0].startswith(kb.entries["avr_cost"].texts["en"].answer.strip()[:30])
    assert f"1. {kb.topic_title('avr_overview', 'en')}" in second.messages[0]
