"""Read the knowledge base (`knowledge/`): languages, topics, articles, ui strings, menus.

Content is data: this module only loads and looks up. It never holds answer text itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.paths import KNOWLEDGE_DIR


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

    def _load_article(self, topic: str, folder: Path) -> Article:
        meta = _read_yaml(folder / "article.yml")
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
        """The article in `language`, or in the default language; returns (text, language used)."""
        article = self.articles[topic]
        language = self.resolve_language(language)
        if language in article.texts:
            return article.texts[language], language
        return article.texts[self.default_language], self.default_language

    def topic_title(self, topic: str, language: Optional[str]) -> str:
        return self.article_text(topic, language)[0].title

    def language_list(self) -> str:
        return ", ".join(lang.native_name for lang in self.languages.values())

    def group(self, group_id: str) -> Optional[MenuGroup]:
        return next((group for group in self.menu_groups if group.id == group_id), None)


@lru_cache(maxsize=4)
def load_knowledge(root: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    return KnowledgeBase(root)
