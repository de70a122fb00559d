"""`python -m bench.load_platforms`: the fake Telegram Bot API and Twilio Messages API
(testing/) in a process of their own, noting every reply they accept, for bench/load.py.

First line on stdout: JSON with both base URLs, the credentials the channels must use, and a
control URL whose `GET /replies?since=N` returns the replies accepted since the N-th as
[address, text, time]: address "tg:<chat id>" or "wa:+<number>", time from the system's
monotonic clock (time.perf_counter, comparable across processes on Linux).
"""
from __future__ import annotations

import asyncio
import gc
import json
import signal
import time
from typing import Any, Callable, List

from aiohttp import web


Arrival = Callable[[str, str, str], List[Any]]  # (platform "tg"/"wa", address, text) -> a /replies row


async def serve_platforms(api_latency: float, arrival: Arrival) -> None:
    """The fake Telegram and Twilio APIs plus a /replies endpoint listing what they received.

    Prints their URLs and credentials as one JSON line, then serves until SIGTERM/SIGINT.
    Shared by bench/load and bench/webhook_ack; `arrival` decides what each bench records.
    """
    from testing.telegram_api import FakeTelegramAPI
    from testing.twilio_api import FakeTwilioAPI

    arrivals: List[List[Any]] = []
    telegram_api, twilio_api = FakeTelegramAPI(), FakeTwilioAPI()
    telegram_api.listeners.append(lambda chat, text: arrivals.append(arrival("tg", str(chat), text)))
    twilio_api.listeners.append(
        lambda to, text: arrivals.append(arrival("wa", to.removeprefix("whatsapp:"), text)))
    for fake in (telegram_api, twilio_api):
        fake.latency = api_latency
        await fake.start()

    async def replies(request: web.Request) -> web.Response:  # the client polls what arrived since
        return web.json_response(arrivals[int(request.query.get("since", 0)):])

    app = web.Application()
    app.router.add_get("/replies", replies)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    control = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    gc.collect()
    gc.freeze()  # a stand-in for the platforms: its collector pauses are not the system's latency
    print(json.dumps({"telegram": telegram_api.base_url, "twilio": twilio_api.base_url, "control": control,
                      "token": telegram_api.token, "account_sid": twilio_api.account_sid,
                      "auth_token": twilio_api.auth_token}), flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    # The fakes keep every call; these lists are what the process holds at the end.
    telegram_api.calls.clear()
    twilio_api.requests.clear()
    await runner.cleanup()
    await telegram_api.stop()
    await twilio_api.stop()


async def main(api_latency: float) -> None:
    await serve_platforms(api_latency, lambda platform, address, text: [f"{platform}:{address}", text, time.perf_counter()])


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.load_platforms")
    parser.add_argument("--api-latency", type=float, default=0.02, help="seconds each fake API takes per send")
    asyncio.run(main(parser.parse_args().api_latency))
