"""Read the knowledge base (`knowledge/`): languages, topics, articles, specific entries, sources,
country guidance, ui strings, menus.

An *answer* is either a topic's general article (`topics/<id>/`) or a specific entry that answers
one exact question (`entries/<id>/`, with the topic it belongs to); both have the same shape and
are looked up by id in `answers`.

Content is data: this module only loads and looks up. It never holds answer text itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from core.paths import KNOWLEDGE_DIR

# the fields of a directory entry (knowledge/directory/) that reach a person: only ever shown from an
# entry a named person verified (the flows), and the checker refuses them anywhere else
CONTACT_FIELDS = ("name", "phone", "email", "address", "web")
# story_needs.yml `after_answer` `when_said: home`: the message must say the person wants to go home (the
# `home` cues of countries.yml) rather than a list of story_needs.yml
WHEN_SAID_HOME = "home"


def said_rules(story_needs: dict) -> Dict[str, dict]:
    """The rules of story_needs.yml a `when_said` may name, by name (each says its `phrases`): every
    need, `asking_how`, and the rules of `instead` and `only_when_said`. Read by the checker and by
    retrieval/story_needs."""
    sections = [story_needs.get("needs") or {}, {"asking_how": story_needs.get("asking_how")},
                story_needs.get("instead") or {}, story_needs.get("only_when_said") or {}]
    rules: Dict[str, dict] = {}
    for section in sections:
        for name, rule in section.items():
            if rule:
                rules.setdefault(str(name), rule)
    return rules


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    native_name: str
    tier: int
    script: str


@dataclass(frozen=True)
class ArticleText:
    title: str
    answer: str
    questions: Tuple[str, ...]
    reviewed: bool


@dataclass(frozen=True)
class Article:
    id: str
    sources: Tuple[dict, ...]
    follow_ups: Tuple[str, ...]
    last_reviewed: str
    reviewer: str
    texts: Dict[str, ArticleText]
    topic: str = ""                    # the topic a specific entry belongs to ("" for a topic's article)
    answered_by_sources: bool = True   # False: the answer says no public source answers it
    # an answer about life after going home (counselling for returnees): the answer that helps a person
    # who has not gone home where they are now (help_psychosocial), "" when there is none
    before_return: str = ""

    @property
    def is_entry(self) -> bool:
        return bool(self.topic)

    @property
    def parent(self) -> str:
        """The topic this answer belongs to (its own id for a topic article)."""
        return self.topic or self.id


@dataclass(frozen=True)
class MenuGroup:
    id: str
    title_key: str
    topics: Tuple[str, ...]


def _read_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


class KnowledgeBase:
    """Everything under `knowledge/`, loaded once. Look-ups fall back to the default language."""

    def __init__(self, root: Path = KNOWLEDGE_DIR) -> None:
        self.root = root
        languages_doc = _read_yaml(root / "languages.yml")
        self.default_language: str = languages_doc["default"]
        self.languages: Dict[str, Language] = {
            entry["code"]: Language(
                code=entry["code"],
                name=entry["name"],
                native_name=entry["native_name"],
                tier=int(entry["tier"]),
                script=entry.get("script", "latin"),
            )
            for entry in languages_doc["languages"]
        }
        self.topic_ids: List[str] = list(_read_yaml(root / "topics.yml")["topics"])
        self.menu_groups: List[MenuGroup] = [
            MenuGroup(group["id"], group["title_key"], tuple(group["topics"]))
            for group in _read_yaml(root / "menus.yml")["groups"]
        ]
        self.ui: Dict[str, Dict[str, str]] = {}
        self.ui_reviewed: Dict[str, bool] = {}
        for code in self.languages:
            path = root / "ui" / f"{code}.yml"
            if path.exists():
                doc = _read_yaml(path)
                self.ui[code] = dict(doc.get("strings") or {})
                self.ui_reviewed[code] = bool((doc.get("translation") or {}).get("reviewed"))
        self.articles: Dict[str, Article] = {}
        for topic in self.topic_ids:
            folder = root / "topics" / topic
            if (folder / "article.yml").exists():
                self.articles[topic] = self._load_article(topic, folder)
        self.entries: Dict[str, Article] = {}
        for folder in sorted((root / "entries").glob("*/")) if (root / "entries").exists() else ():
            if (folder / "entry.yml").exists():
                self.entries[folder.name] = self._load_article(folder.name, folder, meta_file="entry.yml")
        self.answers: Dict[str, Article] = {**self.articles, **self.entries}
        self.sources: Dict[str, dict] = _load_sources(root)
        self.country_guidance: Dict[str, dict] = {
            path.stem: _read_yaml(path) for path in sorted((root / "country_guidance").glob("*.yml"))
        } if (root / "country_guidance").exists() else {}

    def _load_article(self, topic: str, folder: Path, meta_file: str = "article.yml") -> Article:
        meta = _read_yaml(folder / meta_file)
        texts: Dict[str, ArticleText] = {}
        for code in self.languages:
            path = folder / f"{code}.yml"
            if not path.exists():
                continue
            doc = _read_yaml(path)
            texts[code] = ArticleText(
                title=str(doc.get("title", "")).strip(),
                answer=str(doc.get("answer", "")).strip(),
                questions=tuple(str(q).strip() for q in doc.get("questions") or ()),
                reviewed=bool((doc.get("translation") or {}).get("reviewed")),
            )
        return Article(
            id=meta.get("id", topic),
            sources=tuple(meta.get("sources") or ()),
            follow_ups=tuple(meta.get("follow_ups") or ()),
            last_reviewed=str(meta.get("last_reviewed", "")),
            reviewer=str(meta.get("reviewer") or ""),
            texts=texts,
            topic=str(meta.get("topic") or "") if meta_file != "article.yml" else "",
            answered_by_sources=bool(meta.get("answered_by_sources", True)),
            before_return=str(meta.get("before_return") or ""),
        )

    # -- look-ups -------------------------------------------------------------------------
    def supported(self, code: Optional[str]) -> bool:
        return code in self.languages

    def resolve_language(self, code: Optional[str]) -> str:
        return code if code in self.languages else self.default_language

    def text(self, key: str, language: Optional[str], **values: object) -> str:
        """A ui string in `language` (default language where missing), placeholders filled."""
        language = self.resolve_language(language)
        template = self.ui.get(language, {}).get(key) or self.ui[self.default_language][key]
        return template.format(**values) if values else template

    def is_ui_reviewed(self, language: str) -> bool:
        return self.ui_reviewed.get(self.resolve_language(language), False)

    def article_text(self, topic: str, language: Optional[str]) -> Tuple[ArticleText, str]:
        """The answer (topic article or entry) in `language`, or in the default language; returns
        (text, language used)."""
        article = self.answers[topic]
        language = self.resolve_language(language)
        if language in article.texts:
            return article.texts[language], language
        return article.texts[self.default_language], self.default_language

    def topic_title(self, topic: str, language: Optional[str]) -> str:
        return self.article_text(topic, language)[0].title

    def language_list(self) -> str:
        return ", ".join(lang.native_name for lang in self.languages.values())

    def entries_of(self, topic: str) -> List[str]:
        return [entry_id for entry_id, entry in self.entries.items() if entry.topic == topic]

    def country_note(self, country: Optional[str], answer_id: str, language: Optional[str]) -> str:
        """The country guidance note that belongs after `answer_id` for a person in `country`."""
        guidance = self.country_guidance.get(country or "") or {}
        language = self.resolve_language(language)
        for note in guidance.get("notes") or ():
            if note.get("entry") == answer_id:
                texts = note.get("text") or {}
                return str(texts.get(language) or texts.get(self.default_language) or "").strip()
        return ""

    def group(self, group_id: str) -> Optional[MenuGroup]:
        return next((group for group in self.menu_groups if group.id == group_id), None)


def _load_sources(root: Path) -> Dict[str, dict]:
    """sources.yml plus one file per web source in sources.d/ (id -> title, publisher, date, url, file)."""
    listed = list((_read_yaml(root / "sources.yml").get("sources") or ())) if (root / "sources.yml").exists() else []
    if (root / "sources.d").exists():
        listed += [_read_yaml(path) for path in sorted((root / "sources.d").glob("*.yml"))]
    return {str(source.get("id")): dict(source) for source in listed if source.get("id")}


@lru_cache(maxsize=4)
def load_knowledge(root: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    return KnowledgeBase(root)
