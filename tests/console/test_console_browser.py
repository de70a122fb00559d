"""End to end in headless Chromium: a migrant's messages through a stub channel (channels.hooks
with the case router), the handoff action opens a case, a caseworker answers and resolves it
in the console, and the assistant takes the conversation back. A script injection in a
migrant's message must stay inert text.

Screenshots go to a temporary folder; SAVE_SCREENSHOTS=1 writes docs/screenshots/ instead.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from actions.handoff import ActionHandoff
from actions.replies import ui
from cases import service
from cases.models import Case
from core.clock import utcnow
from core.db import session_scope
from content.knowledge import load_knowledge
from testing.case_support import FakeChannel, tracker
from tests.console.helpers import sign_in_page

pytestmark = pytest.mark.asyncio
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]
XSS = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"
CONV = "tg-5f1c0d7e9a2b4c6d8e0f1a2b3c4d5e6f"
ROOT = Path(__file__).resolve().parents[2]


class StubChannel:
    """The migrant's phone: inbound text goes through channels.hooks like a real channel; when
    the router says the bot gets it, a one-rule 'bot' hands off on "person" (the real action)."""

    def __init__(self, outbound: FakeChannel, conversation_id: str) -> None:
        self.outbound, self.conversation_id, self.history = outbound, conversation_id, []

    async def receive(self, text: str) -> str:
        from channels import hooks
        from rasa_sdk.executor import CollectingDispatcher

        decision = await hooks.on_inbound(self.conversation_id, "telegram", text, None)
        replies = []
        if decision in ("to_bot", "to_case_and_bot"):
            if "person" in text:
                dispatcher = CollectingDispatcher()
                await ActionHandoff().run(dispatcher, tracker(self.conversation_id, text, history=tuple(self.history)), {})
                replies = [message["text"] for message in dispatcher.messages]
            else:
                replies = [ui("greet", "en")]
        self.history.append(("user", text))
        for reply in replies:
            await self.outbound.send(self.conversation_id, reply)
            self.history.append(("bot", reply))
        return decision


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")


def other_cases(db) -> None:
    """A realistic inbox around the test case: an urgent one, and a normal one waiting too long."""
    service.open_or_update_case("wa-urgent", "whatsapp", "fr", "risk_sea", reason="emergency", engine=db)
    late = service.open_or_update_case("tg-late", "telegram", "ar", "travel_document", engine=db).case_id
    with session_scope(db) as session:
        session.execute(update(Case).where(Case.id == late).values(created_at=utcnow() - timedelta(minutes=83)))


async def test_handoff_reply_resolve_in_a_real_browser(client, db, channel, people, monkeypatch, tmp_path):
    require_chromium()
    from channels import hooks
    from playwright.async_api import async_playwright

    monkeypatch.setattr(hooks, "INBOUND_HOOKS", [])
    monkeypatch.setattr(hooks, "OUTBOUND_HOOKS", [])
    assert hooks.install_case_routing()
    shots = ROOT / "docs" / "screenshots" if os.environ.get("SAVE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    base = str(client.make_url("")).rstrip("/")
    migrant = StubChannel(channel, CONV)

    assert await migrant.receive("Hello") == "to_bot"
    assert await migrant.receive("I want to talk to a person") == "to_bot"
    assert channel.texts(CONV) == [ui("greet", "en"), ui("handoff_requested", "en")]
    assert await migrant.receive("My passport was stolen in Agadez. What can I do?") == "to_case"
    other_cases(db)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = await browser.new_page(viewport={"width": 1280, "height": 760})
        dialogs = []

        async def on_dialog(dialog):
            dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", on_dialog)
        try:
            for path in ("/", "/inbox", "/inbox?folder=all", "/cases/1", "/api/inbox/version"):
                response = await page.goto(base + path)
                if path.startswith("/api/"):
                    assert response.status == 401, path  # an API call gets 401, a page the sign-in form
                else:
                    assert "/login" in page.url, path

            await sign_in_page(page, base + "/inbox", "amina")
            assert page.url.endswith("/inbox"), await page.content()
            rows = page.locator("table.inbox tbody tr")
            assert await rows.count() == 3
            assert "urgent" in await rows.nth(0).inner_text()  # most urgent first
            assert await page.locator("td.sla-over").count() == 1
            await page.screenshot(path=str(shots / "inbox.png"))

            async with page.expect_navigation():
                await page.click('a[href="/cases/1"]')
            transcript = page.locator("#transcript")
            assert "My passport was stolen in Agadez" in await transcript.inner_text()
            await page.fill("#reply-text", "Hello, I am Amina from the team. I can help with a new travel document.")
            async with page.expect_navigation():
                await page.click("form.reply button[type=submit]")
            assert "Reply sent." in await page.inner_text("main")
            assert channel.deliveries[-1]["conversation_id"] == CONV
            assert channel.deliveries[-1]["text"].startswith("Hello, I am Amina from the team.")

            # The migrant answers with markup: it arrives by polling and stays text.
            assert await migrant.receive(XSS) == "to_case"
            await page.wait_for_function(
                "text => document.getElementById('transcript').textContent.includes(text)", arg=XSS, timeout=15000)
            await page.reload()  # and the same once rendered by the server
            for check in ("#transcript img", "#transcript script"):
                assert await page.locator(check).count() == 0
            assert await page.get_by_text(XSS, exact=True).count() == 1
            assert await page.evaluate("typeof window.pwned") == "undefined"
            assert dialogs == []
            await page.screenshot(path=str(shots / "case.png"))

            async with page.expect_navigation():
                await page.click("button.resolve")
            assert "Case resolved" in await page.inner_text("main")
            assert channel.texts(CONV)[-1] == load_knowledge().text("handoff_resolved", "en")
            assert await migrant.receive("Thank you!") == "to_bot"  # the assistant has them again
            assert channel.texts(CONV)[-1] == ui("greet", "en")
            assert dialogs == [] and await page.evaluate("typeof window.pwned") == "undefined"
        finally:
            await browser.close()
