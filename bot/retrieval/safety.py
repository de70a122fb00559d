"""The deterministic safety net: clear danger phrases mean `emergency`, whatever DIET says.

Phrases live in knowledge/safety_keywords.yml under `immediate_danger` (per language; all
languages are checked for every message, because people mix languages). Matching ignores case,
accents, Arabic diacritics and letter variants; phrases match whole words (a trailing * matches
any word ending).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

from bot.paths import KNOWLEDGE_DIR

KEYWORDS_FILE = KNOWLEDGE_DIR / "safety_keywords.yml"
SECTION = "immediate_danger"

_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = text.replace("’", "'").replace("`", "'")
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    # drop Latin accents only (keep Ethiopic and Arabic letters intact)
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(c for c in decomposed if not (unicodedata.category(c) == "Mn" and ord(c) < 0x0370))
    text = unicodedata.normalize("NFC", text)
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
