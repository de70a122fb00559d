"""`python -m bot.console_server [--host H] [--port P]`: serve the caseworker console (127.0.0.1:8081).

Bind to 127.0.0.1 and put a TLS reverse proxy in front for remote caseworkers (then set
CONSOLE_COOKIE_SECURE=1); the console itself speaks plain http.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    from aiohttp import web

    from cases import accounts
    from core.db import upgrade
    from core.settings import exit_if_misconfigured
    from console.app import create_app
    from console.config import ConsoleConfig

    exit_if_misconfigured("caseworker console")
    config = ConsoleConfig()
    parser = argparse.ArgumentParser(prog="python -m bot.console_server", description="caseworker console")
    parser.add_argument("--host", default=config.host)
    parser.add_argument("--port", type=int, default=config.port)
    args = parser.parse_args(argv)
    upgrade()  # the case tables must exist before the first request
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    if not accounts.list_all():
        print("No caseworker accounts yet: python -m bot caseworker add NAME --role supervisor", flush=True)
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None,
                print=lambda _: print(f"Caseworker console on http://{args.host}:{args.port}/", flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
