"""`python -m bench.answer_tuning`: choose the answer ranker's settings on the knowledge base's own
question phrasings (leave one out), never on the held-out phrasings of bench/answers.

Each phrasing of every answer (topic articles and specific entries, all languages) is ranked
against all the others; the right answer is the one it belongs to, so a general question must
keep its general article as much as a specific one must get its entry. The intent prior is
played as the intent classifier at its best (the phrasing's own topic at 1.0), which leaves the
decision that matters here: the article, or which of its entries. Prints top-1 per setting and
language; the held-out bench then says whether the chosen setting generalises.
"""
from __future__ import annotations

import argparse
import itertools
from collections import defaultdict
from typing import Dict, List, Tuple

import numpy as np

from retrieval.answers import DENSE_WEIGHT, get_ranker, minmax  # the ranker and its own normalisation


WEIGHTS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)   # dense share of the fused score
PRIORS = (0.5, 1.0)                             # weight of the intent prior
PREFERENCES = (0.0, 0.05, 0.1, 0.15, 0.2)       # how close an entry must read to beat its article


def leave_one_out_scores(ranker) -> Tuple[List[int], np.ndarray, np.ndarray]:
    """(rows of question phrasings, dense and sparse best-per-candidate scores without the row)."""
    entries = ranker.index.entries
    rows = [i for i, e in enumerate(entries) if e.kind == "question"]
    # The same question's translations are left out too (the n-th phrasing of an answer in each
    # language is usually its translation): a real question has no twin in another language.
    position, seen = {}, defaultdict(int)
    for i in rows:
        position[i] = (entries[i].topic, seen[(entries[i].topic, entries[i].language)])
        seen[(entries[i].topic, entries[i].language)] += 1
    twins = defaultdict(list)
    for i in rows:
        twins[position[i]].append(i)
    vectors = ranker.index.vectors
    dense_all = vectors[rows] @ vectors.T
    sparse_all = np.asarray((ranker.matrix[rows] @ ranker.matrix.T).todense())
    dense_best = np.full((len(rows), len(ranker.candidates)), -1.0, dtype=np.float32)
    sparse_best = np.full_like(dense_best, -1.0)
    for n, row in enumerate(rows):
        left_out = twins[position[row]]  # the phrasing itself and its translations
        dense_all[n, left_out] = sparse_all[n, left_out] = -1.0
        np.maximum.at(dense_best[n], ranker._rows, dense_all[n].astype(np.float32))
        np.maximum.at(sparse_best[n], ranker._rows, sparse_all[n].astype(np.float32))
    return rows, dense_best, sparse_best


def choose(kb, candidates: List[str], scores: np.ndarray, specific_preference: float) -> str:
    """actions/knowledge_answer.best_answer's rule: an article loses to one of its own entries
    that reads almost as well (within `specific_preference`)."""
    order = np.argsort(-scores)
    best = candidates[order[0]]
    if kb.answers[best].is_entry:
        return best
    for i in order[1:]:
        if scores[i] < scores[order[0]] - specific_preference:
            break
        if kb.answers[candidates[i]].topic == best:
            return candidates[i]
    return best


