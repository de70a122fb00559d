"""Voluntary return eligibility screening: a form, one short question at a time.

The result is NEVER a decision: what the person may be able to get (knowledge/programmes/),
what happens next, which documents help, and a caseworker. Vulnerable answers (child alone,
medical, pregnant, trafficking/violence) set `priority_handoff` and ask a person at once.

Answers: countries by name in any language (knowledge/countries.yml), yes/no/don't know by
1/2/3 or words (knowledge/form_words.yml). An invalid answer is re-asked once with the invalid_*
string; a second invalid answer to the same question is recorded as "unknown" and the form moves
on, so it never loops. 'stop' ends it (form_stopped), 'back' re-asks the previous question,
'restart' starts again.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_up import answer_for, follow_up_table
from actions.handoff import request_handoff
from actions.language import requested_language
from actions.replies import HANDOFF_OPTION, knowledge, send, ui, user_language
from retrieval.countries import country_name
from retrieval.place_replies import resolve_country
from retrieval.flows_data import UNKNOWN, YES, command, parse_vulnerabilities, parse_yes_no, programme_for

FORM = "eligibility_form"
SLOTS = (
    "host_country", "nationality", "own_wish", "has_document",
    "detained", "vulnerability", "asylum_pending", "previous_return",
)
COUNTRY_SLOTS = ("host_country", "nationality")
INVALID_COUNTER = "form_invalid_answers"
MAX_INVALID = 2
VULNERABLE = {"child_alone", "medical", "pregnant", "trafficking_violence"}


KNOWN_COUNTRY = {"host_country": "known_host_country", "nationality": "known_nationality"}
SIDE_QUESTION_MIN_CONFIDENCE = 0.5


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def side_question(tracker: Tracker) -> Optional[str]:
    """The knowledge entry a message inside the flow asks about (a question, not an answer)."""
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    if confidence < SIDE_QUESTION_MIN_CONFIDENCE:
        return None
    if name in knowledge().articles:
        return name
    if name in follow_up_table():
        return answer_for(name, "avr_eligibility")
    return None


def answer_in_flow(dispatcher: CollectingDispatcher, topic: str, language: str) -> None:
    """The article's answer without its menu (the flow's own 1/2/3 keep their meaning)."""
    text, _ = knowledge().article_text(topic, language)
    dispatcher.utter_message(text=text.answer)


def invalid_key(slot: str) -> str:
    return "invalid_country" if slot in COUNTRY_SLOTS else "invalid_yes_no" if slot != "vulnerability" else "ask_vulnerability"


def parse_answer(slot: str, text: str) -> Optional[str]:
    """The stored value for an answer to `slot`, or None when it is not a valid answer."""
    if slot in COUNTRY_SLOTS:
        if parse_yes_no(text) == UNKNOWN:
            return UNKNOWN
        return resolve_country(text)
    if slot == "vulnerability":
        chosen = parse_vulnerabilities(text)
        if chosen is None and parse_yes_no(text) == UNKNOWN:
            return UNKNOWN
        return ",".join(chosen) if chosen else None
    return parse_yes_no(text)


def control_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, slots: Sequence[str], text: str
) -> Optional[Dict[Text, Any]]:
    """stop / back / restart: the slot values that carry them out, or None for an answer."""
    name = command(text)
    if name == "stop":
        return {slot: None, "form_stopped": True, "requested_slot": None, INVALID_COUNTER: 0.0}
    if name == "restart":
        return {**{s: None for s in slots}, INVALID_COUNTER: 0.0}
    if name == "back":
        values: Dict[Text, Any] = {slot: None, INVALID_COUNTER: 0.0}
        position = list(slots).index(slot) if slot in slots else 0
        answered = [s for s in slots[:position] if tracker.get_slot(s) is not None]
        if answered:
            values[answered[-1]] = None
        return values
    return None


def language_before_this_message(tracker: Tracker) -> Optional[str]:
    """The conversation's language before the latest user message changed it (if it did)."""
    language: Optional[str] = None
    last_user = max((i for i, e in enumerate(tracker.events) if e.get("event") == "user"), default=-1)
    for event in tracker.events[: max(last_user, 0)]:
        if event.get("event") == "slot" and event.get("name") == "language":
            language = event.get("value")
    return language


def validate_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, value: Any, slots: Sequence[str]
) -> Dict[Text, Any]:
    values = _validate_answer(dispatcher, tracker, slot, value, slots)
    # a form answer ("libia", "2", "oui") is too short to say which language the person speaks:
    # keep the language the conversation had before it (unless the person asked for another)
    before = language_before_this_message(tracker)
    if before and before != tracker.get_slot("language") and "language" not in values:
        values["language"] = before
    return values


