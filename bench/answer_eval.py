"""`python -m bench.answer_eval`: does the exact question get its exact answer?

bench/answers/<lang>.yml holds held-out phrasings of every specific entry (knowledge/entries),
written separately from the entries' own question phrasings and never trained on; some are
follow-ups after a topic question ("what is voluntary return" ... "is it free?").

Top-1: through the whole assistant (`bot.ask.Assistant`, the model and the actions as deployed):
the answer it sends. A follow-up is sent after its context in the same conversation.
Top-3: the answer ranker's three best for the phrasing alone (retrieval.answers: dense +
character TF-IDF fusion with the intent as prior).
Baseline, same run: the character TF-IDF ranking alone (no embeddings, no intent, no context).
Prints a table per language and writes bench/out/answer_eval.md (misses: answer_misses.jsonl).
`--set dev` runs bench/answers_dev/ instead, a tuning set by later writers: changes are chosen on it
and the held-out set is run only to report (answer_eval_dev.md, answer_misses_dev.jsonl).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from core.paths import ROOT

ANSWERS_DIR = ROOT / "bench" / "answers"
# a tuning set written later by other writers: choose on it, report on the held-out set above
SETS = {"test": ANSWERS_DIR, "dev": ROOT / "bench" / "answers_dev"}
OUT_DIR = ROOT / "bench" / "out"
TARGETS = {"en": 0.85, "fr": 0.85, "ar": 0.85}
OTHER_TARGET = 0.70


def load_items(languages: Optional[List[str]] = None, folder: Path = ANSWERS_DIR) -> List[Dict[str, str]]:
    items = []
    for path in sorted(folder.glob("*.yml")):
        if languages and path.stem not in languages:
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("items") or ():
            items.append({"language": path.stem, "entry": str(item["entry"]), "text": str(item["text"]),
                          "context": str(item.get("context") or "")})
    return items


async def run(items: List[Dict[str, str]], progress: bool = True,
              misses_path: Optional[Path] = None) -> Dict[str, Dict[str, List[bool]]]:
    from tqdm import tqdm

    from bot.ask import Assistant
    from retrieval.answers import get_ranker

    assistant = Assistant.load()
    ranker = get_ranker()
    results: Dict[str, Dict[str, List[bool]]] = defaultdict(lambda: defaultdict(list))
    misses = []
    for item in tqdm(items, desc="phrasings", disable=not progress, file=sys.stderr):
        sender = f"answers-{uuid.uuid4().hex}"
        if item["context"]:
            await assistant.send(item["context"], sender)
        turn = await assistant.send(item["text"], sender)
        parse = await assistant.agent.parse_message(item["text"])
        prior = {r["name"]: float(r["confidence"]) for r in parse.get("intent_ranking") or ()}
        top3 = [s.answer for s in ranker.rank(item["text"], prior, k=3)]
        baseline = [s.answer for s in ranker.rank(item["text"], k=3, dense=False)]
        bucket = results[item["language"]]
        bucket["top1"].append(turn.answer == item["entry"])
        bucket["top3"].append(item["entry"] in top3 or turn.answer == item["entry"])
        bucket["baseline_top1"].append(baseline[:1] == [item["entry"]])
        bucket["baseline_top3"].append(item["entry"] in baseline)
        bucket["follow_up_top1" if item["context"] else "direct_top1"].append(turn.answer == item["entry"])
        if turn.answer != item["entry"]:
            misses.append({**item, "answer": turn.answer, "intent": turn.intent, "top3": top3})
    misses_path = misses_path or OUT_DIR / "answer_misses.jsonl"
    misses_path.parent.mkdir(parents=True, exist_ok=True)
    misses_path.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in misses), encoding="utf-8")
    return results


def _rate(values: List[bool]) -> str:
    return f"{100.0 * sum(values) / len(values):.1f} %" if values else "–"


def report(results: Dict[str, Dict[str, List[bool]]]) -> str:
    columns = ["top1", "top3", "baseline_top1", "baseline_top3", "direct_top1", "follow_up_top1"]
    lines = ["| language | phrasings | " + " | ".join(c.replace("_", " ") for c in columns) + " | target top-1 |",
             "|---|---|" + "---|" * len(columns) + "---|"]
    everything: Dict[str, List[bool]] = defaultdict(list)
    for language in sorted(results):
        bucket = results[language]
        for column in columns:
            everything[column] += bucket.get(column, [])
        target = TARGETS.get(language, OTHER_TARGET)
        lines.append(f"| {language} | {len(bucket['top1'])} | " + " | ".join(_rate(bucket.get(c, [])) for c in columns)
                     + f" | {target:.0%} |")
    lines.append(f"| **all** | {len(everything['top1'])} | " + " | ".join(_rate(everything[c]) for c in columns) + " | |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="*")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--set", choices=sorted(SETS), default="test", dest="set_name",
                        help="test (held-out, the default) or dev (the tuning set)")
    args = parser.parse_args(argv)
    from bot.ask import _quiet_libraries

    _quiet_libraries()
    folder = SETS[args.set_name]
    items = load_items(args.languages, folder)
    if not items:
        print(f"no phrasings in {folder}", file=sys.stderr)
        return 1
    suffix = "" if args.set_name == "test" else f"_{args.set_name}"
    table = report(asyncio.run(run(items, progress=not args.quiet,
                                   misses_path=OUT_DIR / f"answer_misses{suffix}.jsonl")))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    title = "held-out phrasings" if args.set_name == "test" else "tuning phrasings"
    (OUT_DIR / f"answer_eval{suffix}.md").write_text(f"# Exact answers ({title})\n\n" + table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
