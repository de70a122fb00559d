"""The console on a phone (360×740, headless Chromium): no horizontal scroll on the inbox or
the case page, the newest message in view on open and on every update, keyboard shortcuts that
never fire while typing, and urgent cases announced (tab title, generated sound, notification).

SAVE_SCREENSHOTS=1 writes docs/screenshots/inbox-360.png and case-360.png.
"""
from __future__ import annotations

import os

import pytest
from cases import service
from cases.delivery import DeliveryResult
from cases.models import CaseMessage
from core.db import session_scope
from tests.console.helpers import sign_in_page
from tests.console.test_console_browser import ARGS, CHROMIUM, ROOT, require_chromium

pytestmark = pytest.mark.asyncio
LONG = ("Je suis à Agadez depuis trois mois, mon passeport a été volé et je veux rentrer au Niger mais "
        "personne ne répond au consulat " + "https://example.org/" + "x" * 80)
# a Notification stand-in that records what would have been shown (headless has no desktop)
NOTIFICATIONS = """
window.__notes = [];
window.Notification = function (title) { window.__notes.push(title); };
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


def busy_case(db, channel):
    case_id = service.open_or_update_case(
        "wa-phone", "whatsapp", "pcm", "avr_overview", history=[("migrant", f"message {i}: {LONG}") for i in range(25)],
        engine=db).case_id
    service.record_inbound("wa-phone", "", {"kind": "image", "reference": "https://api.twilio.com/2010-04-01/Accounts/"
                           "AC123/Messages/MM1/Media/ME1", "content_type": "image/jpeg"}, engine=db)
    with session_scope(db) as session:  # one reply that failed, to show its reason and Send again
        session.add(CaseMessage(case_id=case_id, author="caseworker", text="Hello, this is the team.",
                                delivery="failed", delivery_error="The phone is unreachable."))
    return case_id


async def width(page) -> int:
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    print(f"{page.url}: scrollWidth {scroll_width} px at 360 px")  # the figure the README quotes (-s)
    return scroll_width


async def newest_in_view(page) -> bool:
    return await page.evaluate("""() => {
        const items = document.querySelectorAll('#transcript li'); const r = items[items.length - 1].getBoundingClientRect();
        return r.top < window.innerHeight && r.bottom > 0; }""")


async def test_inbox_and_case_page_fit_a_360_px_phone(client, db, channel, people):
    require_chromium()
    from playwright.async_api import async_playwright

    service.open_or_update_case("tg-urgent", "telegram", "ti", "risk_sea", reason="emergency", engine=db)
    service.record_inbound("tg-urgent", "<b>ሓገዝ</b> please", engine=db)
    case_id = busy_case(db, channel)
    service.assign(case_id, people["amina"], people["amina"].id, engine=db)  # open: resolve is offered
    shots = ROOT / "docs" / "screenshots" if os.environ.get("SAVE_SCREENSHOTS") else None
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = await browser.new_context(viewport={"width": 360, "height": 740})
            await context.add_init_script(NOTIFICATIONS)
            page = await context.new_page()
            await sign_in_page(page, base + "/inbox?folder=all", "sup")
            assert page.url.endswith("/inbox?folder=all") and await width(page) <= 360
            text = await page.inner_text("#inbox")
            assert "Tigrinya" in text and "Nigerian Pidgin" in text and "WhatsApp" in text
            assert "pcm" not in text.split()
            first = await page.inner_text("#inbox tbody tr:first-child")
            assert "new" in first and "Migrant: <b>ሓገዝ</b> please" in first  # unread, preview as text
            if shots:
                await page.screenshot(path=str(shots / "inbox-360.png"), full_page=True)

            async with page.expect_navigation():
                await page.click(f'a[href="/cases/{case_id}"]')
            assert await width(page) <= 360
            assert await newest_in_view(page)
            summary = await page.inner_text("section.summary")
            assert "Nigerian Pidgin" in summary and "WhatsApp" in summary and "Waiting since their last message" in summary
            assert "AC123" not in await page.content() and "twilio" not in await page.content()
            failed = page.locator("#transcript li").last
            assert "failed: The phone is unreachable." in await failed.inner_text()
            assert await failed.locator("form.resend button").count() == 1
            if shots:
                await page.screenshot(path=str(shots / "case-360.png"))

            before = await page.locator("#transcript li").count()
            service.record_inbound("wa-phone", "Any news? " + LONG, engine=db)  # arrives by polling
            await page.wait_for_function("n => document.querySelectorAll('#transcript li').length === n + 1",
                                         arg=before, timeout=15000)
            await page.wait_for_timeout(200)
            assert await newest_in_view(page) and await width(page) <= 360

            # shortcuts: r / n / x focus reply, note and resolve; typed inside a field they are text
            await page.keyboard.press("r")
            assert await page.evaluate("document.activeElement.id") == "reply-text"
            await page.keyboard.type("nr x")
            assert await page.evaluate("document.activeElement.id") == "reply-text"
            assert await page.input_value("#reply-text") == "nr x"
            await page.evaluate("document.activeElement.blur()")
            await page.keyboard.press("n")
            assert await page.evaluate("document.activeElement.id") == "note-text"
            await page.evaluate("document.activeElement.blur()")
            await page.keyboard.press("x")
            assert await page.evaluate("document.activeElement.id") == "resolve-button"
        finally:
            await browser.close()


async def test_a_new_urgent_case_is_announced_in_title_sound_and_notification(client, db, people):
    require_chromium()
    from playwright.async_api import async_playwright

    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + ["--autoplay-policy=no-user-gesture-required"],
                                                   headless=True)
        try:
            context = await browser.new_context(viewport={"width": 1024, "height": 700})
            await context.add_init_script(NOTIFICATIONS)
            page = await context.new_page()
            await sign_in_page(page, base + "/inbox", "sup")
            assert "URGENT" not in await page.title() and await page.evaluate("window.__notes") == []
            case_id = service.open_or_update_case("wa-sos", "whatsapp", "ar", reason="emergency", engine=db).case_id
            await page.wait_for_function("() => document.title.includes('URGENT')", timeout=15000)
            assert await page.title() == "(1 URGENT) Unassigned - Caseworker console"
            assert await page.evaluate("window.__notes") == [f"Urgent case #{case_id}"]
            assert await page.evaluate("document.body.dataset.beeped") == "true"  # WebAudio tone generated
            assert f"#{case_id}" in await page.inner_text("#urgent-alert")
            await page.wait_for_selector(f'#inbox a[href="/cases/{case_id}"]', timeout=15000)  # table refreshed in place
            assert "Arabic" in await page.inner_text("#inbox")
            # the same case is not announced twice; answering it ends the alert
            await page.wait_for_timeout(3500)
            assert await page.evaluate("window.__notes") == [f"Urgent case #{case_id}"]
            await service.reply(case_id, people["sup"], "We are here.", _ok, engine=db)
            await page.wait_for_function("() => !document.title.includes('URGENT')", timeout=15000)
        finally:
            await browser.close()


async def _ok(conversation_id, text, buttons=None):
    return DeliveryResult(ok=True)
