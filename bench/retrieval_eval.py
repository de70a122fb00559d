"""`python -m bench.retrieval_eval`: retrieval top-1 / top-3 per language, embeddings vs TF-IDF.

Two query sets, both unseen by the index they are searched in:
- held-out questions: the last HOLD_OUT `questions` of every article in every language are
  removed from the index and used as queries (the rest of the article stays indexed);
- nlu_test: every message of tests/nlu_test/ whose intent is a knowledge topic, searched in the
  full index (those messages are in no knowledge file).
Each is scored with the multilingual embedding index (retrieval/index.py, the configured
back-end) and a TF-IDF baseline (character n-grams 2-4, same entries, cosine), in the same run.
Also reports what actions/retrieval.py would do with the embedding scores on nlu_test
(answer / offer a choice / not understood) and how often its answers are right.
Prints a table and writes bench/out/retrieval_eval.md.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from typing import Dict, List, Sequence, Tuple

import numpy as np

import bot  # noqa: F401  (environment defaults)
from core.paths import NLU_TEST_DIR, ROOT

OUT_DIR = ROOT / "bench" / "out"
HOLD_OUT = 2

Query = Tuple[str, str, str]  # (language, text, expected topic)


def held_out_split(kb, hold_out: int = HOLD_OUT):
    held: set = set()
    queries: List[Query] = []
    for topic, article in kb.articles.items():
        for language, text in article.texts.items():
            for question in text.questions[-hold_out:] if len(text.questions) > hold_out else ():
                held.add((topic, language, question))
                queries.append((language, question, topic))
    return held, queries


def nlu_test_queries(kb) -> List[Query]:
    import yaml

    queries: List[Query] = []
    for path in sorted(NLU_TEST_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or ():
            if block.get("intent") not in kb.articles:
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
                if text:
                    queries.append((path.stem, text, block["intent"]))
    return queries


def rank_topics(scores: np.ndarray, entry_topics: Sequence[str], k: int = 3) -> List[Tuple[str, float]]:
    ranked: Dict[str, float] = {}
    for i in np.argsort(-scores):
        if entry_topics[i] not in ranked:
            ranked[entry_topics[i]] = float(scores[i])
            if len(ranked) >= k:
                break
    return list(ranked.items())


class TfidfRetriever:
    def __init__(self, texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform([t.lower() for t in texts])

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        return (self.vectorizer.transform([q.lower() for q in queries]) @ self.matrix.T).toarray()


def evaluate(rankings: List[List[Tuple[str, float]]], queries: Sequence[Query]) -> Dict[str, Dict[str, float]]:
    per: Dict[str, List[Tuple[bool, bool]]] = defaultdict(list)
    for ranking, (language, _, topic) in zip(rankings, queries):
        topics = [t for t, _ in ranking]
        per[language].append((bool(topics) and topics[0] == topic, topic in topics[:3]))
        per["all"].append(per[language][-1])
    return {lang: {"n": len(r), "top1": float(np.mean([a for a, _ in r])), "top3": float(np.mean([b for _, b in r]))}
            for lang, r in per.items()}


def run_set(name: str, kb, exclude, queries: Sequence[Query], embedder) -> Tuple[Dict, Dict, List]:
    from retrieval.index import collect_entries

    entries = collect_entries(kb, exclude)
    topics = [e.topic for e in entries]
    vectors = embedder.embed([e.text for e in entries], progress=True)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    query_vectors = embedder.embed([q for _, q, _ in queries], progress=True)
    query_vectors /= np.maximum(np.linalg.norm(query_vectors, axis=1, keepdims=True), 1e-9)
    emb_rank = [rank_topics(vectors @ v, topics) for v in query_vectors]
    tfidf = TfidfRetriever([e.text for e in entries])
    tf_scores = tfidf.scores([q for _, q, _ in queries])
    tf_rank = [rank_topics(row, topics) for row in tf_scores]
    return evaluate(emb_rank, queries), evaluate(tf_rank, queries), emb_rank


def action_outcomes(rankings, queries) -> Dict[str, float]:
    from types import SimpleNamespace

    from actions.retrieval import decide

    counts = defaultdict(int)
    for ranking, (_, _, topic) in zip(rankings, queries):
        decision = decide([SimpleNamespace(topic=t, score=s) for t, s in ranking])
        counts[decision.kind] += 1
        if decision.kind == "answer":
            counts["answer_right"] += decision.topics[0] == topic
        if decision.kind == "choose":
            counts["choice_has_it"] += topic in decision.topics
    total = len(queries)
    return {
        "answered": counts["answer"] / total,
        "answer_precision": counts["answer_right"] / max(counts["answer"], 1),
        "offered_choice": counts["choose"] / total,
        "choice_contains_topic": counts["choice_has_it"] / max(counts["choose"], 1),
        "not_understood": counts["none"] / total,
    }


def table(title: str, emb: Dict, tf: Dict, languages: Sequence[str], backend: str) -> List[str]:
    lines = [f"### {title}", "", f"| language | n | {backend} top-1 | {backend} top-3 | TF-IDF top-1 | TF-IDF top-3 |",
             "|---|---:|---:|---:|---:|---:|"]
    for lang in [*languages, "all"]:
        if lang in emb:
            e, t = emb[lang], tf[lang]
            lines.append(f"| {lang} | {e['n']} | {e['top1']:.1%} | {e['top3']:.1%} | {t['top1']:.1%} | {t['top3']:.1%} |")
    return lines + [""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="embedding back-end (default: settings)")
    parser.add_argument("--model", default=None, help="sentence-transformers model (path or packaged name)")
    args = parser.parse_args(argv)

    from content.knowledge import load_knowledge
    from language.embeddings import get_embedder
    from retrieval.index import _configured

    started = time.time()
    kb = load_knowledge()
    backend, model = _configured(args.backend, args.model)
    embedder = get_embedder(backend, model or None)
    label = backend if not model else f"{backend}:{model}"

    held, held_queries = held_out_split(kb)
    held_emb, held_tf, _ = run_set("held-out questions", kb, lambda e: (e.topic, e.language, e.text) in held, held_queries, embedder)
    test_queries = nlu_test_queries(kb)
    test_emb, test_tf, test_rank = run_set("nlu_test", kb, None, test_queries, embedder)
    outcomes = action_outcomes(test_rank, test_queries)

    languages = list(kb.languages)
    lines = ["# Retrieval evaluation", "",
             f"Embeddings: `{label}`; baseline: TF-IDF character 2-4-grams over the same entries. "
             f"Run: {time.strftime('%Y-%m-%d %H:%M')} ({time.time() - started:.0f} s). `python -m bench.retrieval_eval`.", ""]
    lines += table(f"Held-out article questions (last {HOLD_OUT} per article and language, removed from the index)",
                   held_emb, held_tf, languages, label)
    lines += table("tests/nlu_test messages of the 16 topic intents (full index)", test_emb, test_tf, languages, label)
    lines += ["### What the fallback action would do on the nlu_test messages (embedding scores)", "",
              "| answered | answer precision | offered a choice | choice contains the topic | not understood |",
              "|---:|---:|---:|---:|---:|",
              f"| {outcomes['answered']:.1%} | {outcomes['answer_precision']:.1%} | {outcomes['offered_choice']:.1%} | "
              f"{outcomes['choice_contains_topic']:.1%} | {outcomes['not_understood']:.1%} |", "",
              "In production the action only sees messages the intent classifier was unsure about; these",
              "figures are over all topic messages, so they describe the retriever, not the whole assistant.", ""]
    report = "\n".join(lines)
    print(report)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "retrieval_eval.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
