"""Consent first, never in the way of a menu: the actions (Tracker.from_dict) and the policy's rule
for what counts as a consent answer."""
from __future__ import annotations

import pytest

from actions.consent import ActionConsentAnswer, ActionPrivacyNotice
from actions.handoff import ActionHandoff
from rasa_extensions.policies.conversation import answers_consent
from privacy.consent import consent_answer, consent_reply, messages_since_question
from content.knowledge import load_knowledge
from tests.conftest import make_tracker, slot_events
from testing.trackers import run_action

KB = load_knowledge()


def tracker(text="", intent=None, slots=None, turn=(), history=(), channel=None, entities=None, sender_id="tg-test"):
    """A tracker whose current turn already ran `turn` (event dicts) after the user's message."""
    return make_tracker(text, intent, slots=slots, entities=entities, sender_id=sender_id, history=history, turn=turn,
                        channel=channel)


def option(number: str, slots: dict, text: str | None = None, **kwargs):
    return tracker(text or number, "select_option", slots, entities=[{"entity": "option", "value": number}], **kwargs)


ANSWER_MENU = ["topic:avr_eligibility", "topic:avr_process", "handoff"]
CONSENT_PAYLOADS = ["consent:yes", "consent:no", "consent:full"]


@pytest.mark.parametrize("language", list(KB.languages))
def test_the_notice_is_one_short_message_with_word_buttons_and_leaves_the_menu_alone(dispatcher, language):
    events = run_action(ActionPrivacyNotice(), dispatcher, tracker("c quoi le retour", "avr_overview",
                                                {"language": language, "menu_options": ANSWER_MENU}))
    [message] = dispatcher.messages
    assert message["text"] == KB.text("intro_consent", language)  # the introduction, once, folded in
    assert [b["payload"] for b in message["buttons"]] == CONSENT_PAYLOADS  # never "1", "2", "3"
    slots = slot_events(events)
    assert slots["consent_asked"] is True and slots["pending_confirmation"] == "consent"
    assert "menu_options" not in slots  # "2" still picks the answer's second option
    assert "consent" not in slots  # nothing is decided for the migrant


def test_after_a_greeting_the_notice_does_not_introduce_the_assistant_twice(dispatcher):
    run_action(ActionPrivacyNotice(), dispatcher,
        tracker("salut", "greet", {"language": "fr"}, turn=[{"event": "action", "name": "action_greet"}]))
    assert dispatcher.messages[0]["text"] == KB.text("consent_short", "fr")


PENDING_HISTORY = [{"event": "slot", "name": "pending_confirmation", "value": "consent"}]
PENDING = {"language": "fr", "consent_asked": True, "pending_confirmation": "consent", "menu_options": ANSWER_MENU}


def answer(text, slots=PENDING, **kwargs):
    return tracker(text, "affirm", slots, history=PENDING_HISTORY, **kwargs)


@pytest.mark.parametrize("text, expected", [
    ("oui", "yes"), ("OUI !", "yes"), ("d'accord", "yes"), ("consent:yes", "yes"), ("👍", "yes"), ("Yes, I agree", "yes"),
    ("naam", "yes"), ("نعم", "yes"), ("haa", "yes"), ("እሺ", "yes"), ("sim", "yes"),
    ("non", "no"), ("No", "no"), ("a'a", "no"), ("maya", "no"), ("لا", "no"), ("consent:no", "no"),
    ("privacy", "full"), ("consent:full", "full"),
    # numbers belong to menus; a sentence is a question, not a refusal
    ("1", None), ("2", None), ("3", None), ("a'a bani da fasfo", None), ("no i have no passport", None),
    ("lacag la'aan ma tahay?", None), ("", None), ("is it free?", None),
    # listed answers side by side, in two languages, that agree; "d'accord" is also in "pas d'accord"
    ("to, d'accord", "yes"), ("Toh, yauwa", "yes"), ("sim, ok", "yes"), ("oya ok", "yes"), ("non, no", "no"),
    ("ok, non", None), ("yes, how long?", None), ("d'accord, c'est gratuit ?", None),
    # "not now" and "later" decline (for now); "no problem" in Pidgin agrees
    ("non laisse, plus tard", "no"), ("not now", "no"), ("agora não", "no"), ("ሕጂ ኣይኮነን", "no"),
    ("wahala no dey", "yes"), ("later, how long e go take?", None),
])
def test_only_a_whole_consent_word_or_payload_answers_the_question(text, expected):
    assert consent_answer(text) == expected


