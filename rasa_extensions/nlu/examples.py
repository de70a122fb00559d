"""Read Rasa NLU YAML files as plain (text, intent) pairs, grouped by language folder."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from content.knowledge import load_knowledge
from core.paths import KNOWLEDGE_DIR

Example = Tuple[str, str]
_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}")


def _strip_entity_markup(text: str) -> str:
    return _ENTITY_MARKUP.sub(lambda m: m.group(1) or m.group(2), text)


def read_examples(path: Path) -> List[Example]:
    """All (text, intent) pairs of one Rasa NLU YAML file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs: List[Example] = []
    for block in doc.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((_strip_entity_markup(line[2:].strip()), intent))
    return pairs


def examples_by_language(directory: Path) -> Dict[str, List[Example]]:
    """{language: examples} for a directory of `<lang>/*.yml` folders or `<lang>.yml` files."""
    grouped: Dict[str, List[Example]] = {}
    for path in sorted(directory.iterdir()):
        if path.is_dir():
            for file in sorted(path.glob("*.yml")):
                grouped.setdefault(path.name, []).extend(read_examples(file))
        elif path.suffix == ".yml":
            grouped.setdefault(path.stem, []).extend(read_examples(path))
    return grouped


def language_samples(nlu_dir: Path, knowledge_dir: Path = KNOWLEDGE_DIR) -> List[Tuple[str, str]]:
    """(text, language) pairs to train the language identifier: NLU examples + knowledge text.

    `common/` holds language-neutral messages (menu numbers) and teaches nothing about language.
    """
    samples: List[Tuple[str, str]] = []
    for language, examples in examples_by_language(nlu_dir).items():
        if language == "common":
            continue
        samples.extend((text, language) for text, _ in examples)
    knowledge = load_knowledge(knowledge_dir)
    for article in knowledge.articles.values():
        for language, text in article.texts.items():
            samples.append((text.answer, language))
            samples.append((text.title, language))
            samples.extend((question, language) for question in text.questions)
    for language, strings in knowledge.ui.items():
        samples.extend((re.sub(r"\{\w+\}", " ", value), language) for value in strings.values())
    return samples
