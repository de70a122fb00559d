"""What `python -m bench.load` prints and writes: one run's figures, two launchers compared, and
bench/out/load.md over every saved run."""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Dict

from core.paths import ROOT

OUT_DIR = ROOT / "bench" / "out"


def label(args: argparse.Namespace, fault: str) -> str:
    store = "PostgreSQL" if args.postgres else "SQLite"
    replicas = f", {args.replicas} Rasa replicas + Redis locks" if args.replicas > 1 else ""
    kill = " (SIGKILL)" if args.kill and fault in ("action-server", "rasa-server") else ""
    launcher = " · `rasa run` (schema checked per call)" if args.launcher == "rasa" else ""
    return f"{fault}{kill} · {store}{replicas} · {args.migrants}×{args.turns}, think {args.think:g} s{launcher}"


def print_result(name: str, r: Dict[str, Any]) -> None:
    o = r["outcomes"]
    print(f"\n{name}")
    print(f"  load average (1 min) before/after: {r.get('load_average')}")
    print(f"  fault: {r['fault']} {r['timeline'] or ''}; webhooks re-sent by the platforms: {r['webhook_retries']}, "
          f"messages re-sent by migrants after try_again: {r['resends']}")
    print(f"  {'turns':>5} {'ok':>4} {'retry→ok':>8} {'try_again':>9} {'wrong':>5} {'lost':>4} {'dup':>4} "
          f"{'replies':>7} {'replies/s':>9} {'p50':>7} {'p95':>7} {'p99':>7}")
    lost = o["lost"] + o["undelivered"]
    print(f"  {r['turns']:5d} {o['ok']:4d} {o['try_again_then_ok']:8d} {o['try_again']:9d} {o['wrong']:5d} {lost:4d} "
          f"{r['duplicated']:4d} {r['replies']:7d} {r['replies_per_second']:9.2f} {r['p50_ms']:5d}ms {r['p95_ms']:5d}ms "
          f"{r['p99_ms']:5d}ms")
    print("  memory (RSS peak / end): " + "; ".join(f"{k} {v['peak_mb']}/{v['end_mb']} MB" for k, v in r["memory"].items()))
    print("  CPU per turn: " + "; ".join(f"{k} {'-' if v is None else f'{v:.1f} ms'}"
                                         for k, v in r.get("cpu_ms_per_turn", {}).items()))
    for problem in r["problems"][:8]:
        print(f"  - migrant {problem['migrant']} ({problem['language']}, {problem['channel']}) turn {problem['turn']}: "
              f"{problem['outcome']} {problem['received'][:2]}")


def print_comparison(before: Dict[str, Any], after: Dict[str, Any]) -> None:
    """`rasa run` against python -m bot.rasa_server, the same configuration in the same invocation."""
    print("\n  CPU per turn, `rasa run` -> python -m bot.rasa_server:")
    for name, was in before["cpu_ms_per_turn"].items():
        now = after["cpu_ms_per_turn"].get(name)
        change = f" ({100 * (now - was) / was:+.0f} %)" if was and now is not None else ""
        print(f"    {name:16} {was} ms -> {now} ms{change}")
    same = before["reference_sha"] == after["reference_sha"]
    print(f"  replies: {'the same' if same else 'DIFFERENT'} (reference conversations {before['reference_sha']} / "
          f"{after['reference_sha']}; wrong {before['outcomes']['wrong']} / {after['outcomes']['wrong']})")


def write_markdown(results: Dict[str, Dict[str, Any]]) -> Path:
    lines = ["# Load and fault runs (`python -m bench.load`)", "",
             f"Machine: {os.cpu_count()} CPUs; everything on 127.0.0.1 (fake Telegram/Twilio APIs, testing/). "
             "Latency: webhook sent → first reply accepted by the fake API. `retry→ok`: answered after the migrant "
             "re-sent on the polite `try_again`. `lost`: no expected reply within the time-out (or the platform gave "
             "up delivering the webhook). `dup`: the same reply delivered twice.", "",
             "| run | turns | ok | retry→ok | try_again | wrong | lost | dup | webhooks re-sent | replies/s | p50 | p95 | p99 | RSS peak rasa / actions | fault |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        o = r["outcomes"]
        rasa = max((v["peak_mb"] for k, v in r["memory"].items() if k.startswith("rasa server")), default=0)
        actions = r["memory"].get("action server", {}).get("peak_mb", 0)
        lines.append(
            f"| {name} | {r['turns']} | {o['ok']} | {o['try_again_then_ok']} | {o['try_again']} | {o['wrong']} | "
            f"{o['lost'] + o['undelivered']} | {r['duplicated']} | {r['webhook_retries']} | {r['replies_per_second']:.2f} | {r['p50_ms']} ms | "
            f"{r['p95_ms']} ms | {r['p99_ms']} ms | {rasa} / {actions} MB | {r['fault']} |")
    lines += ["", "Memory of every process (RSS peak / at the end, MB):", ""]
    for name, r in results.items():
        lines.append(f"- {name}: " + "; ".join(f"{k} {v['peak_mb']}/{v['end_mb']}" for k, v in r["memory"].items()))
    lines += ["", "CPU per turn (user + system time of the process over the measured phase, divided by its turns; "
              "'-' where the process was restarted):", ""]
    for name, r in results.items():
        if "cpu_ms_per_turn" in r:
            lines.append(f"- {name}: " + "; ".join(f"{k} {'-' if v is None else f'{v:.1f} ms'}"
                                                   for k, v in r["cpu_ms_per_turn"].items()))
    path = OUT_DIR / "load.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
