"""Folding text for matching against word lists (danger phrases, consent words, greetings).

One step shared by every matcher: compatibility forms, case, the typographic apostrophe, and the
accents of Latin letters ("Réfugié" -> "refugie") - Arabic and Ethiopic marks are left to the
matchers that know them. Each matcher then removes the punctuation it does not need.
"""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("’", "'")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if not (unicodedata.category(c) == "Mn" and ord(c) < 0x0370)))
