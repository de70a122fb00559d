"""`python -m bench.conversation_eval`: the assistant judged on whole conversations.

The conversations in bench/conversations/<lang>.yml were written in a separate step from the
training data (by writers who never saw data/nlu/) in the styles migrants write: short, misspelt,
dialect and Arabizi, a story before the question, follow-ups that depend on context, an
emergency in the middle of something else. They are never trained on.

All conversations run interleaved in one process (model loaded once), turn by turn, through
the same code as `python -m bot ask --jsonl`. Each turn's expectations become checks:

  topic            the answer sent is one of the turn's `answers` (the entries or articles that
                   answer it, labelled blind to the assistant's output); turns without `answers`
                   (and every turn with --topic-labels): the answer belongs to an expected topic
  follow-up topic  the same, on turns that only make sense in context
  intent           small talk and navigation (greet, thanks, noise, delete_data, ...)
  emergency        danger now opened an urgent case (recall); every later turn stays in
                   emergency handling (no menu, no consent prompt, no introduction)
  false alarm      a question about a risk (or any turn before an emergency) opened an urgent case
  handoff          a request for a person opened or asked for a case
  reply language   the reply is in the conversation's language; English and Nigerian Pidgin count
                   for each other (the English file is largely Pidgin and Krio, and a one-word
                   "hello" cannot say which); `reply_language_strict` (reported, not part of
                   "entirely right") does not allow that
  consent          a consent answer was taken as one; a menu number never answered consent
  story slots      host country / nationality understood from free text
  first turn brief the first turn is at most 3 messages and 700 characters (data costs money)

Prints a table per language and per check, and the share of conversations entirely right;
writes bench/out/conversation_eval.md, the failed turns to bench/out/conversation_failures.jsonl and
every turn, in conversation order, to bench/out/conversation_turns.jsonl.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from core.paths import ROOT

CONVERSATIONS_DIR = ROOT / "bench" / "conversations"
DEV_DIR = ROOT / "bench" / "conversations_dev"   # for tuning; the held-out set above is for reporting
# a second tuning set, written later by other writers with new situations: a change that helps one
# tuning set and not the other is fitted to its sentences, not to how migrants write
DEV2_DIR = ROOT / "bench" / "conversations_dev2"
# a third, written after the first two had been tuned on for several sessions (their figures ran 10
# points above the held-out set's): fresh signal for tuning, by writers who saw neither
DEV3_DIR = ROOT / "bench" / "conversations_dev3"
# the guided flows (screening, consular help) in every language: no other tuning set has a flow turn
DEV4_DIR = ROOT / "bench" / "conversations_dev4"
# a fifth, written when the other tuning sets had been tuned on for sessions: mostly follow-ups
DEV5_DIR = ROOT / "bench" / "conversations_dev5"
# a sixth, written when the first five ran well above the held-out set (dev5 follow-ups 82 %, held-out 72 %):
# fresh places and situations, strict `answers` labels on every topic turn
DEV6_DIR = ROOT / "bench" / "conversations_dev6"
# a seventh, written when dev6 too had been tuned on (dev6 entirely right 43/108 against 27 when written):
# fresh places (the Eastern route, Algeria and Morocco, returnees at home) and fresh follow-ups
DEV7_DIR = ROOT / "bench" / "conversations_dev7"
SETS = {"test": CONVERSATIONS_DIR, "dev": DEV_DIR, "dev2": DEV2_DIR, "dev3": DEV3_DIR, "dev4": DEV4_DIR,
        "dev5": DEV5_DIR, "dev6": DEV6_DIR, "dev7": DEV7_DIR}
OUT_DIR = ROOT / "bench" / "out"
CHECKS = ("topic", "follow_up_topic", "intent", "emergency", "emergency_persists", "false_alarm", "risk_false_alarm",
          "handoff", "reply_language", "reply_language_strict", "consent", "consent_collision", "story_slots", "flow",
          "first_turn_brief")
INFORMATIONAL = {"reply_language_strict"}  # reported, not part of "entirely right"
MUTUALLY_INTELLIGIBLE = {"en": {"pcm"}, "pcm": {"en"}}
FIRST_TURN_MAX_MESSAGES, FIRST_TURN_MAX_CHARS = 3, 700
TARGETS = {"topic": 0.90, "follow_up_topic": 0.85, "emergency": 1.0, "reply_language": 0.98}
# an intent expectation is met by what the assistant did, not only by the intent's name
INTENT_ALIASES = {"noise": {"noise"}, "human_handoff": {"human_handoff"}}


@dataclass
class Conversation:
    id: str
    language: str
    style: str
    turns: List[Dict[str, Any]]


@dataclass
class Outcome:
    results: Dict[str, List[bool]] = field(default_factory=lambda: defaultdict(list))
    failures: List[Dict[str, Any]] = field(default_factory=list)
    turns: List[Dict[str, Any]] = field(default_factory=list)  # every turn, passed or not, in order


def load_conversations(folder: Path = CONVERSATIONS_DIR, languages: Optional[List[str]] = None) -> List[Conversation]:
    conversations: List[Conversation] = []
    for path in sorted(folder.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("conversations") or ():
            language = str(item.get("language") or path.stem)
            if languages and language not in languages:
                continue
            turns = [{"text": str(t.get("text") or ""), "expect": t.get("expect") or {}} for t in item.get("turns") or ()]
            conversations.append(Conversation(str(item["id"]), language, str(item.get("style") or ""), turns))
    return conversations


def _as_list(value: Any) -> List[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _has_letters(text: str) -> bool:
    return sum(1 for c in text if c.isalpha()) >= 2


def judge_turn(conversation: Conversation, index: int, turn: Dict[str, Any], in_emergency: bool,
               seen_text: bool, in_flow: bool = False, topic_labels: bool = False) -> Dict[str, bool]:
    """Check name -> passed, for the checks that apply to this turn."""
    expect = conversation.turns[index]["expect"]
    checks: Dict[str, bool] = {}
    if index == 0:
        messages = turn.get("messages") or ()
        checks["first_turn_brief"] = len(messages) <= FIRST_TURN_MAX_MESSAGES and \
            sum(len(m) for m in messages) <= FIRST_TURN_MAX_CHARS
    urgent = turn.get("case_priority") == "urgent"
    handled_as_emergency = urgent or bool(turn.get("emergency"))
    if in_emergency:
        # once danger was recognised, every later turn stays with the people alerted
        checks["emergency_persists"] = handled_as_emergency and not _shows_menu_or_consent(turn)
        if expect.get("emergency"):
            checks["emergency"] = handled_as_emergency
        return checks
    if expect.get("emergency"):
        checks["emergency"] = urgent
        return checks
    checks["false_alarm"] = not urgent  # "passed" = no false alarm
    if expect.get("risk_question"):
        checks["risk_false_alarm"] = not urgent  # a question about a risk stays information
    topics, answers = _as_list(expect.get("topic")), _as_list(expect.get("answers"))
    if topics or answers:
        name = "follow_up_topic" if expect.get("follow_up") else "topic"
        if answers and not topic_labels:
            checks[name] = turn.get("answer") in answers
        else:  # the writers' topic labels: a specific entry counts for its topic
            checks[name] = bool(turn.get("answer")) and (turn.get("answer") in topics or turn.get("topic") in topics)
    intent = expect.get("intent")
    if intent == "human_handoff" or expect.get("handoff") or expect.get("menu") == "handoff":
        checks["handoff"] = bool(turn.get("handoff"))
    elif intent and in_flow and intent in ("affirm", "deny"):
        # an answer to the flow's yes/no question: taken by the flow, which goes on (or ends)
        checks["flow"] = turn.get("intent") == intent or turn.get("form") is not None or not turn.get("answer")
    elif intent:
        allowed = INTENT_ALIASES.get(intent, {intent})
        checks["intent"] = turn.get("intent") in allowed
    consent = expect.get("consent")  # YAML reads an unquoted yes/no as True/False
    if consent is not None:
        checks["consent"] = turn.get("consent") == ("given" if str(consent) in ("yes", "True", "true") else "declined")
    elif turn.get("consent"):
        checks["consent_collision"] = False  # something that was not a consent answer was taken as one
    elif expect.get("menu"):
        checks["consent_collision"] = True
    for slot in ("host_country", "nationality"):
        wanted = expect.get(slot) or (expect.get("slot") or {}).get(slot)
        if wanted:
            checks["story_slots" if not expect.get("slot") else "flow"] = turn.get(slot) == wanted
    if expect.get("flow"):
        checks["flow"] = turn.get("form") == f"{expect['flow']}_form"
    if seen_text:
        wanted_language = expect.get("language") or conversation.language
        got = turn.get("language")
        checks["reply_language_strict"] = got == wanted_language
        checks["reply_language"] = got == wanted_language or got in MUTUALLY_INTELLIGIBLE.get(wanted_language, ())
    return checks


def _shows_menu_or_consent(turn: Dict[str, Any]) -> bool:
    text = "\n".join(turn.get("messages") or ())
    return "\n1. " in text or "\n\n1." in text or len(turn.get("messages") or ()) > 2


async def run(conversations: List[Conversation], progress: bool = True,
              topic_labels: bool = False) -> Tuple[Dict[str, Outcome], Dict[str, List[bool]]]:
    from bot.ask import Assistant

    assistant = Assistant.load()
    outcomes: Dict[str, Outcome] = defaultdict(Outcome)
    whole: Dict[str, List[bool]] = defaultdict(list)
    state = {c.id: {"ok": True, "emergency": False, "seen_text": False, "form": None} for c in conversations}
    total = sum(len(c.turns) for c in conversations)
    bar = _progress(total, progress)
    longest = max((len(c.turns) for c in conversations), default=0)
    for index in range(longest):  # interleaved: turn 1 of every conversation, then turn 2, ...
        for conversation in conversations:
            if index >= len(conversation.turns):
                continue
            text = conversation.turns[index]["text"]
            turn = _turn_dict(await assistant.send(text, f"eval-{conversation.id}"))
            status = state[conversation.id]
            status["seen_text"] = status["seen_text"] or _has_letters(text)
            checks = judge_turn(conversation, index, turn, status["emergency"], status["seen_text"], bool(status["form"]),
                                topic_labels)
            status["form"] = turn.get("form")
            outcome = outcomes[conversation.language]
            for name, passed in checks.items():
                outcome.results[name].append(passed)
            failed = [name for name, passed in checks.items() if not passed]
            if set(failed) - INFORMATIONAL:
                status["ok"] = False
            record = {"conversation": conversation.id, "turn": index + 1, "text": text,
                      "failed": failed, "expect": conversation.turns[index]["expect"],
                      "got": {k: turn.get(k) for k in ("intent", "answer", "language", "handoff",
                                                      "case_priority", "consent", "host_country",
                                                      "nationality", "form", "emergency")},
                      "messages": [m[:160] for m in turn.get("messages") or ()]}
            outcome.turns.append(record)
            if failed:
                outcome.failures.append(record)

            if checks.get("emergency") or turn.get("case_priority") == "urgent":
                status["emergency"] = True
            bar.update(1)
    bar.close()
    for conversation in conversations:
        whole[conversation.language].append(state[conversation.id]["ok"])
    return outcomes, whole


def _turn_dict(turn: Any) -> Dict[str, Any]:
    from dataclasses import asdict

    return asdict(turn)


def _progress(total: int, enabled: bool):
    try:
        from tqdm import tqdm

        return tqdm(total=total, desc="turns", disable=not enabled, file=sys.stderr)
    except ImportError:  # pragma: no cover - tqdm comes with Rasa
        class _Silent:
            def update(self, _n: int) -> None: ...
            def close(self) -> None: ...
        return _Silent()


def _rate(values: List[bool]) -> str:
    if not values:
        return "–"
    return f"{100.0 * sum(values) / len(values):.1f} % ({sum(values)}/{len(values)})"


def report(outcomes: Dict[str, Outcome], whole: Dict[str, List[bool]], folder: Path = CONVERSATIONS_DIR) -> str:
    languages = sorted(outcomes)
    header = ["check", *languages, "all"]
    rows = []
    for check in CHECKS:
        cells = []
        for language in languages:
            cells.append(_rate(outcomes[language].results.get(check, [])))
        everything = [v for language in languages for v in outcomes[language].results.get(check, [])]
        label = {"false_alarm": "no false alarm (any turn)", "risk_false_alarm": "no false alarm on risk questions"}.get(check, check)
        if check == "consent_collision":
            label = "no consent collision"
        rows.append([label, *cells, _rate(everything)])
    all_whole = [v for language in languages for v in whole[language]]
    rows.append(["**conversations entirely right**", *[_rate(whole[language]) for language in languages], _rate(all_whole)])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    conversations = sum(len(whole[language]) for language in languages)
    intro = (f"{conversations} conversations in {len(languages)} languages ({folder.relative_to(ROOT)}/, never trained on); "
             f"cells: share passed (passed/checked). Targets: topic ≥ 90 %, follow-ups ≥ 85 %, emergency recall "
             f"100 %, false alarms ≤ 3 %, reply language ≥ 98 %, conversations entirely right ≥ 80 %.")
    return intro + "\n\n" + "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="*", help="only these languages")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--dev", action="store_true",
                        help="the tuning set (bench/conversations_dev/) instead of the held-out test set")
    parser.add_argument("--set", choices=sorted(SETS), dest="set_name",
                        help="which set: test (held-out, the default), dev, dev2 ... dev7 (the tuning sets; dev4: guided flows)")
    parser.add_argument("--topic-labels", action="store_true",
                        help="judge topics by the writers' topic labels only (as before the `answers` labels)")
    args = parser.parse_args(argv)
    from bot.ask import _quiet_libraries

    _quiet_libraries()
    set_name = args.set_name or ("dev" if args.dev else "test")
    folder = SETS[set_name]
    suffix = "" if set_name == "test" else f"_{set_name}"
    conversations = load_conversations(folder, languages=args.languages)
    if not conversations:
        print(f"no conversations in {folder}", file=sys.stderr)
        return 1
    outcomes, whole = asyncio.run(run(conversations, progress=not args.quiet, topic_labels=args.topic_labels))
    table = report(outcomes, whole, folder)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"conversation_eval{suffix}.md").write_text("# Conversation benchmark\n\n" + table, encoding="utf-8")
    with (OUT_DIR / f"conversation_failures{suffix}.jsonl").open("w", encoding="utf-8") as handle:
        for language in sorted(outcomes):
            for failure in outcomes[language].failures:
                handle.write(json.dumps(failure, ensure_ascii=False) + "\n")
    # every turn in conversation order, to read a failure in its context
    with (OUT_DIR / f"conversation_turns{suffix}.jsonl").open("w", encoding="utf-8") as handle:
        for language in sorted(outcomes):
            for record in sorted(outcomes[language].turns, key=lambda r: (r["conversation"], r["turn"])):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
