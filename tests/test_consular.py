"""Consular help: documents, the IOM link, and contacts only from verified directory entries."""
from __future__ import annotations

import asyncio

import pytest

from tests.conftest import domain_dict, make_form_tracker, slot_events
from testing.trackers import run_action


def test_directory_lists_the_26_countries_without_invented_contacts():
    from retrieval.flows_data import has_contact, load_embassies

    entries = load_embassies()
    assert len({e["country"] for e in entries}) == 26
    assert all(e["verified"] is False and not has_contact(e) for e in entries)


def test_no_verified_contact_offers_a_person(tracker_factory, dispatcher):
    from actions.consular import ActionConsularResult
    from actions.replies import ui

    events = run_action(ActionConsularResult(), dispatcher, tracker_factory(slots={"language": "fr", "nationality": "mali", "host_country": "libya"}), domain_dict())
    text = "\n".join(m["text"] for m in dispatcher.messages)
    assert ui("consular_documents", "fr") in text and ui("consular_libya", "fr") in text
    assert ui("no_verified_contact", "fr") in text
    assert slot_events(events)["menu_options"] == ["handoff"]


def test_libya_online_service_only_for_libya(tracker_factory, dispatcher):
    from actions.consular import ActionConsularResult
    from actions.replies import ui

    run_action(ActionConsularResult(), dispatcher, tracker_factory(slots={"language": "en", "nationality": "mali", "host_country": "niger"}), domain_dict())
    assert ui("consular_libya", "en") not in "\n".join(m["text"] for m in dispatcher.messages)


def test_verified_entry_is_shown_and_unverified_is_not(monkeypatch):
    import retrieval.flows_data as data
    from actions.consular import consular_messages

    entry = {"country": "mali", "host_country": "libya", "name": "Embassy X", "phone": "000", "verified": True,
             "source": {"url": "https://example.invalid", "title": "t"}}
    monkeypatch.setattr(data, "load_embassies", lambda: (entry,))
    assert "Embassy X, 000" in consular_messages("mali", "libya", "en")[1]
    monkeypatch.setattr(data, "load_embassies", lambda: ({**entry, "verified": False},))
    assert "000" not in consular_messages("mali", "libya", "en")[1]


def test_knowledge_check_refuses_an_unverified_contact(tmp_path):
    import shutil

    from content.knowledge import KnowledgeBase
    from content.check import check_flows
    from core.paths import KNOWLEDGE_DIR

    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, root)
    path = root / "directory" / "embassies.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('phone: ""', 'phone: "+218 21 000 0000"', 1), encoding="utf-8")
    problems = check_flows(KnowledgeBase(root))
    assert any("not verified" in p for p in problems)


def test_consular_form_validates_countries(dispatcher):
    from actions.consular import ValidateConsularForm

    tracker = make_form_tracker("Eritrea", "nationality", "consular_form", {"language": "ti"})
    assert slot_events(run_action(ValidateConsularForm(), dispatcher, tracker, domain_dict()))["nationality"] == "eritrea"


def test_start_actions_reset_and_hand_over_to_the_form(tracker_factory, dispatcher):
    from actions.consular import ActionStartConsular
    from actions.eligibility import ActionStartScreening

    events = run_action(ActionStartScreening(), dispatcher, tracker_factory(slots={"language": "en", "host_country": "libya"}), domain_dict())
    assert slot_events(events)["host_country"] is None
    assert events[-1] == {"event": "followup", "name": "eligibility_form", "timestamp": None}
    events = run_action(ActionStartConsular(), dispatcher, tracker_factory(slots={"language": "en"}), domain_dict())
    assert events[-1]["name"] == "consular_form"


def test_consular_conversation_end_to_end(assistant):
    import uuid

    from actions.replies import ui

    sender = f"test-{uuid.uuid4().hex}"

    def say(text):
        return asyncio.run(assistant.send(text, sender))

    turn = say("guide me to get a laissez passer from my embassy")
    assert turn.intent == "consular_help", turn
    assert turn.messages[-1] == ui("ask_nationality", "en")
    assert say("nigeria").messages[-1] == ui("ask_host_country", "en")
    result = say("libya")
    text = "\n".join(result.messages)
    assert ui("consular_libya", "en") in text and ui("no_verified_contact", "en") in text


