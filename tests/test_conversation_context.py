"""Conversations as migrants have them: context, sticky language, noise, emergencies that stay.

Actions run on rasa-sdk trackers (Tracker.from_dict); the policy's rules on Rasa trackers.
"""
from __future__ import annotations

import pytest

from actions.conversation import ActionGreet, ActionNoise
from actions.emergency import ActionEmergency, ActionEmergencyFollowup, action_for
from actions.follow_up import ActionAnswerFollowUp, answer_for
from actions.message_context import ActionReadMessage, next_language
from content.knowledge import load_knowledge
from language.hints import hinted_language, is_shared
from tests.conftest import make_tracker, slot_events
from testing.trackers import run_action

CONTEXT_DOMAIN = {"actions": ["action_answer_topic", "action_greet"]}

KB = load_knowledge()


@pytest.mark.parametrize("intent, topic, expected", [
    ("ask_cost", "avr_overview", "avr_cost"),              # "is it free?" after going home
    ("ask_cost", None, "avr_cost"),                        # no context yet: the likeliest meaning
    ("ask_cost", "reintegration", "reintegration_cash"),   # "how much do they give?"
    ("ask_cost", "medical_help", "medical_help"),          # no specific answer: the topic again
    ("ask_duration", "avr_overview", "avr_duration"),      # "how long?"
    ("ask_duration", "travel_document", "avr_duration"),  # "how long for the papers?": the wait, papers included
    ("ask_family", "avr_overview", "avr_family"),          # "and my wife and children?"
    ("ask_family", "minors", "minors"),
    ("ask_contact", "embassy_contact", "embassy_contact"),  # "their number?"
    ("ask_contact", "risk_sea", "assistance_centres"),
    ("ask_where", "travel_document", "embassy_contact"),
    ("ask_how", "risk_detention", "risk_detention_exit"),  # "how can he get out?"
    ("ask_how", "avr_process", "avr_steps"),
])
def test_follow_ups_are_read_in_the_context_of_the_topic(intent, topic, expected):
    assert answer_for(intent, topic) == expected


def test_how_long_after_the_laissez_passer_is_how_long_it_is_valid():
    assert answer_for("ask_duration", "travel_document", "document_laissez_passer") == "document_laissez_passer"
    assert answer_for("ask_duration", "travel_document", "document_lost_passport") == "avr_duration"


@pytest.mark.parametrize("intent, topic, answer, expected", [
    ("ask_cost", "travel_document", "document_exit_visa", "document_exit_visa"),  # "how much is it?" about the visa
    ("ask_cost", "avr_overview", "avr_choice", "avr_cost"),           # the topic's own rule still decides
    ("ask_cost", "travel_document", "avr_cost", "travel_document"),   # stale answer of another topic: ignored
    ("ask_cost", "travel_document", "travel_document", "travel_document"),
    ("ask_where", "medical_help", "help_psychosocial", "help_psychosocial"),  # "where?" after counselling
    ("ask_where", "medical_help", "help_medical", "help_medical"),
    ("ask_contact", "assistance_centres", "family_tracing", "family_tracing"),  # "who do I call?" about tracing
    ("ask_where", "risk_desert", "risk_desert_rescue", "risk_desert_rescue"),  # "where do they take them?"
    ("ask_cost", "avr_process", "avr_arrival", "reintegration_cash"),  # "how much do they give there?"
    ("ask_where", "avr_eligibility", "avr_cannot_go_home", "asylum"),  # "where is UNHCR?" after that answer
    ("ask_contact", "avr_eligibility", "avr_cannot_go_home", "asylum"),
    ("ask_where", "avr_eligibility", "avr_no_money", "avr_how_to_ask"),  # the topic's rule for its other entries
])
def test_a_follow_up_after_a_specific_answer_is_about_that_answer(intent, topic, answer, expected):
    assert answer_for(intent, topic, answer) == expected


def test_every_follow_up_target_is_a_knowledge_entry():
    from actions.follow_up import follow_up_table

    for intent, rule in follow_up_table().items():
        targets = [rule.get("default"), *(rule.get("after") or {}).values()]
        assert all(t in KB.answers for t in targets), intent
        assert all(t in KB.answers for t in rule.get("after") or {}), intent  # a topic or an entry


def test_the_follow_up_action_answers_the_entry_in_the_users_language(dispatcher):
    tracker = make_tracker("c gratuit ?", intent="ask_cost", slots={"language": "fr", "topic": "avr_overview"})
    events = run_action(ActionAnswerFollowUp(), dispatcher, tracker, CONTEXT_DOMAIN)
    assert slot_events(events)["topic"] == "avr_overview" and slot_events(events)["answer"] == "avr_cost"
    assert dispatcher.messages[0]["text"].startswith(KB.entries["avr_cost"].texts["fr"].answer.strip()[:30])
    assert f"1. {KB.topic_title('avr_overview', 'fr')}" in dispatcher.messages[0]["text"]  # back to the topic


