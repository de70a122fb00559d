"""Country and city names as people write them (knowledge/countries.yml): show a country
localised, and find the countries a free-text story names with the role of each
(`host`: where the person is now, `origin`: where they come from or want to go back to). What a
whole story says, host and origin, is retrieval/story_slots.py's; a short reply that names a place
(a form's answer, a misspelt name) is retrieval/place_replies.py's."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple

import yaml

from core.paths import KNOWLEDGE_DIR
from retrieval.name_index import NameIndex
from retrieval.safety import normalise

COUNTRIES_FILE = KNOWLEDGE_DIR / "countries.yml"
CUE_WINDOW = 3  # at most this many words between a cue written before a name and the name...
AFTER_WINDOW = 1  # ...or between a name and a cue written after it ("ሊቢያ ውስጥ ነኝ")
NOW_WINDOW = 5  # a "now" this many words before a host name makes it where the person is now
STOP = "."  # in the normalised text where a sentence ends: no cue reaches across it
SENTENCE_ENDS = ".!?؟።፧\n"  # the characters that end a sentence (or a line) in a person's text
HOST, ORIGIN = "host", "origin"
COUNTRY, DEMONYM, CITY, REGION = "country", "demonym", "city", "region"  # what a name names
CUE_ROLES = {"host": HOST, "leave": HOST, "origin": ORIGIN, "home": ORIGIN, "embassy": ORIGIN, "toward": None,
             "arrive": None, "land": None, "neutral": None}
ARRIVING = ("arrive", "land")  # cue kinds of arriving somewhere: home, when people come from there
ORIGIN_STAGE, COAST_STAGE, DESTINATION_STAGE = 0, 2, 3  # `route_stages`: unlisted, people come from there
Words = Tuple[str, ...]


@dataclass(frozen=True)
class Country:
    id: str
    joint_initiative: bool
    names: Dict[str, Tuple[str, ...]]
    demonyms: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # with their inflected forms

    def display(self, language: str) -> str:
        return (self.names.get(language) or self.names.get("en") or (self.id,))[0]


@dataclass(frozen=True)
class City:
    name: str
    country: str
    names: Tuple[str, ...]
    region: bool = False


@dataclass(frozen=True)
class CountryMention:
    country_id: str
    role: Optional[str]  # HOST, ORIGIN or None when the text does not say
    name: str  # as written in the text


@dataclass(frozen=True)
class Cue:
    before: Words  # words written before the name ("i am in")
    after: Words  # words written after it ("ውስጥ ነኝ")
    role: Optional[str]
    kind: str  # its section of countries.yml `cues` (CUE_ROLES)


@dataclass(frozen=True)
class Cues:
    phrases: Tuple[Cue, ...]
    prefixes: FrozenSet[str]  # written attached to a name ("ب", "ከ", "و"): then a word before it
    location: Tuple[Words, ...]  # words saying the person is somewhere
    now: FrozenSet[str]  # words saying where the person is now (before a name)
    trip: Tuple[Words, ...]  # words asking about travelling
    returned: Tuple[Words, ...]  # words saying the person has already come back home
    expelled: Tuple[Words, ...]  # words saying the person was driven out of a place ("expelled us from")
    others: Tuple[Tuple[Words, Words], ...]  # (before, after) making a nationality word someone else's
    needs_cue: Dict[str, FrozenSet[Tuple[Words, Words]]]  # common words -> the cues they count with (any: empty)
    by_word: Dict[str, Tuple[int, ...]] = field(default_factory=dict)  # word next to the name -> its phrases

    def near(self, before: List[str], after: List[str]) -> List[Cue]:
        """The phrases that may label a name with these words around it (in the order of `phrases`):
        those whose word next to the name is one of the CUE_WINDOW + 1 words before it (or, for a
        phrase written only after it, one of the AFTER_WINDOW + 1 words after it)."""
        keys = [("<", w) for w in before[-CUE_WINDOW - 1:]] + [(">", w) for w in after[:AFTER_WINDOW + 1]]
        return [self.phrases[i] for i in sorted({i for side, w in keys for i in self.by_word.get(side + w, ())})]


class Found(NamedTuple):
    start: int  # in the normalised text
    end: int
    kind: str  # COUNTRY, DEMONYM, CITY or REGION
    cue: Optional[Cue]
    counts: bool  # False for a common word (`needs_cue`) without its cue
    weight: Tuple[bool, int, bool]  # for a host name: after a `now` word, with a cue of several words, before one
    mention: CountryMention


@lru_cache(maxsize=2)
def _doc(path: Path = COUNTRIES_FILE) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, five times faster on this file
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}


def _norm(text: str) -> str:
    return " ".join(normalise(str(text)).replace("-", " ").replace("'", " ").split())


def _inflected(word: str, endings: Dict[str, Sequence[str]]) -> Tuple[str, ...]:
    """`word` and its forms with the longest of `endings` it has replaced ("malien" -> "malienne")."""
    key = _norm(word)
    end = max((e for e in endings if key.endswith(_norm(e))), key=lambda e: len(_norm(e)), default=None)
    stem = key[:len(key) - len(_norm(end or ""))]
    return (word, *(stem + _norm(alt) for alt in (endings[end] if end is not None else ())))


@lru_cache(maxsize=2)
def load_countries(path: Path = COUNTRIES_FILE) -> Tuple[Country, ...]:
    inflections = _doc(path).get("inflections") or {}

    def words(entry: dict, key: str) -> Dict[str, Tuple[str, ...]]:
        return {lang: tuple(dict.fromkeys(form for name in names for form in (
            _inflected(str(name), inflections.get(lang) or {}) if key == "demonyms" else (str(name),))))
            for lang, names in (entry.get(key) or {}).items()}

    return tuple(Country(id=str(e["id"]), joint_initiative=bool(e.get("joint_initiative")),
                         names=words(e, "names"), demonyms=words(e, "demonyms"))
                 for e in _doc(path).get("countries") or ())


@lru_cache(maxsize=2)
def load_cities(path: Path = COUNTRIES_FILE) -> Tuple[City, ...]:
    return tuple(City(name=str(e["name"]), country=str(e["country"]), region=bool(e.get("region")),
                      names=tuple(str(n) for n in e.get("names") or ()))
                 for e in _doc(path).get("cities") or ())


@lru_cache(maxsize=2)
def _name_table(path: Path = COUNTRIES_FILE) -> Dict[str, Tuple[str, str]]:
    """Normalised name -> (country id, COUNTRY/DEMONYM/CITY/REGION); a country's names come first."""
    countries = load_countries(path)
    pairs = [(n, c.id, COUNTRY) for c in countries for names in c.names.values() for n in names]
    pairs += [(n, c.id, DEMONYM) for c in countries for names in c.demonyms.values() for n in names]
    pairs += [(n, city.country, REGION if city.region else CITY)
              for city in load_cities(path) for n in (city.name, *city.names)]
    table: Dict[str, Tuple[str, str]] = {}
    for name, country_id, kind in pairs:
        key = _norm(name)
        for written in [key] + (["لل" + key[2:]] if key.startswith("ال") else []):  # ل + السودان: للسودان
            if written:
                table.setdefault(written, (country_id, kind))
    return table


