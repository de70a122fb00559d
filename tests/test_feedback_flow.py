"""The feedback loop through the trained model, the production tracker store and the project
database: the rating question rides in the second answer's own message, a typed 👍 is counted, a
tapped thumb never answers the consent question, and a question without a good answer is kept
redacted - and forgotten when the person then declines consent."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any, Dict, List, Optional

import pytest
from sqlalchemy import text

from insights.store import week_of
from content.knowledge import load_knowledge
from bot.model import latest_model
from channels import menu_token
from tests.conftest import trained_assistant_on_sqlite

pytestmark = pytest.mark.skipif(latest_model() is None, reason="needs a trained model (make train)")
KB = load_knowledge()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with trained_assistant_on_sqlite(tmp_path_factory.mktemp("feedback-flow")) as parts:
        yield parts


def say(agent, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """One turn as a channel delivers it; the replies with text (and their buttons)."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    out = CollectingOutputChannel()
    asyncio.run(agent.handle_message(UserMessage(message, out, sender, input_channel="telegram", metadata=metadata)))
    return [m for m in out.messages if m.get("text")]


def rows(engine, sql: str) -> list:
    with engine.connect() as connection:
        return connection.execute(text(sql)).all()


def test_the_second_answer_asks_in_its_own_message_and_a_typed_thumb_is_counted(stack):
    agent, _store, engine = stack
    me = f"tg-{uuid.uuid4().hex}"
    first = say(agent, me, "c quoi le retour volontaire")
    assert not any(KB.text("feedback_question", "fr") in m["text"] for m in first)  # never in the first turn
    say(agent, me, "oui")
    second = say(agent, me, "c'est gratuit ?")
    [answer] = second  # one message: the answer, its menu and the question
    assert answer["text"].endswith(KB.text("feedback_question", "fr"))
    thumbs = [b for b in answer["buttons"] if not b["payload"].isdigit()]
    assert [b["payload"] for b in thumbs] == ["👍", "👎"] and thumbs[0]["option"].startswith("up:")
    rated = thumbs[0]["option"].split(":", 1)[1]
    thanks = say(agent, me, "👍")
    assert [m["text"] for m in thanks] == [KB.text("feedback_thanks", "fr")]
    assert rows(engine, f"SELECT answer_id, language, week, helpful, count FROM answer_feedback WHERE answer_id = '{rated}'") \
        == [(rated, "fr", str(week_of(dt.date.today())), 1, 1)]
    later = say(agent, me, "et ça prend combien de temps ?")  # understood as usual, not asked again so soon
    assert later and not any(KB.text("feedback_question", "fr") in m["text"] for m in later)
    assert KB.text("not_understood", "fr") not in later[0]["text"]


def test_a_tapped_thumb_never_answers_the_consent_question(stack):
    agent, store, engine = stack
    me = f"tg-{uuid.uuid4().hex}"
    say(agent, me, "what is voluntary return")  # the consent question comes with the first answer
    say(agent, me, "is it free")
    asked = say(agent, me, "how long does it take")  # the consent question can no longer be answered by then
    assert asked[-1]["text"].endswith(KB.text("feedback_question", "en"))
    option = next(b["option"] for b in asked[-1]["buttons"] if b["payload"] == "👍")
    say(agent, me, "i want to talk to a real person")  # asks for consent first
    assert asyncio.run(store.retrieve(me)).get_slot("pending_confirmation") == "consent"
    token = menu_token.make(me, menu_token.new_menu_id(), 0, option)
    tapped = menu_token.tap_metadata(me, token)
    assert tapped["text"] == "👍"
    thanks = say(agent, me, tapped["text"], tapped["metadata"])
    assert [m["text"] for m in thanks] == [KB.text("feedback_thanks", "en")]
    tracker = asyncio.run(store.retrieve(me))
    assert tracker.get_slot("consent") is None and not tracker.get_slot("handoff")
    assert rows(engine, f"SELECT count FROM answer_feedback WHERE answer_id = '{option.split(':', 1)[1]}' "
                        "AND language = 'en'")[0][0] >= 1


def test_an_unanswered_question_is_kept_redacted_and_forgotten_when_consent_is_declined(stack):
    agent, _store, engine = stack
    me = f"tg-{uuid.uuid4().hex}"
    say(agent, me, "my name is Awa Diallo, can my goat Bella sleep in the bus to Agadez")
    kept = rows(engine, f"SELECT text, language, outcome FROM unanswered_questions WHERE conversation_id = '{me}'")
    assert kept, "a question the assistant could not answer well is kept"
    stored = kept[0][0]
    assert stored == "my name is [name], can my goat [name] sleep in the bus to [place]"
    say(agent, me, "no")  # declines keeping the conversation
    assert rows(engine, f"SELECT count(*) FROM unanswered_questions WHERE conversation_id = '{me}'") == [(0,)]
