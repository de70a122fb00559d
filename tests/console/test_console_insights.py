"""Saved inbox filters, and the supervisors' insights and content review pages (issue 14): over HTTP,
then in headless Chromium at desktop and phone size.

SAVE_SCREENSHOTS=1 writes docs/screenshots/insights.png, insights-360.png and content.png.
"""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import os
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionNoise, ActionNotUnderstood
from cases import service
from insights.store import record_unanswered, settled
from content.knowledge import load_knowledge
from tests.console.helpers import CSRF, login, sign_in_page
from tests.console.test_console_browser import ARGS, CHROMIUM, ROOT, require_chromium

pytestmark = pytest.mark.asyncio
KB = load_knowledge()


def migrant_turn(sender: str, said: str, language: str, history=(), intent: str = "noise") -> Tracker:
    """What the action server gets for a message from a Telegram user (consent given)."""
    latest = {"text": said, "intent": {"name": intent, "confidence": 1.0 if intent == "noise" else 0.3}, "entities": [],
              "intent_ranking": [{"name": intent, "confidence": 0.3}, {"name": "avr_overview", "confidence": 0.2}]}
    return Tracker.from_dict({
        "sender_id": sender, "slots": {"language": language, "consent": "given", "consent_asked": True},
        "latest_message": latest, "paused": False, "followup_action": None, "active_loop": {},
        "events": [*history, {"event": "user", "text": said, "parse_data": latest, "input_channel": "telegram"}],
        "latest_action_name": "action_listen"})


async def migrant_rates(sender: str, answer_id: str, thumb: str, language: str = "fr") -> None:
    """A migrant answers "was this helpful?" under `answer_id` with a typed thumb (the real action)."""
    asked = [{"event": "user", "text": "c gratuit ?", "input_channel": "telegram"},
             {"event": "bot", "text": "…", "data": {"custom": {"answer": answer_id, "feedback": answer_id}}}]
    dispatcher = CollectingDispatcher()
    await ActionNoise().run(dispatcher, migrant_turn(sender, thumb, language, asked), {})
    thanks = "feedback_thanks" if thumb == "👍" else "feedback_thanks_unhelpful"
    assert dispatcher.messages[0]["text"] == KB.text(thanks, language)


async def migrant_not_understood(sender: str, said: str, language: str = "en") -> None:
    await ActionNotUnderstood().run(CollectingDispatcher(), migrant_turn(sender, said, language, intent="nlu_fallback"), {})


async def seed(db) -> None:
    for n, thumb in enumerate(("👍", "👍", "👎")):
        await migrant_rates(f"tg-rate{n}", "avr_cost", thumb)
    await migrant_not_understood("tg-goat1", "My name is Awa Diallo, can I take my goat on the plane to Bamako?")
    await migrant_not_understood("tg-goat2", "can i bring my goats with me when i fly home")
    await migrant_not_understood("tg-goat3", "je peux emmener ma chèvre dans l'avion ?", "fr")
    await migrant_not_understood("tg-rain", "is it going to rain tomorrow")
    await settled()
    service.open_or_update_case("tg-sos", "telegram", "ar", "risk_sea", reason="emergency", engine=db)
    service.open_or_update_case("tg-help", "telegram", "fr", "avr_overview", engine=db)


def history(db) -> None:
    """Earlier weeks, so the charts (and the README's screenshot) show a trend."""
    from cases.models import Case
    from core.db import session_scope
    from insights.store import record_rating

    today = dt.date.today()
    for weeks_ago, (up, down, asked, minutes) in enumerate(
            [(4, 1, 3, 35), (6, 2, 5, 50), (3, 3, 2, 95), (7, 1, 4, 20), (5, 0, 6, 40)], start=1):
        day = today - dt.timedelta(weeks=weeks_ago)
        for n in range(up + down):
            record_rating("avr_overview" if n % 2 else "document_lost_passport", "en" if n % 3 else "ar", n < up,
                          engine=db, day=day)
        for n in range(asked):
            record_unanswered(f"tg-old{weeks_ago}-{n}", "en", ["can i bring my goat", "will they take my phone at the airport",
                                                            "is it going to rain"][n % 3], "not_understood", 0.2,
                              engine=db, day=day)
        for n, reason in enumerate(("request", "vulnerable", "emergency")[: 1 + weeks_ago % 3]):
            case_id = service.open_or_update_case(f"tg-case{weeks_ago}-{n}", "telegram", "fr", "avr_overview",
                                                  reason=reason, engine=db).case_id
            created = dt.datetime.combine(day, dt.time(10))
            with session_scope(db) as session:
                case = session.get(Case, case_id)
                case.created_at, case.status = created, "resolved"
                case.first_response_at = created + dt.timedelta(minutes=minutes * (n + 1))


