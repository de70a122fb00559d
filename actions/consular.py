"""Consular help: how to get a travel document home, and the embassy contact when verified.

A short form asks nationality and the country the person is in (same answers and controls as
the screening), then explains: passport / emergency travel document (laissez-passer), documents
that help prove nationality, how IOM links people with their embassy (in Libya: the online
consular service, 004_11ae2459f9ef07b6.txt "CONSULAR ASSISTANCE"), and the embassy contact ONLY
from knowledge/directory/embassies.yml entries that are verified and sourced. Otherwise it says
it has no verified contact (ui no_verified_contact) and offers a caseworker.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility import INVALID_COUNTER, AnswerValidation, known_answers, reset_events
from actions.replies import HANDOFF_OPTION, send, ui, user_language
from retrieval.countries import country_name
from retrieval.flows_data import contact_text, verified_embassy

FORM = "consular_form"
SLOTS = ("nationality", "host_country")
IOM_CONSULAR_SERVICE_COUNTRIES = {"libya"}


class ValidateConsularForm(AnswerValidation):
    form = FORM
    slots = SLOTS


class ActionStartConsular(Action):
    def name(self) -> Text:
        return "action_start_consular"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        known, lines = known_answers(tracker, SLOTS, language)
        dispatcher.utter_message(text="\n".join([ui("consular_intro", language), ui("form_controls", language), *lines]))
        return [*reset_events(SLOTS), *known, SlotSet("menu_options", None), FollowupAction(FORM)]


def consular_messages(nationality: Any, host_country: Any, language: str) -> List[str]:
    lines = [ui("consular_documents", language), ui("consular_iom_link", language)]
    if host_country in IOM_CONSULAR_SERVICE_COUNTRIES:
        lines.append(ui("consular_libya", language))
    entry = verified_embassy(nationality, host_country)
    if entry is not None:
        contact = ui(
            "consular_contact", language, country=country_name(nationality, language),
            host_country=country_name(host_country, language), contact=contact_text(entry),
        )
    else:
        contact = ui("no_verified_contact", language)
    return ["\n\n".join(lines), contact]


class ActionConsularResult(Action):
    def name(self) -> Text:
        return "action_consular_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        if tracker.get_slot("form_stopped"):
            send(dispatcher, ui("form_stopped", language))
            return [*reset_events(SLOTS), ActiveLoop(None), SlotSet("requested_slot", None)]
        nationality, host = tracker.get_slot("nationality"), tracker.get_slot("host_country")
        body, contact = consular_messages(nationality, host, language)
        send(dispatcher, body)
        events: List[EventType] = [SlotSet("topic", "embassy_contact"), SlotSet("failed_understandings", 0.0),
                                   SlotSet(INVALID_COUNTER, 0.0)]
        events += send(dispatcher, contact, [(HANDOFF_OPTION, ui("menu_talk_to_person", language))])
        return events
