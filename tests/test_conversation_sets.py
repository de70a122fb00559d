"""The conversation sets of bench/ (held-out test set and the tuning sets) stay loadable and
their labels name things that exist: a renamed entry or a typo in a label would silently turn
a check into one that can never pass (or never be asked)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.conversation_eval import SETS, load_conversations
from content.knowledge import load_knowledge
from core.paths import ROOT

EXPECT_KEYS = {"topic", "answers", "follow_up", "host_country", "nationality", "emergency", "risk_question",
               "intent", "consent", "handoff", "menu", "flow", "slot", "language"}
# labelled in the held-out set, not (yet) a place the assistant knows: its story-slot check fails
# honestly. Listed here rather than added to knowledge/countries.yml because of that label
COUNTRIES_NOT_KNOWN = {"mexico"}
MIN_CONVERSATIONS = {"dev3": 12, "dev4": 5, "dev5": 10, "dev6": 12, "dev7": 12}  # smaller sets: fresh situations (dev3, dev6, dev7), flows (dev4), follow-ups (dev5)
FILES = [(name, path) for name, folder in sorted(SETS.items()) for path in sorted(folder.glob("*.yml"))]


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.fixture(scope="module")
def country_ids():
    doc = yaml.safe_load((ROOT / "knowledge" / "countries.yml").read_text(encoding="utf-8"))
    return {c["id"] for c in doc["countries"]}


@pytest.fixture(scope="module")
def intents():
    return set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


def test_every_set_has_all_nine_languages():
    for name, folder in SETS.items():
        assert sorted(p.stem for p in folder.glob("*.yml")) == \
            ["am", "ar", "en", "fr", "ha", "pcm", "pt", "so", "ti"], name


@pytest.mark.parametrize("set_name,path", FILES, ids=[f"{n}-{p.stem}" for n, p in FILES])
def test_labels_name_what_exists(set_name, path: Path, kb, country_ids, intents):
    conversations = [c for c in load_conversations(path.parent) if c.language == path.stem]
    assert len(conversations) >= MIN_CONVERSATIONS.get(set_name, 30)
    ids = [c.id for c in conversations]
    assert len(ids) == len(set(ids))
    for conversation in conversations:
        assert 1 <= len(conversation.turns) <= 8, conversation.id
        for turn in conversation.turns:
            expect = turn["expect"] or {}
            where = f"{conversation.id}: {turn['text'][:40]}"
            assert set(expect) <= EXPECT_KEYS, where
            for answer in _as_list(expect.get("answers")):
                assert answer in kb.answers, f"{where}: unknown answer {answer}"
            for topic in _as_list(expect.get("topic")):
                assert topic in kb.articles, f"{where}: unknown topic {topic}"
            for slot in ("host_country", "nationality"):
                if expect.get(slot):
                    assert expect[slot] in country_ids | COUNTRIES_NOT_KNOWN, f"{where}: unknown country {expect[slot]}"
            if expect.get("intent"):
                assert expect["intent"] in intents, f"{where}: unknown intent {expect['intent']}"


def _as_list(value):
    return [value] if isinstance(value, str) else list(value or ())
