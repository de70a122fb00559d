"""After sign-in the console goes back to the page that asked for it (?next=), and only ever to
a page of its own: no payload may turn the login into a redirect to another site."""
from __future__ import annotations

import html

import pytest

from tests.console.helpers import PASSWORDS, login_form_token, try_login

pytestmark = pytest.mark.asyncio
NEXT_FIELD = 'name="next" value="'

ESCAPES = [
    "//example.com", "///example.com", "//example.com/inbox", "/\t/example.com", "/\n/example.com",
    "/\r\n/example.com", "/\x00/example.com", "/\x0b/example.com", "/\x7f/example.com", "\t//example.com",
    " //example.com", "/ /example.com", "/\\example.com", "\\/example.com", "\\\\example.com", "/\\/example.com",
    "https://example.com", "http:example.com", "http:/example.com", "javascript:alert(1)", "example.com",
    "data:text/html,<script>alert(1)</script>", "/\u3000/example.com", "/\u2028/example.com", "/\u202e/example.com",
    "/\u200b/example.com", "/\ufeff/example.com", "/\u00a0/example.com", "/\uff0f/example.com", "/inbox#//example.com",
    "/inbox\n", "", "%2F%2Fexample.com",
]
LOCAL = ["/inbox", "/inbox?folder=all&topic=avr_overview", "/cases/3?notice=sent", "/cases/3", "/%2F%2Fexample.com"]


async def _next_field(client, target: str) -> str:
    page = await (await client.get("/login", params={"next": target})).text()
    start = page.index(NEXT_FIELD) + len(NEXT_FIELD)
    return html.unescape(page[start:page.index('"', start)])


@pytest.mark.parametrize("target", ESCAPES, ids=[repr(t) for t in ESCAPES])
async def test_next_never_leaves_the_site(client, people, target):
    assert await _next_field(client, target) == "/inbox"
    response = await try_login(client, await login_form_token(client), "amina", PASSWORDS["amina"], next_path=target)
    assert response.status == 303 and response.headers["Location"] == "/inbox"


@pytest.mark.parametrize("target", LOCAL)
async def test_next_goes_back_to_a_console_page(client, people, target):
    assert await _next_field(client, target) == target
    response = await try_login(client, await login_form_token(client), "amina", PASSWORDS["amina"], next_path=target)
    assert response.status == 303 and response.headers["Location"] == target
