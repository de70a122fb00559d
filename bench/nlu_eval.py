"""`python -m bench.nlu_eval`: intent accuracy on the held-out split, ours vs Rasa's default.

Trains both pipelines on data/nlu/ in this run, parses every message of tests/nlu_test/ (which
training never sees), and prints top-1 accuracy per language and per intent, plus language
identification accuracy. Writes bench/out/nlu_eval.md and a confusion-matrix picture.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import bot  # noqa: F401  (environment defaults)
from rasa_extensions.nlu.examples import examples_by_language
from core.paths import NLU_DIR, NLU_TEST_DIR, ROOT

OUT_DIR = ROOT / "bench" / "out"
PIPELINES = {"ours": ROOT / "config.yml", "rasa_default": ROOT / "bench" / "default_pipeline.yml"}
TARGETS = {1: 0.95, 2: 0.85}


def snapshot_training_data(target: Path) -> Path:
    """One copy of data/nlu/ plus the knowledge questions, taken once, so that every pipeline
    of the run trains on exactly the same data even if files change meanwhile."""
    import shutil

    from rasa_extensions.nlu.knowledge_examples import write_training_file

    shutil.copytree(NLU_DIR, target)
    write_training_file(target / "knowledge_questions.yml")
    return target


def train_nlu(config: Path, data: Path, output: Path) -> Path:
    from rasa.model_training import train_nlu as rasa_train_nlu

    model = rasa_train_nlu(config=str(config), nlu_data=str(data), output=str(output), domain=str(ROOT / "domain.yml"))
    if not model:
        raise SystemExit(f"training with {config} failed")
    return Path(model)


async def predict(model: Path, texts: List[str]) -> List[Tuple[str, str, str]]:
    """(classifier's top-1 intent, detected language or '', final intent after fallback) per text."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        parse = await agent.parse_message(text)
        language = next((e["value"] for e in parse.get("entities", []) if e.get("entity") == "language"), "")
        final = (parse.get("intent") or {}).get("name") or ""
        ranking = [r["name"] for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        top1 = final if final != "nlu_fallback" or not ranking else ranking[0]
        results.append((top1, language, final))
    return results


def accuracy(pairs: List[Tuple[str, str]]) -> float:
    return sum(1 for gold, guess in pairs if gold == guess) / len(pairs) if pairs else 0.0


def confusion_png(gold: List[str], guess: List[str], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted(set(gold) | set(guess))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, guess):
        matrix[index[g], index[p]] += 1
    row_sums = matrix.sum(axis=1, keepdims=True).clip(min=1)
    figure, axis = plt.subplots(figsize=(13, 11))
    image = axis.imshow(matrix / row_sums, cmap="Blues", vmin=0, vmax=1)
    axis.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    axis.set_yticks(range(len(labels)), labels, fontsize=8)
    axis.set_xlabel("predicted intent")
    axis.set_ylabel("true intent")
    axis.set_title(title)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j] and i != j:
                axis.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7, color="darkred")
    figure.colorbar(image, fraction=0.03)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pipelines", default="ours,rasa_default", help="comma-separated: ours, rasa_default")
    args = parser.parse_args()
    from content.knowledge import load_knowledge

    tiers = {code: lang.tier for code, lang in load_knowledge().languages.items()}
    test = examples_by_language(NLU_TEST_DIR)
    items = [(language, text, intent) for language, pairs in test.items() for text, intent in pairs]
    print(f"held-out split: {len(items)} messages in {len(test)} languages")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    results: Dict[str, List[Tuple[str, str, str]]] = {}
    timings = {}
    snapshot = tempfile.TemporaryDirectory()
    data = snapshot_training_data(Path(snapshot.name) / "nlu")
    for name in args.pipelines.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            print(f"\n== training {name} ({PIPELINES[name].relative_to(ROOT)})", flush=True)
            model = train_nlu(PIPELINES[name], data, Path(tmp))
            trained = time.perf_counter() - start
            start = time.perf_counter()
            results[name] = asyncio.run(predict(model, [text for _, text, _ in items]))
            timings[name] = (trained, (time.perf_counter() - start) / len(items) * 1000)
    names = list(results)
    lines = ["# NLU evaluation (held-out split)", "", f"{len(items)} messages. Top-1 intent accuracy of the classifier "
             "(the fallback rate, below, is how often confidence was under the fallback threshold).", ""]
    header = "| language | tier | n | " + " | ".join(names) + " | target | language ID (ours) |"
    lines += [header, "|" + "---|" * (4 + len(names) + 1)]
    by_language: Dict[str, List[int]] = defaultdict(list)
    for i, (language, _, _) in enumerate(items):
        by_language[language].append(i)
    for language in sorted(by_language, key=lambda c: (tiers.get(c, 3), c)):
        rows = by_language[language]
        cells = [f"{accuracy([(items[i][2], results[n][i][0]) for i in rows]):.1%}" for n in names]
        lang_id = ""
        if "ours" in results:
            lang_id = f"{sum(1 for i in rows if results['ours'][i][1] == language) / len(rows):.1%}"
        lines.append(f"| {language} | {tiers.get(language, '-')} | {len(rows)} | " + " | ".join(cells)
                     + f" | {TARGETS.get(tiers.get(language, 2), 0.85):.0%} | {lang_id} |")
    fallback = [f"{sum(1 for r in results[n] if r[2] == 'nlu_fallback') / len(items):.1%}" for n in names]
    lines.append("| fallback rate | | | " + " | ".join(fallback) + " | | |")
    overall = [f"{accuracy([(items[i][2], results[n][i][0]) for i in range(len(items))]):.1%}" for n in names]
    lines.append("| **all** | | " + str(len(items)) + " | " + " | ".join(overall) + " | | |")
    lines += ["", "| intent | n | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    by_intent: Dict[str, List[int]] = defaultdict(list)
    for i, (_, _, intent) in enumerate(items):
        by_intent[intent].append(i)
    for intent in sorted(by_intent):
        rows = by_intent[intent]
        cells = [f"{accuracy([(items[i][2], results[n][i][0]) for i in rows]):.1%}" for n in names]
        lines.append(f"| {intent} | {len(rows)} | " + " | ".join(cells) + " |")
    lines += ["", "| pipeline | training (s) | parse per message (ms) |", "|---|---|---|"]
    lines += [f"| {n} | {timings[n][0]:.0f} | {timings[n][1]:.1f} |" for n in names]
    if "ours" in results:
        mistakes = Counter((items[i][2], results["ours"][i][0]) for i in range(len(items)) if items[i][2] != results["ours"][i][0])
        lines += ["", "Most frequent confusions (ours): " + ", ".join(f"{g}→{p} ×{c}" for (g, p), c in mistakes.most_common(10))]
        confusion_png([it[2] for it in items], [r[0] for r in results["ours"]], OUT_DIR / "nlu_confusion.png",
                      "Intent confusion, held-out split (ours)")
        lines += ["", "Confusion matrix: bench/out/nlu_confusion.png"]
    report = "\n".join(lines)
    (OUT_DIR / "nlu_eval.md").write_text(report + "\n", encoding="utf-8")
    (OUT_DIR / "nlu_predictions.json").write_text(json.dumps(
        [{"language": l, "text": t, "intent": g, **{n: results[n][i][0] for n in names}} for i, (l, t, g) in enumerate(items)],
        ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n" + report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