def _phrase(text: str) -> Tuple[Words, Words]:
    """("i be", "man") from "i be ... man"; a phrase without "..." is written before the name."""
    before, _, after = str(text).partition("...")
    return tuple(_norm(before).split()), tuple(_norm(after).split())


@lru_cache(maxsize=2)
def _cues(path: Path = COUNTRIES_FILE) -> Cues:
    section = _doc(path).get("cues") or {}

    def listed(kind: str) -> List[str]:
        return [str(p).strip() for ps in (section.get(kind) or {}).values() for p in ps or ()]

    prefixes = {_norm(p) for p in section.get("attached") or ()}
    phrases = []
    for kind, role in CUE_ROLES.items():
        for phrase in listed(kind):
            if phrase.endswith("-"):  # also written attached to the name
                prefixes.add(_norm(phrase[:-1]))
            phrases.append(Cue(*_phrase(phrase.rstrip("-")), role, kind))
    phrases += [Cue((p + c.before[0],) + c.before[1:], c.after, c.role, c.kind)  # "وارجع"
                for p in map(_norm, section.get("joined") or ()) for c in list(phrases)
                if c.before and re.match("[\u0600-\u06ff]", c.before[0])]
    others = [pair for p in listed("others") for pair in (
        [_phrase(p)] if "..." in p else [(_phrase(p)[0], ()), ((), _phrase(p)[0])])]
    needs = {_norm(name): frozenset(_phrase(c) for c in allowed or ())
             for item in _doc(path).get("needs_cue") or ()
             for name, allowed in (item.items() if isinstance(item, dict) else [(item, ())])}
    by_word: Dict[str, List[int]] = {}
    for i, cue in enumerate(phrases):
        key = "<" + cue.before[-1] if cue.before else ">" + cue.after[0]
        by_word.setdefault(key, []).append(i)
    return Cues(
        by_word={key: tuple(ids) for key, ids in by_word.items()},
        phrases=tuple(phrases), prefixes=frozenset(p for p in prefixes if p),
        location=tuple(_phrase(p)[0] for p in listed("location")) + tuple(
            c.before for c in phrases if c.kind == "host" and len(c.before) > 1),
        now=frozenset(_norm(p) for p in listed("now")), trip=tuple(_phrase(p)[0] for p in listed("trip")),
        returned=tuple(_phrase(p)[0] for p in listed("returned")),
        expelled=tuple(_phrase(p)[0] for p in listed("expelled")),
        others=tuple(others), needs_cue=needs)


