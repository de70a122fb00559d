"""Consent through the trained model and the production tracker store (SQL, here on SQLite).

The policy appends the notice where the first turn ends; "non" declines (a number never does: it
picks from the menu shown in the same turn), after which the store holds no text of the
conversation, the assistant still answers, guided flows still work, and asking for a person
asks for consent first. An emergency never waits for consent and stays with the team.
"""
from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from sqlalchemy import create_engine, text

from content.knowledge import load_knowledge
from bot.model import latest_model

pytestmark = pytest.mark.skipif(latest_model() is None, reason="needs a trained model (make train)")
KB = load_knowledge()


class Bot:
    def __init__(self, agent, store, db):
        self.agent, self.store, self.db = agent, store, db

    def say(self, message: str, sender: str, channel: str = "rest") -> list:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        out = CollectingOutputChannel()
        asyncio.run(self.agent.handle_message(UserMessage(message, out, sender, input_channel=channel)))
        return [m["text"] for m in out.messages if m.get("text")]

    def tracker(self, sender: str):
        return asyncio.run(self.store.retrieve(sender))

    def stored(self, sender: str) -> str:
        engine = create_engine(self.db)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                                      {"s": sender}).all()
        engine.dispose()
        return "\n".join(f"{kind} {data}" for kind, data in rows)


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    from rasa.core.agent import Agent

    from bot.inprocess_actions import InProcessActionEndpoint
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    path = tmp_path_factory.mktemp("tracker") / "tracker.db"
    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(path))
    agent = Agent.load(str(latest_model()), tracker_store=store, action_endpoint=InProcessActionEndpoint())
    return Bot(agent, store, f"sqlite:///{path}")


def sender() -> str:
    return f"web-{uuid.uuid4().hex}"


def test_first_turn_answers_then_asks_and_the_next_turn_does_not_ask_again(bot):
    me = sender()
    first = bot.say("c quoi le retour volontaire", me)
    assert first[0].startswith(KB.articles["avr_overview"].texts["fr"].answer.strip()[:30])
    assert KB.text("intro_consent", "fr") in "\n\n".join(first)
    assert len(first) <= 3 and len("".join(first)) <= 700  # a migrant's data costs money
    second = bot.say("c'est dangereux la mer ?", me)
    assert not {KB.text("consent_short", "fr"), KB.text("intro_consent", "fr")} & set(second)
    assert bot.tracker(me).get_slot("consent") is None  # unanswered: not a refusal


def test_emergency_first_gets_the_safety_answer_with_a_one_line_notice_and_stays_with_the_team(bot):
    me = sender()
    replies = bot.say("help we are lost in the desert now", me)
    # one message on the channels (Rasa's collector here splits paragraphs)
    assert "\n\n".join(replies) == KB.text("emergency_safety", "en") + "\n\n" + KB.text("emergency_notice_line", "en")
    for later in ("please hurry", "we are 50", "hello", "2", "what is voluntary return"):
        assert bot.say(later, me) == [KB.text("emergency_ack", "en")], later
    assert bot.tracker(me).get_slot("consent") is None  # never asked in the middle of an emergency


def test_a_menu_number_after_the_first_turn_picks_from_the_menu_not_consent(bot):
    me = sender()
    bot.say("hello", me)
    picked = bot.say("2", me)
    assert picked[0].startswith(KB.text("group_return", "en"))
    assert bot.tracker(me).get_slot("consent") is None
    handoff = bot.say("5", me)  # "Talk to a person" is not "that number is not in the menu"
    assert handoff and handoff[0] != KB.text("option_invalid", "en")


def test_declined_conversation_keeps_no_text_but_still_gets_answers(bot):
    me = sender()
    bot.say("je suis à Agadez, c quoi le retour volontaire", me)
    declined = bot.say("non", me)
    assert declined[0] == KB.text("consent_declined", "fr")
    stored = bot.stored(me)
    assert "Agadez" not in stored and "retour" not in stored and '"user"' not in stored
    assert {line.split()[0] for line in stored.splitlines()} <= {"action", "session_started", "slot"}

    answer = bot.say("et les dangers de la mer", me)
    assert answer and KB.text("not_understood", "fr") not in answer
    tracker = bot.tracker(me)
    assert tracker.get_slot("consent") == "declined" and tracker.get_slot("language") == "fr"
    assert "dangers" not in bot.stored(me)
    # the answer's menu still works: "1" picks its first follow-up
    picked = bot.say("1", me)
    assert picked and picked[0] != KB.text("option_invalid", "fr")


def test_declined_then_a_person_asks_for_consent_again(bot):
    me = sender()
    bot.say("what is voluntary return", me)
    bot.say("no", me)
    asked = bot.say("i want to talk to a real person", me)
    assert asked == [KB.text("consent_before_handoff", "en")]
    assert not bot.tracker(me).get_slot("handoff")
    given = bot.say("yes", me)
    assert given and given[0] != KB.text("consent_given", "en")  # straight on to the person
    tracker = bot.tracker(me)
    assert tracker.get_slot("consent") == "given" and tracker.get_slot("handoff") is True
    assert '"user"' in bot.stored(me)  # from now on the conversation is kept


def test_a_guided_flow_works_for_a_declined_conversation_and_its_answers_go_when_it_ends(bot):
    me = sender()
    bot.say("hello", me)
    bot.say("no", me)
    assert bot.say("can you check if i can go back home", me)[-1] == KB.text("ask_host_country", "en")
    assert bot.say("Libya", me)[-1] == KB.text("ask_nationality", "en")
    assert json.dumps("libya") in bot.stored(me)  # needed while the flow runs...
    assert bot.say("stop", me)[0] == KB.text("form_stopped", "en")
    assert "libya" not in bot.stored(me).lower()  # ...and gone when it ends


def test_the_flow_started_first_is_not_interrupted_by_the_question(bot):
    me = sender()
    replies = bot.say("can you check if i can go back home", me)
    assert replies[-1] == KB.text("ask_host_country", "en")
    assert KB.text("intro_consent", "en") not in "\n\n".join(replies)
    stopped = bot.say("stop", me)
    assert stopped[0] == KB.text("form_stopped", "en") and KB.text("intro_consent", "en") in "\n\n".join(stopped)
