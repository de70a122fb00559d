"""A classifier trained for one question only: is this person in danger right now?

Binary logistic regression over character 2-5-grams, word 1-2-grams and the multilingual
sentence embedding, trained at `rasa train` on every `emergency` example (positives) against
every other intent's examples (negatives: the questions *about* desert, sea, detention and
trafficking risks are the hard ones). Phrases catch the wording we know; this model catches
the indirect descriptions and word orders nobody listed ("water finished 2 days", "the driver
left us", "mutanen da bindiga sun shigo").

The decision threshold is chosen on cross-validated predictions for recall: the highest
threshold that still finds `target_recall` of the training emergencies when they were held out,
capped at `max_threshold`. Missing an emergency costs far more than one extra safety answer.
Persisted as plain arrays and JSON (no pickle).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

logger = logging.getLogger(__name__)
_VECTORIZERS = {
    "chars": dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    "words": dict(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
}


class EmergencyModel:
    def __init__(self, vectorizers: Optional[Dict[str, TfidfVectorizer]] = None, coef: Optional[np.ndarray] = None,
                 intercept: float = 0.0, threshold: float = 0.5, report: Optional[dict] = None) -> None:
        self.vectorizers = vectorizers or {}
        self.coef = coef
        self.intercept = intercept
        self.threshold = threshold
        self.report = report or {}

    # -- features ---------------------------------------------------------------------------
    def _features(self, texts: Sequence[str], dense: Optional[np.ndarray]):
        parts = [self.vectorizers[name].transform(texts) for name in _VECTORIZERS]
        if dense is not None and dense.size:
            parts.append(csr_matrix(dense))
        return hstack(parts).tocsr()

    # -- training ---------------------------------------------------------------------------
    @classmethod
    def train(cls, texts: List[str], dense: Optional[np.ndarray], is_emergency: List[bool], C: float = 10.0,
              target_recall: float = 0.98, max_threshold: float = 0.5, min_threshold: float = 0.15) -> "EmergencyModel":
        labels = np.array(is_emergency, dtype=int)
        model = cls({name: TfidfVectorizer(**options).fit(texts) for name, options in _VECTORIZERS.items()})
        features = model._features(texts, dense)
        classifier = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        threshold, report = max_threshold, {"examples": int(len(texts)), "emergencies": int(labels.sum())}
        if labels.sum() >= 10:
            folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
            held_out = cross_val_predict(classifier, features, labels, cv=folds, method="predict_proba")[:, 1]
            positives = np.sort(held_out[labels == 1])
            # the threshold that keeps `target_recall` of the held-out emergencies above it
            at_recall = positives[int(np.floor((1.0 - target_recall) * len(positives)))]
            threshold = float(min(max_threshold, max(min_threshold, at_recall - 1e-6)))
            predicted = held_out >= threshold
            report.update({
                "threshold": round(threshold, 4),
                "cv_recall": round(float(predicted[labels == 1].mean()), 4),
                "cv_false_alarm_rate": round(float(predicted[labels == 0].mean()), 4),
            })
        classifier.fit(features, labels)
        model.coef = classifier.coef_.reshape(-1).astype(np.float32)
        model.intercept = float(classifier.intercept_[0])
        model.threshold = threshold
        model.report = report
        logger.info("Emergency model: %s", report)
        return model

    # -- prediction -------------------------------------------------------------------------
    def probabilities(self, texts: Sequence[str], dense: Optional[np.ndarray]) -> np.ndarray:
        if self.coef is None or not len(texts):
            return np.zeros(len(texts))
        scores = np.asarray(self._features(texts, dense) @ self.coef).reshape(-1) + self.intercept
        return 1.0 / (1.0 + np.exp(-scores))

    # -- persistence ------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        if self.coef is None:
            return
        np.savez(directory / "emergency_weights.npz", coef=self.coef,
                 **{f"idf_{n}": v.idf_ for n, v in self.vectorizers.items()})
        meta = {"intercept": self.intercept, "threshold": self.threshold, "report": self.report,
                "vocabularies": {n: {k: int(i) for k, i in v.vocabulary_.items()} for n, v in self.vectorizers.items()}}
        (directory / "emergency_meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Optional["EmergencyModel"]:
        try:
            weights = np.load(directory / "emergency_weights.npz")
            meta = json.loads((directory / "emergency_meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        vectorizers = {}
        for name, options in _VECTORIZERS.items():
            vectorizer = TfidfVectorizer(vocabulary=meta["vocabularies"][name], **options)
            vectorizer.idf_ = weights[f"idf_{name}"]
            vectorizers[name] = vectorizer
        return cls(vectorizers, weights["coef"], float(meta["intercept"]), float(meta["threshold"]), meta.get("report"))
