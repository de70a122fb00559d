"""Consent to keeping a conversation: the slot values, and what is kept when it was declined.

The `consent` slot is None (not answered yet), "given" or "declined" (actions/consent.py sets
it). A declined conversation is stored as a minimal, non-identifying state only (the tracker
stores in rasa_extensions/stores/tracker_store.py call `minimal_events`): the language, the consent answer
and what the next number means, plus a guided flow's answers while that flow is still running.
No user text, no bot text, no intents, no topics: the next turn starts from this state.
"""
from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from language.text import fold
from core.paths import KNOWLEDGE_DIR

CONSENT_SLOT = "consent"
ASKED_SLOT = "consent_asked"      # the privacy notice and consent question were shown
NEXT_SLOT = "consent_next"        # what to do after "yes" (e.g. "handoff"), or None
MENU_SLOT = "consent_menu"        # the menu that was showing when the question came
GIVEN, DECLINED = "given", "declined"
PENDING_CONSENT = "consent"       # the `pending_confirmation` value while the question waits
CONSENT_WORDS_FILE = KNOWLEDGE_DIR / "consent_words.yml"
# a consent answer counts within this many messages of the question; later, "no" is just "no"
ANSWER_WITHIN_MESSAGES = 2
MAX_ANSWER_WORDS = 4
# right after the question, a short message the intent classifier reads as a plain yes or no with
# at least this confidence answers it too ("ok na", "maya hadda maya", "no not now"): the word
# lists cannot hold every way of saying it, and a yes/no that is the whole reply to a yes/no
# question is that answer. A longer message, or one with a question in it, is read as what it says
INTENT_ANSWERS = {"affirm": "yes", "deny": "no"}
MIN_INTENT_CONFIDENCE = 0.8
FILLER = "filler"

# What a declined conversation keeps between turns (none of it identifies the migrant).
KEPT_SLOTS = (
    "language", "language_from", CONSENT_SLOT, ASKED_SLOT, NEXT_SLOT, MENU_SLOT, "menu_options", "pending_confirmation",
    "failed_understandings", "emergency_active",  # an emergency stays with the team, declined or not
)
LOOP_SLOTS = ("requested_slot", "form_invalid_answers", "form_stopped")


def is_declined(tracker) -> bool:
    return tracker.get_slot(CONSENT_SLOT) == DECLINED


def minimal_events(tracker, form_slots: Optional[Iterable[str]] = None) -> List:
    """The events of a fresh session that restores only the non-identifying state of `tracker`.

    `form_slots`: the required slots of the active guided flow (kept only while it runs, since
    the flow cannot go on without them; they go as soon as it ends).
    """
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet

    now = time.time()
    events: List = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=now), SessionStarted(timestamp=now)]
    keep = set(KEPT_SLOTS)
    loop = tracker.active_loop_name
    if loop:
        keep |= set(LOOP_SLOTS) | set(form_slots or ())
    for name, slot in tracker.slots.items():
        if name in keep and slot.value is not None and slot.value != slot.initial_value:
            events.append(SlotSet(name, slot.value, timestamp=now))
    if loop:
        events.append(ActiveLoop(loop, timestamp=now))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=now))
    return events


def minimal_tracker(tracker, domain=None):
    """A tracker holding only `minimal_events(tracker)`."""
    from rasa.shared.core.trackers import DialogueStateTracker

    loop = tracker.active_loop_name
    form_slots = domain.required_slots_for_form(loop) if (domain is not None and loop) else ()
    return DialogueStateTracker.from_events(
        tracker.sender_id, minimal_events(tracker, form_slots), slots=list(tracker.slots.values()),
    )


def _normalise(text: str) -> str:
    text = fold(text)
    if text.startswith("consent:"):
        return text.strip()
    words = re.sub(r"[^\w'\s👍👎✅❌]+", " ", text).split()
    return " ".join(words)


