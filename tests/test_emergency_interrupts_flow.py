"""Danger comes first even inside a guided flow, and ends the flow (trained model, in-process)."""
from __future__ import annotations

import asyncio

import pytest

from content.knowledge import load_knowledge
from bot.model import latest_model

pytestmark = pytest.mark.skipif(latest_model() is None, reason="needs a trained model (make train)")


@pytest.mark.parametrize("form_start,danger", [
    ("can you check if i can go back home", "help we are lost in the desert now no water"),
    ("help me get an emergency travel document from my embassy", "our boat is sinking now please help"),
])
def test_an_emergency_mid_flow_gets_the_safety_answer_and_ends_the_flow(assistant, form_start, danger):
    async def talk():
        sender = f"flow-{abs(hash((form_start, danger)))}"
        await assistant.send(form_start, sender)
        tracker = await assistant.agent.tracker_store.retrieve(sender)
        started = tracker.active_loop_name
        turn = await assistant.send(danger, sender)
        tracker = await assistant.agent.tracker_store.retrieve(sender)
        return started, turn, tracker.active_loop_name

    started, turn, active_after = asyncio.run(talk())
    assert started in {"eligibility_form", "consular_form"}
    assert turn.intent == "emergency"
    assert turn.messages[0].startswith(load_knowledge().text("emergency_safety", "en"))
    assert active_after is None