@pytest.mark.parametrize("text, answer, expected", [
    ("how can he get out?", "document_consular_visit_detention", "risk_detention_exit"),  # the after-answer rule
    ("how do i get the paper?", "document_consular_visit_detention", "document_laissez_passer"),  # no rule said
    ("sidee buu halkaas uga soo bixi karaa?", "avr_from_detention", "risk_detention_exit"),  # after going home from it
    ("can he go home straight when he gets out?", "avr_from_detention", "document_laissez_passer"),  # a wish: no rule
])
def test_the_follow_up_action_reads_the_message_after_the_answer_sent_last(dispatcher, text, answer, expected):
    tracker = make_tracker(text, intent="ask_how", slots={"language": "en", "topic": "travel_document", "answer": answer})
    events = run_action(ActionAnswerFollowUp(), dispatcher, tracker, CONTEXT_DOMAIN)
    assert slot_events(events)["answer"] == expected


@pytest.mark.parametrize("text, expected", [
    ("and before that, where will we sleep?", "centre_services"),  # a place to sleep now: the centres
    ("where is their office?", "avr_how_to_ask"),                  # the follow-up's own rule
])
def test_a_follow_up_that_says_its_need_gets_the_answer_for_it(dispatcher, text, expected):
    tracker = make_tracker(text, intent="ask_where", slots={"language": "en", "topic": "avr_overview",
                                                            "answer": "avr_how_to_ask"})
    events = run_action(ActionAnswerFollowUp(), dispatcher, tracker, CONTEXT_DOMAIN)
    assert slot_events(events)["answer"] == expected


@pytest.mark.parametrize("current, detected, confidence, text, hint, expected", [
    (None, "fr", 0.8, "bjr", True, "fr"),                          # the first message sets it
    ("fr", "en", 1.0, "ok", True, None),                           # a short word never switches
    ("ar", "ha", 0.9, "shukran", True, None),
    ("en", "ar", 0.9, "عايز ارجع مصر", False, "ar"),               # another script is a clear switch
    ("so", "ar", 0.95, "ana mn sudan f libya bdi arj3 3al balad", False, "ar"),  # long and sure
    ("fr", "en", 0.75, "Monday to Friday please", False, None),    # not sure enough
    ("am", "ti", 0.95, "ሰላም ከመይ ኣለኹም ናብ ሃገረይ ክምለስ እደሊ", False, "ti"),
    ("en", None, 0.0, "1", False, None),
])
def test_the_language_is_sticky_against_short_ambiguous_messages(current, detected, confidence, text, hint, expected):
    assert next_language(current, detected, confidence, text, from_hint=hint) == expected


@pytest.mark.parametrize("text, language", [
    ("bjr", "fr"), ("Slt!", "fr"), ("salam", "ar"), ("Salaaam", "ar"), ("oi", "pt"), ("olá", "pt"),
    ("selam", "am"), ("ሰላም", "am"), ("sannu", "ha"), ("nabad", "so"), ("how far", "pcm"), ("kemey", "ti"),
    # the greeting of Muslims in Latin letters, by its spelling
    ("Assalamu alaikum", "ha"), ("salam aleikoum", "fr"), ("Asalaamu calaykum", "so"), ("السلام عليكم", "ar"),
    ("what is voluntary return please", None), ("", None),
])
def test_one_word_greetings_name_their_language(text, language):
    assert hinted_language(text) == language


def test_reading_a_message_keeps_the_language_and_remembers_the_story(dispatcher):
    entity = {"entity": "language", "value": "fr", "confidence_entity": 0.97, "extractor": "LanguageDetector"}
    tracker = make_tracker("je suis a tripoli depuis 1 an je veux rentrer au mali", intent="avr_overview",
                           entities=[entity])
    slots = slot_events(run_action(ActionReadMessage(), dispatcher, tracker, CONTEXT_DOMAIN))
    assert slots == {"language": "fr", "language_from": "message", "known_host_country": "libya",
                     "known_nationality": "mali"}
    hint = {"entity": "language", "value": "en", "confidence_entity": 1.0, "extractor": "LanguageHints"}
    later = make_tracker("ok", intent="affirm", slots={"language": "fr"}, entities=[hint])
    assert slot_events(run_action(ActionReadMessage(), dispatcher, later, CONTEXT_DOMAIN)) == {}


