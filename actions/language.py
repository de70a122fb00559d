"""Switching language explicitly, and answering messages in languages the assistant lacks."""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import knowledge, send, ui, user_language

# Names people use for each language, in several languages, without accents.
LANGUAGE_NAMES: Dict[str, List[str]] = {
    "en": ["english", "anglais", "ingles", "inglese", "inglishi", "turanci", "ingiriis", "engliz", "انجليزي", "الانجليزية", "انجليزية", "እንግሊዝኛ", "እንግሊዝ"],
    "fr": ["french", "francais", "frances", "faransa", "faransiis", "فرنسي", "الفرنسية", "فرنسية", "ፈረንሳይኛ", "ፈረንሳይ"],
    "ar": ["arabic", "arabe", "arab", "larabe", "larbi", "arabiya", "carabi", "larabiya", "عربي", "العربية", "عربية", "ዓረብኛ", "አረብኛ"],
    "ha": ["hausa", "haoussa", "هوسا"],
    "pcm": ["pidgin", "naija", "pidgin english", "broken english"],
    "so": ["somali", "somalien", "soomaali", "af soomaali", "صومالي", "الصومالية", "ሶማሊኛ"],
    "ti": ["tigrinya", "tigrigna", "tigrina", "tigrigna", "ትግርኛ", "تغرينية", "تيغرينيا"],
    "am": ["amharic", "amharique", "amarigna", "amharigna", "አማርኛ", "امهرية", "الأمهرية"],
    "pt": ["portuguese", "portugais", "portugues", "portuguesa", "البرتغالية", "ፖርቱጋልኛ"],
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def requested_language(text: str) -> Optional[str]:
    """The language a message names ("speak french", "بالعربية"), if exactly one is named."""
    folded = " " + re.sub(r"[^\w]+", " ", _fold(text)) + " "
    found = set()
    for code, names in LANGUAGE_NAMES.items():
        for name in names:
            name = _fold(name)
            # Arabic "بالعربية" glues the preposition to the name: match inside words there
            if f" {name} " in folded or (not name.isascii() and name in folded):
                found.add(code)
    return found.pop() if len(found) == 1 else None


def set_language(dispatcher: CollectingDispatcher, code: str) -> List[EventType]:
    send(dispatcher, ui("language_changed", code))
    return [SlotSet("language", code), SlotSet("language_from", "chosen")]


def language_choice(dispatcher: CollectingDispatcher, language: str) -> List[EventType]:
    options = [(f"language:{lang.code}", lang.native_name) for lang in knowledge().languages.values()]
    return send(dispatcher, ui("language_choose", language), options)


class ActionChangeLanguage(Action):
    def name(self) -> Text:
        return "action_change_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        code = requested_language(tracker.latest_message.get("text") or "")
        if code:
            return set_language(dispatcher, code)
        return language_choice(dispatcher, user_language(tracker))


class ActionUnsupportedLanguage(Action):
    """Unknown language: answer in English and French, listing the languages spoken."""

    def name(self) -> Text:
        return "action_unsupported_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        languages = knowledge().language_list()
        text = "\n".join(ui("unsupported_language", code, languages=languages) for code in ("en", "fr"))
        return send(dispatcher, text, [(f"language:{lang.code}", lang.native_name) for lang in knowledge().languages.values()])