def main(argv=None) -> int:
    from content.knowledge import load_knowledge

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=15, help="settings to print, best first")
    args = parser.parse_args(argv)
    kb, ranker = load_knowledge(), get_ranker()
    rows, dense, sparse = leave_one_out_scores(ranker)
    entries, candidates = ranker.index.entries, ranker.candidates
    truth = [entries[r].topic for r in rows]
    topics = [kb.answers[t].parent for t in truth]
    in_topic = np.array([[kb.answers[c].parent == topic for c in candidates] for topic in topics], dtype=np.float32)
    print(f"{len(rows)} phrasings of {len(set(truth))} answers, {len(candidates)} candidates")
    results: Dict[Tuple[float, float, float], Dict[str, List[bool]]] = {}
    for weight, prior, preference in itertools.product(WEIGHTS, PRIORS, PREFERENCES):
        per_language: Dict[str, List[bool]] = defaultdict(list)
        for n, row in enumerate(rows):
            fused = weight * minmax(dense[n]) + (1 - weight) * minmax(sparse[n]) + prior * in_topic[n]
            got = choose(kb, candidates, fused, preference)
            per_language[entries[row].language].append(got == truth[n])
            per_language["all"].append(got == truth[n])
            kind = "entry" if kb.answers[truth[n]].is_entry else "article"
            per_language[kind].append(got == truth[n])
        results[(weight, prior, preference)] = per_language
    columns = ["all", "article", "entry", *sorted({entries[r].language for r in rows})]
    print("| dense weight | prior | specific pref | " + " | ".join(columns) + " |")
    print("|---" * (3 + len(columns)) + "|")
    for key, per_language in sorted(results.items(), key=lambda kv: -np.mean(kv[1]["all"]))[:args.top]:
        cells = [f"{100 * np.mean(per_language[c]):.1f}" for c in columns]
        print(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
    print()
    print_lead_calibration(kb, ranker, rows, dense, sparse)
    print()
    print_fallback_calibration(ranker, rows, dense, sparse)
    return 0


def print_lead_calibration(kb, ranker, rows, dense, sparse, width: float = 0.02, prior: float = 0.5) -> None:
    """How often a specific entry ranked first is right, by its lead over the runner-up: where the
    top-1 is right less often than not, a choice of three (actions/knowledge_answer.ENTRY_MARGIN)
    serves the person better than a guess."""
    entries, candidates = ranker.index.entries, ranker.candidates
    buckets: Dict[int, List[Tuple[bool, bool]]] = defaultdict(list)
    for n, row in enumerate(rows):
        truth = entries[row].topic
        in_topic = np.array([kb.answers[c].parent == kb.answers[truth].parent for c in candidates], dtype=np.float32)
        fused = DENSE_WEIGHT * minmax(dense[n]) + (1 - DENSE_WEIGHT) * minmax(sparse[n]) + prior * in_topic
        order = np.argsort(-fused)
        if not kb.answers[candidates[order[0]]].is_entry:
            continue
        bucket = min(int((fused[order[0]] - fused[order[1]]) / width), 10)
        buckets[bucket].append((candidates[order[0]] == truth, truth in {candidates[i] for i in order[:3]}))
    print_lead_table("lead of the best entry", buckets, width)


def print_fallback_calibration(ranker, rows, dense, sparse, width: float = 0.02) -> None:
    """Under the fallback the intent classifier was unsure, so its prior is weak: how often the
    fused ranking's best answer (any answer, no prior) is right, by its lead over the runner-up
    (actions/retrieval.FALLBACK_LEAD: from where it is right more often than not)."""
    entries, candidates = ranker.index.entries, ranker.candidates
    buckets: Dict[int, List[Tuple[bool, bool]]] = defaultdict(list)
    for n, row in enumerate(rows):
        fused = DENSE_WEIGHT * minmax(dense[n]) + (1 - DENSE_WEIGHT) * minmax(sparse[n])
        order = np.argsort(-fused)
        bucket = min(int((fused[order[0]] - fused[order[1]]) / width), 10)
        truth = entries[row].topic
        buckets[bucket].append((candidates[order[0]] == truth, truth in {candidates[i] for i in order[:3]}))
    print_lead_table("fallback: lead of the best answer (no prior)", buckets, width)


def print_lead_table(title: str, buckets: Dict[int, List[Tuple[bool, bool]]], width: float) -> None:
    """One row per lead bucket (the last one open-ended): phrasings, top-1 right, right one in the best three."""
    print(f"| {title} | phrasings | top-1 right | right one in the best three |")
    print("|---|---|---|---|")
    for bucket in sorted(buckets):
        hits = buckets[bucket]
        span = f"{bucket * width:.2f}-{(bucket + 1) * width:.2f}" if bucket < 10 else f">= {bucket * width:.2f}"
        print(f"| {span} | {len(hits)} | {100 * np.mean([h[0] for h in hits]):.0f} % "
              f"| {100 * np.mean([h[1] for h in hits]):.0f} % |")


if __name__ == "__main__":
    raise SystemExit(main())
