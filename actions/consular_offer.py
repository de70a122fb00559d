"""A country named alone after the answer about papers or the embassy starts consular help.

"how do I get papers from my embassy?" - the answer - "south sudan": the person says whose embassy
they mean. Answering the papers article again (or "I did not understand") wastes a paid message;
the consular flow (actions/consular.py) takes the country as the nationality - a city, or a second
country once the nationality is known, as where the person is - asks what is missing, and gives the
embassy contact where a verified one exists. Kept apart from actions/consular.py, which imports the
screening, so that the answering actions can use it without an import cycle.
"""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet

from retrieval.place_replies import sole_place

PAPERS_TOPICS = {"travel_document", "embassy_contact"}


def consular_for_a_country(tracker: Tracker, text: str) -> List[EventType]:
    """[known country, start consular help] for a lone place name after a papers answer; [] otherwise."""
    if tracker.get_slot("topic") not in PAPERS_TOPICS or (tracker.active_loop or {}).get("name"):
        return []
    place = sole_place(text)
    if place is None:
        return []
    country_id, is_city = place
    nationality = tracker.get_slot("known_nationality")
    slot = "known_host_country" if is_city or (nationality and nationality != country_id) else "known_nationality"
    return [SlotSet(slot, country_id), FollowupAction("action_start_consular")]
