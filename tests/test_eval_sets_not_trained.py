"""No evaluation sentence is a training example.

The conversation sets and the answer phrasings of bench/ and the NLU test set are judged as text the model has never
seen; a sentence of three words or more that is also a training phrasing (a topic's or entry's
`questions`, an NLU example) turns that item into a memory test and flatters every figure. Shorter
messages ("yes", "thank you", "1") are closed-class and may coincide. Compared after the same
normalisation for both sides (case, punctuation, spacing), entity annotations removed."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Dict, Iterator, Tuple

import yaml

from core.paths import ROOT

MIN_WORDS = 3
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _examples(path: Path) -> Iterator[str]:
    for block in _load(path).get("nlu") or ():
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line[2:])


def _training_texts() -> Iterator[Tuple[str, Path]]:
    for pattern in ("knowledge/topics/*/*.yml", "knowledge/entries/*/*.yml"):
        for path in sorted(ROOT.glob(pattern)):
            for question in _load(path).get("questions") or ():
                yield str(question), path
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        for text in _examples(path):
            yield text, path


def _evaluation_texts() -> Iterator[Tuple[str, Path]]:
    for path in sorted((ROOT / "bench").glob("answers*/*.yml")):
        for item in _load(path).get("items") or ():
            yield str(item["text"]), path
    for path in sorted((ROOT / "bench").glob("conversations*/*.yml")):
        for conversation in _load(path).get("conversations") or ():
            for turn in conversation.get("turns") or ():
                yield str(turn["text"]), path
    for path in sorted((ROOT / "tests" / "nlu_test").glob("*.yml")):  # the NLU test set
        for text in _examples(path):
            yield text, path


def test_the_sets_are_read():
    # a renamed folder or key would make the check below pass on nothing
    assert sum(1 for _ in _training_texts()) > 10_000
    assert sum(1 for _ in _evaluation_texts()) > 3_000


def test_no_evaluation_sentence_is_trained_on():
    training: Dict[str, Path] = {}
    for text, path in _training_texts():
        training.setdefault(_normalised(text), path)
    leaks = []
    for text, path in _evaluation_texts():
        key = _normalised(text)
        if len(key.split()) >= MIN_WORDS and key in training:
            leaks.append(f"{path.relative_to(ROOT)}: {text!r} is in {training[key].relative_to(ROOT)}")
    assert not leaks, "\n".join(leaks)
