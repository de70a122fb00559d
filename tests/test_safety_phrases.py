"""knowledge/safety_keywords.yml has one reader (retrieval.safety), and every phrase it lists
is found by that reader however it is typed: upper case, decomposed accents, inside a sentence."""
from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest
import yaml

from retrieval import safety

ROOT = Path(__file__).resolve().parent.parent
DOC = yaml.safe_load(safety.KEYWORDS_FILE.read_text(encoding="utf-8"))


def _listed(section):
    return [(language, str(p)) for language, group in DOC[section].items() for p in group]


def _typed(phrase):
    """The ways a person may type a listed phrase."""
    return [phrase, phrase.upper(), unicodedata.normalize("NFD", phrase), f"please, {phrase}!"]


@pytest.mark.parametrize("language, phrase", _listed(safety.DANGER_SECTION))
def test_every_danger_phrase_is_found_and_looks_urgent_to_the_case_router(language, phrase):
    for text in _typed(phrase.rstrip("*")):
        assert safety.danger_phrase(text) is not None, (language, text)
        assert safety.looks_urgent(text), (language, text)


@pytest.mark.parametrize("language, keyword", _listed(safety.EMERGENCY_SECTION))
def test_every_emergency_keyword_looks_urgent(language, keyword):
    for text in _typed(keyword):
        assert safety.looks_urgent(text), (language, text)


@pytest.mark.parametrize("language, phrase", _listed(safety.ERASURE_SECTION))
def test_every_erasure_phrase_asks_for_erasure(language, phrase):
    for text in _typed(phrase):
        assert safety.asks_for_erasure(text), (language, text)


@pytest.mark.parametrize("language, word", _listed(safety.BACK_SECTION))
def test_every_return_word_brings_the_assistant_back_only_as_the_whole_message(language, word):
    assert safety.wants_assistant(word) and safety.wants_assistant(f" {word.upper()}! ")
    assert not safety.wants_assistant(f"{word} {word}")


def test_a_command_stays_a_command():
    assert safety.wants_assistant("/start") and not safety.wants_assistant("start")


def test_another_file_is_read_and_a_missing_one_matches_nothing(tmp_path):
    path = tmp_path / "safety.yml"
    path.write_text("immediate_danger: {en: [fire here]}\nemergency: {en: [smoke]}\n"
                    "erase_request: {en: [forget me]}\nreturn_to_assistant: {all: [back]}\n", encoding="utf-8")
    assert safety.danger_phrase("FIRE  here!", path) == "fire here" and not safety.is_immediate_danger("sos", path)
    assert safety.looks_urgent("smoke everywhere", path) and not safety.looks_urgent("the boat is sinking", path)
    assert safety.asks_for_erasure("please forget me", path) and safety.wants_assistant("Back", path)
    missing = tmp_path / "absent.yml"
    assert safety.phrases(missing) == safety.SafetyPhrases(None, None, None, None, frozenset())
    assert not safety.looks_urgent("sos", missing) and safety.asks_for_erasure("/delete", missing)


def _string_constants(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_other_module_reads_the_safety_phrases():
    readers = [path.relative_to(ROOT).as_posix()
               for folder in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").exists())  # every package
               for path in folder.rglob("*.py")
               if any("safety_keywords" in value for value in _string_constants(path))]
    assert readers == ["retrieval/safety.py"]


@pytest.mark.parametrize("language, phrase", _listed(safety.NEGATED_SECTION))
def test_a_negated_phrase_holds_a_danger_phrase_and_cancels_it(language, phrase):
    assert safety.phrases().danger.search(safety.normalise(phrase)), f"{phrase!r} holds no danger phrase: it does nothing"
    assert safety.danger_phrase(f"ok {phrase} there, can you send me home?") is None, (language, phrase)


@pytest.mark.parametrize("text", ["ok i dont want to die there. i want to die", "i don't want to die, we are dying here",
                                  "não quero morrer mas quero morrer", "ما بدي موت، قاعد نموت"])
def test_danger_said_beside_a_negated_phrase_is_still_danger(text):
    assert safety.danger_phrase(text) is not None


def test_only_the_negation_cancels_a_danger_phrase():
    assert safety.danger_phrase("I want to die") == "want to die"
    assert safety.danger_phrase("ok i dont want to die there. from here they can send me home?") is None