@lru_cache(maxsize=2)
def _index(path: Path = COUNTRIES_FILE) -> NameIndex[Tuple[str, str]]:
    """Every name, found as whole words (the longest at each word), after at most two attached prefixes."""
    return NameIndex(_name_table(path), _cues(path).prefixes)


@lru_cache(maxsize=2)
def _stages(path: Path = COUNTRIES_FILE) -> Dict[str, int]:
    listed = _doc(path).get("route_stages") or {}
    return {str(c): stage for stage, key in enumerate(("transit", "coast", "destination"), start=1)
            for c in listed.get(key) or ()}


def route_stage(country_id: str) -> int:
    """How far north along the routes a country is (countries.yml `route_stages`): ORIGIN_STAGE for
    the countries people come from, then transit, coast, DESTINATION_STAGE (Europe, the Gulf)."""
    return _stages().get(country_id, ORIGIN_STAGE)


def country(country_id: Optional[str]) -> Optional[Country]:
    return next((c for c in load_countries() if c.id == country_id), None)


def country_name(country_id: Optional[str], language: str) -> str:
    found = country(country_id)
    return found.display(language) if found else (country_id or "")


def _tokens(text: str) -> Tuple[str, List[Tuple[int, int, int, int]]]:
    """The normalised text, with STOP where a sentence or a line ends, and for each of its words
    (start, end) there and in `text`."""
    parts: List[str] = []
    spans: List[Tuple[int, int, int, int]] = []
    for match in re.finditer(f"[^\\s{SENTENCE_ENDS}]+|[{SENTENCE_ENDS}]+", text or ""):
        word = STOP if match.group()[0] in SENTENCE_ENDS else _norm(match.group())
        if word and not (word == STOP and (not parts or parts[-1] == STOP)):
            start = spans[-1][1] + 1 if spans else 0
            parts.append(word)
            spans.append((start, start + len(word), match.start(), match.end()))
    return " ".join(parts), spans


def is_bare_from(cue: Cue) -> bool:
    """A one-word "from" (from, de, من, daga, ካብ, ከ...) and no more: a trip's start, or home."""
    return cue.kind == "origin" and len(cue.before) == 1 and not cue.after


def _written(text: str, spans: List[Tuple[int, int, int, int]], start: int, end: int) -> str:
    inside = [s for s in spans if s[0] < end and s[1] > start]
    return re.sub(r"^[^\w]+|[^\w]+$", "", text[inside[0][2]:inside[-1][3]]) if inside else ""


def _distance(words: List[str], phrase: Words, window: int = CUE_WINDOW) -> Optional[int]:
    """How many words come before `phrase` in `words` (at most `window`), or None."""
    for skip in range(min(len(words) - len(phrase), window) + 1):
        if tuple(words[skip:skip + len(phrase)]) == phrase:
            return skip
    return None


def _cue_for(cues: Cues, before: List[str], after: List[str], city: bool = False) -> Tuple[Optional[Cue], int, int]:
    """The cue nearest to a name, the longer one when two are as near, within its sentence: (cue,
    words between it and the name before, words of `after` it uses), or (None, 0, 0). A city has
    no embassy ("ina Misrata, embassy dinmu na Tripoli": "embassy" says nothing of Misrata)."""
    before = before[len(before) - before[::-1].index(STOP):] if STOP in before else before
    after = after[:after.index(STOP)] if STOP in after else after
    best: Optional[Tuple[Tuple[int, int], Cue, int, int]] = None
    for cue in cues.near(before, after):
        if city and cue.kind == "embassy":
            continue
        gap_before = _distance(before[::-1], cue.before[::-1]) if cue.before else 0
        gap_after = _distance(after, cue.after, AFTER_WINDOW) if cue.after else 0
        if gap_after and tuple(after[:gap_after + len(cue.after)]) in _before_only():
            # "cadan, waxaan ka imid muqdisho": the words are the next name's cue, said before it
            continue
        if gap_before is not None and gap_after is not None:
            key = (gap_before + gap_after, -sum(map(len, cue.before + cue.after)))
            if best is None or key < best[0]:
                best = (key, cue, gap_before, gap_after + len(cue.after) if cue.after else 0)
    return best[1:] if best else (None, 0, 0)


