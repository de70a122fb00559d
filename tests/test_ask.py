"""The `python -m bot ask` contract, run exactly as an evaluator runs it (a fresh process)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.model import latest_model
from core.paths import ROOT

pytestmark = pytest.mark.skipif(latest_model() is None, reason="needs a trained model (make train)")
FIELDS = {"text", "language", "intent", "topic", "confidence", "messages", "handoff", "sender", "answer",
          "case_priority", "consent", "host_country", "nationality", "form", "emergency"}


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
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    text = "\n".join(turn["messages"])
    # the French answer itself, or on a close call the French titles of the topic's answers
    titles = [kb.topic_title(a, "fr") for a, answer in kb.answers.items() if answer.parent == turn["topic"]]
    article, used = kb.article_text(turn["answer"] or turn["topic"], "fr")
    assert (used == "fr" and text.startswith(article.answer.strip()[:30])) or any(t in text for t in titles), text[:300]
    assert kb.topic_title(turn["topic"], "en") not in text


def test_a_french_question_gets_the_french_article_itself(batch):
    from content.knowledge import load_knowledge

    turn = batch[1][1]
    article, used = load_knowledge().article_text(turn["answer"] or turn["topic"], "fr")
    assert used == "fr" and turn["messages"][0].startswith(article.answer.strip()[:30])


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
    # a person is asked for: consent first (the turn asked for a case, at normal priority)
    assert turns[8]["intent"] == "human_handoff" and turns[8]["handoff"] is True
    assert turns[8]["case_priority"] == "normal" and turns[8]["answer"] is None


def test_with_sender_the_lines_are_one_conversation():
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    result = ask("--json", "--sender", "eval-1", stdin="what is voluntary return\n1\nyes\n")
    assert result.returncode == 0, result.stderr[-2000:]
    first, second, third = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["topic"] == first["answer"] == "avr_overview"
    # the first turn ends with the consent question (after the answer); a number is never a
    # consent answer: "1" picks the first follow-up of the answer, "yes" answers consent
    assert kb.text("intro_consent", "en") in first["messages"][-1]
    assert second["answer"] == kb.articles["avr_overview"].follow_ups[0] and second["consent"] is None
    assert third["consent"] == "given" and third["messages"] == [kb.text("consent_given", "en")]


def test_jsonl_interleaves_conversations_in_one_process():
    lines = [{"sender": "a", "text": "hello"}, {"sender": "b", "text": "help the boat is sinking"},
             {"sender": "a", "text": "2"}, {"sender": "b", "text": "we are 50"}, {"sender": "c", "text": ""}]
    result = ask("--jsonl", stdin="\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    assert result.returncode == 0, result.stderr[-2000:]
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert [t["sender"] for t in turns[:5]] == ["a", "b", "a", "b", "c"] and len(turns) == 6
    assert turns[1]["case_priority"] == "urgent" and turns[1]["handoff"] is True and turns[1]["intent"] == "emergency"
    assert turns[2]["intent"] == "select_option" and turns[2]["case_priority"] is None  # a's menu, not b's emergency
    assert turns[3]["emergency"] is True and turns[3]["case_priority"] == "urgent"  # b stays in emergency handling
    assert all(t["messages"] for t in turns)


def test_the_first_turn_answers_first_then_asks_for_consent(batch):
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    _, turns = batch
    question = turns[2]  # "what is voluntary return", a new conversation
    assert question["messages"][0].startswith(kb.articles["avr_overview"].texts["en"].answer.strip()[:40])
    joined = "\n\n".join(question["messages"])
    assert kb.text("intro_consent", "en") in joined
    assert joined.index(kb.text("intro_consent", "en")) > joined.index("1. ")
    assert len(question["messages"]) <= 3 and len(joined) <= 700


def test_plain_mode_prints_the_replies():
    result = ask("salam alaykoum")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() and not result.stdout.lstrip().startswith("{")
