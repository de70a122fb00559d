"""Was this helpful? 👍 / 👎 (actions/feedback.py): when it is asked, how it rides in the answer's
own message without touching the menu's numbers, and how a typed or tapped thumb is counted -
per answer, language and week, nothing else."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import feedback
from actions.conversation import ActionNoise
from actions.knowledge_answer import answer_topic
from actions.menu import chosen_option
from insights.models import AnswerFeedback
from insights.store import settled, week_of
from content.knowledge import load_knowledge
from channels import menu_token, whatsapp_content
from channels.telegram_sender import inline_keyboard
from testing import case_support as support
from testing.trackers import make_tracker

KB = load_knowledge()
ME = "tg-5f1c0d7e9a2b4c6d8e0f1a2b3c4d5e6f"


def answered(answer_id: str, asked: bool = False) -> List[Dict[str, Any]]:
    """One earlier turn that got a knowledge answer (asking for a rating or not)."""
    custom: Dict[str, Any] = {"answer": answer_id, "topic": KB.answers[answer_id].parent}
    if asked:
        custom[feedback.ASKED] = answer_id
    return [{"event": "user", "text": "a question", "input_channel": "telegram"},
            {"event": "bot", "text": "the answer", "data": {"custom": custom}}]


def conversation(history: List[Dict[str, Any]], text: str = "is it free", channel: Optional[str] = "telegram",
                 slots: Optional[Dict[str, Any]] = None, metadata: Optional[Dict[str, Any]] = None,
                 active_loop: Optional[Dict[str, Any]] = None) -> Tracker:
    return make_tracker(text, "ask_cost", 0.9, sender_id=ME, history=history, channel=channel, metadata=metadata or {},
                        slots={"language": "en", "consent": "given", "consent_asked": True, **(slots or {})},
                        active_loop=active_loop)


def counts(engine) -> Dict[tuple, int]:
    with engine.connect() as connection:
        rows = connection.execute(select(AnswerFeedback.answer_id, AnswerFeedback.language, AnswerFeedback.week,
                                         AnswerFeedback.helpful, AnswerFeedback.count)).all()
    return {(a, lang, week, helpful): n for a, lang, week, helpful, n in rows}


def rate(tracker: Tracker) -> CollectingDispatcher:
    async def run() -> CollectingDispatcher:
        dispatcher = CollectingDispatcher()
        await ActionNoise().run(dispatcher, tracker, {})
        await settled()
        return dispatcher
    return asyncio.run(run())


# -- when ------------------------------------------------------------------------------------

def test_never_in_the_first_turn_nor_before_the_second_answer_then_at_most_every_fourth():
    assert not feedback.due(conversation([]))                       # first turn
    assert feedback.due(conversation(answered("avr_overview")))     # the second answer
    asked = answered("avr_overview") + answered("avr_cost", asked=True)
    for later in range(1, 6):
        history = asked + [e for _ in range(later - 1) for e in answered("avr_process")]
        assert feedback.due(conversation(history)) is (later >= feedback.EVERY), later


@pytest.mark.parametrize("slots, loop", [
    ({"consent": "declined"}, None),                                  # declined: nothing asked of them
    ({"consent": None, "consent_asked": None}, None),                 # the privacy notice is still to come
    ({"emergency_active": True}, None),                               # during an emergency
    ({"pending_confirmation": "delete_data"}, None),                  # a yes/no question waits
    ({}, {"name": "eligibility_form"}),                               # a guided flow runs
])
def test_never_during_an_emergency_a_flow_a_question_or_without_consent(slots, loop):
    assert feedback.due(conversation(answered("avr_overview"))), "the baseline would ask"
    assert not feedback.due(conversation(answered("avr_overview"), slots=slots, active_loop=loop))


def test_never_after_an_emergency_nor_while_the_consent_question_can_still_be_answered():
    after = answered("avr_overview") + [{"event": "action", "name": "action_emergency"}]
    assert not feedback.due(conversation(after))
    question = [{"event": "slot", "name": "pending_confirmation", "value": "consent"}]
    waiting = {"pending_confirmation": "consent", "consent": None}
    assert not feedback.due(conversation(answered("avr_overview") + question, slots=waiting))  # next message may say 👍
    ignored = question + answered("avr_overview") + answered("avr_cost")
    assert feedback.due(conversation(ignored, slots=waiting))  # the question can no longer be answered


def test_never_while_a_case_is_open(db):
    from cases import service

    handed = {"handoff": True}
    service.open_or_update_case(ME, "telegram", "en", "avr_overview", engine=db)
    assert not feedback.due(conversation(answered("avr_overview"), slots=handed))
    case_id, supervisor = service.active_case_id(ME, engine=db), support_actor(db)
    service.assign(case_id, supervisor, supervisor.id, engine=db)
    asyncio.run(service.resolve(case_id, supervisor, support.FakeChannel().send, engine=db))
    assert feedback.due(conversation(answered("avr_overview"), slots=handed))  # resolved: the assistant is back


def support_actor(db):
    from cases import accounts

    return accounts.create("sup", "lantern orbit fennel 42", "supervisor", engine=db)


# -- how -------------------------------------------------------------------------------------

def test_the_question_rides_under_the_menu_in_the_same_message_and_numbers_still_pick_the_menu():
    dispatcher = CollectingDispatcher()
    events = answer_topic(dispatcher, "avr_cost", "fr", ask_feedback=True)
    assert len(dispatcher.messages) == 1
    message = dispatcher.messages[0]
    assert message["text"].endswith("\n\n" + KB.text("feedback_question", "fr"))
    menu = next(e["value"] for e in events if e.get("name") == "menu_options")
    numbered, thumbs = message["buttons"][:len(menu)], message["buttons"][len(menu):]
    assert [b["payload"] for b in numbered] == [str(n) for n in range(1, len(menu) + 1)]
    assert [(b["title"], b["payload"]) for b in thumbs] == [("👍", "👍"), ("👎", "👎")]
    assert [b["option"] for b in thumbs] == ["up:avr_cost", "down:avr_cost"]
    assert message["custom"][feedback.ASKED] == "avr_cost"
    two = conversation([], text="2", slots={"menu_options": menu})
    two.latest_message["entities"] = [{"entity": "option", "value": "2"}]
    assert chosen_option(two) == menu[1]  # the thumbs are not options 6 and 7
    plain = CollectingDispatcher()
    answer_topic(plain, "avr_cost", "fr")
    assert plain.messages[0]["text"] == message["text"].rsplit("\n\n", 1)[0]  # otherwise the answer is unchanged


@pytest.mark.parametrize("code", sorted(KB.languages))
def test_the_question_and_thanks_exist_in_every_language_with_both_thumbs(code):
    assert "👍" in KB.text("feedback_question", code) and "👎" in KB.text("feedback_question", code)
    for key in ("feedback_thanks", "feedback_thanks_unhelpful"):
        assert KB.text(key, code) and (code == "en" or KB.text(key, code) != KB.text(key, "en"))


def test_every_answer_fits_a_rating_button_and_a_tap_reaches_the_assistant_as_the_thumb():
    menu = menu_token.new_menu_id(4_102_444_800)  # the year 2100: menu ids grow with time
    for answer_id in KB.answers:
        for helpful in (True, False):
            token = menu_token.make("wa-" + "f" * 32, menu, 0, menu_token.rating_value(answer_id, helpful))
            assert token is not None, answer_id
    token = menu_token.make(ME, menu_token.new_menu_id(), 0, "down:avr_cost")
    assert menu_token.tap_metadata(ME, token) == {"text": "👎", "metadata": {"tap": token}}
    assert menu_token.read_rating("down:avr_cost") == ("avr_cost", False)
    assert menu_token.read_rating("topic:avr_cost") is None and menu_token.read_rating("up:") is None


def test_telegram_puts_the_thumbs_side_by_side_under_the_numbered_options():
    dispatcher = CollectingDispatcher()
    answer_topic(dispatcher, "avr_cost", "en", ask_feedback=True)
    rows = inline_keyboard(ME, dispatcher.messages[0]["buttons"]).inline_keyboard
    assert [button.text for button in rows[-1]] == ["👍", "👎"]
    assert all(len(row) == 1 for row in rows[:-1]) and rows[0][0].text.startswith("1. ")
    taps = [menu_token.read(ME, button.callback_data) for button in rows[-1]]
    assert [(tap.index, tap.value) for tap in taps] == [(0, "up:avr_cost"), (0, "down:avr_cost")]


def test_whatsapp_never_numbers_a_thumb_even_when_titles_must_carry_numbers():
    dispatcher = CollectingDispatcher()
    answer_topic(dispatcher, "avr_cost", "en", ask_feedback=True)
    choices = menu_token.choices(ME, dispatcher.messages[0]["buttons"])
    twins = [c if c.index == 0 else menu_token.Choice(c.index, c.title, "Going home: the same long title", c.token)
             for c in choices]  # shortened alike: numbers make them distinct
    message = whatsapp_content.interactive(dispatcher.messages[0]["text"], twins, "Choose")
    titles = [message.variables[str(3 + 3 * i)] for i in range(len(twins))]  # list items: title, id, description
    assert titles[-2:] == ["👍", "👎"]
    assert [t.split(".")[0] for t in titles[:-2]] == [str(n) for n in range(1, len(twins) - 1)]


# -- the rating ------------------------------------------------------------------------------

def test_a_typed_thumb_right_after_the_question_is_counted_once_and_thanked(db):
    history = answered("avr_overview") + answered("avr_cost", asked=True)
    dispatcher = rate(conversation(history, text="👍🏾"))
    assert dispatcher.messages[0]["text"] == KB.text("feedback_thanks", "en")
    week = week_of(dt.date.today())
    assert counts(db) == {("avr_cost", "en", week, True): 1}
    thanked = [{"event": "user", "text": "👍"}, {"event": "bot", "text": "thanks",
                                                 "data": {"custom": dispatcher.messages[-1]["custom"]}}]
    again = rate(conversation(history + thanked, text="👍"))  # the question was answered: plain noise now
    assert again.messages[0]["text"] != KB.text("feedback_thanks", "en")
    assert counts(db) == {("avr_cost", "en", week, True): 1}


def test_a_thumb_nobody_asked_for_is_just_an_emoji_and_nothing_is_counted(db):
    dispatcher = rate(conversation(answered("avr_cost"), text="👍"))
    assert dispatcher.messages[0]["text"] != KB.text("feedback_thanks", "en")
    assert counts(db) == {}


def test_a_tapped_thumb_names_its_answer_even_under_an_older_message_and_only_once(db):
    history = answered("avr_cost", asked=True) + answered("risk_sea") + answered("avr_process")
    token = menu_token.make(ME, menu_token.new_menu_id(), 0, "down:avr_cost")
    dispatcher = rate(conversation(history, text="👎", metadata={"tap": token}))
    assert dispatcher.messages[0]["text"] == KB.text("feedback_thanks_unhelpful", "en")
    rated = [{"event": "user", "text": "👎"}, {"event": "bot", "text": "thanks",
                                               "data": {"custom": dispatcher.messages[-1]["custom"]}}]
    rate(conversation(history + rated, text="👎", metadata={"tap": token}))  # tapped twice
    assert list(counts(db).items()) == [(("avr_cost", "en", week_of(dt.date.today()), False), 1)]


def test_a_forged_tap_rates_nothing_and_the_cli_is_never_counted(db):
    forged = menu_token.make("tg-someone-else", menu_token.new_menu_id(), 0, "up:avr_cost")
    rate(conversation(answered("avr_overview"), text="👍", metadata={"tap": forged}))
    history = answered("avr_overview") + answered("avr_cost", asked=True)
    dispatcher = rate(conversation(history, text="👍", channel="cli"))  # `python -m bot ask`: evaluation runs
    assert dispatcher.messages[0]["text"] == KB.text("feedback_thanks", "en")
    assert counts(db) == {}


def test_thumb_reads_only_a_message_of_thumbs():
    assert feedback.thumb("👍") is True and feedback.thumb(" 👍🏿👍 ") is True and feedback.thumb("👎") is False
    assert feedback.thumb("👍👎") is None and feedback.thumb("ok 👍") is None and feedback.thumb("😭") is None


def test_a_rating_is_a_weekly_count_without_sender_text_or_time(db):
    from insights.store import record_rating

    record_rating("avr_cost", "fr", True, engine=db, day=dt.date(2026, 11, 25))   # a Wednesday
    record_rating("avr_cost", "fr", True, engine=db, day=dt.date(2026, 11, 29))   # the Sunday after
    record_rating("avr_cost", "fr", False, engine=db, day=dt.date(2026, 11, 30))  # next Monday
    assert counts(db) == {("avr_cost", "fr", dt.date(2026, 11, 23), True): 2,
                          ("avr_cost", "fr", dt.date(2026, 11, 30), False): 1}
    columns = {c.name for c in AnswerFeedback.__table__.columns}
    assert columns == {"id", "answer_id", "language", "week", "helpful", "count"}
