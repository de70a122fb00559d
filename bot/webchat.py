"""`python -m bot.webchat`: serve the local web chat (channels/webchat/) on 127.0.0.1:8080
(WEBCHAT_PORT). Local development only; `make run` starts it."""
from __future__ import annotations

from aiohttp import web

from core.settings import WEBCHAT_PORT, exit_if_misconfigured
from channels.webchat.app import create_app


def main() -> None:
    exit_if_misconfigured("web chat")
    web.run_app(create_app(), host="127.0.0.1", port=WEBCHAT_PORT.read(), print=None)


if __name__ == "__main__":
    main()
