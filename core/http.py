"""What no request to an HTTP server of ours (the caseworker console, the local web chat) may send.

refuse_encoded_bodies: a request body with a Content-Encoding (gzip, deflate, br, …) is refused
with 415 before anything reads it. Nothing of ours sends compressed bodies, and decompressing
them is how 255 KiB becomes 256 MiB in memory (aiohttp CVE-2025-69223). Pair it with
`handler_args={"auto_decompress": False}` so the HTTP parser never inflates a body either.
"""
from __future__ import annotations

from aiohttp import hdrs, web

IDENTITY = ("", "identity")


def has_encoded_body(request: web.BaseRequest) -> bool:
    codings = request.headers.getall(hdrs.CONTENT_ENCODING, [])
    return any(coding.strip().lower() not in IDENTITY for value in codings for coding in value.split(","))


@web.middleware
async def refuse_encoded_bodies(request: web.Request, handler):
    if request.body_exists and has_encoded_body(request):
        response = web.Response(status=415, text="Compressed request bodies are not accepted.")
        response.force_close()  # the body stays unread; the connection is not reused after it
        return response
    return await handler(request)
