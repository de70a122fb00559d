"""The one safety-phrase module: loads, normalises and matches knowledge/safety_keywords.yml.

Every reader of that file goes through here (the file is read once per process, `phrases()`):
- `danger_phrase` / `is_immediate_danger`: the `immediate_danger` phrases (danger happening
  now), matched as whole words (a trailing * matches any word ending), unless a past auxiliary
  (`past_auxiliaries`: Tigrinya "ነይሮም", Amharic "ነበር") follows at once, or the phrase lies inside
  one that says the opposite (`negated`: "I don't want to die there" holds "want to die"). The NLU safety net
  (rasa_extensions.retrieval_component.SafetyNet, with the emergency model) makes such a message `emergency`;
  actions.retrieval answers with safety first; channels.limits never rate-limits such a message.
- `looks_urgent`: those phrases or the broader `emergency` keywords (matched at a word start,
  anywhere in Arabic and Ge'ez words that take attached prefixes). Used where no model runs and
  a false alarm costs one extra reply: the case router (cases/routing.py) sends such a message
  to the assistant too while a person holds the conversation.
- `asks_for_erasure`: an `erase_request` phrase is in the message, or the message is "delete".
- `wants_assistant`: the whole message is a `return_to_assistant` word ("menu", "/start").

All languages are checked for every message, because people mix languages. `normalise` is the
one normaliser of phrases and messages: case, accents, Arabic diacritics and letter variants,
punctuation other than ' and - (it is also what the flows and country matchers use). Only the
`return_to_assistant` words are compared after case and spacing alone (`_whole_message`):
"/start" must stay a command, not become the word "start".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List, Optional, Pattern, Sequence

import yaml

from language.text import fold
from core.paths import KNOWLEDGE_DIR

KEYWORDS_FILE = KNOWLEDGE_DIR / "safety_keywords.yml"
# the sections of KEYWORDS_FILE, each a mapping language -> list of phrases
DANGER_SECTION = "immediate_danger"
EMERGENCY_SECTION = "emergency"
ERASURE_SECTION = "erase_request"
BACK_SECTION = "return_to_assistant"
PAST_SECTION = "past_auxiliaries"
NEGATED_SECTION = "negated"

_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})


def normalise(text: str) -> str:
    text = fold(text).replace("`", "'")
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    text = re.sub(r"[^\w'\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _whole_message(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").casefold().replace("’", "'").strip(" .!?\n\t")


def phrase_pattern(phrase: str) -> str:
    """A phrase as whole words of a normalised text (`normalise`); a trailing "*" also matches a longer word."""
    prefix = phrase.strip().endswith("*")
    words = [re.escape(w) for w in normalise(phrase.strip().rstrip("*")).split()]
    return r"(?<!\w)" + r"\s+".join(words) + ("" if prefix else r"(?!\w)")


def _keyword_pattern(keyword: str) -> str:
    keyword = re.escape(normalise(keyword))
    # Latin-script keywords match at a word start ("drown" in "drowning", not in "undrowned");
    # Arabic and Ethiopic words take attached prefixes (و، ال …), so there any position counts.
    latin = all(ord(char) < 0x250 for char in keyword)
    return rf"(?<!\w){keyword}" if latin else keyword


def _alternatives(patterns: List[str], not_followed_by: Sequence[str] = ()) -> Optional[Pattern[str]]:
    # longest first, so the phrase reported is the most specific one
    unique = sorted(set(patterns), key=len, reverse=True)
    if not unique:
        return None
    after = sorted({normalise(w) for w in not_followed_by if normalise(w)}, key=len, reverse=True)
    guard = r"(?!\s+(?:" + "|".join(re.escape(w) for w in after) + r")(?!\w))" if after else ""
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in unique) + ")" + guard)


@dataclass(frozen=True)
class SafetyPhrases:
    """The compiled sections of one safety_keywords.yml (None: the section is empty)."""
    danger: Optional[Pattern[str]]
    negated: Optional[Pattern[str]]   # phrases around a danger phrase that say the opposite
    emergency: Optional[Pattern[str]]
    erasure: Optional[Pattern[str]]
    back_to_assistant: FrozenSet[str]


def section_phrases(doc: dict, section: str) -> List[str]:
    """Every phrase of one section, all languages together (blank entries left out)."""
    return [str(p) for group in (doc.get(section) or {}).values() for p in group or () if str(p).strip()]


@lru_cache(maxsize=4)
def phrases(path: Path = KEYWORDS_FILE) -> SafetyPhrases:
    """The file read and compiled once; a missing file matches nothing."""
    doc: dict = {}
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            doc = yaml.safe_load(handle) or {}
    return SafetyPhrases(
        # "ይወቕዑና ነይሮም" (they used to beat us): a phrase followed by a past auxiliary is told in the past
        danger=_alternatives([phrase_pattern(p) for p in section_phrases(doc, DANGER_SECTION)],
                             section_phrases(doc, PAST_SECTION)),
        negated=_alternatives([phrase_pattern(p) for p in section_phrases(doc, NEGATED_SECTION)]),
        emergency=_alternatives([_keyword_pattern(p) for p in section_phrases(doc, EMERGENCY_SECTION)]),
        erasure=_alternatives([_keyword_pattern(p) for p in section_phrases(doc, ERASURE_SECTION)]),
        back_to_assistant=frozenset(_whole_message(p) for p in section_phrases(doc, BACK_SECTION)),
    )


def danger_phrase(text: str, path: Path = KEYWORDS_FILE) -> Optional[str]:
    """The danger phrase found in `text` and not inside a `negated` phrase, or None."""
    compiled = phrases(path)
    if compiled.danger is None or not text:
        return None
    words = normalise(text)
    negated = [m.span() for m in compiled.negated.finditer(words)] if compiled.negated is not None else []
    for match in compiled.danger.finditer(words):
        if not any(start <= match.start() and match.end() <= end for start, end in negated):
            return match.group(0)
    return None


def is_immediate_danger(text: str, path: Path = KEYWORDS_FILE) -> bool:
    return danger_phrase(text, path) is not None


def looks_urgent(text: str, path: Path = KEYWORDS_FILE) -> bool:
    """A danger phrase or an emergency keyword is in `text` (errs towards a false alarm)."""
    if not text:
        return False
    pattern = phrases(path).emergency
    return is_immediate_danger(text, path) or (pattern is not None and pattern.search(normalise(text)) is not None)


def wants_assistant(text: str, path: Path = KEYWORDS_FILE) -> bool:
    """The whole message asks for the assistant back ("menu", "/start", "القائمة")."""
    return _whole_message(text) in phrases(path).back_to_assistant


def asks_for_erasure(text: str, path: Path = KEYWORDS_FILE) -> bool:
    """The message asks to delete the migrant's data ("delete my data", "/delete", "امسح بياناتي")."""
    words = normalise(text or "")
    if words == "delete":  # "/delete", WhatsApp's spelling of Telegram's command
        return True
    pattern = phrases(path).erasure
    return pattern is not None and pattern.search(words) is not None
