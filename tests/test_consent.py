"""Consent first, without blocking the answer: the actions (Tracker.from_dict) and the policy."""
from __future__ import annotations

import asyncio

import pytest

from actions.consent import CONSENT_MENU, ActionPrivacyNotice, option_titles
from actions.conversation import ActionAffirm, ActionDeny
from actions.handoff import ActionHandoff
from actions.menu import ActionSelectOption
from bot.knowledge import load_knowledge
from tests.conftest import slot_events

KB = load_knowledge()


def run(action, tracker, dispatcher):
    return asyncio.run(action.run(dispatcher, tracker, {}))


def tracker(text="", intent=None, slots=None, turn=(), history=(), channel=None, entities=None, sender_id="tg-test"):
    """A tracker whose current turn already ran `turn` (event dicts) after the user's message."""
    from rasa_sdk import Tracker

    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or []}
    events = [*history, {"event": "user", "text": text, "parse_data": latest, "input_channel": channel}, *turn]
    return Tracker.from_dict({"sender_id": sender_id, "slots": slots or {}, "latest_message": latest, "events": events,
                              "paused": False, "followup_action": None, "active_loop": {},
                              "latest_action_name": "action_listen"})


def option(number: str, slots: dict, text: str | None = None, **kwargs):
    return tracker(text or number, "select_option", slots, entities=[{"entity": "option", "value": number}], **kwargs)


ANSWER_MENU = ["topic:avr_eligibility", "topic:avr_process", "handoff"]


@pytest.mark.parametrize("language", list(KB.languages))
def test_the_notice_introduces_the_assistant_and_asks_in_the_users_language(dispatcher, language):
    events = run(ActionPrivacyNotice(), tracker("c quoi le retour", "avr_overview",
                                                {"language": language, "menu_options": ANSWER_MENU}), dispatcher)
    [message] = dispatcher.messages
    for key in ("greet", "privacy_notice", "consent_ask"):
        assert KB.text(key, language) in message["text"]
    assert message["text"].index(KB.text("greet", language)) < message["text"].index(KB.text("consent_ask", language))
    slots = slot_events(events)
    assert slots["consent_asked"] is True and slots["pending_confirmation"] == "consent"
    assert slots["menu_options"] == CONSENT_MENU and slots["consent_menu"] == ANSWER_MENU
    assert "consent" not in slots  # nothing is decided for the migrant


def test_after_a_greeting_the_notice_does_not_introduce_the_assistant_twice(dispatcher):
    run(ActionPrivacyNotice(), tracker("salut", "greet", {"language": "fr"}, turn=[{"event": "action", "name": "action_greet"}]),
        dispatcher)
    text = dispatcher.messages[0]["text"]
    assert KB.text("greet", "fr") not in text and KB.text("privacy_notice", "fr") in text


def test_after_a_handoff_the_question_waits_for_the_assistant(dispatcher):
    # the next messages go to the caseworker, who must not receive the migrant's "1" or "2"
    events = run(ActionPrivacyNotice(), tracker("help", "emergency", {"language": "en"},
                                                turn=[{"event": "slot", "name": "handoff", "value": True}]), dispatcher)
    text = dispatcher.messages[0]["text"]
    assert KB.text("privacy_notice", "en") in text and KB.text("consent_ask", "en") not in text
    assert events == []


PENDING = {"language": "fr", "consent_asked": True, "pending_confirmation": "consent", "menu_options": CONSENT_MENU,
           "consent_menu": ANSWER_MENU}


def test_one_gives_consent_and_brings_back_the_menu_of_the_answer(dispatcher):
    events = run(ActionSelectOption(), option("1", PENDING), dispatcher)
    slots = slot_events(events)
    assert slots["consent"] == "given" and slots["pending_confirmation"] is None
    assert dispatcher.messages[0]["text"] == KB.text("consent_given", "fr")
    assert slots["menu_options"] == ANSWER_MENU  # "1" now picks the first follow-up again
    assert f"1. {KB.topic_title('avr_eligibility', 'fr')}" in dispatcher.messages[1]["text"]


def test_two_declines_and_the_user_can_still_read_information(dispatcher):
    events = run(ActionSelectOption(), option("2", PENDING), dispatcher)
    slots = slot_events(events)
    assert slots["consent"] == "declined"
    assert dispatcher.messages[0]["text"] == KB.text("consent_declined", "fr")
    assert slots["menu_options"] == ANSWER_MENU


def test_three_shows_the_full_notice_and_asks_again(dispatcher):
    events = run(ActionSelectOption(), option("3", PENDING), dispatcher)
    slots = slot_events(events)
    assert "consent" not in slots and slots["menu_options"] == CONSENT_MENU
    assert slots["consent_menu"] == ANSWER_MENU  # still remembered
    full = dispatcher.messages[0]["text"]
    assert full == KB.text("privacy_full", "fr", retention_days=90) or "90" in full
    assert dispatcher.messages[1]["text"] == KB.text("consent_ask", "fr")


def test_yes_and_no_in_words_answer_the_question_too(dispatcher):
    assert slot_events(run(ActionAffirm(), tracker("oui", "affirm", PENDING), dispatcher))["consent"] == "given"
    assert slot_events(run(ActionDeny(), tracker("non", "deny", PENDING), dispatcher))["consent"] == "declined"


def test_without_a_menu_to_bring_back_the_main_menu_is_shown(dispatcher):
    events = run(ActionSelectOption(), option("1", {**PENDING, "consent_menu": None}), dispatcher)
    assert slot_events(events)["menu_options"][0].startswith("group:")


def test_declined_conversation_asks_again_before_a_person_is_involved(dispatcher, monkeypatch):
    from actions import case_bridge

    opened = []
    monkeypatch.setattr(case_bridge, "open_case", lambda *a, **k: opened.append(a))
    declined = {"language": "en", "consent": "declined", "consent_asked": True}
    events = run(ActionHandoff(), tracker("human", "human_handoff", declined, channel="telegram"), dispatcher)
    slots = slot_events(events)
    assert opened == [] and "handoff" not in slots
    assert slots["consent_next"] == "handoff" and slots["menu_options"] == CONSENT_MENU
    assert KB.text("consent_ask", "en") in dispatcher.messages[0]["text"]
    # "1": consent given, and the handoff goes on in the same turn
    events = run(ActionSelectOption(), option("1", {**declined, **slot_events(events)}, channel="telegram"), dispatcher)
    slots = slot_events(events)
    assert slots["consent"] == "given" and slots["handoff"] is True and len(opened) == 1


def test_declining_forgets_the_project_data_of_a_real_channel(dispatcher, monkeypatch):
    import bot.privacy.erasure as erasure

    forgotten = []
    monkeypatch.setattr(erasure, "forget_on_decline", lambda cid, **kw: forgotten.append((cid, kw)))
    run(ActionSelectOption(), option("2", PENDING, channel="whatsapp", sender_id="wa-123"), dispatcher)
    run(ActionSelectOption(), option("2", PENDING, channel="cli", sender_id="cli-1"), dispatcher)
    assert forgotten == [("wa-123", {"channel": "whatsapp"})]


def test_menus_are_titled_again_or_not_at_all():
    assert option_titles(ANSWER_MENU, "en")[0] == ("topic:avr_eligibility", KB.topic_title("avr_eligibility", "en"))
    assert option_titles(["group:risks", "handoff", "language"], "ar") is not None
    assert option_titles(["handoff", "menu"], "en") is None  # the question's text carried the numbers
