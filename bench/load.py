"""`python -m bench.load`: the real stack under concurrent migrants, with or without a fault.

    python -m bench.load [--migrants 20] [--turns 5] [--postgres] [--replicas 1|2] [--kill]
                         [--fault none|action-server|rasa-server|database|redis|all]
                         [--launcher bot|rasa] [--compare-launchers]

Separate processes on 127.0.0.1 (bench/load_stack.py): the action server, the Rasa server (a
private copy of the trained model; deploy/credentials.production.yml: the Telegram and WhatsApp
channels, pointed at the fake platform APIs of testing/, which run in a process of their
own), the tracker
store on SQLite (default) or on a database created for the run on the local PostgreSQL
(`--postgres`, reached through a TCP proxy so the database fault never touches the shared
server), and this process playing the migrants (bench/load_migrants.py): N at once, each a
multi-turn conversation in one of nine languages, through signed Twilio webhooks and Telegram
updates with the secret header, delivered and re-delivered the way each platform does.
`--replicas 2` runs two Rasa servers behind a TCP load balancer, on PostgreSQL with the Redis
lock store (endpoints.production.yml's set-up).

Faults, injected once `--fault-at` of the turns are answered, right after the next webhook is
acknowledged (so at least one message is in the assistant's hands):
  action-server  the action server is stopped (SIGTERM, or SIGKILL with --kill) and started again;
  rasa-server    the (first) Rasa server likewise;
  database       the database is unavailable for --down-seconds: PostgreSQL: the proxy refuses
                 new connections and cuts the open ones; SQLite: another process holds an
                 exclusive lock on both database files (the project's and the tracker's);
  redis          (implies --replicas 2) Redis, which holds the conversation locks, likewise.

Reports replies per second, reply latency p50/p95/p99 (webhook sent → first reply accepted by
the fake API), each process's resident memory, the CPU milliseconds per turn of the Rasa
server(s) and the action server (user + system time from /proc over the measured phase, divided
by its turns), and the turns that were answered, answered only
after the migrant re-sent on `try_again`, answered wrongly, lost (no expected reply within
--reply-timeout) or duplicated. Prints a table; keeps every configuration's latest figures in
bench/out/load.json and writes them all to bench/out/load.md.

Rasa is started as `make run` starts it, `python -m bot.rasa_server run` (rasa_extensions/action_validation.py:
action server responses validated against a schema compiled once); `--launcher rasa` starts
Rasa's own `rasa run` instead, and `--compare-launchers` runs each configuration both ways in
one invocation and prints the CPU per turn before and after, and whether the replies are the same.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import bot  # noqa: F401  (environment defaults)
from bench import load_stack as stack
from bench.load_migrants import (
    LANGUAGES, Inbox, Judge, Platforms, Turn, converse, duplicates, migrants, record_reference, script,
    try_again_texts, unexpected,
)
from bench.load_report import OUT_DIR, label, print_comparison, print_result, write_markdown
from core.paths import ROOT
FAULTS = ["none", "action-server", "rasa-server", "database", "redis"]
OUTCOMES = ["ok", "try_again_then_ok", "try_again", "wrong", "lost", "undelivered"]


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# -- faults ------------------------------------------------------------------------------------
class SqliteLock:
    """Holds an exclusive lock on SQLite files from another thread, as a stuck writer would."""

    def __init__(self, paths: List[Path]) -> None:
        self.paths = paths

    def hold(self, seconds: float) -> None:
        connections = []
        try:
            for path in self.paths:
                connection = sqlite3.connect(str(path), timeout=30, isolation_level=None)
                connection.execute("BEGIN EXCLUSIVE")
                connections.append(connection)
            time.sleep(seconds)
        finally:
            for connection in connections:
                connection.execute("ROLLBACK")
                connection.close()


class Run:
    """One configuration: builds the stack, plays the migrants, injects the fault, tears down."""

    def __init__(self, args: argparse.Namespace, fault: str) -> None:
        self.args, self.fault = args, fault
        self.workdir = Path(tempfile.mkdtemp(prefix=f"load_{fault}_"))
        self.services: List[stack.Service] = []
        self.rasa: List[stack.Service] = []
        self.pg_database: Optional[str] = None
        self.pg_proxy: Optional[stack.Service] = None
        self.redis_proxy: Optional[stack.Service] = None
        self.redis_prefix: Optional[str] = None
        self.sqlite_files: List[Path] = []
        self.timeline: Dict[str, float] = {}
        self.t0 = 0.0

    # -- set-up ------------------------------------------------------------------------------
    def build(self) -> None:
        args = self.args
        model = stack.copy_model(self.workdir, Path(args.model) if args.model else None)
        platforms = stack.platforms(self.workdir, args.api_latency)
        self.services.append(platforms.start())
        self.apis = stack.platform_settings(platforms.line)
        if args.postgres:
            self.pg_database = stack.create_postgres_database("load")
            self.pg_proxy = stack.proxy(self.workdir, "postgres proxy", [stack.postgres_address()])
            self.services.append(self.pg_proxy.start())
            pg_port = int(self.pg_proxy.line.split()[1])
            database_url = stack.postgres_url(self.pg_database, pg_port)
            tracker = stack.postgres_tracker(self.pg_database, pg_port)
        else:
            database_url = f"sqlite:///{self.workdir / 'assistant.db'}"
            tracker = stack.sqlite_tracker(self.workdir / "rasa_tracker.db")
            self.sqlite_files = [self.workdir / "assistant.db", self.workdir / "rasa_tracker.db"]
        from core.db import upgrade

        upgrade(database_url)  # what the migrations job does before the servers start
        lock_store = None
        if args.replicas > 1:
            self.redis_prefix = f"load{uuid.uuid4().hex[:10]}"
            self.redis_proxy = stack.proxy(self.workdir, "redis proxy", [f"{stack.REDIS_HOST}:{stack.REDIS_PORT}"])
            self.services.append(self.redis_proxy.start())
            lock_store = stack.redis_lock_store(self.redis_prefix, port=int(self.redis_proxy.line.split()[1]))
        action_port = stack.free_port()
        rasa_ports = [stack.free_port() for _ in range(args.replicas)]
        balancer_port = stack.free_port() if args.replicas > 1 else None
        self.public_url = f"http://127.0.0.1:{balancer_port or rasa_ports[0]}"
        endpoints = stack.write_endpoints(self.workdir / "endpoints.yml", action_port, tracker, lock_store)
        credentials = ROOT / "deploy" / "credentials.production.yml"  # the channels read the environment
        from testing.harness import TELEGRAM_SECRET, TEMPLATE_SID, TWILIO_FROM

        env = {**os.environ, **stack.BASE_ENV, "DATABASE_URL": database_url, "PSEUDONYM_KEY": "load-bench-pseudonym-key-32-characters-long",
               "TELEGRAM_BOT_TOKEN": self.apis["token"], "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
               "TELEGRAM_API_BASE_URL": self.apis["telegram"], "TWILIO_ACCOUNT_SID": self.apis["account_sid"],
               "TWILIO_AUTH_TOKEN": self.apis["auth_token"], "TWILIO_WHATSAPP_FROM": TWILIO_FROM,
               "TWILIO_PUBLIC_URL": self.public_url, "TWILIO_TEMPLATE_SID": TEMPLATE_SID,
               "TWILIO_API_BASE_URL": self.apis["twilio"]}
        self.actions = stack.action_server(self.workdir, action_port, env)
        self.services.append(self.actions.start())
        for number, port in enumerate(rasa_ports, start=1):
            name = "rasa server" if args.replicas == 1 else f"rasa server {number}"
            service = stack.rasa_server(self.workdir, name, port, model, endpoints, credentials, env, args.launcher)
            service.spawn()  # replicas load their models at the same time
            self.rasa.append(service)
            self.services.append(service)
        for service in self.rasa:
            service.wait_ready()
        if balancer_port:
            balancer = stack.proxy(self.workdir, "load balancer", [f"127.0.0.1:{p}" for p in rasa_ports], balancer_port)
            self.services.append(balancer.start())

    def teardown(self) -> None:
        for service in reversed(self.services):  # Rasa first (its channels finish their queues), platforms last
            try:
                service.stop(graceful=True)
            except Exception as error:  # noqa: BLE001
                print(f"  could not stop {service.name}: {error}", file=sys.stderr)
        if self.pg_database:
            stack.drop_postgres_database(self.pg_database)
        if self.redis_prefix:
            stack.delete_redis_keys(self.redis_prefix)

    # -- fault -------------------------------------------------------------------------------
    def inject(self) -> str:
        """Blocking (runs in a thread): the fault and the recovery; returns a description."""
        args, graceful = self.args, not self.args.kill
        how = "SIGTERM" if graceful else "SIGKILL"
        self.timeline["fault_start"] = time.perf_counter() - self.t0
        if self.fault == "action-server":
            self.actions.stop(graceful)
            self.timeline["down"] = time.perf_counter() - self.t0
            self.actions.start()
            what = f"action server stopped ({how}) and started again"
        elif self.fault == "rasa-server":
            target = self.rasa[0]
            target.stop(graceful)
            self.timeline["down"] = time.perf_counter() - self.t0
            target.start()
            what = f"{target.name} stopped ({how}) and started again"
        elif self.fault == "redis":
            assert self.redis_proxy is not None
            self.redis_proxy.signal(signal.SIGUSR1)
            self.timeline["down"] = time.perf_counter() - self.t0
            time.sleep(args.down_seconds)
            self.redis_proxy.signal(signal.SIGUSR2)
            what = f"Redis unreachable for {args.down_seconds:g} s (proxy refusing and cutting connections)"
        elif self.fault == "database":
            if self.pg_proxy is not None:
                self.pg_proxy.signal(signal.SIGUSR1)
                self.timeline["down"] = time.perf_counter() - self.t0
                time.sleep(args.down_seconds)
                self.pg_proxy.signal(signal.SIGUSR2)
                what = f"PostgreSQL unreachable for {args.down_seconds:g} s (proxy refusing and cutting connections)"
            else:
                holder = threading.Thread(target=SqliteLock(self.sqlite_files).hold, args=(args.down_seconds,))
                holder.start()
                self.timeline["down"] = time.perf_counter() - self.t0
                holder.join()
                what = f"SQLite files exclusively locked for {args.down_seconds:g} s"
        else:
            return "none"
        self.timeline["recovered"] = time.perf_counter() - self.t0
        return what

    # -- the migrants ------------------------------------------------------------------------
    async def play(self) -> Dict[str, Any]:
        import aiohttp

        args = self.args
        inbox = Inbox()
        try_again = try_again_texts()
        connector = aiohttp.TCPConnector(limit=40)  # Telegram's max_connections (python -m bot telegram set-webhook)
        async with aiohttp.ClientSession(connector=connector) as session, aiohttp.ClientSession() as control:
            seen = 0

            async def watch() -> None:
                nonlocal seen
                while True:
                    try:
                        async with control.get(f"{self.apis['control']}/replies", params={"since": seen}) as response:
                            arrived = await response.json()
                    except aiohttp.ClientError:
                        await asyncio.sleep(0.1)
                        continue
                    seen += len(arrived)
                    for address, text, at in arrived:
                        inbox.add(address, text, at)
                    await asyncio.sleep(0.01)

            watcher = asyncio.ensure_future(watch())
            platforms = Platforms(session, self.public_url, self.apis,
                                  telegram_retry_seconds=args.telegram_retry_seconds)
            run_tag = int(time.time()) % 1000
            # The expected replies (and the warm-up: each channel's first webhook creates its clients).
            reference_people = migrants(2 * len(LANGUAGES), run_tag, first=5000, every_pair=True)
            reference = await record_reference(reference_people, args.turns, platforms, inbox)
            judge = Judge(reference, try_again)
            people = migrants(args.migrants, run_tag)
            results: List[Turn] = []
            progress = asyncio.Event()
            total_turns = len(people) * len(script("en", args.turns))
            fault_task: Optional[asyncio.Future] = None
            fault_description = "none"

            async def fault_when_due() -> None:
                nonlocal fault_description
                while sum(1 for t in results if t.outcome) < args.fault_at * total_turns:
                    progress.clear()
                    await progress.wait()
                platforms.acked.clear()  # strike while a message is in the assistant's hands
                await platforms.acked.wait()
                fault_description = await asyncio.to_thread(self.inject)

            self.t0 = time.perf_counter()
            cpu_before = self.cpu()
            load_before = os.getloadavg()[0]
            replies_before = sum(len(inbox.by_address.get(m.address, [])) for m in people)
            if self.fault != "none":
                fault_task = asyncio.ensure_future(fault_when_due())
            await asyncio.gather(*(converse(m, script(m.language, args.turns), platforms, inbox, judge, results,
                                            args.reply_timeout, args.think, args.resend_after, progress)
                                   for m in people))
            finished = time.perf_counter()
            cpu_after = self.cpu()
            if fault_task is not None:
                await fault_task
            await asyncio.sleep(args.grace)  # late deliveries still count as duplicates
            watcher.cancel()
        duration = finished - self.t0
        replies = sum(len(inbox.by_address.get(m.address, [])) for m in people) - replies_before
        latencies = [t.first_reply_latency for t in results if t.first_reply_latency is not None]
        dup_count, dup_examples = duplicates(inbox, people, results, judge)
        unexpected_count, unexpected_examples = unexpected(inbox, people, judge)
        outcomes = {name: sum(1 for t in results if t.outcome == name) for name in OUTCOMES}
        cpu_ms_per_turn = {  # only for a process that ran the whole measured phase (no restart)
            name: round(1000 * (cpu_after[name][1] - seconds) / max(1, len(results)), 1)
            if cpu_after.get(name, (None,))[0] == pid else None
            for name, (pid, seconds) in cpu_before.items()}
        reference_sha = hashlib.sha256(json.dumps(sorted((list(k), v) for k, v in reference.items()),
                                                  ensure_ascii=False).encode()).hexdigest()[:16]
        return {
            "cpu_ms_per_turn": cpu_ms_per_turn, "reference_sha": reference_sha, "launcher": args.launcher,
            "turns": len(results), "outcomes": outcomes, "duplicated": dup_count, "duplicate_examples": dup_examples,
            "unexpected": unexpected_count, "unexpected_examples": unexpected_examples, "replies": replies,
            "seconds": round(duration, 1), "replies_per_second": round(replies / duration, 2),
            "turns_per_second": round(len(results) / duration, 2),
            "p50_ms": round(1000 * percentile(latencies, 0.50)), "p95_ms": round(1000 * percentile(latencies, 0.95)),
            "p99_ms": round(1000 * percentile(latencies, 0.99)), "max_ms": round(1000 * max(latencies, default=0)),
            "resends": sum(t.resends for t in results),
            "webhook_retries": sum(t.webhook_attempts for t in results)
            - sum(1 + t.resends + t.resent_after_silence for t in results),
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "fault": fault_description, "timeline": {k: round(v, 1) for k, v in self.timeline.items()},
            "problems": [
                {"migrant": t.migrant, "language": t.language, "channel": t.channel, "turn": t.index,
                 "text": t.text, "outcome": t.outcome, "received": [r[:80] for r in t.received]}
                for t in results if t.outcome not in ("ok",)][:40],
        }

    def cpu(self) -> Dict[str, Any]:
        """(pid, CPU seconds so far) of the Rasa server(s) and the action server."""
        return {s.name: (s.pid, s.cpu_seconds()) for s in [*self.rasa, self.actions]}

    def execute(self) -> Dict[str, Any]:
        started = time.perf_counter()
        try:
            self.build()
            sampler = stack.Sampler(self.services)
            sampler.start()
            figures = asyncio.run(self.play())
            sampler.stop()
            sampler.sample()
        except BaseException:
            print(f"  logs kept in {self.workdir}", file=sys.stderr)
            self.args.keep = True
            raise
        finally:
            self.teardown()
            if not self.args.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)
        memory = {s.name: {"peak_mb": round(s.peak_rss_kb / 1024), "end_mb": round(s.last_rss_kb / 1024)}
                  for s in self.services + [sampler.me]}
        startup = {s.name: [round(x, 1) for x in s.started_in] for s in self.services if s.started_in}
        return {**figures, "memory": memory, "startup_seconds": startup,
                "wall_seconds": round(time.perf_counter() - started)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--migrants", type=int, default=20)
    parser.add_argument("--turns", type=int, default=5, help="per conversation, 2-6 (the last is thanks)")
    parser.add_argument("--fault", choices=FAULTS + ["all"], default="none")
    parser.add_argument("--postgres", action="store_true", help="tracker store and project database on PostgreSQL")
    parser.add_argument("--replicas", type=int, default=1, choices=[1, 2], help="2: PostgreSQL + Redis lock store")
    parser.add_argument("--kill", action="store_true", help="restart faults kill (SIGKILL) instead of SIGTERM")
    parser.add_argument("--down-seconds", type=float, default=5.0, help="how long the database / Redis is unavailable")
    parser.add_argument("--fault-at", type=float, default=0.3, help="fraction of turns answered before the fault")
    parser.add_argument("--reply-timeout", type=float, default=60.0, help="seconds before a reply counts as lost")
    parser.add_argument("--think", type=float, default=None,
                        help="mean seconds a migrant waits before writing again (default 0.5 without a fault: "
                             "throughput; 4 with one, so that conversations are still going on when the "
                             "restarted process is back)")
    parser.add_argument("--resend-after", type=float, default=2.0, help="seconds before re-sending after try_again")
    parser.add_argument("--telegram-retry-seconds", type=float, default=300.0)
    parser.add_argument("--api-latency", type=float, default=0.02, help="seconds each fake API takes per send")
    parser.add_argument("--grace", type=float, default=3.0, help="seconds to wait for late duplicates at the end")
    parser.add_argument("--model", help="trained model (default: the newest in models/; a private copy is used)")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs, databases)")
    parser.add_argument("--launcher", choices=["bot", "rasa"], default="bot",
                        help="start Rasa with python -m bot.rasa_server (default, as make run) or Rasa's own rasa run")
    parser.add_argument("--compare-launchers", action="store_true",
                        help="run each configuration with `rasa run` first, then python -m bot.rasa_server, and "
                             "compare CPU per turn and replies")
    args = parser.parse_args(argv)
    args.migrants = max(1, min(args.migrants, 200))  # bounded: a loopback bench
    args.turns = max(2, min(args.turns, 6))
    if args.fault == "redis":
        args.replicas = 2  # Redis only serves the lock store of several servers
    if args.replicas > 1:
        args.postgres = True
    problems = [p for p in ([stack.postgres_reachable()] if args.postgres else []) +
                ([stack.redis_reachable()] if args.replicas > 1 else []) if p]
    if problems:
        raise SystemExit("Not reachable: " + "; ".join(problems))
    faults = [f for f in FAULTS if f != "redis" or args.replicas > 1] if args.fault == "all" else [args.fault]
    think = args.think
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    store_path = OUT_DIR / "load.json"
    saved: Dict[str, Any] = json.loads(store_path.read_text()) if store_path.exists() else {}
    print(f"{args.migrants} migrants × {len(script('en', args.turns))} turns, Telegram + WhatsApp, "
          f"{len(LANGUAGES)} languages; {os.cpu_count()} CPUs")
    clean = True
    launchers = ["rasa", "bot"] if args.compare_launchers else [args.launcher]
    for fault in faults:
        args.think = think if think is not None else (0.5 if fault == "none" else 4.0)
        compared: Dict[str, Dict[str, Any]] = {}
        for launcher in launchers:
            args.launcher = launcher
            name = label(args, fault)
            print(f"\n== {name}: starting the stack ...", flush=True)
            result = Run(args, fault).execute()
            result["when"] = time.strftime("%Y-%m-%d %H:%M")
            saved[name] = result
            store_path.write_text(json.dumps(saved, indent=2, ensure_ascii=False))
            print_result(name, result)
            o = result["outcomes"]
            clean &= o["lost"] + o["undelivered"] + o["wrong"] + result["duplicated"] == 0
            compared[launcher] = result
        if len(compared) == 2:
            print_comparison(compared["rasa"], compared["bot"])
    print(f"\nwritten: {write_markdown(saved)}")
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
