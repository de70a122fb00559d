"""Folding text for matching against word lists (danger phrases, consent words, greetings).

One step shared by every matcher: compatibility forms, case, the typographic apostrophe, and the
accents of Latin letters ("Réfugié" -> "refugie") - Arabic and Ethiopic marks are left to the
matchers that know them. Each matcher then removes the punctuation it does not need.
"""
from __future__ import annotations

import unicodedata

# Rasa reads a message starting with "/" as a forced intent with slot values
# ("/greet{\"language\": \"…\"}"): no migrant means that, and no input may set slots that way.
INTENT_PREFIX = "/"
# the question marks of the scripts people write here: Latin, Arabic, Ethiopic
QUESTION_MARKS = frozenset("?؟፧")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("’", "'")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if not (unicodedata.category(c) == "Mn" and ord(c) < 0x0370)))


def as_user_words(text: str) -> str:
    """What a person typed or tapped, never Rasa's forced-intent syntax: leading "/" removed
    (every channel's text and button data, and the local web chat, pass through here)."""
    return (text or "").strip().lstrip(INTENT_PREFIX).strip()
