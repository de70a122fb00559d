"""The answer classifier (retrieval/answer_classifier.py): sklearn's probabilities from plain arrays,
fitted once and kept on disk under the hash of what it was fitted on."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from retrieval import answer_classifier
from retrieval.answer_classifier import AnswerClassifier, load_or_fit


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 6))
    rows = np.repeat(np.arange(4), 12)
    X = csr_matrix(centres[rows] + 0.3 * rng.normal(size=(len(rows), 6)))
    return X, rows


def test_probabilities_are_sklearns_and_ordered_by_candidate(data):
    X, rows = data
    # candidate 4 has no phrasing: it is never predicted, and the others keep their places
    classifier = AnswerClassifier.fit(X, rows, candidates=5)
    reference = LogisticRegression(C=answer_classifier.C, max_iter=answer_classifier.MAX_ITER).fit(X, rows)
    for i in (0, 13, 47):
        got = classifier.probabilities(X[i])
        assert got.shape == (5,) and got[4] == 0.0
        np.testing.assert_allclose(got[:4], reference.predict_proba(X[i])[0], atol=1e-4)
        assert int(np.argmax(got)) == rows[i]


def test_fitted_once_then_loaded_from_the_cache(data, tmp_path, monkeypatch):
    X, rows = data
    first = load_or_fit(X, rows, 4, "key1", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["answer-classifier-key1.npz"]

    def no_fitting(*args, **kwargs):
        raise AssertionError("fitted again although cached")

    monkeypatch.setattr(AnswerClassifier, "fit", no_fitting)
    again = load_or_fit(X, rows, 4, "key1", tmp_path)
    np.testing.assert_allclose(again.probabilities(X[5]), first.probabilities(X[5]))


def test_a_new_key_replaces_the_old_file_and_a_damaged_one_is_fitted_again(data, tmp_path):
    X, rows = data
    load_or_fit(X, rows, 4, "old", tmp_path)
    load_or_fit(X, rows, 4, "new", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["answer-classifier-new.npz"]
    (tmp_path / "answer-classifier-new.npz").write_bytes(b"not an npz")
    classifier = load_or_fit(X, rows, 4, "new", tmp_path)
    assert int(np.argmax(classifier.probabilities(X[0]))) == rows[0]


def test_the_key_changes_with_any_phrasing_or_vector():
    vectors, rows = np.ones((2, 3), dtype=np.float32), np.array([0, 1])
    key = answer_classifier.fingerprint(["is it free", "who pays"], vectors, rows, {"analyzer": "char_wb"})
    assert key != answer_classifier.fingerprint(["is it free?", "who pays"], vectors, rows, {"analyzer": "char_wb"})
    assert key != answer_classifier.fingerprint(["is it free", "who pays"], vectors * 2, rows, {"analyzer": "char_wb"})
    assert key == answer_classifier.fingerprint(["is it free", "who pays"], vectors.copy(), rows, {"analyzer": "char_wb"})
