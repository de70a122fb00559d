"""A calm message is not an emergency: saying where one is, or telling harm that is over.

The emergency model learns knowledge/not_emergencies.yml as extra negatives, and its low score
overrules the intent classifier's `emergency` for a message that is nearly one of those calm
messages and holds no danger phrase (rasa_extensions/retrieval_component.SafetyNet,
rasa_extensions/nlu/calm_messages.py). Before, "we dey for house now" scored 0.99 and
opened an urgent case. The sentences of the end-to-end test are written for this test, not
copied from the training file, and danger now must still be caught.
"""
from __future__ import annotations

import asyncio
import uuid

import numpy as np
import pytest
import yaml

from core.paths import KNOWLEDGE_DIR

CALM = {
    "en": ["we are in the house now", "i am in a room in sabha now, i am fine"],
    "pcm": ["we dey for house now", "i dey for my brother house for oran now"],
    "fr": ["je suis dans une maison a oran maintenant", "on est a la maison la"],
    "ha": ["yanzu muna gida", "ina gidan dan uwana a yamai yanzu"],
    "ti": ["ሕጂ ኣብ ገዛ ኣለኹ", "ሕጂ ኣብ ገዛ ሓወይ ኣለኹ"],
    "am": ["አሁን ቤት ውስጥ ነኝ", "አሁን ወንድሜ ቤት ነኝ"],
    "ar": ["انا في البيت الان"],
}
# "inside" + "now" is how the locked-in emergencies are written: the intent classifier is sure
# (0.99) and the model unsure (0.45-0.49), so these stay emergencies - a known gap, kept on the
# cautious side (strict: the day they pass, move them up)
STILL_READ_AS_DANGER = ["we dey inside house now", "yanzu muna cikin gida"]
# danger in the same words (house, now): must stay an emergency
DANGER_IN_A_HOUSE = ["men with guns are inside our house now", "dem lock us inside house now dem dey beat us",
                     "ils nous ont enfermés dans une maison, ils nous frappent"]


def ask(assistant, text):
    return asyncio.run(assistant.send(text, f"test-{uuid.uuid4().hex}"))


@pytest.mark.parametrize("language, text", [(l, t) for l, ts in CALM.items() for t in ts])
def test_saying_where_one_is_opens_no_urgent_case(assistant, language, text):
    turn = ask(assistant, text)
    assert turn.intent != "emergency" and turn.case_priority != "urgent", (language, text, turn.intent)


@pytest.mark.xfail(strict=True, reason="'inside ... now': the intent classifier is sure it is danger")
@pytest.mark.parametrize("text", STILL_READ_AS_DANGER)
def test_inside_the_house_now_is_still_read_as_danger(assistant, text):
    turn = ask(assistant, text)
    assert turn.intent != "emergency" and turn.case_priority != "urgent", (text, turn.intent)


@pytest.mark.parametrize("text", DANGER_IN_A_HOUSE)
def test_danger_in_a_house_is_still_an_emergency(assistant, text):
    turn = ask(assistant, text)
    assert turn.intent == "emergency" and turn.case_priority == "urgent", (text, turn.intent)


def test_the_extra_negatives_are_read_in_every_language():
    from rasa_extensions.nlu.emergency_model import NOT_EMERGENCIES_FILE, read_not_emergencies

    data = yaml.safe_load(NOT_EMERGENCIES_FILE.read_text(encoding="utf-8"))
    languages = {entry["code"] for entry in
                 yaml.safe_load((KNOWLEDGE_DIR / "languages.yml").read_text(encoding="utf-8"))["languages"]}
    assert len(languages) == 9
    kinds = [kind for kind in data if kind != "reviewed"]
    assert {"calm_now", "past_harm"} <= set(kinds)
    for kind in kinds:
        assert set(data[kind]) == languages, kind
    texts = read_not_emergencies()
    assert len(texts) == sum(len(t) for kind in kinds for t in data[kind].values())
    assert "we dey for house now, everything dey okay" in texts and "reviewed" not in " ".join(texts)


def test_no_extra_negative_holds_a_danger_phrase():
    # a phrase wins over the model at run time: a negative that holds one teaches nothing, and more
    # likely it is danger mislabelled
    from rasa_extensions.nlu.emergency_model import read_not_emergencies
    from retrieval.safety import danger_phrase

    calm_ones = yaml.safe_load((KNOWLEDGE_DIR / "not_emergencies.yml").read_text(encoding="utf-8"))["calm_now"]
    for text in [t for ts in calm_ones.values() for t in ts]:
        assert danger_phrase(text) is None, text
    assert read_not_emergencies()


