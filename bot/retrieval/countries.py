"""Country and city names as people write them (knowledge/countries.yml): resolve an answer to a
country, show it localised, and find the countries a free-text story names with the role of each
(`host`: where the person is now, `origin`: where they come from or want to go back to)."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Pattern, Tuple

import yaml

from bot.paths import KNOWLEDGE_DIR
from bot.retrieval.safety import normalise

COUNTRIES_FILE = KNOWLEDGE_DIR / "countries.yml"
FUZZY_CUTOFF = 0.82  # a misspelling must be at least this close to a name...
FUZZY_MARGIN = 0.05  # ...and this much closer to it than to any name of another country
FUZZY_MIN_LETTERS = 4  # never guess from (or towards) shorter words
FUZZY_MAX_WORDS = 8  # guessing is for short answers, not for stories
CUE_WINDOW = 3  # at most this many words between a cue and the name it labels
HOST, ORIGIN = "host", "origin"
Words = Tuple[str, ...]


@dataclass(frozen=True)
class Country:
    id: str
    joint_initiative: bool
    names: Dict[str, Tuple[str, ...]]

    def display(self, language: str) -> str:
        names = self.names.get(language) or self.names.get("en") or (self.id,)
        return names[0]


@dataclass(frozen=True)
class City:
    name: str
    country: str
    names: Tuple[str, ...]


@dataclass(frozen=True)
class CountryMention:
    country_id: str
    role: Optional[str]  # HOST, ORIGIN or None when the text does not say
    name: str  # as written in the text


@dataclass(frozen=True)
class Cue:
    before: Words  # words written before the name ("i am in")
    after: Words  # words written after it ("ውስጥ ነኝ")
    role: str
    home: bool  # also says the person wants to go home

    @property
    def size(self) -> int:
        return sum(len(w) for w in self.before + self.after)


@dataclass(frozen=True)
class Cues:
    phrases: Tuple[Cue, ...]
    attached: Dict[str, Optional[str]]  # prefix written attached to a name -> its role (or None)
    location: Tuple[Words, ...]  # words saying the person is somewhere
    needs_cue: FrozenSet[str]  # names that are also common words


@lru_cache(maxsize=2)
def _doc(path: Path = COUNTRIES_FILE) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@lru_cache(maxsize=2)
def load_countries(path: Path = COUNTRIES_FILE) -> Tuple[Country, ...]:
    return tuple(
        Country(
            id=str(entry["id"]),
            joint_initiative=bool(entry.get("joint_initiative")),
            names={lang: tuple(str(n) for n in names) for lang, names in (entry.get("names") or {}).items()},
        )
        for entry in _doc(path).get("countries") or ()
    )


@lru_cache(maxsize=2)
def load_cities(path: Path = COUNTRIES_FILE) -> Tuple[City, ...]:
    return tuple(
        City(name=str(e["name"]), country=str(e["country"]), names=tuple(str(n) for n in e.get("names") or ()))
        for e in _doc(path).get("cities") or ()
    )


def _norm(text: str) -> str:
    return " ".join(normalise(text).replace("-", " ").replace("'", " ").split())


@lru_cache(maxsize=2)
def _name_table(path: Path = COUNTRIES_FILE) -> Dict[str, str]:
    """Normalised name (of a country or a city) -> country id; a country's own names come first."""
    pairs = [(n, c.id) for c in load_countries(path) for names in c.names.values() for n in names]
    pairs += [(n, city.country) for city in load_cities(path) for n in (city.name, *city.names)]
    table: Dict[str, str] = {}
    for name, country_id in pairs:
        key = _norm(name)
        if key:
            table.setdefault(key, country_id)
        if key.startswith("ال"):  # ل + السودان is written للسودان
            table.setdefault("لل" + key[2:], country_id)
    return table


@lru_cache(maxsize=2)
def _cues(path: Path = COUNTRIES_FILE) -> Cues:
    section = _doc(path).get("cues") or {}
    phrases: List[Cue] = []
    attached: Dict[str, Optional[str]] = {_norm(str(p)): None for p in section.get("attached") or ()}
    for kind in ("host", "origin", "home"):
        role = HOST if kind == "host" else ORIGIN
        for phrase in (str(p).strip() for ps in (section.get(kind) or {}).values() for p in ps or ()):
            if phrase.endswith("-"):
                attached[_norm(phrase[:-1])] = role
                continue
            before, _, after = phrase.partition("...")
            phrases.append(Cue(tuple(_norm(before).split()), tuple(_norm(after).split()), role, kind == "home"))
    location = [tuple(_norm(str(p)).split()) for ps in (section.get("location") or {}).values() for p in ps or ()]
    location += [c.before for c in phrases if c.role == HOST and len(c.before) > 1]
    needs = frozenset(_norm(str(n)) for n in _doc(path).get("needs_cue") or ())
    return Cues(tuple(phrases), attached, tuple(w for w in location if w), needs)


@lru_cache(maxsize=2)
def _matcher(path: Path = COUNTRIES_FILE) -> Pattern[str]:
    """Any name as a whole word (longest first), after at most two attached prefixes."""
    names = "|".join(re.escape(n) for n in sorted(_name_table(path), key=len, reverse=True))
    prefixes = "|".join(re.escape(p) for p in sorted(_cues(path).attached, key=len, reverse=True) if p)
    return re.compile(rf"(?<!\w)(?P<pre>(?:{prefixes or '(?!)'}){{0,2}})(?P<name>{names})(?!\w)")


