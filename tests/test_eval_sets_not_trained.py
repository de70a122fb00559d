"""No evaluation sentence is a training example.

The conversation sets and the answer phrasings of bench/ and the NLU test set are judged as text
the model has never seen; a sentence of three words or more that is also a training phrasing (a
topic's or entry's `questions`, an NLU example) turns that item into a memory test and flatters
every figure. Shorter messages ("yes", "thank you", "1") are closed-class and may coincide.
Compared after the same normalisation for both sides (case, punctuation, spacing); read with the
project's own readers, so the entity markup is stripped as training strips it."""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, Iterator, Tuple

from bench import answer_eval, conversation_eval
from content.knowledge import load_knowledge
from core.paths import NLU_DIR, NLU_TEST_DIR, ROOT
from rasa_extensions.nlu.emergency_model import read_not_emergencies
from rasa_extensions.nlu.examples import read_examples

MIN_WORDS = 3


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _training_texts() -> Iterator[Tuple[str, str]]:
    """(text, where it is trained)."""
    for answer in load_knowledge().answers.values():
        for language, text in answer.texts.items():
            for question in text.questions:
                yield question, f"{answer.id} ({language})"
    for path in sorted(NLU_DIR.rglob("*.yml")):
        for text, _intent in read_examples(path):
            yield text, str(path.relative_to(ROOT))
    for text in read_not_emergencies():  # the emergency model's own negatives
        yield text, "knowledge/not_emergencies.yml"


def _evaluation_texts() -> Iterator[Tuple[str, str]]:
    """(text, which set)."""
    for name, folder in sorted(answer_eval.SETS.items()):
        for item in answer_eval.load_items(folder=folder):
            yield item["text"], f"answers {name} ({item['language']})"
    for name, folder in sorted(conversation_eval.SETS.items()):
        for conversation in conversation_eval.load_conversations(folder):
            for turn in conversation.turns:
                yield turn["text"], f"conversations {name}: {conversation.id}"
    for path in sorted(NLU_TEST_DIR.glob("*.yml")):
        for text, _intent in read_examples(path):
            yield text, str(path.relative_to(ROOT))


def test_the_sets_are_read():
    # a renamed folder or key would make the check below pass on nothing
    assert sum(1 for _ in _training_texts()) > 10_000
    assert sum(1 for _ in _evaluation_texts()) > 3_000


def test_no_evaluation_sentence_is_trained_on():
    training: Dict[str, str] = {}
    for text, where in _training_texts():
        training.setdefault(_normalised(text), where)
    leaks = []
    for text, which in _evaluation_texts():
        key = _normalised(text)
        if len(key.split()) >= MIN_WORDS and key in training:
            leaks.append(f"{which}: {text!r} is trained in {training[key]}")
    assert not leaks, "\n".join(leaks)
