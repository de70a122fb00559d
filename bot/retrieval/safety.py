"""The one safety matcher: danger phrases and keywords from knowledge/safety_keywords.yml.

- `danger_phrase` / `is_immediate_danger`: the `immediate_danger` phrases (danger happening
  now), matched as whole words (a trailing * matches any word ending). The NLU safety net
  (bot.retrieval.component.SafetyNet, with the emergency model) makes such a message `emergency`.
- `looks_urgent`: those phrases or the broader `emergency` keywords (matched at a word start,
  anywhere in Arabic and Ge'ez words that take attached prefixes). Used where no model runs and
  a false alarm costs one extra reply: the case router (bot/cases/routing.py) sends such a message
  to the assistant too while a person holds the conversation, the rate limit never refuses it.
- `wants_assistant`: the whole message is a word that brings the assistant back ("menu").

All languages are checked for every message, because people mix languages. Matching ignores
case, accents, Arabic diacritics and letter variants (one normaliser for all of it).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Pattern, Tuple

import yaml

from bot.language.text import fold
from bot.paths import KNOWLEDGE_DIR

KEYWORDS_FILE = KNOWLEDGE_DIR / "safety_keywords.yml"
SECTION = "immediate_danger"

_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})


def normalise(text: str) -> str:
    text = fold(text).replace("`", "'")
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    text = re.sub(r"[^\w'\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _pattern(phrase: str) -> str:
    prefix = phrase.strip().endswith("*")
    words = [re.escape(w) for w in normalise(phrase.strip().rstrip("*")).split()]
    return r"(?<!\w)" + r"\s+".join(words) + ("" if prefix else r"(?!\w)")


@lru_cache(maxsize=4)
def load_phrases(path: Path = KEYWORDS_FILE) -> Tuple[Tuple[str, str], ...]:
    """(language, phrase) pairs of the `immediate_danger` section."""
    if not path.exists():
        return ()
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}
    section: Dict[str, List[str]] = doc.get(SECTION) or {}
    return tuple((lang, str(p)) for lang, phrases in section.items() for p in phrases or () if str(p).strip())


@lru_cache(maxsize=4)
def _compiled(path: Path = KEYWORDS_FILE) -> Optional[Pattern[str]]:
    phrases = load_phrases(path)
    if not phrases:
        return None
    alternatives = sorted({_pattern(p) for _, p in phrases}, key=len, reverse=True)
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def danger_phrase(text: str, path: Path = KEYWORDS_FILE) -> Optional[str]:
    """The danger phrase found in `text`, or None."""
    pattern = _compiled(path)
    if pattern is None or not text:
        return None
    match = pattern.search(normalise(text))
    return match.group(0) if match else None


def is_immediate_danger(text: str) -> bool:
    return danger_phrase(text) is not None


def _keyword_pattern(keyword: str) -> str:
    keyword = re.escape(normalise(keyword))
    # Latin-script keywords match at a word start ("drown" in "drowning", not in "undrowned");
    # Arabic and Ethiopic words take attached prefixes (و، ال …), so there any position counts.
    latin = all(ord(char) < 0x250 for char in keyword)
    return rf"(?<!\w){keyword}" if latin else keyword


def _any_keyword(keywords: List[str]) -> Optional[Pattern[str]]:
    return re.compile("|".join(sorted((_keyword_pattern(w) for w in keywords), key=len, reverse=True))) if keywords else None


@lru_cache(maxsize=4)
def _keywords(path: Path = KEYWORDS_FILE) -> Tuple[Optional[Pattern[str]], FrozenSet[str], Optional[Pattern[str]]]:
    """(the `emergency` keyword pattern, the `return_to_assistant` words, the `erase_request` pattern)."""
    if not path.exists():
        return None, frozenset(), None
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}

    def words(section: str) -> List[str]:
        return [str(word) for group in (doc.get(section) or {}).values() for word in group or ()]

    back = frozenset(_light(word) for word in words("return_to_assistant"))
    return _any_keyword(words("emergency")), back, _any_keyword(words("erase_request"))


def looks_urgent(text: str) -> bool:
    """A danger phrase or an emergency keyword is in `text` (errs towards a false alarm)."""
    if not text:
        return False
    pattern = _keywords()[0]
    return is_immediate_danger(text) or (pattern is not None and pattern.search(normalise(text)) is not None)


def _light(text: str) -> str:
    # only case and spacing: "/start" must stay a command, not become the word "start"
    return unicodedata.normalize("NFC", text or "").casefold().replace("’", "'").strip(" .!?\n\t")


def wants_assistant(text: str) -> bool:
    """The whole message asks for the assistant back ("menu", "/start", "القائمة")."""
    return _light(text) in _keywords()[1]


def asks_for_erasure(text: str) -> bool:
    """The message asks to delete the migrant's data ("delete my data", "/delete", "امسح بياناتي")."""
    words = normalise(text or "")
    if words == "delete":  # "/delete", WhatsApp's spelling of Telegram's command
        return True
    pattern = _keywords()[2]
    return pattern is not None and pattern.search(words) is not None
