"""Mask what could identify a person in a question before it is kept for the content team.

`redact(text)` replaces, in any of the nine languages:
- links and e-mail addresses                        → [link], [email]
- places the gazetteer knows (countries, cities, regions: retrieval/countries.py) → [place]
- numbers in any script, phone numbers included      → [number]
- names: the words after a name cue ("my name is", "je m'appelle", "اسمي": knowledge/name_cues.yml),
  a first name of the offline lists zxcvbn ships that is no ordinary word of the knowledge base,
  and, in Latin script, a capitalised word that neither the knowledge base nor the training data
  of the conversation's language (or English) uses, or a listed surname inside a sentence → [name]

It errs on the side of masking: an unknown capitalised word is masked even when it is only a
misspelling. What it cannot see: a lower-case name that is no listed first name, or a name in
Arabic or Ge'ez script without a cue (those scripts have no capitals). That is why the text is
also kept short, never shown with the conversation, and goes with the conversation (erasure).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List, Optional, Tuple

import yaml

from language.text import fold
from core.paths import KNOWLEDGE_DIR, NLU_DIR

LINK, EMAIL, PLACE, NUMBER, NAME = "[link]", "[email]", "[place]", "[number]", "[name]"
NAME_CUES_FILE = KNOWLEDGE_DIR / "name_cues.yml"
WORDS_AFTER_CUE = 2  # "my name is Awa Diallo"
MAX_CHARS = 300      # what is kept of a question (after masking)

_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# digits in any script (\d is Unicode), with the separators phone numbers and dates are written with
_NUMBER = re.compile(r"\+?\d(?:[\d().,/:\- ]*\d)?")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?؟።፧\n]\s*$")
MASK = re.compile(r"\[(?:link|email|place|number|name)\]")


def redact(text: str, language: Optional[str] = None) -> str:
    """`text` with links, places, numbers and names masked, whitespace squashed, cut to MAX_CHARS.
    `language`: the conversation's; a capitalised word unknown in it (or in English) is a name."""
    text = _URL.sub(LINK, text or "")
    text = _EMAIL.sub(EMAIL, text)
    text = _mask_places(text)
    text = _NUMBER.sub(NUMBER, text)
    text = _mask_names(text, language)
    text = re.sub(r"(\[name\])(?:\s+\[name\])+", NAME, text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1].rstrip() + "…"


def _mask_places(text: str) -> str:
    from retrieval.countries import find_countries

    for name in sorted({m.name for m in find_countries(text) if m.name}, key=len, reverse=True):
        text = re.sub(r"(?<!\w)" + re.escape(name) + r"(?!\w)", PLACE, text, flags=re.IGNORECASE)
    return text


def _mask_names(text: str, language: Optional[str]) -> str:
    cues, common = _name_cues(), _common_words()
    known = _known_words(language) | _known_words("en") if language else _known_words(None)
    first_names, surnames = _names("male_names") | _names("female_names"), _names("surnames")
    spans: List[Tuple[int, int]] = []
    words = [m for m in _WORD.finditer(text) if not _inside_mask(text, m.start())]
    folded = [fold(m.group()) for m in words]
    after_cue = 0  # words still to mask after a name cue
    for i, match in enumerate(words):
        word, key = match.group(), folded[i]
        gap = text[words[i - 1].end():match.start()] if i else ""
        if after_cue and gap.strip(" -"):
            after_cue = 0  # a comma or a full stop ends the name
        capitalised = _latin_upper(word[:1])
        if after_cue:
            # the name: "my name is Awa Diallo", "اسمي محمد" - not "call me on …", "اسمي محمد وانا …"
            ordinary = common if after_cue == WORDS_AFTER_CUE else known
            after_cue -= 1
            if capitalised or key not in ordinary:
                spans.append(match.span())
                continue
            after_cue = 0
        if _ends_with_cue(folded[:i + 1], cues):
            after_cue = WORDS_AFTER_CUE
            continue
        sentence_start = i == 0 or bool(_SENTENCE_END.search(text[:match.start()]))
        listed = key in first_names and key not in common
        unknown_capital = capitalised and key not in known
        surname = capitalised and not sentence_start and key in surnames and key not in common
        if listed or unknown_capital or surname:
            spans.append(match.span())
    for start, end in reversed(spans):
        text = text[:start] + NAME + text[end:]
    return text


def _inside_mask(text: str, position: int) -> bool:
    return any(m.start() <= position < m.end() for m in MASK.finditer(text))


def _latin_upper(char: str) -> bool:
    """An upper-case Latin letter ("M", "É"): scripts without case (Arabic, Ge'ez) never count."""
    return bool(char) and char.isupper() and "LATIN" in unicodedata.name(char, "")


def _ends_with_cue(words: List[str], cues: FrozenSet[Tuple[str, ...]]) -> bool:
    return any(len(cue) <= len(words) and tuple(words[-len(cue):]) == cue for cue in cues)


@lru_cache(maxsize=1)
def _name_cues(path: Path = NAME_CUES_FILE) -> FrozenSet[Tuple[str, ...]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(tuple(fold(w) for w in _WORD.findall(str(cue)))
                     for cues in (doc.get("cues") or {}).values() for cue in cues or () if _WORD.findall(str(cue)))


@lru_cache(maxsize=1)
def _common_words() -> FrozenSet[str]:
    """Every word of the knowledge base, all languages (answers, titles, question phrasings, ui
    strings): written by the content team, so it holds ordinary words and no migrant's name."""
    from content.knowledge import load_knowledge

    return frozenset().union(*(_kb_words(code) for code in load_knowledge().languages))


def _kb_words(language: str) -> FrozenSet[str]:
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    texts = [t for a in kb.answers.values() if language in a.texts
             for t in (a.texts[language].answer, a.texts[language].title, *a.texts[language].questions)]
    texts += list(kb.ui.get(language, {}).values())
    return frozenset(fold(w) for text in texts for w in _WORD.findall(text))


@lru_cache(maxsize=16)
def _known_words(language: Optional[str], nlu_dir: Path = NLU_DIR) -> FrozenSet[str]:
    """The words of `language` (None: of every language) in the knowledge base and the training
    examples (how migrants write): a capitalised word outside them is probably a name."""
    from content.knowledge import load_knowledge

    codes = [language] if language else list(load_knowledge().languages)
    words = set().union(*(_kb_words(code) for code in codes))
    folders = [nlu_dir / code for code in codes] + [nlu_dir / "common"]
    for path in sorted(p for folder in folders if folder.exists() for p in folder.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or ():
            for line in str(item.get("examples") or "").splitlines():
                words.update(fold(w) for w in _WORD.findall(line))
    return frozenset(words)


@lru_cache(maxsize=4)
def _names(kind: str) -> FrozenSet[str]:
    """male_names, female_names or surnames: zxcvbn's offline lists (installed for the console's
    password rules), mostly names common in the US and Europe but with many Arabic and African ones."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS[kind])
