"""'delete my data' while a caseworker case is open, through the trained model, the production
tracker store and the case router the channels use (issue: on Telegram, hello → 1 → "I want to
talk to a person" → "delete my data" → 1 → /delete got no reply and erased nothing)."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from cases import routing, service
from content.knowledge import load_knowledge
from bot.model import latest_model
from channels.hooks import TO_CASE
from tests.conftest import trained_assistant_on_sqlite

pytestmark = pytest.mark.skipif(latest_model() is None, reason="needs a trained model (make train)")
KB = load_knowledge()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with trained_assistant_on_sqlite(tmp_path_factory.mktemp("erase-during-case")) as parts:
        yield parts


def say(agent, sender: str, message: str) -> list:
    """What the Telegram channel does: the case router first, then Rasa unless the case took it."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    if routing.on_inbound(sender, "telegram", message, None) == TO_CASE:
        return []
    out = CollectingOutputChannel()
    asyncio.run(agent.handle_message(UserMessage(message, out, sender, input_channel="telegram")))
    return [m.get("text") or "" for m in out.messages]


@pytest.mark.parametrize("request_words", ["delete my data", "/delete"])
def test_delete_my_data_while_a_case_is_open_erases_everything(stack, request_words):
    agent, store, engine = stack
    me = f"tg-{uuid.uuid4().hex}"
    say(agent, me, "hello")
    say(agent, me, "I want to talk to a person")
    say(agent, me, "yes")  # consent before a person follows up
    assert service.record_inbound(me, "my employer took my passport", engine=engine) is not None  # the case is open
    asked = say(agent, me, request_words.lstrip("/") if request_words == "/delete" else request_words)
    assert KB.text("delete_data_confirm", "en").split("\n")[0] in "\n".join(asked)
    done = say(agent, me, "1")
    assert KB.text("delete_data_done", "en").split("\n")[0] in "\n".join(done)
    assert asyncio.run(store.retrieve(me)) is None
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cases WHERE conversation_id = :c"), {"c": me}).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM case_messages")).scalar() == 0
