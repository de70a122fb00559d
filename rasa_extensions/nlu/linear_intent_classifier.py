"""Rasa graph component: intent classification by multinomial logistic regression.

Features: character 2–4-grams and word 1–2-grams (TF-IDF, robust to misspelling, dialect and
Arabizi) next to the dense multilingual sentence embedding that MultilingualSentenceFeaturizer
put on the message. On this project's held-out split it beats DIET trained on the same features
(bench/nlu_eval), trains in seconds instead of minutes, and parses in about a millisecond.
Persisted as plain arrays and JSON (no pickle).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from rasa_extensions.nlu.sentence_featurizer import MultilingualSentenceFeaturizer, sentence_vectors

logger = logging.getLogger(__name__)
_VECTORIZERS = {
    "chars": dict(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
    "words": dict(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
}


def _vectorizer(name: str, vocabulary: Optional[Dict[str, int]] = None, idf: Optional[np.ndarray] = None) -> TfidfVectorizer:
    vectorizer = TfidfVectorizer(vocabulary=vocabulary, **_VECTORIZERS[name])
    if idf is not None:
        vectorizer.idf_ = idf  # a fixed vocabulary plus idf weights is a fitted vectorizer
    return vectorizer


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[type]:
        return [MultilingualSentenceFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 20.0, "embedding_weight": 1.0, "ranking_length": 10, "max_iter": 3000}

    def __init__(self, config, model_storage, resource, vectorizers=None, coef=None, intercept=None, classes=None) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizers: Dict[str, TfidfVectorizer] = vectorizers or {}
        self.coef, self.intercept, self.classes = coef, intercept, classes or []
        self._weights: Optional[np.ndarray] = None  # coef.T as scipy multiplies it, made once (process)

    @classmethod
    def create(cls, config, model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext):
        return cls(config, model_storage, resource)

    def _features(self, messages: List[Message]):
        texts = [m.get(TEXT) or "" for m in messages]
        sparse = [self.vectorizers[name].transform(texts) for name in _VECTORIZERS]
        dense = csr_matrix(sentence_vectors(messages) * float(self.config["embedding_weight"]))
        return hstack([*sparse, dense]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        texts = [m.get(TEXT) for m in examples]
        self.vectorizers = {name: _vectorizer(name).fit(texts) for name in _VECTORIZERS}
        model = LogisticRegression(C=float(self.config["C"]), max_iter=int(self.config["max_iter"]))
        model.fit(self._features(examples), [m.get(INTENT) for m in examples])
        self.coef, self.intercept, self.classes = model.coef_.astype(np.float32), model.intercept_.astype(np.float32), list(model.classes_)
        self._persist()
        logger.info("Linear intent classifier trained on %d examples, %d intents", len(examples), len(self.classes))
        return self._resource

    def _persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / "weights.npz", coef=self.coef, intercept=self.intercept,
                     **{f"idf_{n}": v.idf_ for n, v in self.vectorizers.items()})
            meta = {"classes": self.classes, "vocabularies": {n: {k: int(i) for k, i in v.vocabulary_.items()} for n, v in self.vectorizers.items()}}
            (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs: Any) -> "LinearIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                weights = np.load(directory / "weights.npz")
                meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
                vectorizers = {n: _vectorizer(n, meta["vocabularies"][n], weights[f"idf_{n}"]) for n in _VECTORIZERS}
                return cls(config, model_storage, resource, vectorizers, weights["coef"], weights["intercept"], meta["classes"])
        except (ValueError, FileNotFoundError):
            logger.warning("No trained linear intent classifier in the model")
            return cls(config, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.coef is None or not messages:
            return messages
        if self._weights is None or self._weights.shape[::-1] != self.coef.shape:
            # `features @ coef.T` made scipy copy the transposed float32 matrix into a contiguous
            # float64 one (features x intents, 33 MB) for every message; the same product, once
            self._weights = np.ascontiguousarray(self.coef.T, dtype=np.float64)
        scores = self._features(messages) @ self._weights + self.intercept
        scores = np.asarray(scores)
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        for message, row in zip(messages, probabilities):
            order = np.argsort(-row)[: int(self.config["ranking_length"])]
            ranking = [{INTENT_NAME_KEY: self.classes[i], PREDICTED_CONFIDENCE_KEY: float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