# -- over HTTP -------------------------------------------------------------------------------

async def test_a_caseworker_gets_403_on_every_supervisor_page(client, db, people):
    await login(client, "amina")
    for path in ("/insights", "/insights/answers.csv", "/insights/questions.csv", "/content"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path
        assert "Only supervisors" in await response.text()
    assert 'href="/insights"' not in await (await client.get("/inbox")).text()


async def test_the_insights_page_shows_ratings_groups_reasons_and_exports_csv(client, db, people):
    await seed(db)
    await login(client, "sup")
    page = await (await client.get("/insights")).text()
    ratings = page[page.index('id="ratings"'):page.index("</table>", page.index('id="ratings"'))]
    assert KB.topic_title("avr_cost", "en") in ratings and "French" in ratings
    assert re.search(r'data-label="Helpful">2<.*data-label="Not helpful">1<.*>67 %<', ratings, re.S)
    groups = " ".join(page[page.index('id="question-groups"'):page.index("</ol>", page.index('id="question-groups"'))].split())
    assert "3 questions</strong> from 3 conversations" in groups  # the goat questions, English and French, as one
    assert "[name]" in groups and "[place]" in groups
    for private in ("Awa", "Diallo", "Bamako", "tg-goat"):
        assert private not in page
    assert "emergency" in page and "asked for a person" in page and page.count("<svg") == 4
    export = await client.get("/insights/questions.csv")
    assert export.status == 200 and export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(await export.text())))
    assert rows[0][:3] == ["group", "questions", "conversations"] and rows[1][1:3] == ["3", "3"]
    answers = list(csv.reader(io.StringIO(await (await client.get("/insights/answers.csv")).text())))
    assert answers[1] == ["avr_cost", KB.topic_title("avr_cost", "en"), "fr", "2", "1", "0.667"]
    assert (await client.get("/insights/nothing.csv")).status == 404


async def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(client, db, people):
    record_unanswered("tg-x", "en", "=HYPERLINK(\"http://evil.example\",\"click\") can i go home", "not_understood", 0.2,
                      engine=db)
    await login(client, "sup")
    rows = list(csv.reader(io.StringIO(await (await client.get("/insights/questions.csv")).text())))
    assert rows[1][-1].startswith("'=")


async def test_the_content_page_lists_review_state_and_age_with_links_to_the_files(client, db, people, monkeypatch):
    monkeypatch.setenv("CONTENT_REPOSITORY_URL", "https://git.example.org/assistant/blob/main")
    from console.app import create_app
    from aiohttp.test_utils import TestClient, TestServer

    async with TestClient(TestServer(create_app(db.url.render_as_string(hide_password=False)))) as linked:
        await login(linked, "sup")
        page = await (await linked.get("/content?max_age_days=1")).text()
    review = page[page.index('id="review"'):]
    assert review.count("<tr class=") == len(KB.answers)
    assert 'href="https://git.example.org/assistant/blob/main/knowledge/entries/avr_cost/fr.yml"' in page
    assert 'href="https://git.example.org/assistant/blob/main/knowledge/entries/avr_cost/entry.yml"' in page
    assert "state-draft" in review and "state-reviewed" in review and "days" in review
    assert f"English: {len(KB.answers)}/{len(KB.answers)}" in page
    monkeypatch.setenv("CONTENT_REPOSITORY_URL", "javascript:alert(1)")
    await login(client, "sup")
    plain = await (await client.get("/content")).text()
    assert "javascript:" not in plain and 'title="knowledge/entries/avr_cost/fr.yml"' in plain


async def test_saved_filters_round_trip_per_account(client, db, people):
    csrf = await login(client, "amina")
    saved = await client.post("/inbox/filters", allow_redirects=False, data={
        "csrf_token": csrf, "name": "French, mine", "folder": "mine", "language": "fr", "status": "active", "topic": ""})
    assert saved.status == 303 and saved.headers["Location"] == "/inbox?folder=mine&language=fr&status=active&notice=filter_saved"
    inbox = await (await client.get("/inbox")).text()
    assert '<a href="/inbox?folder=mine&amp;language=fr&amp;status=active">French, mine</a>' in inbox
    refused = await client.post("/inbox/filters", allow_redirects=False, data={
        "csrf_token": csrf, "name": "everything", "folder": "all"})  # only supervisors see every case
    assert "notice=filter_refused" in refused.headers["Location"]
    assert "everything" not in await (await client.get("/inbox")).text()
    filter_id = re.search(r'/inbox/filters/(\d+)/delete', inbox).group(1)

    other = await login(client, "ben")  # another caseworker neither sees nor deletes it
    assert "French, mine" not in await (await client.get("/inbox")).text()
    response = await client.post(f"/inbox/filters/{filter_id}/delete", allow_redirects=False, data={"csrf_token": other})
    assert response.status == 404
    csrf = await login(client, "amina")
    deleted = await client.post(f"/inbox/filters/{filter_id}/delete", allow_redirects=False, data={"csrf_token": csrf})
    assert deleted.status == 303 and "French, mine" not in await (await client.get("/inbox")).text()


