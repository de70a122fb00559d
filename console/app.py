"""The caseworker console: an aiohttp app (jinja2 pages, a little vanilla JS).

    create_app(database_url=None, send=None) -> aiohttp.web.Application

`database_url`: the case store (default DATABASE_URL); `send`: async (conversation_id, text,
buttons=None) -> delivery result (cases.delivery.Send), default channels.outbound.send_to_migrant;
tests pass a fake. Serve with `python -m bot.console_server`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from aiohttp import web

from cases import delivery
from channels import outbound
from cases.service import engine_for
from core.db import make_engine
from console import api, auth, insights, media, views
from console.config import ConsoleConfig
from console.middlewares import add_security_headers, unexpected_errors
from core.http import refuse_encoded_bodies
from console.password_checks import PasswordChecks
from console.throttle import LoginThrottle

STATIC = Path(__file__).resolve().parent / "static"


def create_app(database_url: Optional[str] = None, send: Optional[delivery.Send] = None) -> web.Application:
    # Compressed bodies are refused before anything reads them, and never inflated by the
    # parser either (auto_decompress off); the outer middleware only wraps errors.
    app = web.Application(middlewares=[unexpected_errors, refuse_encoded_bodies, auth.gate],
                          client_max_size=256 * 1024, handler_args={"auto_decompress": False})
    app.on_response_prepare.append(add_security_headers)
    app["engine"] = make_engine(database_url) if database_url else engine_for()
    app["send"] = send or outbound.send_to_migrant
    app["config"] = ConsoleConfig()
    app["login_throttle"] = LoginThrottle()
    app["password_checks"] = PasswordChecks()
    app.on_cleanup.append(_stop_password_checks)
    app.add_routes([
        web.get("/login", auth.login_page),
        web.post("/login", auth.login),
        web.post("/logout", auth.logout),
        web.get("/", views.index),
        web.get("/inbox", views.inbox),
        web.post("/inbox/filters", views.save_filter),
        web.post(r"/inbox/filters/{filter_id:\d+}/delete", views.delete_filter),
        web.get("/insights", insights.insights_page),
        web.get(r"/insights/{table:[a-z]+}.csv", insights.insights_csv),
        web.get("/content", insights.content_page),
        web.get(r"/cases/{case_id:\d+}", views.case_page),
        web.post(r"/cases/{case_id:\d+}/{action:[a-z]+}", views.case_action),
        web.get(r"/cases/{case_id:\d+}/media/{message_id:\d+}/{number:\d+}", media.case_media),
        web.get(r"/api/cases/{case_id:\d+}/messages", api.case_messages),
        web.get("/api/inbox/version", api.inbox_version),
        web.static("/static", STATIC),
    ])
    if database_url:
        app.on_cleanup.append(_dispose_engine)
    return app


async def _dispose_engine(app: web.Application) -> None:
    app["engine"].dispose()


async def _stop_password_checks(app: web.Application) -> None:
    app["password_checks"].close()
