"""Was this answer helpful? 👍 / 👎 - asked now and then under a knowledge answer.

When (`due`): never in a conversation's first turn, never before its second knowledge answer and
then at most every fourth one; never during or after an emergency, while a caseworker case is
open, during a guided flow, while a yes/no question or the consent question waits for its answer
(a 👍 would answer it), before the privacy notice was shown, nor when consent was declined.

How (`offer`): inside the answer's own message, never as a message of its own - a line under the
numbered menu and two buttons without numbers (actions/replies.send `footer`, `extra_buttons`),
so a typed "2" still picks option 2. On Telegram the thumbs share a row under the menu; on
WhatsApp they are two more items of the answer's buttons or list; the web chat sends the thumb.
Each channel button carries a signed token naming the rated answer (channels/menu_token.py).

The rating (`take_rating`): a tapped thumb (its token says which answer, even under an older
message) or a 👍 / 👎 typed right after the question. Both arrive as the thumb alone, which the
NLU reads as `noise` (rasa_extensions/nlu/noise.py), so action_noise hands it here first. Anything else the
person writes instead is understood as usual: the question keeps no state. A second rating of the
same question is thanked but not counted again. What is kept: one more in the week's count for the
answer and the conversation's language (insights/store.py) - never who, never any text.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.case_bridge import NO_WAY_BACK
from actions.replies import send, ui, user_language
from insights.store import in_background, record_rating
from privacy.consent import ANSWER_WITHIN_MESSAGES, DECLINED, PENDING_CONSENT, messages_since_question
from channels import menu_token

FIRST_ANSWER = 2   # the first question comes with the conversation's second knowledge answer...
EVERY = 4          # ...and the next ones at least this many answers after the previous question
ASKED = "feedback"  # key of the answer message's custom JSON: the answer the question is about
RATED = "rated"     # key of the thanks' custom JSON: the answer whose question was answered
EMERGENCY_ACTIONS = ("action_emergency", "action_emergency_followup")
_THUMBS = {"👍": True, "👎": False}
_DECORATION = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F]|\\s")  # skin tones, emoji presentation, spaces


def due(tracker: Tracker) -> bool:
    """Ask under the answer this turn sends?"""
    if not any(e.get("event") == "bot" for e in tracker.events):
        return False  # the first turn: the answer and the consent question are enough
    answers, since_asked = _answers_so_far(tracker)
    if answers + 1 < FIRST_ANSWER or (since_asked is not None and since_asked + 1 < EVERY):
        return False
    if tracker.get_slot("consent") == DECLINED or not (tracker.get_slot("consent") or tracker.get_slot("consent_asked")):
        return False
    if _waiting_for_an_answer(tracker) or (tracker.active_loop or {}).get("name"):
        return False
    if tracker.get_slot("emergency_active") or any(
            e.get("event") == "action" and e.get("name") in EMERGENCY_ACTIONS for e in tracker.events):
        return False
    return not _case_open(tracker)


def offer(answer_id: str, language: str) -> Tuple[str, List[Dict[str, Any]], Dict[str, Any]]:
    """(footer line, the two buttons, custom JSON to add) for asking about `answer_id`."""
    buttons = [{"title": thumb, "payload": thumb, "label": thumb, "beside": True,
                "option": menu_token.rating_value(answer_id, helpful)} for thumb, helpful in _THUMBS.items()]
    return ui("feedback_question", language), buttons, {ASKED: answer_id}


def thumb(text: str) -> Optional[bool]:
    """True for a message of 👍 only (any skin tone, repeated), False for 👎 only, else None."""
    bare = _DECORATION.sub("", text or "")
    kinds = {_THUMBS.get(char) for char in bare}
    return kinds.pop() if bare and len(kinds) == 1 and None not in kinds else None


def take_rating(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """Count and thank a rating; None when the message is no rating (the caller answers it)."""
    rating = _tapped_rating(tracker)
    if rating is None:
        helpful = thumb(tracker.latest_message.get("text") or "")
        asked = _asked_just_before(tracker) if helpful is not None else None
        if helpful is None or asked is None:
            return None
        rating = (asked, helpful)
    answer_id, helpful = rating
    language = user_language(tracker)
    if tracker.get_latest_input_channel() not in NO_WAY_BACK and not _rated_already(tracker, answer_id):
        in_background(record_rating, answer_id, language, helpful)
    return send(dispatcher, ui("feedback_thanks" if helpful else "feedback_thanks_unhelpful", language),
                custom={RATED: answer_id})


def _answers_so_far(tracker: Tracker) -> Tuple[int, Optional[int]]:
    """(knowledge answers sent before this turn, answers sent since the last one that asked -
    None when none asked yet)."""
    answers, since_asked = 0, None
    for custom in _customs(tracker.events):
        if not custom.get("answer"):
            continue
        answers += 1
        if custom.get(ASKED):
            since_asked = 0
        elif since_asked is not None:
            since_asked += 1
    return answers, since_asked


def _customs(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The custom JSON of the assistant's messages among `events`, in order."""
    out = []
    for event in events:
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict):
            out.append(custom)
    return out


def _waiting_for_an_answer(tracker: Tracker) -> bool:
    """A yes/no question waits (delete my data?), or the consent question can still be answered
    by the next message (rasa_extensions/policies/conversation.py reads a 👍 as "yes" then)."""
    pending = tracker.get_slot("pending_confirmation")
    if pending == PENDING_CONSENT:
        since = messages_since_question(tracker)
        return since is not None and since + 1 <= ANSWER_WITHIN_MESSAGES
    return bool(pending)


def _case_open(tracker: Tracker) -> bool:
    if not tracker.get_slot("handoff") or tracker.get_latest_input_channel() in NO_WAY_BACK:
        return False  # never handed over, or no case can exist (no way back to the person)
    try:
        from cases.service import has_active_case

        return has_active_case(tracker.sender_id)
    except Exception:  # noqa: BLE001 - when the store cannot tell, do not ask
        return True


def _tapped_rating(tracker: Tracker) -> Optional[Tuple[str, bool]]:
    """The rating a verified tap names (a forged or expired token names none)."""
    token = ((tracker.latest_message or {}).get("metadata") or {}).get(menu_token.METADATA_KEY)
    tap = menu_token.read(tracker.sender_id, token) if isinstance(token, str) else None
    return menu_token.read_rating(tap.value) if tap is not None and not tap.index else None


def _asked_just_before(tracker: Tracker) -> Optional[str]:
    """The answer the assistant's previous turn asked about, or None."""
    events = list(tracker.events)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if not users:
        return None
    start = users[-2] if len(users) > 1 else 0
    asked = [c[ASKED] for c in _customs(events[start:users[-1]]) if c.get(ASKED)]
    return str(asked[-1]) if asked else None


def _rated_already(tracker: Tracker, answer_id: str) -> bool:
    """This conversation rated `answer_id` since it was last asked about it."""
    for custom in reversed(_customs(tracker.events)):
        if custom.get(RATED) == answer_id:
            return True
        if custom.get(ASKED) == answer_id:
            return False
    return False
