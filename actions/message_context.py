"""What every message tells about the conversation, before the dialogue decides what to do.

Run by Rasa's slot extraction on every user message (the `custom` mappings of `language`,
`known_host_country` and `known_nationality` in domain.yml name `action_read_message`):

- Language, sticky: the first message that says its language sets it; after that, a short or
  ambiguous message ("ok", "merci", "shukran", a country name) never switches it. A switch
  needs a message in another script, or a long one the detector is sure of. A language known
  only from a greeting ("salam" is said by Arabic, Hausa and Somali speakers alike) is
  tentative (`language_from: hint`): the first real sentence decides. Explicit requests
  ("parle français", the menu's Change language) are actions/language.py's.
- Countries named in a story ("je suis à Tripoli, je veux rentrer au Mali"): where the person is
  and where they come from, remembered for the answers and to pre-fill the screening.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import knowledge
from language.hints import is_shared
from language.identifier import script_of
from retrieval.story_slots import story_countries

SOURCE_SLOT = "language_from"  # what set the language: a greeting (tentative), a message, a choice
HINT, MESSAGE = "hint", "message"
SWITCH_MIN_LETTERS = 20       # a message this long the detector is sure of may switch the language
SWITCH_MIN_CONFIDENCE = 0.9
NEW_SCRIPT_MIN_LETTERS = 4    # Arabic or Ge'ez letters in an English conversation: a clear switch


def detected_language(tracker: Tracker) -> Optional[Dict[str, Any]]:
    return next((e for e in tracker.latest_message.get("entities") or () if e.get("entity") == "language"), None)


def next_language(current: Optional[str], detected: Optional[str], confidence: float, text: str,
                  from_hint: bool, tentative: bool = False, shared: bool = False) -> Optional[str]:
    """The conversation's language after this message (None: unchanged). `tentative`: the
    current language was only guessed from a greeting; `shared`: this message is a word several
    languages say alike (language/hints.is_shared), which never moves a guess."""
    if detected is None or detected == current:
        return None
    if current is None or (tentative and not (from_hint and shared)):
        return detected
    letters = sum(1 for char in text if char.isalpha())
    languages = knowledge().languages
    current_script = languages[current].script if current in languages else None
    script = script_of(text)
    if script in ("arabic", "ethiopic") and script != current_script and letters >= NEW_SCRIPT_MIN_LETTERS:
        return detected
    if from_hint:
        return None
    if letters >= SWITCH_MIN_LETTERS and confidence >= SWITCH_MIN_CONFIDENCE:
        return detected
    return None


def app_language(tracker: Tracker, text: str) -> Optional[str]:
    """The language of the person's messaging app (Telegram sends it: `client_language` in the
    message's metadata, channels/telegram_updates.py) when it is one of ours and the message could
    be written in it (its script, or Latin letters, which every language is typed in): a better
    guess for a greeting several languages share than the one the hints list names."""
    client = str((tracker.latest_message.get("metadata") or {}).get("client_language") or "").lower()
    language = knowledge().languages.get(client.split("-")[0]) if client else None
    if language is None:
        return None
    script = script_of(text)
    return language.code if script in (language.script, "latin") else None


class ActionReadMessage(Action):
    def name(self) -> Text:
        return "action_read_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        events: List[EventType] = []
        entity = detected_language(tracker)
        if entity is not None:
            from_hint = entity.get("extractor") == "LanguageHints"
            shared = from_hint and is_shared(text)
            detected = entity.get("value")
            if shared and tracker.get_slot("language") is None:
                detected = app_language(tracker, text) or detected
            language = next_language(
                tracker.get_slot("language"), detected, float(entity.get("confidence_entity") or 0.0),
                text, from_hint=from_hint, tentative=tracker.get_slot(SOURCE_SLOT) == HINT, shared=shared,
            )
            if language is not None:
                events += [SlotSet("language", language), SlotSet(SOURCE_SLOT, HINT if from_hint else MESSAGE)]
            elif tracker.get_slot(SOURCE_SLOT) == HINT and not from_hint and entity.get("value") == tracker.get_slot("language"):
                events.append(SlotSet(SOURCE_SLOT, MESSAGE))  # a sentence confirmed the greeting's guess
        host, origin = story_countries(text)
        if host and host != tracker.get_slot("known_host_country"):
            events.append(SlotSet("known_host_country", host))
        if origin and origin != tracker.get_slot("known_nationality"):
            events.append(SlotSet("known_nationality", origin))
        return events