@pytest.mark.parametrize("current, detected, text, shared, expected", [
    ("am", "ti", "yekenyeley", False, "ti"),   # a word only Tigrinya says settles a guess from "selam"
    ("ar", "ha", "nagode", False, "ha"),
    ("am", "en", "ok", True, None),            # a word every language says never does
])
def test_a_guess_from_a_shared_greeting_gives_way_to_a_word_of_one_language(current, detected, text, shared, expected):
    assert next_language(current, detected, 1.0, text, from_hint=True, tentative=True, shared=shared) == expected


def test_shared_greetings_are_known():
    assert is_shared("Salaaam!") and is_shared("ሰላም") and is_shared("OK") and is_shared("Assalamu alaikum")
    assert not is_shared("yekenyeley") and not is_shared("bjr")


@pytest.mark.parametrize("text, app, expected", [
    ("ሰላም", "ti", "ti"),      # Telegram's app language settles a greeting Amharic and Tigrinya share
    ("salam", "ha", "ha"),
    ("ሰላም", "en", "am"),      # an app language the message cannot be written in: the hints list's guess
    ("ሰላም", "de", "am"),      # a language we do not speak: the same
    ("sannu", "fr", "ha"),     # a word of one language is that language whatever the app says
])
def test_the_apps_language_settles_a_shared_greeting(dispatcher, text, app, expected):
    entity = {"entity": "language", "value": hinted_language(text), "confidence_entity": 1.0, "extractor": "LanguageHints"}
    tracker = make_tracker(text, intent="greet", entities=[entity], metadata={"client_language": app})
    slots = slot_events(run_action(ActionReadMessage(), dispatcher, tracker, CONTEXT_DOMAIN))
    assert slots["language"] == expected and slots["language_from"] == "hint"


@pytest.mark.parametrize("text, person_first", [("😭", True), ("🙏🙏", True), ("??", False), ("...", False)])
def test_noise_gets_one_line_and_the_menu_with_a_person_first_for_distress(dispatcher, text, person_first):
    events = run_action(ActionNoise(), dispatcher, make_tracker(text, intent="noise", slots={"language": "ha"}), CONTEXT_DOMAIN)
    [message] = dispatcher.messages
    options = slot_events(events)["menu_options"]
    assert (options[0] == "handoff") is person_first
    key = "distress_reply" if person_first else "noise_reply"
    assert message["text"].startswith(KB.text(key, "ha"))


def test_the_greeting_is_one_message_with_the_menu_inside_and_the_introduction_once(dispatcher):
    run_action(ActionGreet(), dispatcher, make_tracker("salut", intent="greet", slots={"language": "fr"}), CONTEXT_DOMAIN)
    [message] = dispatcher.messages
    assert message["text"].startswith(KB.text("intro", "fr")) and "\n1. " in message["text"]
    assert len(message["buttons"]) == 6


def test_an_emergency_answers_at_once_with_a_one_line_notice_and_stays(dispatcher):
    events = run_action(ActionEmergency(), dispatcher, make_tracker("jirgin ruwa yana nutsewa", intent="emergency",
                                                 slots={"language": "ha"}), CONTEXT_DOMAIN)
    [message] = dispatcher.messages
    assert message["text"] == KB.text("emergency_safety", "ha") + "\n\n" + KB.text("emergency_notice_line", "ha")
    slots = slot_events(events)
    assert slots["emergency_active"] is True and slots["urgent"] is True and slots["menu_options"] is None


def test_after_consent_the_safety_answer_needs_no_notice(dispatcher):
    run_action(ActionEmergency(), dispatcher, make_tracker("sos", intent="emergency", slots={"language": "en", "consent": "given"}), CONTEXT_DOMAIN)
    assert dispatcher.messages[0]["text"] == KB.text("emergency_safety", "en")


def test_every_later_message_gets_a_short_acknowledgement_in_the_users_language(dispatcher):
    tracker = make_tracker("mu 50 ne", intent="out_of_scope", slots={"language": "ha", "emergency_active": True})
    events = run_action(ActionEmergencyFollowup(), dispatcher, tracker, CONTEXT_DOMAIN)
    assert [m["text"] for m in dispatcher.messages] == [KB.text("emergency_ack", "ha")]
    assert "emergency_active" not in slot_events(events)  # no caseworker resolved it (no channel here)


@pytest.mark.parametrize("intent, action", [
    ("avr_overview", "action_answer_topic"), ("ask_cost", "action_answer_follow_up"), ("greet", "action_greet"),
    ("nlu_fallback", "action_answer_from_retrieval"), ("human_handoff", "action_handoff"), (None, "action_not_understood"),
])
def test_after_the_emergency_a_message_gets_the_action_the_rules_give_it(intent, action):
    assert action_for(intent) == action