def country(country_id: Optional[str]) -> Optional[Country]:
    return next((c for c in load_countries() if c.id == country_id), None)


def country_name(country_id: Optional[str], language: str) -> str:
    found = country(country_id)
    return found.display(language) if found else (country_id or "")


def _tokens(text: str) -> Tuple[str, List[Tuple[int, int, int, int]]]:
    """The normalised text, and for each of its words (start, end) there and in `text`."""
    parts: List[str] = []
    spans: List[Tuple[int, int, int, int]] = []
    position = 0
    for match in re.finditer(r"\S+", text or ""):
        word = _norm(match.group())
        if word:
            start = position + (1 if parts else 0)
            parts.append(word)
            position = start + len(word)
            spans.append((start, position, match.start(), match.end()))
    return " ".join(parts), spans


def _written(text: str, spans: List[Tuple[int, int, int, int]], start: int, end: int) -> str:
    inside = [s for s in spans if s[0] < end and s[1] > start]
    return re.sub(r"^[^\w]+|[^\w]+$", "", text[inside[0][2]:inside[-1][3]]) if inside else ""


def _distance(words: List[str], phrase: Words) -> Optional[int]:
    """How many words come before `phrase` in `words` (at most CUE_WINDOW), or None."""
    for skip in range(min(len(words) - len(phrase), CUE_WINDOW) + 1):
        if tuple(words[skip:skip + len(phrase)]) == phrase:
            return skip
    return None


def _cue_role(cues: Cues, before: List[str], after: List[str]) -> Optional[str]:
    """The role of the cue nearest to a name (the longer one on a tie), or None."""
    best: Optional[Tuple[Tuple[int, int], str]] = None
    for cue in cues.phrases:
        gap_before = _distance(before[::-1], cue.before[::-1]) if cue.before else 0
        gap_after = _distance(after, cue.after) if cue.after else 0
        if gap_before is None or gap_after is None:
            continue
        key = (gap_before + gap_after, -cue.size)
        if best is None or key < best[0]:
            best = (key, cue.role)
    return best[1] if best else None


def _scan(text: str) -> Tuple[str, List[Tuple[int, str, CountryMention]]]:
    """Every exact country or city name in `text`: (position, normalised name, mention)."""
    query, spans = _tokens(text)
    table, cues = _name_table(), _cues()
    matches = list(_matcher().finditer(query))
    found: List[Tuple[int, str, CountryMention]] = []
    for i, match in enumerate(matches):
        prefix, name = match.group("pre"), match.group("name")
        role = next((r for p, r in cues.attached.items() if r and prefix and prefix.endswith(p)), None)
        if role is None:
            before = query[matches[i - 1].end() if i else 0:match.start()].split()
            after = query[match.end():matches[i + 1].start() if i + 1 < len(matches) else len(query)].split()
            role = _cue_role(cues, before, after)
        written = _written(text, spans, match.start(), match.end())
        found.append((match.start(), name, CountryMention(table[name], role, written)))
    return query, found


@lru_cache(maxsize=2)
def _fuzzy_names(path: Path = COUNTRIES_FILE) -> Tuple[Tuple[str, str], ...]:
    return tuple((n, c) for n, c in _name_table(path).items()
                 if sum(ch.isalpha() for ch in n) >= FUZZY_MIN_LETTERS and not n.startswith("لل"))


def _fuzzy(query: str) -> Optional[str]:
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
        for name, country_id in _fuzzy_names():
            matcher.set_seq1(name)
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            score = matcher.ratio()
            if score > scores.get(country_id, (0.0, False))[0]:
                scores[country_id] = (score, name[0] == candidate[0])
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
    if found:
        return found[0][2].country_id
    return _fuzzy(query)


def find_countries(text: str) -> List[CountryMention]:
    """Every country or city a free text names exactly, in order, with its role when a cue says it.
    Names that are also common words (knowledge/countries.yml `needs_cue`) count only with a cue."""
    needs_cue = _cues().needs_cue
    return [m for _, name, m in _scan(text)[1] if m.role or name not in needs_cue]


def _first(query: str, phrases) -> Optional[int]:
    """Where the first of `phrases` (word tuples) occurs in `query` as whole words, or None."""
    found = [m.start() for p in phrases if p
             for m in [re.search(r"(?<!\w)" + re.escape(" ".join(p)) + r"(?!\w)", query)] if m]
    return min(found) if found else None


def story_countries(text: str) -> Tuple[Optional[str], Optional[str]]:
    """(host country id, origin country id) of a story, each None when it does not say.
    Labelled mentions first; then a single unlabelled country after a wish to go home is the
    origin, and the only other unlabelled one is the host when the story says the person is
    somewhere (a `location` word or a host phrase)."""
    query, found = _scan(text)
    cues = _cues()
    found = [(position, m) for position, name, m in found if m.role or name not in cues.needs_cue]
    host = next((m.country_id for _, m in found if m.role == HOST), None)
    origin = next((m.country_id for _, m in found if m.role == ORIGIN), None)
    free = [(position, m.country_id) for position, m in found if m.role is None and m.country_id not in (host, origin)]
    wish = _first(query, [c.before or c.after for c in cues.phrases if c.home])
    if origin is None and wish is not None:
        after_wish = {country_id for position, country_id in free if position >= wish}
        if len(after_wish) == 1:
            origin = after_wish.pop()
    rest = {country_id for _, country_id in free if country_id != origin}
    if host is None and len(rest) == 1 and _first(query, cues.location) is not None:
        host = rest.pop()
    return host, origin
