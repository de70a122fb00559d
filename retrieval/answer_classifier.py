"""Which answer a question asks for, learnt from every phrasing of every answer.

The ranker (retrieval.answers) scores an answer by its single most similar phrasing, which a
question shares a few words or a vague meaning with by chance. A multinomial logistic regression
over the same features - character 2-4-grams and the sentence embedding - weighs what all of an
answer's phrasings, in all nine languages, have in common against the other answers: "is it free"
and "do I pay the ticket" both teach avr_cost that cost words matter, and a stray shared word
counts less. Its probabilities are blended into the ranker's similarity.

Fitting takes minutes on one core, so the weights are cached next to the answer index
(`.cache/retrieval/`), keyed by a hash of exactly what they were fitted on, and fitted when the
model is trained (`bot train` warms the ranker). Stored as plain arrays, never pickled.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Optional

import numpy as np
from scipy.sparse import csr_matrix, hstack, spmatrix

logger = logging.getLogger(__name__)

FORMAT_VERSION = "1"
# inverse regularisation, as the intent classifier's (config.yml LinearIntentClassifier)
C = 20.0
MAX_ITER = 3000


def features(sparse: spmatrix, dense: np.ndarray) -> csr_matrix:
    """One row per text: its character n-gram TF-IDF beside its (normalised) sentence embedding."""
    return hstack([sparse, csr_matrix(np.atleast_2d(dense))]).tocsr()


class AnswerClassifier:
    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray, candidates: int) -> None:
        self.coef, self.intercept, self.classes = coef, intercept, classes
        self.candidates = candidates
        self._weights = np.ascontiguousarray(coef.T)

    @classmethod
    def fit(cls, X: csr_matrix, rows: np.ndarray, candidates: int) -> "AnswerClassifier":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=C, max_iter=MAX_ITER).fit(X, rows)
        return cls(model.coef_.astype(np.float32), model.intercept_.astype(np.float32),
                   model.classes_.astype(np.int64), candidates)

    def probabilities(self, X: csr_matrix) -> np.ndarray:
        """Per candidate answer (the ranker's order), the probability that `X`'s one row asks for it."""
        logits = np.asarray(X @ self._weights).ravel() + self.intercept
        if len(self.classes) == 2:  # sklearn keeps one column for two classes
            logits = np.array([-logits[0], logits[0]])
        logits = np.exp(logits - logits.max())
        scores = np.zeros(self.candidates, dtype=np.float32)
        scores[self.classes] = logits / logits.sum()
        return scores


def fingerprint(texts, vectors: np.ndarray, rows: np.ndarray, vectorizer_params: dict) -> str:
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{C}\0{MAX_ITER}\0{sorted(vectorizer_params.items())}".encode())
    for text in texts:
        digest.update(text.encode() + b"\0")
    digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    digest.update(np.ascontiguousarray(rows, dtype=np.int64).tobytes())
    return digest.hexdigest()[:24]


def load_or_fit(X: csr_matrix, rows: np.ndarray, candidates: int, key: str,
                directory: Optional[Path] = None) -> AnswerClassifier:
    """The classifier cached under `directory` for `key`, or fitted now (and cached there)."""
    path = directory / f"answer-classifier-{key}.npz" if directory is not None else None
    if path is not None and path.exists():
        try:
            stored = np.load(path, allow_pickle=False)
            return AnswerClassifier(stored["coef"], stored["intercept"], stored["classes"], candidates)
        except (OSError, KeyError, ValueError):  # a damaged cache file is fitted again
            logger.warning("answer classifier cache %s unreadable: fitting again", path.name)
    logger.info("fitting the answer classifier on %d phrasings", X.shape[0])
    classifier = AnswerClassifier.fit(X, rows, candidates)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("answer-classifier-*.npz"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, coef=classifier.coef, intercept=classifier.intercept, classes=classifier.classes)
        tmp.replace(path)
    return classifier
