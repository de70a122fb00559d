"""Data for the guided flows: answer words, return programmes, the embassy directory.

Content lives in knowledge/ (form_words.yml, programmes/*.yml, directory/embassies.yml); this
module only reads and looks up.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from content.knowledge import CONTACT_FIELDS
from core.paths import KNOWLEDGE_DIR
from language.text import QUESTION_MARKS
from retrieval.safety import normalise

FORM_WORDS_FILE = KNOWLEDGE_DIR / "form_words.yml"
PROGRAMMES_DIR = KNOWLEDGE_DIR / "programmes"
EMBASSIES_FILE = KNOWLEDGE_DIR / "directory" / "embassies.yml"

YES, NO, UNKNOWN = "yes", "no", "unknown"
UNKNOWN_MAX_WORDS = 6  # "honestly i am not sure": not knowing said inside a short answer, never a question


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


# -- answers --------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def form_words(path: Path = FORM_WORDS_FILE) -> Dict[str, Tuple[str, ...]]:
    """category -> normalised phrases (all languages together), longest first."""
    doc = _read(path)
    return {
        category: tuple(sorted({normalise(str(w)) for words in (by_lang or {}).values() for w in words or ()}, key=len, reverse=True))
        for category, by_lang in doc.items()
    }


def digits(text: str) -> List[int]:
    """Every number written in the text, in any digit script (Latin, Arabic-Indic, Ethiopic)."""
    found: List[int] = []
    current = ""
    for char in text or "":
        value = unicodedata.digit(char, None)
        if value is not None:
            current += str(value)
        else:
            if current:
                found.append(int(current))
            current = ""
    if current:
        found.append(int(current))
    return found


def _matches(message: str, phrase: str) -> bool:
    return bool(phrase) and (message == phrase or message.startswith(phrase + " "))


def _says_anywhere(message: str, phrase: str) -> bool:
    return f" {phrase} " in f" {message} "


def command(text: str) -> Optional[str]:
    """'stop', 'back' or 'restart' when the whole message is that command."""
    message = normalise(text)
    for name in ("stop", "back", "restart"):
        if message in form_words().get(name, ()):
            return name
    return None


def parse_yes_no(text: str) -> Optional[str]:
    """yes / no / unknown, from 1/2/3 or words in any language; None if not an answer (the question is
    asked again, and a second miss is recorded as unknown: a wrong answer stored is worse than none).
    A message that is a phrase answers; so does one that begins with a phrase ("no i lost it", "yes i
    have one"), unless the phrase is a word other languages begin sentences with (`whole_message_only`:
    Hausa "i" and "ya" began "i have no passport" and "ya bace", it is lost) or a "yes" is followed by
    a negation ("eh no", "yes but i don't have it"); a short message that says it does not know
    anywhere ("i am not sure") does not know. A question ("i don't know where the embassy is?") answers
    only when it is a phrase ("yes?")."""
    numbers = digits(text)
    if numbers:
        return {1: YES, 2: NO, 3: UNKNOWN}.get(numbers[0]) if len(numbers) == 1 else None
    message = normalise(text)
    words = form_words()
    categories = ((UNKNOWN, "unknown"), (NO, "no"), (YES, "yes"))
    for value, category in categories:
        if message in words.get(category, ()):
            return value
    if QUESTION_MARKS & set(text):  # "i don't know where the embassy is?": a question, answered mid-form
        return None
    if len(message.split()) <= UNKNOWN_MAX_WORDS and any(
            " " in phrase and _says_anywhere(message, phrase) for phrase in words.get("unknown", ())):
        return UNKNOWN
    alone = set(words.get("whole_message_only", ()))
    candidates = [(phrase, value) for value, category in categories for phrase in words.get(category, ())
                  if phrase not in alone]
    for phrase, value in sorted(candidates, key=lambda p: -len(p[0])):
        if _matches(message, phrase):
            rest = message[len(phrase):].split()
            if value == YES and any(word in words.get("negation", ()) for word in rest):
                return None
            return value
    return None


VULNERABILITIES = {1: "child_alone", 2: "medical", 3: "pregnant", 4: "trafficking_violence", 5: "none"}


def parse_vulnerabilities(text: str) -> Optional[List[str]]:
    """The options chosen (several numbers allowed); ['none'] for 'none'; None if not an answer."""
    numbers = digits(text)
    if numbers:
        # "1 2", "1,4" or "14" typed without a separator
        expanded: List[int] = []
        for number in numbers:
            expanded += [int(d) for d in str(number)] if number > 5 else [number]
        if not expanded or any(n not in VULNERABILITIES for n in expanded):
            return None
        chosen = [VULNERABILITIES[n] for n in dict.fromkeys(expanded)]
        if "none" in chosen and len(chosen) > 1:
            chosen = [c for c in chosen if c != "none"]
        return chosen
    message = normalise(text)
    if any(_matches(message, phrase) for phrase in form_words().get("none_of_these", ())):
        return ["none"]
    return None


# -- programmes -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Programme:
    id: str
    programme: str
    host_countries: Tuple[str, ...]
    result_key: str
    requires_own_wish: bool
    show_detention_note: bool
    verified: bool
    sources: Tuple[dict, ...]
    path: Path


@lru_cache(maxsize=2)
def load_programmes(directory: Path = PROGRAMMES_DIR) -> Tuple[Programme, ...]:
    programmes = []
    for path in sorted(directory.glob("*.yml")):
        doc = _read(path)
        programmes.append(
            Programme(
                id=str(doc.get("id", path.stem)),
                programme=str(doc.get("programme") or ""),
                host_countries=tuple(doc.get("host_countries") or ()),
                result_key=str(doc.get("result_key") or ""),
                requires_own_wish=bool(doc.get("requires_own_wish", True)),
                show_detention_note=bool(doc.get("show_detention_note")),
                verified=bool(doc.get("verified")),
                sources=tuple(doc.get("sources") or ()),
                path=path,
            )
        )
    return tuple(programmes)


def programme_for(host_country: Optional[str]) -> Programme:
    programmes = load_programmes()
    found = next((p for p in programmes if host_country and host_country in p.host_countries), None)
    return found or next(p for p in programmes if p.path.stem == "default")


# -- embassy directory ----------------------------------------------------------------------
@lru_cache(maxsize=2)
def load_embassies(path: Path = EMBASSIES_FILE) -> Tuple[dict, ...]:
    return tuple(_read(path).get("entries") or ())


def has_contact(entry: dict) -> bool:
    return any(str(entry.get(field) or "").strip() for field in CONTACT_FIELDS if field != "name")


def verified_embassy(nationality: Optional[str], host_country: Optional[str]) -> Optional[dict]:
    """The verified, sourced entry for `nationality`'s embassy in `host_country`, or None."""
    for entry in load_embassies():
        if (
            entry.get("country") == nationality
            and entry.get("host_country") == host_country
            and entry.get("verified") is True
            and entry.get("source")
            and has_contact(entry)
        ):
            return entry
    return None


def contact_text(entry: dict) -> str:
    return ", ".join(str(entry[f]).strip() for f in CONTACT_FIELDS if str(entry.get(f) or "").strip())
