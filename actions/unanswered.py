"""Keep, for the content team, the questions the assistant did not answer well.

Called at the end of `action_answer_from_retrieval` (every message the intent classifier was unsure
about: the `nlu_fallback` rule), `action_not_understood` (the dialogue's own fallback) and
`action_answer_topic` when the classifier gave its topic less than UNSURE_BELOW (`note_if_unsure`),
with the events the turn produced. Their outcome decides what is kept:
- not understood (`failed_understandings` went up, no answer)  → not_understood
- an answer sent although the classifier was unsure             → low_confidence (with the answer)
- a numbered choice of likely answers                          → choice (with the first one)

Written only where the project keeps this conversation at all: a channel a person can be
reached on (not `python -m bot ask`, whose runs are evaluations), consent not declined, no
emergency (those words go to the alerted team, not to statistics). The text is redacted by the
store before it is written (insights/store.py); erasure and a later refusal remove it with
the conversation (privacy/erasure.py).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions.case_bridge import NO_WAY_BACK
from actions.replies import user_language
from insights.models import CHOICE, LOW_CONFIDENCE, NOT_UNDERSTOOD
from insights.store import in_background, record_unanswered
from privacy.consent import DECLINED

FALLBACK = "nlu_fallback"
# Above the fallback's 0.3, a topic is still answered; below 0.5 the classifier is right only about
# 6 times in 10 (600 held-out topic messages of tests/nlu_test, this model: 19 of 31 between 0.3
# and 0.5, 19 of 25 between 0.5 and 0.6, 512 of 531 above): worth a look by the content team.
UNSURE_BELOW = 0.5


def outcome_of(events: List[Dict[str, Any]]) -> Optional[tuple]:
    """(outcome, answer id) of a fallback turn from its events, or None (an emergency, nothing sent)."""
    slots = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
    if slots.get("emergency_active"):
        return None
    if slots.get("answer"):
        return LOW_CONFIDENCE, str(slots["answer"])
    offered = [str(o).partition(":")[2] for o in slots.get("menu_options") or () if str(o).startswith("topic:")]
    if offered:
        return CHOICE, offered[0]
    if float(slots.get("failed_understandings") or 0) > 0:
        return NOT_UNDERSTOOD, None
    return None


def classifier_confidence(tracker: Tracker) -> float:
    """How sure the intent classifier was of its best real intent (the fallback's own is not one)."""
    ranking = [r for r in tracker.latest_message.get("intent_ranking") or () if r.get("name") != FALLBACK]
    if ranking:
        return max(float(r.get("confidence") or 0.0) for r in ranking)
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def note(tracker: Tracker, events: List[Dict[str, Any]]) -> None:
    """Keep this turn's question if it was not answered well and the conversation allows it."""
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or tracker.get_latest_input_channel() in NO_WAY_BACK or tracker.get_slot("consent") == DECLINED \
            or tracker.get_slot("emergency_active"):
        return
    found = outcome_of(events)
    if found is None:
        return
    outcome, answer_id = found
    in_background(record_unanswered, tracker.sender_id, user_language(tracker), text, outcome,
                  classifier_confidence(tracker), answer_id)


def note_if_unsure(tracker: Tracker, events: List[Dict[str, Any]]) -> None:
    """`note`, for an answer to a topic the classifier chose with less than UNSURE_BELOW."""
    if float((tracker.latest_message.get("intent") or {}).get("confidence") or 1.0) < UNSURE_BELOW:
        note(tracker, events)
