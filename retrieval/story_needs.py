"""What a story asks for and what stands in the way (knowledge/story_needs.yml): `wants_to_go_home`
says whether the message asks to go back home, `story_need` what stands in the way, `asks_how`
whether it asks how, `answer_instead` the answer for what it says in place of a general one,
`answer_for_what_is_said` whether an answer meant for a situation fits a message that does not say
it and `answer_after` what the answer sent last makes of the message. Where the person is and comes
from is read by retrieval/story_slots.py."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, NamedTuple, Optional, Pattern, Tuple

import yaml

from content.knowledge import WHEN_SAID_HOME, said_rules
from core.paths import KNOWLEDGE_DIR

from retrieval.countries import _scan
from retrieval.safety import normalise, phrase_pattern
from retrieval.story_slots import cue_words, first_phrase

STORY_NEEDS_FILE = KNOWLEDGE_DIR / "story_needs.yml"

REFUSING = "refusing_to_go_home"  # the `instead` rule whose phrases refuse or fear going back
# Arabic joins "and" to the next word ("وما بقدر ارجع": and I cannot go back; "والمفوضية وين؟": and
# UNHCR, where?)
_JOINED_AND = re.compile(r"(?<!\w)و(?=\w\w)")
_APART = "\u205e"  # not a word or a space: no phrase reads across it


def _read(text: str) -> str:
    """The message as the rules read it: normalised, and again with Arabic's joined "and" taken off,
    so a phrase is found whether or not "و" is joined to it."""
    query = normalise(text)
    unjoined = _JOINED_AND.sub("", query)
    return query if unjoined == query else f"{query} {_APART} {unjoined}"


def wants_to_go_home(text: str) -> bool:
    """The message says the person wants to go back home (the `home` cues, any language), outside a
    refusal ("i dont want to go back", "ናብ ኤርትራ ክምለስ ኣይክእልን": story_needs.yml `instead`, REFUSING)."""
    refusing, said = _refusing(), _read(text)
    if refusing is not None and refusing.search(said):
        text = refusing.sub(" ", said)
    query, _ = _scan(text)
    return first_phrase(query, cue_words(("home",))) is not None


def refuses_to_go_home(text: str) -> bool:
    """The message refuses or fears going back ("i cannot go back to eritrea", "nab adey kimeles aydeln")."""
    refusing = _refusing()
    return refusing is not None and refusing.search(_read(text)) is not None


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
    return answer if pattern is not None and pattern.search(_read(text)) else None


@lru_cache(maxsize=1)
def _asking_to_check() -> Optional[Pattern[str]]:
    return _pattern(_story_needs().get("asking_to_check") or {})


def asks_to_check(text: str) -> bool:
    """The message asks the assistant to look at the person's own case ("check my situation", "ka
    duba min ko zan iya komawa"; story_needs.yml `asking_to_check`)."""
    pattern = _asking_to_check()
    return pattern is not None and pattern.search(_read(text)) is not None


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
    query = _read(text)
    return next((rule.answer for rule in _instead()
                 if answer_id in rule.replaces and rule.pattern.search(query)
                 and (rule.also is None or rule.also.search(query))
                 and not (rule.unless_wish and wants_to_go_home(text))),
                answer_id)


def said_needs(text: str) -> Tuple[SaidNeed, ...]:
    """Every need the message says, the one said first first."""
    query = _read(text)
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
    query = _read(text)  # "وما بقدر" says "ما بقدر" too
    return next((otherwise for otherwise, pattern in rules if not pattern.search(query)), answer_id)


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
    query = _read(f"{earlier or ''} {text}")
    said = _read(text)
    return next((rule.answer for rule in _after_answer()
                 if (previous_answer in rule.after or previous_topic in rule.topics) and answer_id in rule.replaced
                 and not (rule.unless and rule.unless.search(query)) and (rule.when is None or rule.when.search(said))
                 and (not rule.when_home or wants_to_go_home(text))
                 and not (rule.unless_wish and wants_to_go_home(text))),
                answer_id)
