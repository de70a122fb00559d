"""Custom actions, run as the action server runs them (Tracker.from_dict), in several languages."""
from __future__ import annotations

import pytest

from actions.conversation import ActionGreet, ActionHelpMenu, ActionNotUnderstood
from actions.knowledge_answer import ActionAnswerTopic
from actions.language import ActionChangeLanguage, ActionUnsupportedLanguage, requested_language
from actions.menu import ActionSelectOption
from actions.privacy import ActionDeleteData
from actions.conversation import ActionAffirm, ActionDeny
from actions.emergency import ActionEmergency
from actions.handoff import ActionHandoff
from content.knowledge import load_knowledge
from tests.conftest import make_tracker, slot_events
from testing.trackers import run_action

KB = load_knowledge()


@pytest.mark.parametrize("language", list(KB.languages))
@pytest.mark.parametrize("topic", ["avr_overview", "risk_sea", "embassy_contact"])
def test_topic_answer_is_the_article_in_the_users_language_with_a_follow_up_menu(dispatcher, language, topic):
    tracker = make_tracker("...", intent=topic, slots={"language": language})
    tracker.events.insert(0, {"event": "bot", "text": "an earlier answer"})  # not the first turn
    events = run_action(ActionAnswerTopic(), dispatcher, tracker)
    text = dispatcher.messages[0]["text"]
    article = KB.articles[topic].texts[language]
    assert text.startswith(article.answer.strip())
    assert len(text) <= 600
    slots = slot_events(events)
    assert slots["topic"] == topic
    # follow-ups, the topic's guided flow if it offers one, then "talk to a person", numbered, and
    # remembered for a later "1", "2"...
    flows = ["flow:consular"] if topic == "embassy_contact" else []
    assert slots["menu_options"][-1 - len(flows):] == [*flows, "handoff"]
    assert [o.split(":")[1] for o in slots["menu_options"][:-1 - len(flows)]] == list(KB.articles[topic].follow_ups)
    assert f"1. {KB.topic_title(KB.articles[topic].follow_ups[0], language)}" in text
    unreviewed = KB.text("unreviewed_translation", language)
    assert (unreviewed in text) == (language != "en")


def test_the_first_turns_answer_offers_two_follow_ups_and_a_person(dispatcher):
    events = run_action(ActionAnswerTopic(), dispatcher, make_tracker("...", intent="avr_overview", slots={"language": "fr"}))
    options = slot_events(events)["menu_options"]
    assert options == [f"topic:{t}" for t in KB.articles["avr_overview"].follow_ups[:2]] + ["handoff"]


def test_a_number_after_a_menu_answers_that_option(dispatcher):
    tracker = make_tracker("2", intent="select_option", slots={"language": "fr", "menu_options": ["topic:avr_eligibility", "topic:avr_process", "handoff"]},
                           entities=[{"entity": "option", "value": "2"}])
    events = run_action(ActionSelectOption(), dispatcher, tracker)
    assert slot_events(events)["topic"] == "avr_process"
    assert dispatcher.messages[0]["text"].startswith(KB.articles["avr_process"].texts["fr"].answer.strip())


def test_a_number_outside_the_menu_says_so_without_losing_the_menu(dispatcher):
    tracker = make_tracker("9", intent="select_option", slots={"language": "en", "menu_options": ["topic:risk_sea", "handoff"]},
                           entities=[{"entity": "option", "value": "9"}])
    events = run_action(ActionSelectOption(), dispatcher, tracker)
    assert dispatcher.messages[0]["text"] == KB.text("option_invalid", "en")
    assert "menu_options" not in slot_events(events)


def test_main_menu_then_group_then_topic(dispatcher):
    events = run_action(ActionHelpMenu(), dispatcher, make_tracker("menu", intent="help_menu", slots={"language": "ar"}))
    options = slot_events(events)["menu_options"]
    assert options[0] == "group:risks" and "handoff" in options
    events = run_action(ActionSelectOption(), dispatcher, make_tracker("1", intent="select_option", slots={"language": "ar", "menu_options": options},
                                                    entities=[{"entity": "option", "value": "1"}]))
    assert slot_events(events)["menu_options"][0] == "topic:risk_desert"


def test_greeting_introduces_the_assistant_and_labels_unreviewed_translations(dispatcher):
    run_action(ActionGreet(), dispatcher, make_tracker("salam", intent="greet", slots={"language": "ha"}))
    [first] = dispatcher.messages  # one bubble: introduction, draft notice, menu
    assert KB.text("intro", "ha") in first["text"] and KB.text("unreviewed_translation", "ha") in first["text"]
    assert first["buttons"] and "\n1. " in first["text"]


