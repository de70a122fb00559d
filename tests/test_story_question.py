"""A story before the question: the ranker reads the question the story ends in as well as the whole
message (retrieval.answers.story_question, STORY_QUESTION_WEIGHT)."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval import answers
from retrieval.answers import AnswerRanker, story_question


@pytest.mark.parametrize("text, question", [
    # the sentence with the question mark, in each script's own punctuation
    ("I came back from Tripoli in May with the flight. Now I stay in Benin City and there is no work. "
     "Is there any help for people who came back?", "Is there any help for people who came back?"),
    ("ከሊቢያ ከተመለስኩ ሶስት ወር ሆነኝ። ስራ የለኝም ቤተሰቤም ችግር ላይ ናቸው። ለተመላሾች እርዳታ አለ?", "ለተመላሾች እርዳታ አለ?"),
    ("انا في سبها من سنتين والشغل قليل بزاف والكراء غالي. نبي نرجع لبلادي، كيف نسجل؟ شكرا", "نبي نرجع لبلادي، كيف نسجل؟"),
    # no question mark: the last sentence
    ("we left agadez two weeks ago and the driver took all our money. now we are in arlit with nothing. "
     "tell me what to do", "tell me what to do"),
    # a decimal point ends no sentence
    ("they asked 2.5 million for the road and i paid half of it already before we left. what can i do now?",
     "what can i do now?"),
])
def test_the_question_a_story_ends_in(text, question):
    assert story_question(text) == question


@pytest.mark.parametrize("text", [
    "is it free?",                                                     # short
    "i am in sabha and i want to go back home to mali with my wife and our two children",  # one sentence
    "",
])
def test_no_story_no_question(text):
    assert story_question(text) is None


STORY = ("I came back from Libya six months ago with the flight and now I live with my uncle in Kano. "
         "Is there any help for returnees?")


class _Ranker(AnswerRanker):
    """The real `rank` over two candidates, with scores fixed per text: the whole story leans to `a`,
    its question alone clearly to `b`."""

    def __init__(self) -> None:  # no index, no model: only what rank() reads
        self.candidates = ["a", "b"]

    def _text_scores(self, text):
        blended = np.array([0.0, 1.0]) if text == story_question(STORY) else np.array([0.55, 0.45])
        return np.zeros(2), np.zeros(2), blended


def test_the_question_of_a_story_can_decide_the_answer():
    ranker = _Ranker()
    assert ranker.rank(STORY)[0].answer == "b"
    # the fallback's search reads the message as written (its thresholds were tuned on that)
    assert ranker.rank(STORY, story=False)[0].answer == "a"


def test_a_follow_up_is_read_after_its_context_not_as_a_story(monkeypatch):
    ranker = _Ranker()
    seen = []
    original = ranker._text_scores
    monkeypatch.setattr(ranker, "_text_scores", lambda text: seen.append(text) or original(text))
    ranker.rank(STORY, context="i want to go home")
    assert story_question(STORY) not in seen


def test_the_weight_is_a_share(monkeypatch):
    monkeypatch.setattr(answers, "STORY_QUESTION_WEIGHT", 0.0)
    assert _Ranker().rank(STORY)[0].answer == "a"
