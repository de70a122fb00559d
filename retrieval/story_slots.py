"""Where a person is and where they come from, read from a story (knowledge/countries.yml, names and
cues found by retrieval/countries.py): `story_countries` gives (host, origin), each None when the
story does not say, because a wrong value is worse than none. What the story asks for is read by
retrieval/story_needs.py."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Optional, Pattern, Sequence, Set, Tuple

from language.text import QUESTION_MARKS
from retrieval.countries import (
    ARRIVING, CITY, COAST_STAGE, CUE_WINDOW, DEMONYM, HOST, ORIGIN, ORIGIN_STAGE, SENTENCE_ENDS, STOP, Cue, Found,
    Words, _cues, _doc, _norm, _scan, is_bare_from, route_stage,
)

TOWARD_LIKE = ("toward", "home")  # cue kinds that say the way to a place
FAMILY_WINDOW = 3  # "go back to my mother in Nyala": at most this many words between the wish and the place
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]")


@lru_cache(maxsize=8)
def cue_words(kinds: Tuple[str, ...]) -> Tuple[Words, ...]:
    """The words of the cues of these kinds (`CUE_ROLES`) that say something by themselves ("go home")."""
    return tuple(c.after or c.before for c in _cues().phrases if c.kind in kinds)


@lru_cache(maxsize=16)
def _phrases_pattern(phrases: Tuple[Words, ...]) -> Pattern[str]:
    words = sorted({" ".join(p) for p in phrases if p}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)" if words else r"(?!)")


def first_phrase(query: str, phrases: Sequence[Words]) -> Optional[int]:
    """Where the first of `phrases` (word tuples) occurs in `query` as whole words, or None."""
    found = _phrases_pattern(tuple(phrases)).search(query)
    return found.start() if found else None


def _bare_from(found: Found) -> bool:
    return found.kind != DEMONYM and found.cue is not None and is_bare_from(found.cue)


def _toward(found: Found, after_from: bool) -> bool:
    """Named after a word saying the way to it ("to", "vers", "الى", "go back to"), or, right after a
    bare "from", a word that is both "in" and "to" in its language (French "de Tripoli à Bamako":
    a `host` cue listed as `toward` too)."""
    cue = found.cue
    if cue is None:
        return False
    return cue.kind in TOWARD_LIKE or (after_from and cue.kind == "host" and (cue.before, cue.after) in _toward_words())


@lru_cache(maxsize=2)
def _toward_words() -> Set[Tuple[Words, Words]]:
    return {(c.before, c.after) for c in _cues().phrases if c.kind == "toward"}


def _journeys(query: str, found: List[Found], roles: List[Optional[str]],
              departures: Optional[List[Found]] = None) -> Set[int]:
    """"from X to Y" (X named after a bare "from", a wish to leave it or a word saying the person is
    there; Y right after it with a way there): X is where the person is and Y home when Y is back down the routes ("from Tripoli to
    Mali", "partir de Sfax vers la Guinée", "from Agadez to Kano"), or when Y follows a wish to go
    home ("from Libya go back to Nigeria"). A trip on up the routes ("from Niger to Libya") says
    nothing of where the person is, and X stays the origin only if people come from there. Driven
    out "from X to Y" (an `expelled` cue before it), the person is in Y and X says nothing; come back
    "from X to Y" (a `returned` cue before it), Y is home and X says nothing. Sets
    `roles` and gives the indexes of the names it settled; a trip on up the routes from a city is
    added to `departures` (`_asked_crossing` may read it)."""
    settled: Set[int] = set()
    for i, (a, b) in enumerate(zip(found, found[1:])):
        if (a.mention.country_id == b.mention.country_id or b.kind == DEMONYM or not _toward(b, _bare_from(a))
                or not (_bare_from(a) or roles[i] == HOST)
                or len(query[a.end:b.start].split()) > len(b.cue.before if b.cue else ()) + CUE_WINDOW):
            continue
        home = b.cue is not None and b.cue.kind == "home"
        if _bare_from(a) and _expelled_before(query, a.start):  # "expelled us from Algeria to Assamaka": in Niger
            roles[i], roles[i + 1] = None, HOST
        elif _bare_from(a) and _cue_ends_near(query, a.start, _cues().returned, 0):
            roles[i], roles[i + 1] = None, ORIGIN  # "رجعت من ليبيا على سوهاج": came back from Libya, home to Sohag
        elif home or route_stage(b.mention.country_id) < route_stage(a.mention.country_id):
            roles[i], roles[i + 1] = HOST, ORIGIN
        else:
            if _bare_from(a) and route_stage(a.mention.country_id) != ORIGIN_STAGE:
                roles[i] = None
            roles[i + 1] = None
            if departures is not None and a.kind == CITY and _bare_from(a):
                departures.append(a)
        settled |= {i, i + 1}
    return settled


def _asked_crossing(text: str, query: str, departures: List[Found]) -> Optional[str]:
    """The country of the city a crossing starts from, when the sentence naming the crossing asks
    about it and the message says nothing of going or having come back home: "is the boat from
    Zuwara to Lampedusa safe now?", "o barco de Sfax pra Lampedusa é perigoso?". People ask about
    the boat or the road from where they are; a country ("the boat from Libya to Italy") or a
    statement ("we went from Agadez to Libya") says nothing of it."""
    if not departures or first_phrase(query, cue_words(("home",)) + _cues().returned) is not None:
        return None
    for departure in departures:
        at = text.casefold().find(departure.mention.name.casefold())
        end = _SENTENCE_END.search(text, at) if at >= 0 else None
        if end is not None and end.group() in QUESTION_MARKS:
            return departure.mention.country_id
    return None


def _family_home(query: str, found: List[Found], roles: List[Optional[str]]) -> None:
    """"داير ارجع لامي في نيالا", "quero voltar pra minha mãe em Bafatá", "i wan go back to my mama for
    Delta": a place said with a one-word "in" right after a wish to go home to one's family is where
    the family is, home, not where the person is. Sets `roles`."""
    wishes, family = cue_words(("home",)), _family_words()
    for i, f in enumerate(found):
        if roles[i] != HOST or not _bare_in(f.cue):
            continue
        sentence = _sentence_before(query, f.start)
        ends = [m.end() for m in _phrases_pattern(wishes).finditer(sentence)]
        gap = sentence[ends[-1]:].split() if ends else []
        if ends and len(gap) <= FAMILY_WINDOW + 1 and any(w in family for w in gap):
            roles[i] = ORIGIN


def _family_lives_in(query: str, found: Sequence[Found], roles: Sequence[Optional[str]],
                     host: Optional[str]) -> Optional[str]:
    """"my family is in Kano", "qoyskaygu waxay joogaan Baydhabo": a place said shortly after a word for
    one's family, with no cue, one that says nothing (`neutral`) or a one-word "in", in a country people come from and
    not where the person is: home. A brother in Libya or a husband in Niger says nothing of it (a
    country on the routes)."""
    family = _family_words()
    homes = set()
    for f, role in zip(found, roles):
        bare_in = role == HOST and _bare_in(f.cue)  # "my parents in Accra"
        if f.kind == DEMONYM or not (bare_in or role is None and (f.cue is None or f.cue.kind == "neutral")):
            continue
        before = _sentence_before(query, f.start).split()[-(FAMILY_WINDOW + 1):]
        if any(w in family for w in before) and route_stage(f.mention.country_id) == ORIGIN_STAGE \
                and f.mention.country_id != host:
            homes.add(f.mention.country_id)
    return homes.pop() if len(homes) == 1 else None


def _bare_in(cue: Optional[Cue]) -> bool:
    """A one-word cue written before the name ("in", "em", "في", "for")."""
    return cue is not None and len(cue.before) == 1 and not cue.after


def _sentence_before(query: str, start: int) -> str:
    """The normalised text of the sentence before `start`, up to it."""
    return query[:start].rsplit(f" {STOP} ", 1)[-1]


@lru_cache(maxsize=1)
def _family_words() -> Set[str]:
    """countries.yml `cues.family`: the words for one's family, each written as one word."""
    section = (_doc().get("cues") or {}).get("family") or {}
    return {_norm(w) for words in section.values() for w in words or ()}


def _leaving_from(query: str, found: List[Found], roles: List[Optional[str]], settled: Set[int]) -> None:
    """A wish to go home, then "from X" in the same sentence ("go back naija from sabha", "komawa
    gida daga tripoli", "ارجع اثيوبيا من صنعاء"): X is where the person is, the way `_journeys`
    reads "from X to Y" written the other way round. Sets `roles`."""
    wishes = cue_words(("home", "leave"))
    for i, f in enumerate(found):
        if i in settled or not _bare_from(f) or any(r == HOST for r in roles):
            continue
        sentence = _sentence_before(query, f.start)
        if first_phrase(sentence, wishes) is not None:
            roles[i] = HOST
            return


def _cue_ends_near(query: str, start: int, phrases: Tuple[Words, ...], window: int) -> bool:
    """The last of the cue `phrases` before `start` ends at most `window` words before it."""
    ends = [m.end() for m in _phrases_pattern(phrases).finditer(query[:start])]
    return bool(ends) and len(query[ends[-1]:start].split()) <= window


def _expelled_before(query: str, start: int) -> bool:
    """An `expelled` cue ends at most CUE_WINDOW words before `start` (the "from" of a trip)."""
    return _cue_ends_near(query, start, _cues().expelled, CUE_WINDOW)


def _came_back_from(query: str, found: List[Found], roles: List[Optional[str]]) -> None:
    """"i return from niger last month": a `returned` cue right before a place read as one the person
    wants to leave ("return from X") says they came back from it (Pidgin marks no past tense): X is
    neither where they are nor where they come from. Sets `roles`."""
    for i, f in enumerate(found):
        if roles[i] == HOST and f.cue is not None and (f.cue.kind == "leave" or is_bare_from(f.cue)):
            if _cue_ends_near(query, f.start, _cues().returned, 0):
                roles[i] = None


def story_countries(text: str) -> Tuple[Optional[str], Optional[str]]:
    """(host country id, origin country id) of a story, each None when it does not say: a wrong value
    is worse than none. Labelled names first, and trips "from X to Y" (`_journeys`). Then names
    without a cue: the only country after a wish to go home is the origin; cities (not regions) all
    in one country other than the origin give the host; else the only country left is the host when
    the story says the person is somewhere (`location`, a host phrase), or asks about going home,
    leaving or travelling (`home`, `leave`, `trip`) while the origin is known."""
    query, found = _scan(text)
    cues = _cues()
    found = [f for f in found if f.counts]
    roles = [f.mention.role for f in found]
    departures: List[Found] = []
    settled = _journeys(query, found, roles, departures)
    _leaving_from(query, found, roles, settled)
    _came_back_from(query, found, roles)
    _family_home(query, found, roles)
    hosts = [f for f, r in zip(found, roles) if r == HOST]
    host = max(hosts, key=lambda f: f.weight).mention.country_id if hosts else None
    origin = next((f.mention.country_id for f, r in zip(found, roles)
                   if r == ORIGIN and not (f.kind == CITY and f.mention.country_id == host)), None)
    origin = _home_beyond_the_coast(found, roles, origin, host)
    free = [f for i, (f, r) in enumerate(zip(found, roles)) if r is None and f.kind != DEMONYM and i not in settled
            and (not f.cue or f.cue.kind in ("toward", *ARRIVING)) and f.mention.country_id not in (host, origin)]
    wish = first_phrase(query, cue_words(("home",)))
    if origin is None and wish is not None:  # "I want to go home. Sudan", "i wan return go benin city"
        after_wish = {f.mention.country_id for f in free if f.start >= wish and (f.kind != CITY or f.cue)}
        origin = after_wish.pop() if len(after_wish) == 1 else None
    cities = {f.mention.country_id for f in free
              if f.kind == CITY and not f.cue and (origin or wish is None or f.start < wish)} - {origin}
    if host is None and len(cities) == 1:
        host = cities.pop()
    onward = [f for f in found if f.cue and f.cue.kind == "toward"]  # "expelled from Algeria to Assamaka"
    rest = {f.mention.country_id for f in free
            if not any(g.start > f.start and g.mention.country_id != f.mention.country_id for g in onward)} - {origin}
    going = first_phrase(query, cue_words(("home", "leave")) + cues.trip)
    if (host is None and len(rest) == 1 and not any(f.cue for f in free if f.mention.country_id in rest)
            and (first_phrase(query, cues.location) is not None or (origin and going is not None))):
        host = rest.pop()
    origin = _shared_demonym_resolved(origin, found) or _family_lives_in(query, found, roles, host)
    host = host or _asked_crossing(text, query, departures)
    if host is not None and (origin in (None, host) or route_stage(origin) != ORIGIN_STAGE) \
            and route_stage(host) == ORIGIN_STAGE and first_phrase(query, cues.returned) is not None:
        # "I came back from Libya with IOM in March ... now in Banjul": home, not a host country (and
        # a route country read as the origin, "ከሱዳን ተመልሼ": where the person came back from)
        host, origin = None, host
    return host, origin


def _home_beyond_the_coast(found: Sequence[Found], roles: List[Optional[str]], origin: Optional[str],
                           host: Optional[str]) -> Optional[str]:
    """`origin`, or, when it is a coast or destination country said without a nationality word and
    the story names one country people come from (by itself, or as the way home) other than the
    host: that one. "since I comot Libya come back Kano", "ina Niamey, mun fito daga Libya ... mayar
    dani Kano": Libya is where the journey came from, Kano is home."""
    if origin is None or route_stage(origin) < COAST_STAGE \
            or any(f.kind == DEMONYM and f.mention.country_id == origin for f in found):
        return origin
    homes = {f.mention.country_id for f, r in zip(found, roles)
             if (f.cue.kind == "home" if f.cue is not None else r is None) and f.kind != DEMONYM
             and route_stage(f.mention.country_id) == ORIGIN_STAGE} - {host, origin}
    return homes.pop() if len(homes) == 1 else origin


def _shared_demonym_resolved(origin: Optional[str], found: Sequence[Found]) -> Optional[str]:
    """`origin`, or the country sharing its nationality word that the story also names
    (countries.yml `shared_demonyms`: "congolais de Kinshasa" is from the DR Congo)."""
    others = (_doc().get("shared_demonyms") or {}).get(origin) or ()
    named = [f.mention.country_id for f in found if f.kind != DEMONYM and f.mention.country_id in others]
    return named[0] if named else origin
