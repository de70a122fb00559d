"""The topic articles' own question phrasings, as extra NLU training examples.

Each topic article lists how migrants ask about it, in every language (knowledge/topics/*/<lang>.yml
`questions`). They are written once, as content, and serve both retrieval and intent training:
`write_training_file()` renders them as a Rasa NLU file under .cache/ at training time. Lines
that also appear in the held-out test split, or already in data/nlu/ under some intent, are
left out. The specific entries' phrasings (knowledge/entries) teach their topic's intent only
when they are a whole question (ENTRY_MIN_WORDS words or more): their short ones ("c anonyme ?",
"is it for everyone?") taught the topic intents what are follow-ups, and follow-ups read in
context fell from 77.5 % to 65.3 % on the conversation benchmark.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import yaml

from content.knowledge import load_knowledge
from rasa_extensions.nlu.examples import examples_by_language
from core.paths import CACHE_DIR, NLU_DIR, NLU_TEST_DIR

GENERATED_FILE = CACHE_DIR / "nlu_generated" / "knowledge_questions.yml"
ENTRY_MIN_WORDS = 5


def knowledge_examples() -> Dict[str, List[str]]:
    held_out = {text.strip().lower() for pairs in examples_by_language(NLU_TEST_DIR).values() for text, _ in pairs} \
        if NLU_TEST_DIR.exists() else set()
    written = {text.strip().lower() for pairs in examples_by_language(NLU_DIR).values() for text, _ in pairs}
    by_intent: Dict[str, List[str]] = {}
    seen = set(written)
    kb = load_knowledge()
    for answer in kb.answers.values():
        for text in answer.texts.values():
            for question in text.questions:
                key = question.strip().lower()
                if answer.is_entry and len(key.split()) < ENTRY_MIN_WORDS:
                    continue
                if key and key not in held_out and key not in seen:
                    seen.add(key)
                    by_intent.setdefault(answer.parent, []).append(question.strip())
    return by_intent


def write_training_file(path: Path = GENERATED_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    blocks = [
        {"intent": intent, "examples": "".join(f"- {q}\n" for q in questions)}
        for intent, questions in sorted(knowledge_examples().items())
    ]
    header = "# Generated from knowledge/topics/*/<lang>.yml `questions` by rasa_extensions.nlu.knowledge_examples.\n"
    path.write_text(header + yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path
