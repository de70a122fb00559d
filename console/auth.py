"""Sign-in, sign-out and the gate in front of every other page.

- Every path except /login and /static/ needs a session: pages redirect to /login, JSON
  endpoints answer 401 (a script cannot follow a login redirect usefully).
- Every POST carries the session's CSRF token (form field csrf_token or header X-CSRF-Token);
  the login form itself uses a double-submit cookie, as there is no session yet.
- Cookies are HttpOnly and SameSite=Strict: other sites can neither read nor send them.
"""
from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from typing import Optional

from aiohttp import web
from yarl import URL

from console import sessions
from console.password_checks import LoginQueueFull, PasswordChecks
from console.render import render
from console.throttle import LoginThrottle, client_address, whole_seconds

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Where sign-in may send the browser next: a path on this site and nothing else. Only the
# characters a URL may carry unencoded (RFC 3986): browsers silently drop tabs and newlines
# and read "\\" as "/", so "/\t/evil.example" or "/\\evil.example" would leave the site.
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*")
BUSY_SECONDS = 5


def _cookie(response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="Strict", path="/",
                        secure=request.app["config"].cookie_secure)


def _safe_next(target: Optional[str]) -> str:
    # Only local paths: "//evil.example" or "https://…" would make the login an open redirect.
    if target and LOCAL_PATH.fullmatch(target):
        return target
    return "/inbox"


def _tokens_match(sent: object, expected: Optional[str]) -> bool:
    return bool(sent and expected) and hmac.compare_digest(str(sent), str(expected))


@web.middleware
async def gate(request: web.Request, handler):
    if request.path == "/login" or request.path.startswith("/static/"):
        return await handler(request)
    engine = request.app["engine"]
    found = await asyncio.to_thread(sessions.lookup, engine, request.cookies.get(SESSION_COOKIE))
    if found is None:
        if request.path.startswith("/api/"):
            return web.json_response({"error": "login required"}, status=401)
        raise web.HTTPSeeOther(URL("/login").with_query(next=request.rel_url.path_qs))
    request["actor"], request["csrf"] = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token") or (await request.post()).get("csrf_token")
        if not _tokens_match(sent, request["csrf"]):
            raise web.HTTPForbidden(text="Missing or wrong CSRF token. Reload the page and try again.")
    return await handler(request)


async def login_page(request: web.Request, error: Optional[str] = None, status: int = 200,
                     retry_after: int = 0) -> web.Response:
    # Reuse the browser's token: a second tab (or a stray favicon request that got redirected
    # here) must not invalidate the form already on the screen.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, login_csrf=token, error=error,
                      next=_safe_next(request.query.get("next")))
    _cookie(response, request, LOGIN_CSRF_COOKIE, token)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    if not _tokens_match(form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise web.HTTPForbidden(text="Missing or wrong CSRF token. Reload the login page and try again.")
    username, password = str(form.get("username", "")).strip().lower(), str(form.get("password", ""))
    address = client_address(request, request.app["config"].trusted_proxies)
    throttle: LoginThrottle = request.app["login_throttle"]
    wait = throttle.reserve(username, address)  # counted as a failure from here on
    if wait:
        seconds = whole_seconds(wait)
        return await login_page(request, f"Too many failed sign-ins. Wait {seconds} seconds and try again.",
                                429, seconds)
    engine = request.app["engine"]
    checks: PasswordChecks = request.app["password_checks"]
    try:
        actor = await checks.authenticate(username, password, engine)
    except LoginQueueFull:
        throttle.released(username, address)
        return await login_page(request, "The console is busy. Try again in a few seconds.", 503, BUSY_SECONDS)
    if actor is None:
        return await login_page(request, "Wrong username or password.", 401)
    throttle.succeeded(username, address)
    token = await asyncio.to_thread(sessions.create, engine, actor.id, request.app["config"].session_hours)
    response = web.HTTPSeeOther(_safe_next(str(form.get("next", ""))))
    _cookie(response, request, SESSION_COOKIE, token)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    raise response


async def logout(request: web.Request) -> web.Response:
    await asyncio.to_thread(sessions.end, request.app["engine"], request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response