def test_the_policy_reads_a_consent_word_only_while_the_question_is_recent():
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.events import SlotSet, UserUttered

    def rasa_tracker(*texts):
        events = [SlotSet("pending_confirmation", "consent"), SlotSet("consent_asked", True)]
        events += [UserUttered(t, {"name": "deny", "confidence": 0.9}) for t in texts]
        return DialogueStateTracker.from_events("t", events)

    assert answers_consent(rasa_tracker("no"))
    assert answers_consent(rasa_tracker("ok thanks"))  # right after the question: an answer
    assert answers_consent(rasa_tracker("what is avr", "non"))
    assert not answers_consent(rasa_tracker("what is avr", "ok thanks"))  # thanks for the answer between
    assert not answers_consent(rasa_tracker("what is avr", "is it free", "no"))  # "no" to something else
    assert not answers_consent(rasa_tracker("2"))
    assert answers_consent(rasa_tracker("what is avr", "to, d'accord"))  # more than an acknowledgement
    assert not answers_consent(rasa_tracker("what is avr", "ok, oya"))
    # an acknowledgement with a word that answers, a message later: an answer ("yes, ok" in words)
    for text in ("haa ok", "تمام موافق", "eh to", "yes you can", "no wahala go ahead"):
        assert answers_consent(rasa_tracker("what is avr", text)), text
    assert not answers_consent(rasa_tracker("what is avr", "ሕራይ"))  # "alright" alone: still only thanks
    assert not answers_consent(rasa_tracker("what is avr", "ok no"))  # says both


def _intent(name, confidence=0.99):
    return {"name": name, "confidence": confidence}


@pytest.mark.parametrize("text, since, intent, expected", [
    # right after the question, a short plain yes or no the word lists do not hold
    ("ok na", 1, _intent("affirm"), "yes"), ("maya hadda maya", 1, _intent("deny"), "no"),
    ("no not today", 1, _intent("deny"), "no"), ("a'a bari tukuna", 1, _intent("deny", 0.9), "no"),
    ("oui", 1, _intent("greet"), "yes"),  # the word list first, whatever the classifier says
    # not right after it, not sure, not short, a question, a number, not a yes or no
    ("ok na", 2, _intent("affirm"), None), ("no not today", 1, _intent("deny", 0.6), None),
    ("no no no i do not want that at all", 1, _intent("deny"), None), ("ok na wetin e cost?", 1, _intent("affirm"), None),
    ("2", 1, _intent("deny"), None), ("no 2", 1, _intent("deny"), None),
    ("no i have no passport", 1, _intent("travel_document"), None), ("ok na", 1, None, None),
])
def test_right_after_the_question_a_short_plain_yes_or_no_answers_it(text, since, intent, expected):
    assert consent_reply(text, since, intent) == expected


def test_the_policy_and_the_action_take_a_plain_yes_by_its_intent(dispatcher):
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.events import SlotSet, UserUttered

    events = [SlotSet("pending_confirmation", "consent"), SlotSet("consent_asked", True),
              UserUttered("ok na", {"name": "affirm", "confidence": 0.99})]
    assert answers_consent(DialogueStateTracker.from_events("t", events))
    slots = slot_events(run_action(ActionConsentAnswer(), dispatcher, tracker("ok na", "affirm", PENDING,
                                                                            history=PENDING_HISTORY)))
    assert slots["consent"] == "given"


@pytest.mark.parametrize("text, expected", [
    ("haa ok", "yes"), ("تمام موافق", "yes"), ("eh to", "yes"), ("ok privacy", "full"),
    ("ok", None), ("ok thanks", None), ("ok, non", None), ("ok no", None), ("i go", None), ("ok is it free", None),
])
def test_a_message_after_the_question_answers_it_only_with_more_than_an_acknowledgement(text, expected):
    assert consent_answer(text, strict=True) == expected


