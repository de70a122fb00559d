"""What no request may do to the console (or the local web chat): compressed bodies."""
from __future__ import annotations

import gzip

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.cases import service
from bot.webchat.__main__ import create_app as create_webchat
from tests.console.helpers import login

pytestmark = pytest.mark.asyncio
# 32 MiB of form data in 32 KiB on the wire: what an unchecked server would inflate into memory.
BOMB = gzip.compress(b"csrf_token=x&username=amina&password=" + b"a" * (32 * 1024 * 1024), compresslevel=9)
GZIP_FORM = {"Content-Encoding": "gzip", "Content-Type": "application/x-www-form-urlencoded"}


def new_case(db, conversation="tg-aaaa"):
    return service.open_or_update_case(conversation, "telegram", "en", "avr_overview", engine=db).case_id


async def test_compressed_bodies_are_refused_before_they_are_read(client, db, people):
    assert len(BOMB) < 64 * 1024
    refused = await client.post("/login", data=BOMB, headers=GZIP_FORM)
    assert refused.status == 415
    for coding in ("deflate", "br", "identity, gzip", "GZIP"):
        response = await client.post("/login", data=b"x", headers={**GZIP_FORM, "Content-Encoding": coding})
        assert response.status == 415, coding
    csrf = await login(client, "amina")
    case_id = new_case(db)
    signed_in = await client.post(f"/cases/{case_id}/note", data=BOMB, headers={**GZIP_FORM, "X-CSRF-Token": csrf})
    assert signed_in.status == 415
    # An explicit "identity" is no compression: the request is handled as usual.
    plain = await client.post(f"/cases/{case_id}/note", allow_redirects=False, data={"text": "ok", "csrf_token": csrf},
                              headers={"Content-Encoding": "identity"})
    assert plain.status == 303


async def test_the_web_chat_refuses_compressed_bodies_too():
    async with TestClient(TestServer(create_webchat())) as webchat:
        response = await webchat.post("/api/message", data=BOMB,
                                      headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        assert response.status == 415
        bad_sender = await webchat.post("/api/message", json={"sender": "x", "message": "hi"})
        assert bad_sender.status == 400  # uncompressed requests still reach the handler