@lru_cache(maxsize=2)
def _consent_doc(path: Path = CONSENT_WORDS_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=2)
def _consent_words(path: Path = CONSENT_WORDS_FILE) -> Tuple[Dict[str, str], Dict[str, str]]:
    """(normalised whole message -> answer, single word -> answer) for "yes" | "no" | "full".

    A word that belongs to more than one answer ("ok" in "ok no") is left out of the word table."""
    doc = _consent_doc(path)
    phrases: Dict[str, str] = {}
    words: Dict[str, set] = {}
    for answer in ("yes", "no", "full"):
        for entries in (doc.get(answer) or {}).values():
            for entry in entries or ():
                key = _normalise(str(entry))
                phrases.setdefault(key, answer)
                for word in key.split():
                    words.setdefault(word, set()).add(answer)
    table = {word: next(iter(answers)) for word, answers in words.items() if len(answers) == 1}
    table.update({_normalise(str(word)): FILLER for word in doc.get("fillers") or () if _normalise(str(word))})
    return phrases, table


def consent_answer(text: str, strict: bool = False) -> Optional[str]:
    """"yes", "no" or "full" when the whole message answers the consent question, else None:
    a listed answer, or a few words that all belong to the same answer ("አይ አልስማማም",
    "toh na yarda"). A sentence with any other word ("no, I have no passport") is not one.
    `strict` (the question is not the last thing the assistant said): only an answer that is more
    than an acknowledgement ("yes", "non", "haa ok" - not "ok", not "ok thanks")."""
    key = _normalise(text)
    if not key:
        return None
    phrases, words = _consent_words()
    # "to, d'accord", "sim, ok": listed answers side by side, in one language or two, that agree
    # ("d'accord" alone is no single word's answer: "pas d'accord" is a refusal)
    parts = [_normalise(part) for part in re.split(r"[,،;/]+", text)]
    listed = {phrases.get(part) for part in parts if part} if len(parts) > 1 else set()
    tokens = key.split()
    answers = {words.get(token) for token in tokens} - {FILLER}
    single = len(tokens) <= MAX_ANSWER_WORDS and len(answers) == 1 and None not in answers
    # "haa ok", "تمام موافق": an acknowledgement with words that agree is an answer ("ok, non" says
    # both: none)
    rest = " ".join(token for token in tokens if token not in _acknowledgements() and words.get(token) != FILLER)
    rest_answer = phrases.get(rest) if rest and rest != key and rest not in _acknowledgements() else None
    rest_answer = rest_answer if rest_answer in ("yes", "full") else None
    if strict:
        if key in phrases:
            return phrases[key] if key not in _acknowledgements() else None
        if len(listed) == 1 and None not in listed and not all(p in _acknowledgements() for p in parts if p):
            return listed.pop()
        if rest_answer:
            return rest_answer
        if single and any(words.get(token) not in (None, FILLER) and token not in _acknowledgements() for token in tokens):
            return answers.pop()
        return None
    if key in phrases:
        return phrases[key]
    if len(listed) == 1 and None not in listed:
        return listed.pop()
    return rest_answer or (answers.pop() if single else None)


def consent_reply(text: str, since: int, intent: Optional[dict] = None) -> Optional[str]:
    """"yes", "no" or "full" when the message answers the consent question asked `since` user
    messages ago (1: this is the first message after it), else None. `intent`: the message's
    parsed intent ({"name", "confidence"}), when there is one."""
    choice = consent_answer(text, strict=since > 1)
    if choice is not None or since > 1 or not intent:
        return choice
    words = _normalise(text).split()
    if not words or len(words) > MAX_ANSWER_WORDS or "?" in text or "؟" in text:
        return None
    if any(word.isdigit() for word in words):  # numbers belong to menus
        return None
    if float(intent.get("confidence") or 0.0) < MIN_INTENT_CONFIDENCE:
        return None
    return INTENT_ANSWERS.get(str(intent.get("name") or ""))


@lru_cache(maxsize=2)
def _acknowledgements(path: Path = CONSENT_WORDS_FILE) -> frozenset:
    return frozenset(_normalise(str(word)) for word in _consent_doc(path).get("acknowledgements") or ())


def messages_since_question(tracker) -> Optional[int]:
    """How many user messages came since the consent question (this one included), or None when
    it does not wait for an answer (works on Rasa's and rasa-sdk's trackers)."""
    if tracker.get_slot("pending_confirmation") != PENDING_CONSENT:
        return None
    messages = 0
    for item in reversed(tracker.events):  # newest first: stops at the question
        event = item if isinstance(item, dict) else item.as_dict()
        if event.get("event") == "user":
            messages += 1
        elif event.get("event") == "slot" and event.get("name") == "pending_confirmation":
            return messages if event.get("value") == PENDING_CONSENT else None
    return None
