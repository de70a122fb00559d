"""`python -m bench.webhook_ack`: how fast the channels acknowledge webhooks, and answer.

Three processes on 127.0.0.1, so that no process's work shows up in another's timings:
  server:    the real Telegram and WhatsApp channels in a sanic server, as Rasa mounts them,
             with a stub in Rasa's place (--bot-delay seconds per message) and a temporary
             SQLite database;
  platforms: the fake Telegram Bot API and Twilio Messages API that receive the replies
             (--api-latency seconds per send); they note when each reply arrives;
  this one:  sends the signed webhooks, up to 40 connections at a time (Telegram's
             max_connections as set by `python -m bot telegram set-webhook`).
--senders users per channel (default 20) each send --messages messages (default 10):
  conversation: each user waits for the answer before writing again;
  burst:        each user sends all messages at once (acknowledgements under pressure; the
                answers queue per user, so their latency includes the wait in that queue).
Ack latency: request headers on the wire → response (aiohttp trace). End-to-end: headers on
the wire → reply at the fake API (both from the system's monotonic clock). Target ack p99 < 50 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import bot  # noqa: F401  (environment defaults)
from core.paths import ROOT

OUT = ROOT / "bench" / "out" / "webhook_ack.json"
ACK_TARGET_MS = 50.0
CONNECTIONS = 40


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


async def _until_signalled() -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()


# -- process 1: the channel server -------------------------------------------------------------
async def serve(port: int, bot_delay: float) -> None:
    from core.db import make_engine
    from core.settings import get_settings
    from channels import base
    from delivery.store import ChannelStore
    from testing.harness import Harness, StubBot

    base._heap_frozen = False  # this process is a channel server: behave like one (the harness is for tests)

    store = ChannelStore(make_engine(get_settings().database_url))
    # True instead of fake objects: the fakes live in another process; the channels only need
    # their URLs, which are in the environment.
    harness = Harness(store, StubBot(delay=bot_delay), telegram_fake=True, twilio_fake=True, port=port)
    await harness.start()
    print("READY", flush=True)
    await _until_signalled()
    await harness.stop()


# -- process 2: the platforms' APIs -----------------------------------------------------------
async def platforms(api_latency: float) -> None:
    from bench.load_platforms import serve_platforms

    # every message ends in a token that the stub bot echoes back: record [token, monotonic time]
    await serve_platforms(api_latency, lambda _platform, _address, text: [text.rsplit(" ", 1)[-1], time.perf_counter()])


# -- process 3 (this one): the webhooks --------------------------------------------------------
class Run:
    """One channel and phase; every message ends in a token that the stub echoes back."""

    def __init__(self, send: Callable[[int, str, Dict[str, float]], Any]) -> None:
        self.send = send
        self.acks: List[float] = []
        self.replies: List[float] = []
        self.timing: Dict[str, Dict[str, float]] = {}
        self.waiting: Dict[str, asyncio.Event] = {}
        self.errors = 0

    def arrived(self, token: str, at: float) -> None:
        if token in self.timing and not self.waiting[token].is_set():
            self.replies.append(at - self.timing[token]["sent"])
            self.waiting[token].set()

    async def message(self, user: int, number: int, wait_reply: bool) -> None:
        token = f"m{user}x{number}"
        self.waiting[token] = asyncio.Event()
        timing = self.timing[token] = {}
        status = await self.send(user, f"question {token}", timing)
        self.acks.append(timing["acked"] - timing["sent"])
        if status != 200:
            self.errors += 1
        elif wait_reply:
            await asyncio.wait_for(self.waiting[token].wait(), 60)

    async def user(self, user: int, messages: int, burst: bool) -> None:
        if burst:
            await asyncio.gather(*(self.message(user, n, False) for n in range(messages)))
        else:
            for n in range(messages):
                await self.message(user, n, True)


def _tracing() -> Any:
    import aiohttp

    async def sent(_session: Any, context: Any, _params: Any) -> None:
        context.trace_request_ctx["sent"] = time.perf_counter()

    async def acked(_session: Any, context: Any, _params: Any) -> None:
        context.trace_request_ctx["acked"] = time.perf_counter()

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(sent)
    trace.on_request_end.append(acked)
    return trace


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(args: List[str], env: Dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.webhook_ack", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)


async def _first_line(process: subprocess.Popen) -> str:
    line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 120)
    if not line.strip():
        raise SystemExit("a benchmark process did not start")
    return line.strip()


async def bench(senders: int, messages: int, bot_delay: float, api_latency: float) -> List[Dict[str, Any]]:
    import aiohttp
    from twilio.request_validator import RequestValidator

    from core.db import upgrade
    from testing.harness import TELEGRAM_SECRET, TEMPLATE_SID, TWILIO_FROM, telegram_message, twilio_message

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='webhook_ack_')) / 'bench.db'}"
    upgrade(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    fakes = _spawn(["--platforms", "--api-latency", str(api_latency)], env)
    processes = [fakes]
    results: List[Dict[str, Any]] = []
    try:
        apis = json.loads(await _first_line(fakes))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _spawn(["--serve", str(port), "--bot-delay", str(bot_delay)], {
            **env, "DATABASE_URL": url, "PSEUDONYM_KEY": "bench-pseudonym-key-of-32-characters-or-more",
            "TELEGRAM_BOT_TOKEN": apis["token"], "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": apis["telegram"], "TWILIO_ACCOUNT_SID": apis["account_sid"],
            "TWILIO_AUTH_TOKEN": apis["auth_token"], "TWILIO_WHATSAPP_FROM": TWILIO_FROM,
            "TWILIO_PUBLIC_URL": base, "TWILIO_TEMPLATE_SID": TEMPLATE_SID, "TWILIO_API_BASE_URL": apis["twilio"]})
        processes.append(server)
        if await _first_line(server) != "READY":
            raise SystemExit("the channel server did not start")
        validator = RequestValidator(apis["auth_token"])
        async with aiohttp.ClientSession(base, connector=aiohttp.TCPConnector(limit=CONNECTIONS),
                                         trace_configs=[_tracing()]) as client, aiohttp.ClientSession() as control:
            async def telegram_send(user: int, text: str, timing: Dict[str, float]) -> int:
                async with client.post("/webhooks/telegram/webhook", json=telegram_message(700000 + user, text),
                                       headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
                                       trace_request_ctx=timing) as response:
                    await response.read()
                    return response.status

            async def whatsapp_send(user: int, text: str, timing: Dict[str, float]) -> int:
                params = twilio_message(f"+2277{user:07d}", text)
                signature = validator.compute_signature(base + "/webhooks/whatsapp/webhook", params)
                async with client.post("/webhooks/whatsapp/webhook", data=params, trace_request_ctx=timing,
                                       headers={"X-Twilio-Signature": signature}) as response:
                    await response.read()
                    return response.status

            seen = 0
            run: Run | None = None

            async def watch_replies() -> None:
                nonlocal seen
                while True:
                    async with control.get(f"{apis['control']}/replies", params={"since": seen}) as response:
                        arrived = await response.json()
                    seen += len(arrived)
                    for token, at in arrived:
                        if run is not None:
                            run.arrived(token, at)
                    await asyncio.sleep(0.005)

            watcher = asyncio.ensure_future(watch_replies())
            # Warm-up: opens all connections, loads what the first message needs.
            await asyncio.gather(*(send(90_000 + i, "warm-up", {}) for send in (telegram_send, whatsapp_send)
                                   for i in range(CONNECTIONS // 2)))
            await asyncio.sleep(1)
            # This process stands in for Telegram's and Twilio's servers: its own garbage
            # collector pausing (its heap holds alembic, sanic, twilio...) is not our latency.
            gc.collect()
            gc.freeze()
            for channel, send in (("telegram", telegram_send), ("whatsapp", whatsapp_send)):
                for phase, burst in (("conversation", False), ("burst", True)):
                    run = Run(send)
                    started = time.perf_counter()
                    await asyncio.gather(*(run.user(u, messages, burst) for u in range(senders)))
                    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in run.waiting.values())), 120)
                    results.append({
                        "channel": channel, "phase": phase, "messages": len(run.acks), "errors": run.errors,
                        "replies": len(run.replies), "seconds": round(time.perf_counter() - started, 2),
                        "ack_p50_ms": 1000 * percentile(run.acks, 0.50), "ack_p99_ms": 1000 * percentile(run.acks, 0.99),
                        "e2e_p50_ms": 1000 * percentile(run.replies, 0.50), "e2e_p99_ms": 1000 * percentile(run.replies, 0.99),
                    })
            watcher.cancel()
    finally:
        for process in reversed(processes):  # only the processes this benchmark started
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 30)
    return results


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_ack", description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10, help="per sender and phase (at most 100)")
    parser.add_argument("--bot-delay", type=float, default=0.05, help="seconds the stub assistant takes per message")
    parser.add_argument("--api-latency", type=float, default=0.02, help="seconds the fake APIs take per send")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)      # child: channel server
    parser.add_argument("--platforms", action="store_true", help=argparse.SUPPRESS)      # child: fake APIs
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.bot_delay))
        return 0
    if args.platforms:
        asyncio.run(platforms(args.api_latency))
        return 0
    senders, messages = min(args.senders, 200), min(args.messages, 100)  # bounded: a loopback bench, not a load test
    results = asyncio.run(bench(senders, messages, args.bot_delay, args.api_latency))
    print(f"{senders} senders x {messages} messages per channel and phase; stub assistant {args.bot_delay * 1000:.0f} ms, "
          f"fake API {args.api_latency * 1000:.0f} ms per send; loopback, SQLite; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'channel':9} {'phase':13} {'msgs':>5} {'err':>4} {'ack p50':>9} {'ack p99':>9} {'e2e p50':>9} {'e2e p99':>9}")
    for r in results:
        print(f"{r['channel']:9} {r['phase']:13} {r['messages']:5d} {r['errors']:4d} {r['ack_p50_ms']:7.1f}ms "
              f"{r['ack_p99_ms']:7.1f}ms {r['e2e_p50_ms']:7.1f}ms {r['e2e_p99_ms']:7.1f}ms")
    worst = max(r["ack_p99_ms"] for r in results)
    complete = all(r["errors"] == 0 and r["replies"] == r["messages"] for r in results)
    print(f"ack p99 target < {ACK_TARGET_MS:.0f} ms: {'met' if worst < ACK_TARGET_MS else 'NOT met'} (worst {worst:.1f} ms); "
          f"every message answered: {'yes' if complete else 'NO'}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    return 0 if worst < ACK_TARGET_MS and complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
