"""What every console response gets, whatever produced it, and what no request may send.

- refuse_encoded_bodies (core/http.py, shared with the local web chat): no compressed bodies.
- unexpected_errors: an exception a handler did not expect becomes a plain 500 page; the log
  gets the exception with method and path, never the request body (it can hold a password or
  a migrant's words).
- add_security_headers (an on_response_prepare signal, so it also covers redirects, error
  pages, static files and aiohttp's own 404/405/500): scripts and styles only from our own
  files, no framing, no referrer, no caching of case data, and no Server header announcing
  the aiohttp version.
"""
from __future__ import annotations

import logging

from aiohttp import hdrs, web

log = logging.getLogger(__name__)

# Scripts and styles only from our own files: even a markup injection we missed could not
# run a script. No framing (clickjacking), no referrer (case numbers stay inside).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
ERROR_PAGE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title></head>"
              "<body><h1>Something went wrong</h1><p>The error was logged. Go back and try again; "
              "if it happens again, tell the administrator.</p></body></html>")


@web.middleware
async def unexpected_errors(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException:
        raise  # an answer we chose (redirect, 403, 404, …), not an error
    except Exception:  # noqa: BLE001 - anything else is a bug or an outage: log it, show a plain page
        log.exception("Unexpected error answering %s %s", request.method, request.path)
        return web.Response(status=500, text=ERROR_PAGE, content_type="text/html")


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
    response.headers.popall(hdrs.SERVER, None)  # aiohttp sets it before this signal runs
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"  # case data stays out of browser caches
