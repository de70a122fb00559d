"""After hours: when the team is not at work a handoff says, in the migrant's language, when a
person will answer; urgent handoffs alert at any hour; the conversation so far and a summary reach the case."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff, request_handoff
from actions.replies import ui
from cases import hours, store
from cases.policy import Actor
from testing.case_support import tracker

UTC = ZoneInfo("UTC")
TRIPOLI = ZoneInfo("Africa/Tripoli")  # UTC+2, no daylight saving


def at(*parts, zone=UTC):
    return datetime(*parts, tzinfo=zone)


@pytest.mark.parametrize("now, spec, expected", [
    (at(2026, 11, 30, 10, 0), "mon-fri 09:00-17:00", None),                          # Monday morning
    (at(2026, 11, 30, 17, 0), "mon-fri 09:00-17:00", at(2026, 12, 1, 9, 0)),          # closing time
    (at(2026, 12, 4, 18, 30), "mon-fri 09:00-17:00", at(2026, 12, 7, 9, 0)),          # Friday evening
    (at(2026, 12, 5, 8, 0), "mon-sat 09:00-13:00", at(2026, 12, 5, 9, 0)),            # Saturday, early
    (at(2026, 12, 4, 10, 0), "sun-thu 08:00-16:00", at(2026, 12, 6, 8, 0)),           # Friday: Sunday
    (at(2026, 12, 5, 23, 59, 59), "daily 00:00-24:00", None),
])
def test_next_opening(now, spec, expected):
    assert hours.next_opening(now, spec, UTC) == expected


def test_office_hours_are_local_hours_of_the_office_timezone():
    # 07:30 UTC is 09:30 in Tripoli: open there, closed by the UTC clock
    assert hours.next_opening(at(2026, 11, 30, 7, 30), "mon-fri 09:00-17:00", TRIPOLI) is None
    assert hours.next_opening(at(2026, 11, 30, 7, 30), "mon-fri 09:00-17:00", UTC) == at(2026, 11, 30, 9, 0)


def test_a_wrong_time_zone_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("OFFICE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="OFFICE_TIMEZONE"):
        hours.office_timezone()


@pytest.fixture
def closed(monkeypatch):
    """Friday 18:30 UTC: the team (mon-fri 09:00-17:00) is back on Monday at 9:00."""
    monkeypatch.setattr(hours, "datetime", type("Clock", (datetime,), {
        "now": classmethod(lambda cls, tz=None: at(2026, 12, 4, 18, 30))}))
    monkeypatch.setenv("OFFICE_HOURS", "mon-fri 09:00-17:00")
    from core.settings import get_settings

    get_settings.cache_clear()


@pytest.mark.parametrize("language", ["en", "fr", "ar", "ti"])
def test_after_hours_a_handoff_says_when_a_person_answers(closed, default_db, language):
    dispatcher = CollectingDispatcher()
    request_handoff(dispatcher, tracker("tg-late", "human", slots={"language": language}))
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0] == ui("handoff_requested", language)
    assert texts[1] == ui("handoff_after_hours", language, day=ui("weekday_mon", language), time="9:00")
    assert ui("weekday_mon", language) in texts[1] and "{" not in texts[1]


def test_urgent_handoffs_alert_at_any_hour_without_the_after_hours_line(closed, default_db):
    dispatcher = CollectingDispatcher()
    request_handoff(dispatcher, tracker("tg-urgent", "help", slots={"language": "en"}), urgent=True)
    assert [m["text"] for m in dispatcher.messages] == [ui("handoff_requested", "en")]
    assert store.inbox(Actor(1, "x", "supervisor"), "unassigned", engine=default_db)[0].case.priority == "urgent"


@pytest.mark.asyncio
async def test_the_conversation_so_far_and_a_summary_reach_the_case(closed, default_db):
    slots = {"language": "fr", "host_country": "libya", "nationality": "nigeria", "own_wish": "yes",
             "has_document": "no", "topic": "avr_eligibility"}
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(text="Merci.")  # said earlier in the same turn (the consent answer)
    await ActionHandoff().run(dispatcher, tracker("tg-sum", "humain", slots=slots,
                                                  history=(("user", "bonjour"), ("bot", "Bonjour."))), {})
    supervisor = Actor(1, "x", "supervisor")
    case, _ = store.get_case(1, supervisor, engine=default_db)
    texts = [(l.message.author, l.message.text) for l in store.transcript(1, engine=default_db)]
    # up to the migrant's message: this turn's answers ("Merci.", the confirmation, office hours)
    # join the case once the channel has sent them (tests/channels/test_channels_case_transcript.py)
    assert texts == [("migrant", "bonjour"), ("bot", "Bonjour."), ("migrant", "humain")]
    summary = case.summary_dict
    assert summary["host_country"] == "Libya" and summary["nationality"] == "Nigeria"
    assert summary["channel"] == "telegram" and summary["language"] == "fr" and summary["consent"] == "given"
    assert summary["screening"]["Has a passport or ID"] == "no" and "VHR" in summary["screening_result"]
    notes = [e for e in store.events(1, engine=default_db) if e.kind == "note"]
    assert len(notes) == 1 and notes[0].data["text"].startswith("Handoff summary")
    assert "Host country: Libya" in notes[0].data["text"]
    # asked again: the card is refreshed, no second note
    await ActionHandoff().run(CollectingDispatcher(), tracker("tg-sum", "humain", slots=slots), {})
    assert len([e for e in store.events(1, engine=default_db) if e.kind == "note"]) == 1
