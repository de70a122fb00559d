"""The `python -m bot ask` contract, run exactly as an evaluator runs it (a fresh process)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.model import latest_model
from bot.paths import ROOT

pytestmark = pytest.mark.skipif(latest_model() is None, reason="needs a trained model (make train)")
FIELDS = {"text", "language", "intent", "topic", "confidence", "messages", "handoff"}


def ask(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "ask", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def batch():
    lines = [
        "bonjour",
        "comment faire pour rentrer chez moi avec l'OIM",
        "what is voluntary return",
        "2",
        "",
        "\x00\x01\x02",
        "x" * 5000,
        "ich möchte bitte nach hause zurückkehren",
        "i want to talk to a real person",
    ]
    result = ask("--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr[-2000:]
    return lines, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_one_json_object_per_input_line_with_the_contract_fields(batch):
    lines, turns = batch
    assert len(turns) == len(lines)
    for line, turn in zip(lines, turns):
        assert set(turn) == FIELDS
        assert turn["text"] == line
        assert isinstance(turn["messages"], list) and all(isinstance(m, str) for m in turn["messages"])
        assert isinstance(turn["handoff"], bool) and 0.0 <= turn["confidence"] <= 1.0


def test_a_french_question_is_answered_in_french_from_the_knowledge_base(batch):
    _, turns = batch
    turn = turns[1]
    assert turn["language"] == "fr"
    assert turn["topic"] in {"avr_overview", "avr_process", "avr_eligibility"}
    assert turn["intent"] == turn["topic"]
    assert "Traduction" in turn["messages"][0] or "retour" in turn["messages"][0].lower()


def test_conversation_intents_have_no_topic_and_every_line_gets_an_answer(batch):
    _, turns = batch
    assert turns[0]["intent"] == "greet" and turns[0]["topic"] is None and turns[0]["language"] == "fr"
    assert all(turn["messages"] for turn in turns)


def test_each_line_is_a_new_conversation_without_sender(batch):
    _, turns = batch
    # "2" alone, in a fresh conversation, has no menu to pick from: the main menu is shown
    assert turns[3]["intent"] == "select_option" and turns[3]["topic"] is None


def test_unsupported_language_and_handoff(batch):
    _, turns = batch
    assert turns[7]["intent"] == "unsupported_language"
    assert "Français" in turns[7]["messages"][0]
    assert turns[8]["intent"] == "human_handoff" and turns[8]["handoff"] is True


def test_with_sender_the_lines_are_one_conversation():
    from bot.knowledge import load_knowledge

    kb = load_knowledge()
    result = ask("--json", "--sender", "eval-1", stdin="what is voluntary return\n1\n1\n")
    assert result.returncode == 0, result.stderr[-2000:]
    first, second, third = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["topic"] == "avr_overview"
    # the first turn ends with the privacy notice and its question (after the answer): the
    # first "1" answers that question, and the answer's menu comes back
    assert kb.text("consent_ask", "en") in first["messages"][-1]
    assert second["messages"][0] == kb.text("consent_given", "en") and second["topic"] is None
    # then "1" picks the first follow-up of the answer
    assert third["topic"] == kb.articles["avr_overview"].follow_ups[0]


def test_the_first_turn_answers_first_then_asks_for_consent(batch):
    from bot.knowledge import load_knowledge

    kb = load_knowledge()
    _, turns = batch
    question = turns[2]  # "what is voluntary return", a new conversation
    assert question["messages"][0].startswith(kb.articles["avr_overview"].texts["en"].answer.strip()[:40])
    joined = "\n\n".join(question["messages"])
    for key in ("greet", "privacy_notice", "consent_ask"):
        assert kb.text(key, "en") in joined
    assert joined.index(kb.text("privacy_notice", "en")) > joined.index("1. ")


def test_plain_mode_prints_the_replies():
    result = ask("salam alaykoum")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() and not result.stdout.lstrip().startswith("{")
