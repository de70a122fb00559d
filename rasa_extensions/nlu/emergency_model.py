"""A classifier trained for one question only: is this person in danger right now?

Binary logistic regression over character 2-5-grams, word 1-2-grams and the multilingual
sentence embedding, trained at `rasa train` on every `emergency` example (positives) against
every other intent's examples (negatives: the questions *about* desert, sea, detention and
trafficking risks are the hard ones). Phrases catch the wording we know; this model catches
the indirect descriptions and word orders nobody listed ("water finished 2 days", "the driver
left us", "mutanen da bindiga sun shigo").

The decision threshold is chosen on cross-validated predictions (each training example scored by
a model that never saw it): the lowest threshold whose false alarms on the questions *about*
risks (the `risk_intents`, the hard negatives) stay within `max_risk_false_alarms`, and never
above the one that still finds `target_recall` of the held-out emergencies. Missing an
emergency costs far more than one extra safety answer; the phrase list and the intent
classifier's own `emergency` add recall on top of this model. The cross-validated curve is
kept in the model (`report`) and printed by `python -m bot train`.

Besides the other intents' examples, the model learns knowledge/not_emergencies.yml as negatives:
calm statements of where one is and harm that is over, which no intent covers (they are not
questions) and which otherwise read as danger because the emergencies say "house" and "now".
Persisted as plain arrays and JSON (no pickle).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from core.paths import KNOWLEDGE_DIR

logger = logging.getLogger(__name__)
NOT_EMERGENCIES_FILE = KNOWLEDGE_DIR / "not_emergencies.yml"
_VECTORIZERS = {
    "chars": dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    "words": dict(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
}


def read_not_emergencies(path: Path = NOT_EMERGENCIES_FILE) -> List[str]:
    """Every message of knowledge/not_emergencies.yml, all kinds and languages."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(text).strip() for name, by_language in data.items() if name != "reviewed"
            for texts in (by_language or {}).values() for text in texts or () if str(text).strip()]


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
              target_recall: float = 0.98, max_threshold: float = 0.5, min_threshold: float = 0.15,
              is_risk_question: Optional[List[bool]] = None, max_risk_false_alarms: float = 0.02,
              sample_weight: Optional[List[float]] = None) -> "EmergencyModel":
        labels = np.array(is_emergency, dtype=int)
        weights = np.array(sample_weight if sample_weight is not None else [1.0] * len(texts), dtype=float)
        risk = np.array(is_risk_question if is_risk_question is not None else [False] * len(texts), dtype=bool)
        model = cls({name: TfidfVectorizer(**options).fit(texts) for name, options in _VECTORIZERS.items()})
        features = model._features(texts, dense)
        classifier = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        report: Dict[str, Any] = {"examples": int(len(texts)), "emergencies": int(labels.sum())}
        threshold = max_threshold
        if labels.sum() >= 10:
            folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
            held_out = cross_val_predict(classifier, features, labels, cv=folds, method="predict_proba",
                                         fit_params={"sample_weight": weights})[:, 1]
            positives = np.sort(held_out[labels == 1])
            # the threshold that keeps `target_recall` of the held-out emergencies above it
            at_recall = positives[int(np.floor((1.0 - target_recall) * len(positives)))] - 1e-6
            threshold = at_recall
            if risk.any():
                # ...raised until questions about risks stop raising alarms
                risk_scores = np.sort(held_out[risk & (labels == 0)])
                quiet = risk_scores[int(np.ceil((1.0 - max_risk_false_alarms) * len(risk_scores))) - 1] + 1e-6
                threshold = max(threshold, quiet)
            threshold = float(min(max_threshold, max(min_threshold, threshold)))
            curve = {}
            for point in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, threshold):
                predicted = held_out >= point
                curve[f"{point:.3f}"] = {
                    "recall": round(float(predicted[labels == 1].mean()), 4),
                    "false_alarms": round(float(predicted[labels == 0].mean()), 4),
                    "risk_false_alarms": round(float(predicted[risk & (labels == 0)].mean()), 4) if risk.any() else None,
                }
            report.update({"threshold": round(threshold, 4), "cv": curve})
        classifier.fit(features, labels, sample_weight=weights)
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
