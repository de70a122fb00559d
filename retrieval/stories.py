"""Where a person is and where they come from, read from a story (knowledge/countries.yml, names and
cues found by retrieval/countries.py): `story_countries` gives (host, origin), each None when the
story does not say, because a wrong value is worse than none; `wants_to_go_home` says whether the
message asks to go back home; `story_need` what stands in the way, `asks_how` whether it asks how,
`answer_instead` the answer for what it says in place of a general one and `answer_for_what_is_said`
whether an answer meant for a situation fits a message that does not say it (knowledge/story_needs.yml)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, List, NamedTuple, Optional, Pattern, Sequence, Set, Tuple

import yaml

from content.knowledge import WHEN_SAID_HOME, said_rules
from core.paths import KNOWLEDGE_DIR

from retrieval.countries import (
    ARRIVING, CITY, COAST_STAGE, CUE_WINDOW, DEMONYM, HOST, ORIGIN, ORIGIN_STAGE, STOP, Found, Words, _cues,
    _doc, _scan, is_bare_from, route_stage,
)
from retrieval.safety import normalise, phrase_pattern

STORY_NEEDS_FILE = KNOWLEDGE_DIR / "story_needs.yml"

TOWARD_LIKE = ("toward", "home")  # cue kinds that say the way to a place


@lru_cache(maxsize=8)
def _said(kinds: Tuple[str, ...]) -> Tuple[Words, ...]:
    """The words of the cues of these kinds (`CUE_ROLES`) that say something by themselves ("go home")."""
    return tuple(c.after or c.before for c in _cues().phrases if c.kind in kinds)


@lru_cache(maxsize=16)
def _phrases_pattern(phrases: Tuple[Words, ...]) -> Pattern[str]:
    words = sorted({" ".join(p) for p in phrases if p}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)" if words else r"(?!)")


def _first(query: str, phrases: Sequence[Words]) -> Optional[int]:
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


def _journeys(query: str, found: List[Found], roles: List[Optional[str]]) -> Set[int]:
    """"from X to Y" (X named after a bare "from", a wish to leave it or a word saying the person is
    there; Y right after it with a way there): X is where the person is and Y home when Y is back down the routes ("from Tripoli to
    Mali", "partir de Sfax vers la Guinée", "from Agadez to Kano"), or when Y follows a wish to go
    home ("from Libya go back to Nigeria"). A trip on up the routes ("from Niger to Libya") says
    nothing of where the person is, and X stays the origin only if people come from there. Driven
    out "from X to Y" (an `expelled` cue before it), the person is in Y and X says nothing. Sets
    `roles` and gives the indexes of the names it settled."""
    settled: Set[int] = set()
    for i, (a, b) in enumerate(zip(found, found[1:])):
        if (a.mention.country_id == b.mention.country_id or b.kind == DEMONYM or not _toward(b, _bare_from(a))
                or not (_bare_from(a) or roles[i] == HOST)
                or len(query[a.end:b.start].split()) > len(b.cue.before if b.cue else ()) + CUE_WINDOW):
            continue
        home = b.cue is not None and b.cue.kind == "home"
        if _bare_from(a) and _expelled_before(query, a.start):  # "expelled us from Algeria to Assamaka": in Niger
            roles[i], roles[i + 1] = None, HOST
        elif home or route_stage(b.mention.country_id) < route_stage(a.mention.country_id):
            roles[i], roles[i + 1] = HOST, ORIGIN
        else:
            if _bare_from(a) and route_stage(a.mention.country_id) != ORIGIN_STAGE:
                roles[i] = None
            roles[i + 1] = None
        settled |= {i, i + 1}
    return settled


def _leaving_from(query: str, found: List[Found], roles: List[Optional[str]], settled: Set[int]) -> None:
    """A wish to go home, then "from X" in the same sentence ("go back naija from sabha", "komawa
    gida daga tripoli", "ارجع اثيوبيا من صنعاء"): X is where the person is, the way `_journeys`
    reads "from X to Y" written the other way round. Sets `roles`."""
    wishes = _said(("home", "leave"))
    for i, f in enumerate(found):
        if i in settled or not _bare_from(f) or any(r == HOST for r in roles):
            continue
        sentence = query[:f.start].rsplit(f" {STOP} ", 1)[-1]
        if _first(sentence, wishes) is not None:
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
        if roles[i] == HOST and f.cue is not None and f.cue.kind == "leave":
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
    settled = _journeys(query, found, roles)
    _leaving_from(query, found, roles, settled)
    _came_back_from(query, found, roles)
    hosts = [f for f, r in zip(found, roles) if r == HOST]
    host = max(hosts, key=lambda f: f.weight).mention.country_id if hosts else None
    origin = next((f.mention.country_id for f, r in zip(found, roles)
                   if r == ORIGIN and not (f.kind == CITY and f.mention.country_id == host)), None)
    origin = _home_beyond_the_coast(found, roles, origin, host)
    free = [f for i, (f, r) in enumerate(zip(found, roles)) if r is None and f.kind != DEMONYM and i not in settled
            and (not f.cue or f.cue.kind in ("toward", *ARRIVING)) and f.mention.country_id not in (host, origin)]
    wish = _first(query, _said(("home",)))
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
    going = _first(query, _said(("home", "leave")) + cues.trip)
    if (host is None and len(rest) == 1 and not any(f.cue for f in free if f.mention.country_id in rest)
            and (_first(query, cues.location) is not None or (origin and going is not None))):
        host = rest.pop()
    origin = _shared_demonym_resolved(origin, found)
    if host is not None and (origin in (None, host) or route_stage(origin) != ORIGIN_STAGE) \
            and route_stage(host) == ORIGIN_STAGE and _first(query, cues.returned) is not None:
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


REFUSING = "refusing_to_go_home"  # the `instead` rule whose phrases refuse or fear going back


def wants_to_go_home(text: str) -> bool:
    """The message says the person wants to go back home (the `home` cues, any language), outside a
    refusal ("i dont want to go back", "ናብ ኤርትራ ክምለስ ኣይክእልን": story_needs.yml `instead`, REFUSING)."""
    refusing, said = _refusing(), normalise(text)
    if refusing is not None and refusing.search(said):
        text = refusing.sub(" ", said)
    query, _ = _scan(text)
    return _first(query, _said(("home",))) is not None


def refuses_to_go_home(text: str) -> bool:
    """The message refuses or fears going back ("i cannot go back to eritrea", "nab adey kimeles aydeln")."""
    refusing = _refusing()
    return refusing is not None and refusing.search(normalise(text)) is not None


def speaks_of_going_home(text: str) -> bool:
    """The message is about going home itself, wished for or refused: not about a risk or a need."""
    return refuses_to_go_home(text) or wants_to_go_home(text)


@lru_cache(maxsize=1)
def _refusing() -> Optional[Pattern[str]]:
    rule = (_story_needs().get("instead") or {}).get(REFUSING)
    return _pattern(rule) if rule else None


@lru_cache(maxsize=1)
def _story_needs() -> dict:
    return yaml.safe_load(STORY_NEEDS_FILE.read_text(encoding="utf-8")) or {}


MINOR_AGES = range(10, 18)  # what "{age}" in a phrase stands for: "i am {age}" is a child's
LACKING_GAP = 2  # filler words between "without" and the thing (`_lacking`)


def _pattern(need: dict) -> Optional[Pattern[str]]:
    """The pattern of every phrase of one need (any language), and of its `lacking` (`_lacking`); None
    when it has neither."""
    phrases = [p.replace("{age}", str(age)) for by_language in (need.get("phrases") or {}).values()
               for p in by_language or () for age in (MINOR_AGES if "{age}" in p else (0,))]
    patterns = [phrase_pattern(p) for p in phrases]
    lacking = _lacking(need.get("lacking") or {})
    if lacking:
        patterns.append(lacking)
    return re.compile("|".join(patterns)) if patterns else None


def _section_words(section: dict, key: str) -> str:
    phrases = sorted({str(p) for by_language in (section.get(key) or {}).values() for p in by_language or ()},
                     key=len, reverse=True)
    # a phrase ending in "*" takes in the rest of its word: words follow it here ("baasaboorkii ma haysto")
    return "(?:" + "|".join(phrase_pattern(p) + (r"\w*" if p.endswith("*") else "") for p in phrases) + ")" \
        if phrases else ""


def _lacking(section: dict) -> str:
    """A word for not having and a word for the thing (`things`) next to each other, with at most
    LACKING_GAP of the `filler` words between: the words said before the thing (`before`: "the baby
    don't have any passport", "jaririn bashi da fasfo", "sem passaporte") and those said after it
    (`after`: "والجواز كمان ما عندي", "baasaboorkii ma haysto"), every language's words together, since
    people mix them. Only fillers may come between, so "no money, my passport is with me" says no lack
    of papers. "" when the section has no words."""
    things = _section_words(section, "things")
    before, after = _section_words(section, "before"), _section_words(section, "after")
    if not things or not (before or after):
        return ""
    filler = _section_words(section, "filler")
    gap = rf"(?:\s+{filler}){{0,{LACKING_GAP}}}" if filler else ""
    said = ([rf"{before}{gap}\s+{things}"] if before else []) + ([rf"{things}{gap}\s+{after}"] if after else [])
    return "(?:" + "|".join(said) + ")"


class SaidNeed(NamedTuple):
    """A need of story_needs.yml `needs`, as a message says it."""
    answer: str                # its answer
    replaces: FrozenSet[str]   # the specific answers it also stands in place of (`also_instead_of`)


@lru_cache(maxsize=1)
def _needs() -> Tuple[Tuple[SaidNeed, Pattern[str]], ...]:
    """(the need, the pattern of every phrase that says it in any language) of every need; two needs may
    share an answer (a child, an illness: the answer for vulnerable people)."""
    return tuple((SaidNeed(str(need["answer"]), frozenset(str(a) for a in need.get("also_instead_of") or ())), pattern)
                 for need in (_story_needs().get("needs") or {}).values() if (pattern := _pattern(need)) is not None)


@lru_cache(maxsize=1)
def _asking_how() -> Tuple[Optional[str], Optional[Pattern[str]]]:
    section = _story_needs().get("asking_how") or {}
    return (str(section["answer"]) if section.get("answer") else None), _pattern(section)


def asks_how(text: str) -> Optional[str]:
    """The answer to "how do I (go home)?" when the message asks how to do something
    (story_needs.yml `asking_how`), else None."""
    answer, pattern = _asking_how()
    return answer if pattern is not None and pattern.search(normalise(text)) else None


@lru_cache(maxsize=1)
def _asking_to_check() -> Optional[Pattern[str]]:
    return _pattern(_story_needs().get("asking_to_check") or {})


def asks_to_check(text: str) -> bool:
    """The message asks the assistant to look at the person's own case ("check my situation", "ka
    duba min ko zan iya komawa"; story_needs.yml `asking_to_check`)."""
    pattern = _asking_to_check()
    return pattern is not None and pattern.search(normalise(text)) is not None


class InsteadRule(NamedTuple):
    """A rule of story_needs.yml `instead`."""
    answer: str                  # the answer for what the message says
    replaces: FrozenSet[str]     # the general answers it stands in place of
    pattern: Pattern[str]        # what the message says
    also: Optional[Pattern[str]]  # what it must also say (`with`), or None
    unless_wish: bool            # not when the message says a wish to go home


@lru_cache(maxsize=1)
def _instead() -> Tuple[InsteadRule, ...]:
    rules = []
    for rule in (_story_needs().get("instead") or {}).values():
        if (pattern := _pattern(rule)) is not None and rule.get("answer"):
            also = _pattern({"phrases": rule.get("with")}) if rule.get("with") else None
            rules.append(InsteadRule(str(rule["answer"]), frozenset(str(a) for a in rule.get("instead_of") or ()),
                                     pattern, also, bool(rule.get("unless_wish"))))
    return tuple(rules)


def answer_instead(answer_id: str, text: str) -> str:
    """`answer_id`, or the answer for what the message says when `answer_id` is one of the general
    answers it replaces (story_needs.yml `instead`: sexual violence -> the support for survivors;
    going home as a condition with help asked for -> the support after return)."""
    query = normalise(text)
    return next((rule.answer for rule in _instead()
                 if answer_id in rule.replaces and rule.pattern.search(query)
                 and (rule.also is None or rule.also.search(query))
                 and not (rule.unless_wish and wants_to_go_home(text))),
                answer_id)


def said_needs(text: str) -> Tuple[SaidNeed, ...]:
    """Every need the message says, the one said first first."""
    query = normalise(text)
    said = [(found.start(), index, need) for index, (need, pattern) in enumerate(_needs())
            if (found := pattern.search(query))]
    return tuple(need for _, _, need in sorted(said))


def said_need(text: str) -> Optional[SaidNeed]:
    """What stands between the person and going home, as the message says it ("but I have no money":
    the need whose answer is avr_no_money), the need said first; None when it says none."""
    said = said_needs(text)
    return said[0] if said else None


def need_answers() -> FrozenSet[str]:
    """The answers of every need (avr_no_money, avr_undocumented, ...)."""
    return frozenset(need.answer for need, _ in _needs())


def story_need(text: str) -> Optional[str]:
    """The answer to what stands between the person and going home, as the message says it
    (`said_need`), or None."""
    need = said_need(text)
    return need.answer if need is not None else None


# Arabic joins "and" to the next word ("وما بقدر ارجع": and I cannot go back)
_JOINED_AND = re.compile(r"(?<!\w)و(?=\w\w)")


@lru_cache(maxsize=1)
def _only_when_said() -> Tuple[Tuple[str, str, Pattern[str]], ...]:
    """(answer, the answer otherwise, pattern of what the message must say) of every rule of
    story_needs.yml `only_when_said`."""
    return tuple((str(rule["answer"]), str(rule["otherwise"]), pattern)
                 for rule in (_story_needs().get("only_when_said") or {}).values()
                 if rule.get("answer") and rule.get("otherwise") and (pattern := _pattern(rule)) is not None)


def answer_for_what_is_said(answer_id: str, text: str) -> str:
    """`answer_id`, or, when the message wishes to go home and `answer_id` answers a situation the
    message does not say (story_needs.yml `only_when_said`: afraid to go home), the rule's `otherwise`
    (the going-home answer)."""
    rules = [(otherwise, pattern) for answer, otherwise, pattern in _only_when_said() if answer == answer_id]
    if not rules or not wants_to_go_home(text):
        return answer_id
    query = normalise(text)
    unjoined = _JOINED_AND.sub("", query)  # "وما بقدر" says "ما بقدر" too
    return next((otherwise for otherwise, pattern in rules if not pattern.search(query) and not pattern.search(unjoined)),
                answer_id)


class AfterAnswerRule(NamedTuple):
    """A rule of story_needs.yml `after_answer`."""
    after: FrozenSet[str]              # answers sent last
    topics: FrozenSet[str]             # ... or any answer of these topics
    replaced: FrozenSet[str]           # what the message alone found, which the rule replaces
    answer: str
    unless: Optional[Pattern[str]]     # said (here or just before), keeps the replaced answer
    when: Optional[Pattern[str]]       # the message must say it
    when_home: bool = False            # the message must say the person wants to go home (WHEN_SAID_HOME)
    unless_wish: bool = False          # not when the message says a wish to go home


@lru_cache(maxsize=1)
def _after_answer() -> Tuple[AfterAnswerRule, ...]:
    instead = _story_needs().get("instead") or {}
    named = said_rules(_story_needs())
    rules = []
    for rule in (_story_needs().get("after_answer") or {}).values():
        unless = _pattern(instead[rule["unless_said"]]) if rule.get("unless_said") in instead else None
        home = rule.get("when_said") == WHEN_SAID_HOME
        when = None if home else _pattern(named.get(str(rule.get("when_said"))) or rule)
        rules.append(AfterAnswerRule(frozenset(str(a) for a in rule.get("after") or ()),
                                     frozenset(str(t) for t in rule.get("after_topics") or ()),
                                     frozenset(str(a) for a in rule.get("instead_of") or ()),
                                     str(rule["answer"]), unless, when, home, bool(rule.get("unless_wish"))))
    return tuple(rules)


def answer_after(answer_id: str, text: str, previous_answer: Optional[str], earlier: Optional[str] = None,
                 previous_topic: Optional[str] = None) -> str:
    """`answer_id`, or what the answer sent last makes of the message (story_needs.yml `after_answer`:
    "c anonyme?" after how to report abuse is about reporting, not the support for survivors; "the
    children have no papers" while talking about going home is about going home without papers).
    `earlier`: the person's previous message; what it said keeps the answer as this one's does.
    `previous_topic`: the topic of the answer sent last."""
    if not previous_answer:
        return answer_id
    query = normalise(f"{earlier or ''} {text}")
    said = normalise(text)
    return next((rule.answer for rule in _after_answer()
                 if (previous_answer in rule.after or previous_topic in rule.topics) and answer_id in rule.replaced
                 and not (rule.unless and rule.unless.search(query)) and (rule.when is None or rule.when.search(said))
                 and (not rule.when_home or wants_to_go_home(text))
                 and not (rule.unless_wish and wants_to_go_home(text))),
                answer_id)