def _with_ranking(tracker, ranking):
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    return tracker


@pytest.mark.parametrize("text, topic, ranking, expected", [
    # "how much?" after the reintegration answer: out of scope alone, a follow-up in context
    ("قداش؟", "reintegration", [("out_of_scope", 0.30), ("ask_cost", 0.16)], "reintegration_cash"),
    ("c gratuit?", "avr_overview", [("out_of_scope", 0.40), ("affirm", 0.2), ("ask_cost", 0.12)], "avr_cost"),
])
def test_a_short_out_of_scope_message_with_a_ranked_follow_up_answers_it_in_context(
        dispatcher, text, topic, ranking, expected):
    from actions.conversation import ActionOutOfScope

    tracker = _with_ranking(make_tracker(text, intent="out_of_scope", confidence=ranking[0][1],
                                         slots={"language": "fr", "topic": topic}), ranking)
    events = run_action(ActionOutOfScope(), dispatcher, tracker, CONTEXT_DOMAIN)
    assert slot_events(events).get("answer") == expected


@pytest.mark.parametrize("text, topic, ranking", [
    ("what is the weather in paris today", "avr_overview", [("out_of_scope", 0.4), ("ask_cost", 0.2)]),  # too long
    ("c gratuit?", None, [("out_of_scope", 0.4), ("ask_cost", 0.2)]),                # no conversation topic yet
    ("football?", "avr_overview", [("out_of_scope", 0.9), ("greet", 0.05)]),         # no follow-up ranked
])
def test_out_of_scope_stays_out_of_scope_without_context_or_a_follow_up(dispatcher, text, topic, ranking):
    from actions.conversation import ActionOutOfScope

    tracker = _with_ranking(make_tracker(text, intent="out_of_scope", slots={"language": "en", "topic": topic}), ranking)
    events = run_action(ActionOutOfScope(), dispatcher, tracker, CONTEXT_DOMAIN)
    assert "answer" not in slot_events(events)
    from actions.replies import ui

    assert dispatcher.messages[0]["text"] == ui("out_of_scope", "en")


@pytest.mark.parametrize("language", sorted(KB.languages))
def test_a_first_turn_answer_leaves_room_for_the_consent_question(language):
    """First turn <= 700 characters with the consent question: follow-ups, then the country note,
    give way; the answer itself and "talk to a person" always stay."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.knowledge_answer import FIRST_TURN_MAX_CHARS, answer_topic
    from actions.replies import ui

    budget = FIRST_TURN_MAX_CHARS - len(ui("intro_consent", language)) - 2
    countries = ("djibouti", "egypt", "libya", "mali", "niger", "sudan", "tunisia")
    for answer_id in sorted(KB.answers):
        for country in (None, *countries):
            dispatcher = CollectingDispatcher()
            also = "report_abuse" if answer_id != "report_abuse" else "asylum"  # a story's second need
            answer_topic(dispatcher, answer_id, language, also=also, max_follow_ups=2, country=country, max_chars=budget)
            message = dispatcher.messages[0]
            # "you also mentioned something: choose below" only while the option is there
            offered = {b["option"] for b in message["buttons"]}
            assert (ui("also_mentioned", language) in message["text"]) == (f"topic:{also}" in offered)
            body, _ = KB.article_text(answer_id, language)
            assert message["text"].startswith(body.answer.strip()[:40])
            assert message["buttons"][-1]["option"] == "handoff"
            if len(message["text"]) > budget:  # only when the answer alone is that long
                assert len(message["buttons"]) == 1 + (answer_id == "avr_eligibility")


def test_the_first_turn_gives_up_a_follow_up_before_the_country_note():
    """"help centres in tunis" in the first turn: article + Tunisia note + 2 follow-ups was 586
    characters, 734 with the consent question."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.knowledge_answer import answer_topic, first_turn_chars

    tracker = make_tracker("i want to know about the help centres in tunis", intent="assistance_centres")
    budget = first_turn_chars(tracker, "en")
    full, short = CollectingDispatcher(), CollectingDispatcher()
    answer_topic(full, "assistance_centres", "en", max_follow_ups=2, country="tunisia")
    answer_topic(short, "assistance_centres", "en", max_follow_ups=2, country="tunisia", max_chars=budget)
    assert len(full.messages[0]["text"]) > budget >= len(short.messages[0]["text"])
    assert "Medenine" in short.messages[0]["text"]  # the country note stays
    assert len(short.messages[0]["buttons"]) < len(full.messages[0]["buttons"])
    tracker.events.append({"event": "bot", "text": "earlier"})
    assert first_turn_chars(tracker, "en") is None  # later turns: no limit