@pytest.mark.parametrize(
    "text,language",
    [("speak french please", "fr"), ("je veux parler arabe", "ar"), ("بالعربية", "ar"), ("af soomaali", "so"),
     ("in pidgin abeg", "pcm"), ("አማርኛ", "am"), ("portugues", "pt"), ("change language", None)],
)
def test_requested_language(text, language):
    assert requested_language(text) == language


def test_change_language_without_a_name_offers_the_list(dispatcher):
    events = run_action(ActionChangeLanguage(), dispatcher, make_tracker("change language", intent="change_language"))
    assert slot_events(events)["menu_options"] == [f"language:{c}" for c in KB.languages]


def test_change_language_by_name_switches_and_confirms_in_the_new_language(dispatcher):
    events = run_action(ActionChangeLanguage(), dispatcher, make_tracker("i want tigrinya", intent="change_language"))
    assert slot_events(events)["language"] == "ti"
    assert dispatcher.messages[0]["text"] == KB.text("language_changed", "ti")


def test_unsupported_language_answers_in_english_and_french(dispatcher):
    run_action(ActionUnsupportedLanguage(), dispatcher, make_tracker("ich brauche hilfe", intent="unsupported_language"))
    text = dispatcher.messages[0]["text"]
    assert KB.text("unsupported_language", "en", languages=KB.language_list()) in text
    assert KB.text("unsupported_language", "fr", languages=KB.language_list()) in text


def test_delete_data_asks_first_and_only_yes_erases(dispatcher):
    events = run_action(ActionDeleteData(), dispatcher, make_tracker("delete my data", intent="delete_data", slots={"language": "fr"}))
    slots = slot_events(events)
    assert slots["pending_confirmation"] == "delete_data" and "erase_requested" not in slots
    pending = {"language": "fr", "pending_confirmation": "delete_data", "menu_options": ["confirm:yes", "confirm:no"]}
    no = run_action(ActionDeny(), dispatcher, make_tracker("non", intent="deny", slots=pending))
    assert "erase_requested" not in slot_events(no)
    yes = run_action(ActionSelectOption(), dispatcher, make_tracker("1", intent="select_option", slots=pending, entities=[{"entity": "option", "value": "1"}]))
    assert slot_events(yes)["erase_requested"] is True
    assert dispatcher.messages[-1]["text"] == KB.text("delete_data_done", "fr")


def test_affirm_without_a_pending_question_erases_nothing(dispatcher):
    events = run_action(ActionAffirm(), dispatcher, make_tracker("yes", intent="affirm"))
    assert "erase_requested" not in slot_events(events)


def test_emergency_answers_safety_first_and_flags_an_urgent_handoff(dispatcher):
    events = run_action(ActionEmergency(), dispatcher, make_tracker("we are lost in the desert no water", intent="emergency", slots={"language": "so"}))
    assert dispatcher.messages[0]["text"].startswith(KB.text("emergency_safety", "so"))
    slots = slot_events(events)
    assert slots["urgent"] is True and slots["handoff"] is True


@pytest.mark.parametrize("language", list(KB.languages))
def test_handoff_tells_office_hours_in_the_users_language(dispatcher, language):
    slots = {"language": language, "consent": "given"}
    events = run_action(ActionHandoff(), dispatcher, make_tracker("human", intent="human_handoff", slots=slots))
    assert slot_events(events)["handoff"] is True
    text = dispatcher.messages[0]["text"]
    assert KB.text("office_hours_mon_fri", language) in text and "9:00" in text and "17:00" in text
    if language not in ("en", "pcm"):  # Pidgin names the days as English does
        assert "Monday" not in text and "Friday" not in text  # no English inside another language


def test_office_hours_are_structured_and_a_bad_value_is_refused(dispatcher, monkeypatch):
    from actions.replies import office_hours
    from core.settings import Settings

    assert office_hours("sun-thu 08:00-16:30", "en") == "Sunday to Thursday, 8:00 to 16:30"
    assert office_hours("daily 9:00-21:00", "fr") == KB.text("office_hours_format", "fr", days=KB.text("office_hours_daily", "fr"),
                                                             start="9:00", end="21:00")
    monkeypatch.setenv("OFFICE_HOURS", "Monday to Friday")
    with pytest.raises(ValueError, match="OFFICE_HOURS"):
        Settings()


def test_two_misunderstandings_in_a_row_offer_a_person(dispatcher):
    first = run_action(ActionNotUnderstood(), dispatcher, make_tracker("blabla", intent="nlu_fallback"))
    assert slot_events(first)["failed_understandings"] == 1.0
    second = run_action(ActionNotUnderstood(), dispatcher, make_tracker("blabla", intent="nlu_fallback", slots={"failed_understandings": 1.0}))
    assert slot_events(second)["menu_options"] == ["handoff", "menu"]
    assert dispatcher.messages[-1]["text"] == KB.text("handoff_offer_after_failures", "en")
