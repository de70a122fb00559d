"""A reply that names a place: a form's answer resolved to a country ("bamako" -> Mali, "libera" ->
Liberia, never Libya) and a message that is one place name and nothing else. The names and how a
message is scanned for them are retrieval/countries.py's; a misspelling is guessed here only, for
short replies (a story is read by exact names and cues, never by guesses)."""
from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

from retrieval.countries import CITY, COUNTRIES_FILE, REGION, STOP, _name_table, _scan, names_removed
from retrieval.name_index import LengthIndex

FUZZY_CUTOFF = 0.82  # a misspelling must be at least this close to a name...
FUZZY_MARGIN = 0.05  # ...and this much closer to it than to any name of another country
FUZZY_MIN_LETTERS = 4  # never guess from (or towards) shorter words
FUZZY_MAX_WORDS = 8  # guessing is for short answers, not for stories
SOLE_FUZZY_MAX_WORDS = 2  # a misspelt name alone ("libera"), never a short question that looks like one


@lru_cache(maxsize=2)
def _spellings(path: Path = COUNTRIES_FILE) -> Tuple[Dict[str, str], LengthIndex]:
    names = {n: c for n, (c, _) in _name_table(path).items()
             if sum(ch.isalpha() for ch in n) >= FUZZY_MIN_LETTERS and not n.startswith("لل")}
    return names, LengthIndex(names)


def misspelt_country(query: str) -> Optional[str]:
    """A misspelt name: close enough to one name, clearly closer to it than to any other country's
    names, with the same first letter; words shorter than FUZZY_MIN_LETTERS never count."""
    words = query.split()
    if not words or len(words) > FUZZY_MAX_WORDS:
        return None
    candidates = {*words, *(" ".join(pair) for pair in zip(words, words[1:]))}
    if len(words) <= 3:
        candidates.add(query)
    floor = FUZZY_CUTOFF - FUZZY_MARGIN  # names further away change nothing
    best: Tuple[float, Optional[str]] = (0.0, None)
    for candidate in candidates:
        if sum(ch.isalpha() for ch in candidate) < FUZZY_MIN_LETTERS:
            continue
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(candidate)
        scores: Dict[str, Tuple[float, bool]] = {}
        owners, by_length = _spellings()
        for name in by_length.near(candidate, floor):
            country_id = owners[name]
            matcher.set_seq1(name)
            alike = (matcher.ratio(), name[0] == candidate[0])  # as alike: a name with the same first letter
            if alike > scores.get(country_id, (0.0, False)):
                scores[country_id] = alike
        ranked = sorted(scores.items(), key=lambda item: -item[1][0])
        if not ranked:
            continue
        country_id, (score, same_start) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        if same_start and score >= FUZZY_CUTOFF and score - runner_up >= FUZZY_MARGIN and score > best[0]:
            best = (score, country_id)
    return best[1]


def resolve_country(text: str) -> Optional[str]:
    """The id of the country `text` names (a city counts as its country), or None: the first exact
    name in the message (whole words, longest first), else a clear misspelling of one name."""
    query, found = _scan(text)
    return found[0].mention.country_id if found else misspelt_country(" ".join(w for w in query.split() if w != STOP))


def sole_place(text: str) -> Optional[Tuple[str, bool]]:
    """(country id, whether a city or region named it) when the message is one place name and
    nothing else ("south sudan", "nijar", "cairo", "libera"): the reply to a question about where
    someone comes from or is; None for anything more ("is it free in mali?")."""
    query, found = _scan(text)
    named = [f for f in found if f.counts]
    if len({f.mention.country_id for f in named}) == 1 and not any(ch.isalnum() for ch in names_removed(text, named)):
        return named[0].mention.country_id, all(f.kind in (CITY, REGION) for f in named)  # "tripoli libya": one
    words = [w for w in query.split() if w != STOP]
    if not found and 0 < len(words) <= SOLE_FUZZY_MAX_WORDS:
        fuzzy = misspelt_country(" ".join(words))
        return (fuzzy, False) if fuzzy else None
    return None
