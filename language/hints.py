"""Short messages that name their language (knowledge/language_hints.yml): "bjr", "oi", "slm".

A character model cannot tell the language of three letters; a person who opens with "bjr"
writes French. Exact whole-message matches only (case, accents, punctuation and repeated
letters ignored), so a hint never overrides what a longer message says.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Optional

import yaml

from language.text import fold
from core.paths import KNOWLEDGE_DIR

HINTS_FILE = KNOWLEDGE_DIR / "language_hints.yml"
_PUNCTUATION = re.compile(r"[^\w\s']+", re.UNICODE)


def normalise(text: str) -> str:
    text = _PUNCTUATION.sub(" ", fold(text))
    text = re.sub(r"(\D)\1{2,}", r"\1", text)  # "saluuut" -> "salut", "heyyy" -> "hey"
    return " ".join(text.split())


@lru_cache(maxsize=2)
def _document(path: Path) -> dict:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


@lru_cache(maxsize=2)
def load_hints(path: Path = HINTS_FILE) -> Dict[str, str]:
    """normalised message -> language code."""
    doc = _document(path)
    table: Dict[str, str] = {}
    for language, words in (doc.get("hints") or {}).items():
        for word in words or ():
            table.setdefault(normalise(str(word)), str(language))
    return table


@lru_cache(maxsize=2)
def load_shared(path: Path = HINTS_FILE) -> FrozenSet[str]:
    """The normalised words said alike in several languages (`shared`)."""
    return frozenset(normalise(str(word)) for word in _document(path).get("shared") or ())


def is_shared(text: str) -> bool:
    """The message is a word several of the languages say alike ("salam", "ሰላም", "ok")."""
    return normalise(text) in load_shared()


def hinted_language(text: str) -> Optional[str]:
    """The language a short message names, or None."""
    key = normalise(text)
    if not key or len(key.split()) > 4:
        return None
    return load_hints().get(key)
