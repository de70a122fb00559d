"""Campaign links (issue 13): t.me/bot?start=fr_radio1 and WhatsApp click-to-chat prefilled
text carry a campaign id and an optional language; counted by `python -m bot stats`."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from channels import campaign
from channels.whatsapp import parse_message
from testing.harness import twilio_message


@pytest.mark.parametrize("payload, expected", [
    ("fr_radio1", campaign.Campaign("radio1", "fr")),
    ("radio-niamey", campaign.Campaign("radio-niamey")),
    ("PCM_poster-lagos", campaign.Campaign("poster-lagos", "pcm")),
    ("xx_radio1", None),                 # not a language of ours
    ("fr_+22790123456", None),           # never a phone number
    ("fr_call22790123456", None),
    ("fr_amina_diallo", None),           # a name has no place in a campaign id: dropped whole
    ("a" * 30, None), ("", None), ("/greet{}", None),
])
def test_payloads(payload, expected):
    assert campaign.parse(payload) == expected


@pytest.mark.parametrize("language", ["en", "fr", "ar", "am", "ha", "pcm", "pt", "so", "ti"])
def test_the_greeting_names_its_language(language):
    from language.hints import hinted_language

    assert hinted_language(campaign.greeting(language)) == language


def test_whatsapp_prefilled_text_carries_the_campaign(db_url):
    inbound = parse_message(twilio_message("+221771234567", "Bonjour [fr_radio1]"))
    assert inbound.text == "Bonjour" and inbound.metadata["campaign"] == "radio1"
    assert inbound.metadata["campaign_language"] == "fr"
    only_tag = parse_message(twilio_message("+221771234567", "[so_clinic-3]"))
    assert only_tag.text == campaign.greeting("so") and only_tag.metadata["campaign"] == "clinic-3"
    typed = parse_message(twilio_message("+221771234567", "my number is [22790123456]"))
    assert "campaign" not in typed.metadata and typed.text == "my number is [22790123456]"


def test_stats_count_arrivals_per_campaign(tmp_path):
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from core.db import make_engine, upgrade
    from bot.stats import collect
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    upgrade(url)
    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    for sender, meta in (("tg-a", {"campaign": "radio1", "campaign_language": "fr"}), ("wa-b", {"campaign": "radio1"}),
                         ("wa-c", {"campaign": "poster"}), ("tg-d", {})):
        tracker = DialogueStateTracker(sender, [])
        tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}, [], input_channel="telegram",
                                   metadata=meta))
        asyncio.run(store.save(tracker))
    engine = make_engine(url)
    try:
        stats = collect(timedelta(days=1), engine=engine, tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",
                        now=datetime.utcnow() + timedelta(minutes=1))
    finally:
        engine.dispose()
    assert stats.by_campaign == {"radio1": 2, "poster": 1}
    assert "arrivals per campaign link" in "\n".join(stats.lines())
