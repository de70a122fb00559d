"""A person's message is never kept in the embedding cache; the texts the model is built from are."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from language import embeddings
from language.embeddings import EmbeddingCache, SentenceEmbedder


class CountingBackend(embeddings.EmbeddingBackend):
    name = "counting"
    dimension = 3

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):
        self.calls += len(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def rows(path) -> int:
    with sqlite3.connect(str(path)) as connection:
        return connection.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


@pytest.fixture
def embedder(tmp_path):
    return SentenceEmbedder(CountingBackend(), EmbeddingCache(tmp_path / "cache.sqlite3", "counting:")), tmp_path / "cache.sqlite3"


def test_training_texts_are_cached_and_reused(embedder):
    model, path = embedder
    model.embed(["how do I go home", "is it free"])
    assert rows(path) == 2
    model.embed(["how do I go home"], remember=False)  # a live message that is also a training phrase
    assert model.backend.calls == 2                    # read from the cache, not embedded again


def test_a_persons_message_is_embedded_but_never_stored(embedder):
    model, path = embedder
    vector = model.embed(["my brother is held in Zuwara"], remember=False)
    assert vector.shape == (1, 3) and vector[0][0] == len("my brother is held in Zuwara")
    assert rows(path) == 0


def test_live_nlu_messages_are_not_cached(embedder, monkeypatch):
    from rasa.shared.nlu.training_data.message import Message

    from rasa_extensions.nlu.sentence_featurizer import MultilingualSentenceFeaturizer

    model, path = embedder
    monkeypatch.setattr("rasa_extensions.nlu.sentence_featurizer.get_embedder", lambda *a, **k: model)
    featurizer = MultilingualSentenceFeaturizer({**MultilingualSentenceFeaturizer.get_default_config()}, "featurizer")
    featurizer.process([Message(data={"text": "they took my passport in Sabha"})])
    assert rows(path) == 0


def test_the_legacy_cache_that_held_live_messages_is_deleted(tmp_path):
    legacy = tmp_path / embeddings.LEGACY_CACHE_FILE
    legacy.write_bytes(b"old vectors")
    embeddings._forget_legacy_cache(tmp_path)
    assert not legacy.exists()
    embeddings._forget_legacy_cache(tmp_path)  # nothing to delete: no error