def _validate_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, value: Any, slots: Sequence[str]
) -> Dict[Text, Any]:
    text = str(value or "")
    controls = control_events(dispatcher, tracker, slot, slots, text)
    if controls is not None:
        return controls
    known = tracker.get_slot(KNOWN_COUNTRY.get(slot, ""))
    if known and parse_yes_no(text) == YES:  # "You said Libya. Is that right?" - "yes"
        return {slot: known, INVALID_COUNTER: 0.0}
    parsed = parse_answer(slot, text)
    if parsed is not None:
        if slot == "own_wish" and parsed == "no":
            # nobody may be made to go home: the screening stops here, the result says so and
            # offers a person (a family or employer forcing someone is a protection concern)
            return {slot: parsed, INVALID_COUNTER: 0.0, **{s: UNKNOWN for s in slots if s not in (slot, *COUNTRY_SLOTS)
                                                          and tracker.get_slot(s) is None}}
        return {slot: parsed, INVALID_COUNTER: 0.0}
    language = knowledge().resolve_language(language_before_this_message(tracker) or tracker.get_slot("language"))
    asked_for = requested_language(text) if _intent(tracker) == "change_language" else None
    if asked_for:  # "english please" in the middle of the flow: switch, then the same question again
        dispatcher.utter_message(text=ui("language_changed", asked_for))
        return {slot: None, "language": asked_for}
    question = side_question(tracker)
    if question is not None:
        # a question in the middle of the flow ("how long does it take?") is answered, then the
        # same question is asked again; it does not count as an invalid answer
        answer_in_flow(dispatcher, question, language)
        return {slot: None, "topic": knowledge().answers[question].parent, "answer": question}
    failures = int(tracker.get_slot(INVALID_COUNTER) or 0) + 1
    if failures >= MAX_INVALID:
        return {slot: UNKNOWN, INVALID_COUNTER: 0.0}
    language = knowledge().resolve_language(language_before_this_message(tracker) or tracker.get_slot("language"))
    if slot != "vulnerability":
        dispatcher.utter_message(text=ui(invalid_key(slot), language))
    return {slot: None, INVALID_COUNTER: float(failures)}