# -- in a browser ----------------------------------------------------------------------------

async def header_shown(page, table: str) -> bool:
    return await page.evaluate(f"getComputedStyle(document.querySelector('{table} thead')).display") != "none"


async def _width(page) -> int:
    width = await page.evaluate("document.documentElement.scrollWidth")
    print(f"{page.url}: scrollWidth {width} px")
    return width


async def test_browser_rating_and_clustered_redacted_question_on_the_insights_page_at_desktop_and_360(client, db, people):
    require_chromium()
    from playwright.async_api import async_playwright

    await seed(db)
    history(db)
    shots = ROOT / "docs" / "screenshots" if os.environ.get("SAVE_SCREENSHOTS") else None
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await (await browser.new_context(viewport={"width": 1100, "height": 900})).new_page()
            await sign_in_page(page, base + "/insights", "sup")
            rating = page.locator("#ratings tbody tr", has_text="avr_cost")
            assert await header_shown(page, "#ratings")  # a table on a desktop
            assert [c.strip() for c in (await rating.inner_text()).split("\t")][1:] == ["French", "2", "1", "67 %"]
            goats = page.locator("#question-groups li.group", has_text="goat").first
            text = await goats.inner_text()
            assert "11 questions from 11 conversations" in text and "English 10, French 1" in text  # 3 now, 8 before
            assert "can I take my goat on the plane to [place]?" in text and "Awa" not in text
            assert await page.locator("svg.chart").count() == 4
            if shots:
                await page.screenshot(path=str(shots / "insights.png"), full_page=True)
                await page.goto(base + "/content")
                await page.screenshot(path=str(shots / "content.png"))

            phone = await (await browser.new_context(viewport={"width": 360, "height": 740})).new_page()
            await sign_in_page(phone, base + "/insights", "sup")
            assert await _width(phone) <= 360
            assert not await header_shown(phone, "#ratings")  # cards on a phone, each value with its label
            if shots:
                await phone.screenshot(path=str(shots / "insights-360.png"), full_page=False)
            await phone.goto(base + "/content")
            assert await _width(phone) <= 360
            assert await phone.locator("#review tbody tr").count() == len(KB.answers)
        finally:
            await browser.close()


async def test_browser_saved_filter_round_trip_at_360_px(client, db, people):
    require_chromium()
    from playwright.async_api import async_playwright

    french = service.open_or_update_case("tg-fr", "telegram", "fr", "avr_overview", engine=db).case_id
    arabic = service.open_or_update_case("tg-ar", "telegram", "ar", "risk_sea", engine=db).case_id
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await (await browser.new_context(viewport={"width": 360, "height": 740})).new_page()
            await sign_in_page(page, base + "/inbox", "amina")
            await page.select_option("select[name=language]", "fr")
            async with page.expect_navigation():
                await page.click(".filters button[type=submit]")
            await page.fill(".save-filter input[name=name]", "French waiting")
            async with page.expect_navigation():
                await page.click(".save-filter button[type=submit]")
            assert "Filter saved" in await page.inner_text("main")
            assert page.url.endswith("/inbox?folder=unassigned&language=fr&status=active")  # the notice left the address
            assert await _width(page) <= 360

            await page.goto(base + "/inbox")  # everything again, then the saved filter in one tap
            assert await page.locator(f'#inbox a[href="/cases/{arabic}"]').count() == 1
            async with page.expect_navigation():
                await page.click("#saved-filters a:text('French waiting')")
            assert await page.locator(f'#inbox a[href="/cases/{french}"]').count() == 1
            assert await page.locator(f'#inbox a[href="/cases/{arabic}"]').count() == 0

            async with page.expect_navigation():
                await page.click("#saved-filters button[aria-label='Delete the saved filter French waiting']")
            assert "Saved filter deleted" in await page.inner_text("main")
            assert await page.locator("#saved-filters").count() == 0
        finally:
            await browser.close()


async def test_the_rating_table_is_empty_but_explains_itself_without_data(client, db, people):
    await login(client, "sup")
    page = await (await client.get("/insights?weeks=4")).text()
    assert "No ratings in this period." in page and "No unanswered questions in this period." in page
    assert "since " + str(dt.date.today() - dt.timedelta(days=dt.date.today().weekday(), weeks=3)) in page
    assert CSRF.search(page)  # the sign-out form is there: a normal console page
    await asyncio.sleep(0)
