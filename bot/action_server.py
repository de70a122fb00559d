"""The action server, reachable only by Rasa: rasa_sdk's app behind a shared secret.

    python -m bot.action_server [--port 5055] [--interface 127.0.0.1] [--actions actions]

rasa_sdk accepts any POST to /webhook: whoever reaches it can post a hand-made tracker with
`next_action: action_handoff` and open a case for an invented sender. Here every request but
GET /health must carry ACTION_SERVER_TOKEN in the X-Action-Token header, which Rasa sends from
the action endpoint's `headers` (endpoints.production.yml; `make run` writes var/endpoints.yml
with a token made for that run). Without a token (or with a short one) the server refuses to
start, in every set-up. It listens on 127.0.0.1 unless told otherwise (a container sets
--interface 0.0.0.0 and relies on the token).
"""
from __future__ import annotations

import argparse
import hmac
import logging
from typing import Optional

from sanic import Sanic, response
from sanic.request import Request

from core.settings import ACTION_SERVER_TOKEN, MissingSecret, exit_if_misconfigured

logger = logging.getLogger(__name__)
TOKEN_HEADER = "X-Action-Token"
TOKEN_ENV = ACTION_SERVER_TOKEN.name
MIN_TOKEN_CHARS = 32
OPEN_PATHS = ("/health",)  # liveness probes carry no token and learn nothing


def required_token(value: Optional[str] = None) -> str:
    token = (ACTION_SERVER_TOKEN.read() if value is None else value).strip()
    if len(token) < MIN_TOKEN_CHARS:
        raise MissingSecret(f"{TOKEN_ENV} must be set to at least {MIN_TOKEN_CHARS} random characters, the same "
                            "value Rasa sends in the action endpoint's X-Action-Token header (deploy/environment.md).")
    return token


def token_matches(sent: Optional[str], token: str) -> bool:
    # constant time: response timing must not reveal how much of a guess was right
    return hmac.compare_digest((sent or "").encode(), token.encode())


def create_app(token: str, actions: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as create_sdk_app

    token = required_token(token)
    app = create_sdk_app(actions, cors_origins=None)  # no CORS: only Rasa calls it, never a browser

    @app.middleware("request")
    async def require_token(request: Request):
        if request.path in OPEN_PATHS and request.method == "GET":
            return None
        if not token_matches(request.headers.get(TOKEN_HEADER), token):
            logger.warning("action server: request without the right %s refused", TOKEN_HEADER)
            return response.json({"error": "forbidden"}, status=403)
        return None

    return app


def main(argv: Optional[list] = None) -> int:
    from rasa_sdk import utils

    parser = argparse.ArgumentParser(prog="python -m bot.action_server", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    exit_if_misconfigured("action server")
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    logging.getLogger("rasa_sdk.executor").setLevel(logging.WARNING)  # not 35 "Registered function" lines
    try:
        app = create_app(ACTION_SERVER_TOKEN.read(), args.actions)
    except MissingSecret as error:
        print(f"action server not started: {error}")
        return 2
    logger.info("action server on http://%s:%s (X-Action-Token required)", args.interface, args.port)
    app.run(args.interface, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    from bot.quiet import quiet_warnings

    quiet_warnings()
    raise SystemExit(main())