def test_yes_gives_consent_and_keeps_the_answers_menu(dispatcher):
    events = run_action(ActionConsentAnswer(), dispatcher, answer("oui"))
    slots = slot_events(events)
    assert slots["consent"] == "given" and slots["pending_confirmation"] is None
    assert "menu_options" not in slots
    assert [m["text"] for m in dispatcher.messages] == [KB.text("consent_given", "fr")]


def test_no_declines_and_the_user_can_still_read_information(dispatcher):
    slots = slot_events(run_action(ActionConsentAnswer(), dispatcher, answer("non")))
    assert slots["consent"] == "declined"
    assert dispatcher.messages[0]["text"] == KB.text("consent_declined", "fr")


def test_privacy_shows_the_full_notice_and_asks_again(dispatcher):
    slots = slot_events(run_action(ActionConsentAnswer(), dispatcher, answer("consent:full")))
    assert "consent" not in slots and slots["pending_confirmation"] == "consent"
    [message] = dispatcher.messages
    assert message["text"].startswith(KB.text("privacy_full", "fr", retention_days=90)[:40])
    assert message["text"].endswith(KB.text("consent_ask_again", "fr"))
    assert [b["payload"] for b in message["buttons"]] == CONSENT_PAYLOADS


@pytest.mark.parametrize("slots", [{"language": "en"}, {"language": "en", "consent": "declined", "consent_asked": True}],
                         ids=["never asked", "declined"])
def test_a_person_is_involved_only_after_consent(dispatcher, monkeypatch, slots):
    from actions import case_bridge

    opened = []
    monkeypatch.setattr(case_bridge, "open_case", lambda *a, **k: opened.append(a))
    events = run_action(ActionHandoff(), dispatcher, tracker("human", "human_handoff", slots, channel="telegram"))
    asked = slot_events(events)
    assert opened == [] and "handoff" not in asked
    assert asked["consent_next"] == "handoff" and asked["pending_confirmation"] == "consent"
    assert dispatcher.messages[0]["text"] == KB.text("consent_before_handoff", "en")
    # "yes": consent given, and the handoff goes on in the same turn
    state = {**slots, **asked}
    events = run_action(ActionConsentAnswer(), dispatcher,
                 tracker("yes", "affirm", state, history=PENDING_HISTORY, channel="telegram"))
    done = slot_events(events)
    assert done["consent"] == "given" and done["handoff"] is True and len(opened) == 1


def test_no_before_a_handoff_says_a_person_cannot_follow_up(dispatcher, monkeypatch):
    from actions import case_bridge

    monkeypatch.setattr(case_bridge, "open_case", lambda *a, **k: pytest.fail("no case without consent"))
    state = {"language": "en", "consent_asked": True, "pending_confirmation": "consent", "consent_next": "handoff"}
    slots = slot_events(run_action(ActionConsentAnswer(), dispatcher, tracker("no", "deny", state, history=PENDING_HISTORY)))
    assert slots["consent"] == "declined" and "handoff" not in slots
    assert dispatcher.messages[0]["text"] == KB.text("consent_declined_no_person", "en")


def test_declining_forgets_the_project_data_of_a_real_channel(dispatcher, monkeypatch):
    import privacy.erasure as erasure

    forgotten = []
    monkeypatch.setattr(erasure, "forget_on_decline", lambda cid, **kw: forgotten.append((cid, kw)))
    run_action(ActionConsentAnswer(), dispatcher, answer("non", channel="whatsapp", sender_id="wa-123"))
    run_action(ActionConsentAnswer(), dispatcher, answer("non", channel="cli", sender_id="cli-1"))
    assert forgotten == [("wa-123", {"channel": "whatsapp"})]


def test_consent_is_pending_only_right_after_the_question():
    assert messages_since_question(answer("oui")) == 1
    assert messages_since_question(tracker("oui", "affirm", {**PENDING, "pending_confirmation": None})) is None
