"""What no request may do to the console (or the local web chat): compressed bodies, ids out of
range, unexpected errors without security headers, a Server header naming the software."""
from __future__ import annotations

import gzip
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cases import service
from channels.webchat.app import create_app as create_webchat
from console.middlewares import SECURITY_HEADERS
from tests.console.helpers import login, login_form_token

pytestmark = pytest.mark.asyncio
HUGE = "99999999999999999999999"
# 32 MiB of form data in 32 KiB on the wire: what an unchecked server would inflate into memory.
BOMB = gzip.compress(b"csrf_token=x&username=amina&password=" + b"a" * (32 * 1024 * 1024), compresslevel=9)
GZIP_FORM = {"Content-Encoding": "gzip", "Content-Type": "application/x-www-form-urlencoded"}


def new_case(db, conversation="tg-aaaa"):
    return service.open_or_update_case(conversation, "telegram", "en", "avr_overview", engine=db).case_id


def assert_hardened(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.status, name)
    assert "Server" not in response.headers, response.status


async def test_compressed_bodies_are_refused_before_they_are_read(client, db, people):
    assert len(BOMB) < 64 * 1024
    refused = await client.post("/login", data=BOMB, headers=GZIP_FORM)
    assert refused.status == 415
    assert_hardened(refused)
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


async def test_ids_out_of_range_are_not_found(client, db, people):
    case_id = new_case(db)
    csrf = await login(client, "sup")
    assert (await client.get(f"/cases/{HUGE}")).status == 404
    assert (await client.get(f"/cases/{2**31}")).status == 404
    for action in ("note", "claim", "reply", "assign"):
        response = await client.post(f"/cases/{HUGE}/{action}", data={"csrf_token": csrf, "text": "x"})
        assert response.status == 404, action
    api = await client.get(f"/api/cases/{HUGE}/messages")
    assert api.status == 404 and await api.json() == {"error": "not found"}
    assert (await client.get(f"/api/cases/{case_id}/messages?after={HUGE}")).status == 400
    assign = await client.post(f"/cases/{case_id}/assign", data={"csrf_token": csrf, "assignee_id": HUGE})
    assert assign.status == 409 and "Choose a caseworker." in await assign.text()


async def test_an_unexpected_error_is_a_plain_500_page_with_the_security_headers(app, db, people, caplog):
    async def broken(request: web.Request) -> web.Response:
        await request.post()
        raise RuntimeError("database password is hunter2")

    app.router.add_post("/broken", broken)  # stands in for any bug in a handler
    async with TestClient(TestServer(app)) as client:
        csrf = await login(client, "sup")
        with caplog.at_level(logging.ERROR):
            response = await client.post("/broken", data={"csrf_token": csrf, "text": "a migrant's secret"})
        assert response.status == 500
        assert_hardened(response)
        assert response.headers["Cache-Control"] == "no-store"
        page = await response.text()
        assert "Something went wrong" in page and "hunter2" not in page and "Traceback" not in page
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert "POST /broken" in logged and "hunter2" in logged  # the exception is logged...
    assert "a migrant's secret" not in logged  # ...the request body is not


async def test_no_response_names_the_server_software(client, db, people):
    token = await login_form_token(client)
    responses = [await client.get("/login"), await client.get("/inbox", allow_redirects=False),
                 await client.get("/static/console.css"), await client.get("/static/no-such-file.css"),
                 await client.put("/login", data=b"x"),
                 await client.post("/login", data={"csrf_token": token, "username": "x", "password": "y"})]
    assert [r.status for r in responses] == [200, 303, 200, 404, 405, 401]
    for response in responses:
        assert_hardened(response)
