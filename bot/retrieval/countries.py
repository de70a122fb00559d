"""Country names as people write them (knowledge/countries.yml): resolve, and show localised."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.paths import KNOWLEDGE_DIR
from bot.retrieval.safety import normalise

COUNTRIES_FILE = KNOWLEDGE_DIR / "countries.yml"
FUZZY_CUTOFF = 0.82
# words around a country name that say nothing ("I am from Mali", "je suis au Niger")
_FILLER = re.compile(
    r"\b(i am|i'm|im|am|from|in|the|my country is|country|je suis|suis|de|du|au|en|la|le|"
    r"des|sou|do|da|na|estou|em|no|ni|daga|ina|dey|for|waxaan|ka|ku|joogaa|ahay)\b"
)


@dataclass(frozen=True)
class Country:
    id: str
    joint_initiative: bool
    names: Dict[str, Tuple[str, ...]]

    def display(self, language: str) -> str:
        names = self.names.get(language) or self.names.get("en") or (self.id,)
        return names[0]


@lru_cache(maxsize=2)
def load_countries(path: Path = COUNTRIES_FILE) -> Tuple[Country, ...]:
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}
    return tuple(
        Country(
            id=str(entry["id"]),
            joint_initiative=bool(entry.get("joint_initiative")),
            names={lang: tuple(str(n) for n in names) for lang, names in (entry.get("names") or {}).items()},
        )
        for entry in doc.get("countries") or ()
    )


def _norm(text: str) -> str:
    return " ".join(normalise(text).replace("-", " ").replace("'", " ").split())


@lru_cache(maxsize=2)
def _name_table(path: Path = COUNTRIES_FILE) -> Tuple[Tuple[str, str], ...]:
    """(normalised name, country id), longest names first."""
    pairs = {(_norm(name), c.id) for c in load_countries(path) for names in c.names.values() for name in names}
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def country(country_id: Optional[str]) -> Optional[Country]:
    return next((c for c in load_countries() if c.id == country_id), None)


def resolve_country(text: str) -> Optional[str]:
    """The id of the country `text` names, or None. Exact names (anywhere in the message, whole
    words, longest first), then a fuzzy match of the message or its words against all names."""
    query = _norm(text)
    if not query:
        return None
    table = _name_table()
    for name, country_id in table:
        if name and re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", query):
            return country_id
    names = [name for name, _ in table]
    lookup = dict(table)
    stripped = re.sub(r"\s+", " ", _FILLER.sub(" ", query)).strip()
    candidates: List[str] = [c for c in dict.fromkeys([stripped, query, *stripped.split()]) if len(c) >= 3]
    best: Tuple[float, Optional[str]] = (0.0, None)
    for candidate in candidates:
        for match in difflib.get_close_matches(candidate, names, n=1, cutoff=FUZZY_CUTOFF):
            score = difflib.SequenceMatcher(None, candidate, match).ratio()
            if score > best[0]:
                best = (score, lookup[match])
    return best[1]


def country_name(country_id: Optional[str], language: str) -> str:
    found = country(country_id)
    return found.display(language) if found else (country_id or "")