@pytest.mark.parametrize("text, intent", [
    ("how do i get a travel document", "travel_document"),
    ("my passport was stolen what do i do", "travel_document"),
    ("where is the embassy of my country", "embassy_contact"),
])
def test_every_papers_answer_offers_consular_help_in_its_own_menu(tracker_factory, dispatcher, text, intent):
    """The consular flow was reachable only by asking for it in words or naming a country alone after a
    papers answer: the answer now offers it, before "talk to a person", inside the same bubble."""
    from actions.knowledge_answer import ActionAnswerTopic
    from actions.replies import ui

    tracker = tracker_factory(text, intent=intent, slots={"language": "fr"})
    events = run_action(ActionAnswerTopic(), dispatcher, tracker, domain_dict())
    [message] = dispatcher.messages
    options = slot_events(events)["menu_options"]
    assert options[-2:] == ["flow:consular", "handoff"]
    assert f"{len(options) - 1}. {ui('menu_consular_help', 'fr')}" in message["text"]


def test_other_answers_do_not_offer_consular_help(tracker_factory, dispatcher):
    from actions.knowledge_answer import ActionAnswerTopic

    tracker = tracker_factory("is the desert dangerous", intent="risk_desert", slots={"language": "en"})
    events = run_action(ActionAnswerTopic(), dispatcher, tracker, domain_dict())
    assert "flow:consular" not in slot_events(events)["menu_options"]


def test_the_offer_starts_consular_help_with_what_the_story_said(assistant):
    import re
    import uuid

    from actions.replies import ui

    sender = f"test-{uuid.uuid4().hex}"

    def say(text):
        return asyncio.run(assistant.send(text, sender))

    answer = say("i am from ghana, my passport was stolen. how can i get papers to travel")
    menu = "\n".join(answer.messages)
    number = re.search(r"(\d+)\. " + re.escape(ui("menu_consular_help", "en")), menu)
    assert number, menu
    started = say(number.group(1))
    text = "\n".join(started.messages)
    assert ui("consular_intro", "en") in text
    assert started.messages[-1] == ui("ask_host_country", "en")  # the nationality from the story: not asked


# --- a country named alone after the papers answer (actions/consular_offer.py) ---

@pytest.mark.parametrize("text, expected", [
    ("south sudan", ("south_sudan", False)), ("nijar", ("niger", False)), ("ኢትዮጵያ", ("ethiopia", False)),
    ("تشاد", ("chad", False)), ("burkina", ("burkina_faso", False)), ("Niger.", ("niger", False)),
    ("libera", ("liberia", False)), ("cairo", ("egypt", True)), ("tripoli libya", ("libya", False)),
])
def test_a_lone_place_name_is_read(text, expected):
    from retrieval.place_replies import sole_place

    assert sole_place(text) == expected


@pytest.mark.parametrize("text", [
    "is it free?", "i am from mali", "mali ghana", "ok thanks", "yes", "كم تكلف؟", "how much in libya", "",
])
def test_more_than_a_place_name_is_not_one(text):
    from retrieval.place_replies import sole_place

    assert sole_place(text) is None


def _after_papers(text, topic="travel_document", slots=None, active_loop=None):
    from testing.trackers import make_tracker

    return make_tracker(text, "nlu_fallback", slots={"language": "en", "topic": topic, **(slots or {})},
                        active_loop=active_loop)


@pytest.mark.parametrize("text, slots, expected", [
    ("south sudan", {}, {"known_nationality": "south_sudan"}),     # whose embassy
    ("cairo", {}, {"known_host_country": "egypt"}),                # a city: where the person is
    ("algeria", {"known_nationality": "nigeria"}, {"known_host_country": "algeria"}),  # nationality said before
    ("nigeria", {"known_nationality": "nigeria"}, {"known_nationality": "nigeria"}),
])
def test_a_country_after_the_papers_answer_starts_consular_help(text, slots, expected):
    from actions.consular_offer import consular_for_a_country

    events = consular_for_a_country(_after_papers(text, slots=slots), text)
    assert slot_events(events) == expected
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_start_consular"}


@pytest.mark.parametrize("text, topic, active_loop", [
    ("south sudan", "risk_desert", None),                       # after another answer: not about an embassy
    ("is it free?", "travel_document", None),                   # a question, not a country
    ("mali", "embassy_contact", {"name": "consular_form"}),     # the form takes its own answers
])
def test_other_messages_do_not_start_consular_help(text, topic, active_loop):
    from actions.consular_offer import consular_for_a_country

    assert consular_for_a_country(_after_papers(text, topic=topic, active_loop=active_loop), text) == []


def test_the_answering_actions_hand_a_country_to_consular_help(dispatcher):
    from actions.knowledge_answer import ActionAnswerTopic
    from actions.retrieval import ActionAnswerFromRetrieval
    from testing.trackers import make_tracker

    for action, intent in ((ActionAnswerTopic(), "risk_desert"), (ActionAnswerFromRetrieval(), "nlu_fallback")):
        tracker = make_tracker("nijar", intent, slots={"language": "ha", "topic": "travel_document"})
        events = run_action(action, dispatcher, tracker, domain_dict())
        assert events[-1]["name"] == "action_start_consular" and not dispatcher.messages