class AnswerValidation(FormValidationAction):
    """Validates the answer to the question just asked; shared by both guided flows.

    Rasa's form sends the answer as the candidate of the requested slot only (each slot's
    from_text mapping in domain.yml is conditioned on `requested_slot`), so one validate_<slot>
    method runs per message; every slot of the form delegates to `validate_answer`."""

    form = ""
    slots: Sequence[str] = ()

    def name(self) -> Text:
        return f"validate_{self.form}"

    def answer(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if value is None:
            return {}
        return validate_answer(dispatcher, tracker, slot, value, self.slots)

    # the two questions both forms ask
    def validate_host_country(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("host_country", value, dispatcher, tracker)

    def validate_nationality(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("nationality", value, dispatcher, tracker)


class ValidateEligibilityForm(AnswerValidation):
    form = FORM
    slots = SLOTS

    def validate_own_wish(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("own_wish", value, dispatcher, tracker)

    def validate_has_document(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("has_document", value, dispatcher, tracker)

    def validate_detained(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("detained", value, dispatcher, tracker)

    def validate_vulnerability(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("vulnerability", value, dispatcher, tracker)

    def validate_asylum_pending(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("asylum_pending", value, dispatcher, tracker)

    def validate_previous_return(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.answer("previous_return", value, dispatcher, tracker)


class AskQuestion(Action, ABC):
    """Asks the form's requested slot (Rasa runs action_ask_<slot>); the slot is the name's end."""

    @abstractmethod
    def name(self) -> Text:
        ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        slot = self.name().removeprefix("action_ask_")
        language = user_language(tracker)
        known = tracker.get_slot(KNOWN_COUNTRY.get(slot, ""))
        if known:  # named earlier in the conversation: confirm instead of asking again
            text = f"{ui(f'ask_{slot}', language)}\n{ui('confirm_known_country', language, country=country_name(known, language))}"
            dispatcher.utter_message(text=text)
            return []
        dispatcher.utter_message(text=ui(f"ask_{slot}", language))
        return []


class ActionAskHostCountry(AskQuestion):
    def name(self) -> Text:
        return "action_ask_host_country"


class ActionAskNationality(AskQuestion):
    def name(self) -> Text:
        return "action_ask_nationality"


class ActionAskOwnWish(AskQuestion):
    def name(self) -> Text:
        return "action_ask_own_wish"


class ActionAskHasDocument(AskQuestion):
    def name(self) -> Text:
        return "action_ask_has_document"


class ActionAskDetained(AskQuestion):
    def name(self) -> Text:
        return "action_ask_detained"


class ActionAskVulnerability(AskQuestion):
    def name(self) -> Text:
        return "action_ask_vulnerability"


class ActionAskAsylumPending(AskQuestion):
    def name(self) -> Text:
        return "action_ask_asylum_pending"


class ActionAskPreviousReturn(AskQuestion):
    def name(self) -> Text:
        return "action_ask_previous_return"


# one per question of either form, in SLOTS order (consular_form asks two of the same)
ASK_ACTIONS = (ActionAskHostCountry, ActionAskNationality, ActionAskOwnWish, ActionAskHasDocument,
               ActionAskDetained, ActionAskVulnerability, ActionAskAsylumPending, ActionAskPreviousReturn)


def reset_events(slots: Sequence[str]) -> List[EventType]:
    return [SlotSet(s, None) for s in slots] + [SlotSet(INVALID_COUNTER, 0.0), SlotSet("form_stopped", None)]


def known_answers(tracker: Tracker, slots: Sequence[str], language: str) -> Tuple[List[EventType], List[str]]:
    """The countries the conversation already named ("I am from Sierra Leone, in Tunisia ... check
    if I qualify"), as the flow's answers, and lines that show them as answered questions: a person
    is not asked again, at a paid round trip each, what their message said ('back' changes them)."""
    events: List[EventType] = []
    lines: List[str] = []
    for slot in slots:
        known = tracker.get_slot(KNOWN_COUNTRY.get(slot, ""))
        if known:
            events.append(SlotSet(slot, known))
            lines.append(f"{ui(f'ask_{slot}', language)} {country_name(known, language)}")
    return events, lines


class ActionStartScreening(Action):
    """Start (or restart) the screening: intro, controls, then the form asks question 1."""

    def name(self) -> Text:
        return "action_start_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        known, lines = known_answers(tracker, SLOTS, language)
        dispatcher.utter_message(text="\n".join([ui("screening_intro", language), ui("form_controls", language), *lines]))
        return [*reset_events(SLOTS), *known, SlotSet("priority_handoff", None), SlotSet("menu_options", None),
                FollowupAction(FORM)]


def screening_messages(answers: Dict[str, Any], language: str) -> List[str]:
    """The result, as messages (information, never a decision)."""
    programme = programme_for(answers.get("host_country"))
    if programme.requires_own_wish and answers.get("own_wish") == "no":
        return [ui("screening_not_own_wish", language), ui("screening_not_a_decision", language)]
    lines = [ui(programme.result_key, language)]
    lines.append(ui("screening_documents_have" if answers.get("has_document") == YES else "screening_documents_missing", language))
    if answers.get("detained") == YES and programme.show_detention_note:
        lines.append(ui("screening_detained", language))
    if answers.get("asylum_pending") == YES:
        lines.append(ui("screening_asylum_pending", language))
    if answers.get("previous_return") == YES:
        lines.append(ui("screening_previous_return", language))
    return ["\n\n".join(lines), f"{ui('screening_next_steps', language)}\n{ui('screening_not_a_decision', language)}"]


def is_vulnerable(answers: Dict[str, Any]) -> bool:
    return bool(VULNERABLE & set(str(answers.get("vulnerability") or "").split(",")))


class ActionEligibilityResult(Action):
    def name(self) -> Text:
        return "action_eligibility_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        if tracker.get_slot("form_stopped"):
            send(dispatcher, ui("form_stopped", language))
            return [*reset_events(SLOTS), ActiveLoop(None), SlotSet("requested_slot", None)]
        answers = {slot: tracker.get_slot(slot) for slot in SLOTS}
        events: List[EventType] = [SlotSet("topic", "avr_eligibility"), SlotSet("failed_understandings", 0.0)]
        messages = screening_messages(answers, language)
        for text in messages[:-1]:
            send(dispatcher, text)
        if is_vulnerable(answers):
            send(dispatcher, messages[-1])
            send(dispatcher, ui("screening_vulnerable", language))
            events.append(SlotSet("priority_handoff", True))
            events += request_handoff(dispatcher, tracker)
            return events
        events += send(dispatcher, messages[-1], [(HANDOFF_OPTION, ui("menu_talk_to_person", language))])
        return events
