"""Signing in to the console from tests (shared by the HTTP and browser tests)."""
from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

PASSWORDS = {"sup": "supervisor-pw", "amina": "amina-password", "ben": "ben-password1"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def login(client: TestClient, username: str, password: str = "") -> str:
    """Sign in; returns the session's CSRF token (from the inbox page)."""
    page = await (await client.get("/login")).text()
    response = await client.post("/login", allow_redirects=False, data={
        "csrf_token": CSRF.search(page).group(1), "username": username,
        "password": password or PASSWORDS[username], "next": "/inbox",
    })
    assert response.status == 303, await response.text()
    return CSRF.search(await (await client.get("/inbox")).text()).group(1)
