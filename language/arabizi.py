"""Arabizi (Arabic written in Latin letters and digits) back into Arabic script, roughly.

"kam s3r el tazkara" -> "كم سعر ال تزكرة". Not a transliteration a reader would accept (short
vowels are guessed away, dialect consonants vary), but close enough in letters that the answer
ranker's character n-grams and the sentence embedding can meet the Arabic phrasings, of which the
knowledge base has many more than Arabizi ones.
"""
from __future__ import annotations

import re

# a digit inside a word is the mark of Arabizi ("3la", "7abs", "ma3i")
_DIGIT_IN_WORD = re.compile(r"[a-z][2356789]|[2356789][a-z]")
_DIGRAPHS = {"sh": "ش", "ch": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ", "3'": "غ", "7'": "خ", "ou": "و",
             "oo": "و", "ee": "ي", "ii": "ي", "aa": "ا"}
_LETTERS = {"2": "ء", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "ق", "9": "ق", "b": "ب", "p": "ب", "t": "ت",
            "j": "ج", "g": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س", "f": "ف", "v": "ف", "q": "ق", "k": "ك",
            "c": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي", "x": "كس",
            "u": "و", "o": "و", "i": "ي", "e": "", "a": ""}


def looks_like_arabizi(text: str) -> bool:
    return bool(_DIGIT_IN_WORD.search((text or "").lower()))


def _word(word: str) -> str:
    if not re.fullmatch(r"[a-z0-9']+", word) or word.isdigit():
        return word
    for prefix in ("el", "al"):
        if word.startswith(prefix) and len(word) > 3:
            return "ال" + _word(word[2:])
    out, i = [], 0
    if word[0] in "aeiou":
        out.append("ا")
        i = 1 if word[0] in "ae" else 0
    while i < len(word):
        found = _DIGRAPHS.get(word[i:i + 2])
        if found is not None:
            out.append(found)
            i += 2
            continue
        char = word[i]
        if char == "a" and i == len(word) - 1 and len(word) >= 5:
            out.append("ة")  # "tazkara", "3awda": the feminine ending
        elif char == "a" and i == len(word) - 1 and len(word) > 2:
            out.append("ا")  # "wala", "hna"
        elif char == "i" and 0 < i < len(word) - 1:
            pass  # a short vowel inside a word is not written
        else:
            out.append(_LETTERS.get(char, ""))
        i += 1
    return "".join(out)


def to_arabic_script(text: str) -> str:
    """`text` with its Latin words written in Arabic letters (other words left as they are)."""
    return re.sub(r"[a-z0-9']+", lambda m: _word(m.group()), (text or "").lower())