class _Model:
    """An emergency model that gives every message the same score."""

    def __init__(self, score: float, threshold: float = 0.5) -> None:
        self.score, self.threshold = score, threshold

    def probabilities(self, texts, dense):
        return [self.score] * len(texts)


class _Calm:
    """Calm messages that every message is (or is not) nearly one of."""

    def __init__(self, close: bool) -> None:
        self.answer = close

    def close(self, dense):
        return np.array([self.answer])


def _classified_as_emergency(text: str):
    from rasa.shared.nlu.training_data.message import Message

    return Message(data={"text": text, "intent": {"name": "emergency", "confidence": 0.9},
                         "intent_ranking": [{"name": "emergency", "confidence": 0.9},
                                            {"name": "avr_overview", "confidence": 0.05}]})


@pytest.mark.parametrize("text, score, close, stays", [
    ("we dey for house now", 0.02, True, False),           # nearly a calm message, the model sure: no danger
    ("we dey for house now", 0.40, True, True),            # the model unsure: the classifier stands
    ("i want to take my life tonight", 0.02, False, True),  # the model sure, but nothing like a calm message
    ("dem dey beat us for house now", 0.02, True, True),   # a danger phrase: the classifier stands
])
def test_the_model_overrules_the_classifier_only_for_a_calm_message_without_a_phrase(text, score, close, stays):
    from rasa_extensions.retrieval_component import SafetyNet

    message = _classified_as_emergency(text)
    SafetyNet(SafetyNet.get_default_config(), None, None, _Model(score), _Calm(close)).process([message])
    assert (message.get("intent")["name"] == "emergency") is stays
    if not stays:
        assert message.get("intent")["name"] == "nlu_fallback"
        assert [r["name"] for r in message.get("intent_ranking")] == ["nlu_fallback", "avr_overview"]


def test_without_a_model_or_calm_messages_the_classifier_stands():
    from rasa_extensions.retrieval_component import SafetyNet

    for model, calm in ((None, _Calm(True)), (_Model(0.01), None)):
        message = _classified_as_emergency("we dey for house now")
        SafetyNet(SafetyNet.get_default_config(), None, None, model, calm).process([message])
        assert message.get("intent")["name"] == "emergency"


def test_the_gate_sits_just_above_the_closest_emergency(tmp_path):
    from rasa_extensions.nlu.calm_messages import MARGIN, CalmMessages

    calm = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    emergencies = np.array([[0.6, 0.0, 0.8], [0.0, 0.0, 1.0]])     # the closest: cosine 0.6 to the first
    matcher = CalmMessages.fit(calm, emergencies)
    assert matcher.gate == pytest.approx(0.6 + MARGIN)
    assert matcher.close(np.array([[2.0, 0.1, 0.0], [0.6, 0.0, 0.8], [0.0, 0.0, 1.0]])).tolist() == [True, False, False]
    assert matcher.close(None).tolist() == [] and matcher.close(np.zeros((1, 5))).tolist() == [False]  # another embedder
    matcher.save(tmp_path)
    again = CalmMessages.load(tmp_path)
    assert again is not None and again.gate == matcher.gate and np.allclose(again.vectors, matcher.vectors)
    assert CalmMessages.load(tmp_path / "missing") is None


def test_a_change_to_the_negatives_retrains_the_safety_net(tmp_path, monkeypatch):
    # Rasa reuses a cached component when its inputs are unchanged; the file is an input it cannot see
    from rasa_extensions import retrieval_component

    path = tmp_path / "not_emergencies.yml"
    path.write_text("calm_now: {en: [we are home]}\n", encoding="utf-8")
    monkeypatch.setattr(retrieval_component, "NOT_EMERGENCIES_FILE", path)
    before = retrieval_component.SafetyNet.fingerprint_addon({})
    path.write_text("calm_now: {en: [we are home, i am at work]}\n", encoding="utf-8")
    assert before and retrieval_component.SafetyNet.fingerprint_addon({}) != before


@pytest.mark.parametrize("text, past", [
    ("ኣብኡ ይወቕዑና ነይሮም", True),           # ti: they used to beat us there
    ("ኣብ መኽዘን ይወቕዑና ነበሩ፣ ሕጂ ተፈቲሐ", True),
    ("እየደበደቡን ነበር አሁን ወጥቻለሁ", True),   # am: they were beating us, now I am out
    ("ሕጂ ይወቕዑና ኣለዉ", False),             # now
    ("ይወቕዑና", False),
    ("ይወቕዑና ነይሮም ሕጂ'ውን ይወቕዑና", False),  # then, and again now
])
def test_a_danger_phrase_told_in_the_past_tense_is_not_danger_now(text, past):
    from retrieval.safety import danger_phrase

    assert (danger_phrase(text) is None) is past, danger_phrase(text)
