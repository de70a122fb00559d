"""What a caseworker sees: direction controls in people's text are shown, not obeyed, and the
inbox counts and filters reveal nothing about cases they may not open."""
from __future__ import annotations

import re

import pytest

from cases import service
from tests.console.helpers import login, sign_in_page
from tests.console.test_console_browser import ARGS, CHROMIUM, require_chromium

pytestmark = pytest.mark.asyncio
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200e", "\u200f", "\u061c"]
SPOOF = "invoice_\u202egnp.exe"  # reads "invoice_exe.png" where the control is obeyed
SHOWN = "invoice_⟨U+202E⟩gnp.exe"


def case_with(db, conversation, text, **kwargs):
    args = dict(channel="telegram", language="en", topic="avr_overview", history=[("migrant", text)])
    args.update(kwargs)
    return service.open_or_update_case(conversation, engine=db, **args).case_id


async def test_direction_controls_are_shown_as_escapes_on_the_case_page(client, db, people):
    every = "".join(f"{c}x" for c in BIDI)
    case_id = case_with(db, "tg-bidi", SPOOF)
    service.record_inbound("tg-bidi", every, {"kind": "document", "reference": "\u202efdp.scr"}, engine=db)
    csrf = await login(client, "sup")
    await client.post(f"/cases/{case_id}/note", data={"csrf_token": csrf, "text": "see \u2067" + SPOOF})
    page = await (await client.get(f"/cases/{case_id}")).text()
    assert not any(control in page for control in BIDI)
    assert SHOWN in page and "see ⟨U+2067⟩" + SHOWN in page and "⟨U+202E⟩fdp.scr" in page
    assert "".join(f"⟨U+{ord(c):04X}⟩x" for c in BIDI) in page
    data = await (await client.get(f"/api/cases/{case_id}/messages")).json()
    assert data["messages"][0]["text"] == SPOOF  # the data stays as written; only its display changes


async def test_direction_controls_arriving_live_are_shown_as_escapes_in_a_browser(client, db, people):
    require_chromium()
    from playwright.async_api import async_playwright

    case_id = case_with(db, "tg-live", "hello")
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page()
            await sign_in_page(page, f"{base}/cases/{case_id}", "amina")
            assert page.url.endswith(f"/cases/{case_id}")
            service.record_inbound("tg-live", SPOOF, {"kind": "document", "reference": "\u202efdp.scr"}, engine=db)
            await page.wait_for_function(
                "() => document.querySelectorAll('#transcript li').length === 2", timeout=15000)
            live = await page.locator("#transcript li").nth(1).text_content()
            assert SHOWN in live and "⟨U+202E⟩fdp.scr" in live and "\u202e" not in live
        finally:
            await browser.close()


async def test_inbox_filters_and_version_count_only_cases_the_caseworker_may_open(client, db, people):
    case_with(db, "tg-open", "hello", language="en", topic="avr_overview")
    theirs = case_with(db, "tg-bens", "bonjour", language="fr", topic="risk_sea")
    service.assign(theirs, people["sup"], people["ben"].id, engine=db)

    await login(client, "amina")
    page = await (await client.get("/inbox?folder=mine")).text()
    options = set(re.findall(r'<option value="([^"]+)"', page))
    assert "en" in options and "avr_overview" in options
    assert "fr" not in options and "risk_sea" not in options
    version = (await (await client.get("/api/inbox/version")).json())["version"]
    assert version.startswith("1:")  # one case she may open, not two
    service.record_inbound("tg-bens", "merci", engine=db)  # ben's case moves...
    assert (await (await client.get("/api/inbox/version")).json())["version"] == version  # ...she sees nothing

    client.session.cookie_jar.clear()
    await login(client, "sup")
    page = await (await client.get("/inbox?folder=all")).text()
    assert {"fr", "risk_sea", "en"} <= set(re.findall(r'<option value="([^"]+)"', page))
    assert (await (await client.get("/api/inbox/version")).json())["version"].startswith("2:")
