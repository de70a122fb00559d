"""Signing in to the console from tests (shared by the HTTP and browser tests)."""
from __future__ import annotations

import re
from typing import Optional

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

PASSWORDS = {"sup": "lantern orbit fennel 42", "amina": "quiet harbour tulip mosaic", "ben": "copper violin meadow 7"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def login_form_token(client: TestClient) -> str:
    """The sign-in form's CSRF token (the page also sets it as the double-submit cookie)."""
    return CSRF.search(await (await client.get("/login")).text()).group(1)


async def try_login(client: TestClient, token: str, username: str, password: str,
                    address: Optional[str] = None, next_path: str = "/inbox") -> ClientResponse:
    """One sign-in attempt; `address` is sent as X-Forwarded-For (only a trusted proxy may)."""
    headers = {"X-Forwarded-For": address} if address else {}
    return await client.post("/login", allow_redirects=False, headers=headers, data={
        "csrf_token": token, "username": username, "password": password, "next": next_path})


async def login(client: TestClient, username: str, password: str = "") -> str:
    """Sign in; returns the session's CSRF token (from the inbox page)."""
    response = await try_login(client, await login_form_token(client), username, password or PASSWORDS[username])
    assert response.status == 303, await response.text()
    return CSRF.search(await (await client.get("/inbox")).text()).group(1)


async def sign_in_page(page, url: str, username: str) -> None:
    """In a real browser: open `url`, which asks to sign in, and sign in as `username` (the
    console then goes on to `url`)."""
    await page.goto(url)
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORDS[username])
    async with page.expect_navigation():
        await page.click("button[type=submit]")