@lru_cache(maxsize=1)
def _before_only() -> FrozenSet[Words]:
    """The cues written only before a name ("waxaan ka imid")."""
    return frozenset(c.before for c in _cues().phrases if c.before and not c.after)


def _scan(text: str) -> Tuple[str, List[Found]]:
    """Every exact country or city name in `text`, in order, with its cue and role. A nationality
    word is the person's origin unless words beside it make it someone else's (`others`); an
    embassy's country is the nationality unless people go there to work (`route_stages`); a bare
    "from" a coast or destination country is where a trip starts, no origin."""
    query, spans = _tokens(text)
    table, cues = _name_table(), _cues()
    matches = _index().find(query)
    found: List[Found] = []
    used = 0  # words after the previous name that its cue used: they do not label this one
    for i, match in enumerate(matches):
        name = match.name
        country_id, kind = table[name]
        before = query[matches[i - 1].end if i else 0:match.start].split()[used:]
        before += list(match.prefixes)  # "بليبيا": "ب" is a word before "ليبيا"
        before += ["ل"] if name.startswith("لل") else []  # "للسودان": "ل" + "السودان"
        after = query[match.end:matches[i + 1].start if i + 1 < len(matches) else len(query)].split()
        cue, gap, used = _cue_for(cues, before, after, city=kind == CITY)
        role = cue.role if cue else None
        embassy = cue is not None and cue.kind == "embassy"  # "the Malian embassy": the person's own
        if cue is not None and cue.kind in ARRIVING:
            # "when I reach Dakar", "لمن اوصل مطار الخرطوم": arriving in a country people come from (or,
            # landing, one they cross: nobody flies north) is arriving home; elsewhere says nothing
            last_stage = ORIGIN_STAGE if cue.kind == "arrive" else COAST_STAGE - 1
            role = ORIGIN if route_stage(country_id) <= last_stage else None
        elif embassy and route_stage(country_id) == DESTINATION_STAGE:
            role = None  # "the Italian embassy" is where people ask for visas
        elif cue is not None and is_bare_from(cue) and kind not in (DEMONYM, REGION) \
                and route_stage(country_id) >= COAST_STAGE:
            role = None  # "the boat from Sabratha", "من ليبيا": where a trip starts, not a nationality (no boat
            # leaves from a region: "من الصعيد" is where the person comes from)
        elif kind == DEMONYM:
            own = embassy or (cue is not None and cue.role == ORIGIN and bool(cue.before) and gap == 0)  # "I am a Sudanese man"
            beside = any((b and tuple(before[-len(b):]) == b) or (a and tuple(after[:len(a)]) == a)
                         for b, a in cues.others)
            role = None if beside and not own else ORIGIN
        allowed = cues.needs_cue.get(name)
        counts = allowed is None or (cue is not None and role is not None
                                     and (not allowed or (cue.before, cue.after) in allowed))
        mention = CountryMention(country_id, role if counts else None, _written(text, spans, match.start, match.end))
        # "now" shortly before the name first; then a cue of several words; then "now" right after it
        # ("i dey agadez now, driver say 3 days we reach sabha": Agadez, not Sabha)
        weight = (any(w in cues.now for w in before[-NOW_WINDOW:]), min(len(cue.before + cue.after), 2) if cue else 0,
                  any(w in cues.now for w in after[:1]))
        found.append(Found(match.start, match.end, kind, cue, counts, weight, mention))
    return query, found


def find_countries(text: str) -> List[CountryMention]:
    """Every country or city a free text names exactly, in order, with its role when a cue (or a
    nationality word) says it. Names that are also common words (`needs_cue`) count only with a cue."""
    return [f.mention for f in _scan(text)[1] if f.counts]


def without_places(text: str) -> str:
    """`text` with the country, nationality and city names it names taken out ("i want to go back to
    ghana, i am in niamey" -> "i want to go back to , i am in "). Where a person is or comes from
    says which country's guidance applies (the slots), not which question they ask: left in, the
    names' letters pulled every "take me home to Ghana" to the phrasing that happens to name a
    country ("can i go back to mali" under "which countries does the programme cover")."""
    return names_removed(text, [f for f in _scan(text)[1] if f.counts])


def names_removed(text: str, found: List[Found]) -> str:
    """`text` without the names `found` (a `_scan` of it, or part of one) in it."""
    if not found:
        return text
    spans = _tokens(text)[1]
    pieces, last = [], 0
    for name in found:
        inside = [s for s in spans if s[0] < name.end and s[1] > name.start]
        if not inside or inside[0][2] < last:
            continue
        pieces.append(text[last:inside[0][2]])
        last = inside[-1][3]
    return "".join(pieces) + text[last:]
