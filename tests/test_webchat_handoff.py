"""The local web chat is a channel a caseworker can answer: pseudonymous ids, messages after a
handoff go to the case (not to Rasa), replies and "the assistant is back" reach the page."""
from __future__ import annotations

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, text as sql

from cases import service
from channels import outbound
from cases.models import CaseMessage
from cases.policy import Actor
from core.db import session_scope
from content.knowledge import load_knowledge
from core.settings import get_settings
from channels.webchat import outbox
from channels.webchat.app import create_app
from testing import case_support as support

pytestmark = pytest.mark.asyncio
TOKEN = "0f3c9a7e5b1d4c2a8e6f0b9d7c5a3e1f2b4d6f8a0c2e4a6b"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("PSEUDONYM_KEY", "k" * 40)
    get_settings.cache_clear()
    engine = support.sqlite_engine(tmp_path)
    with support.as_default_database(engine):
        yield engine
    engine.dispose()


@pytest_asyncio.fixture
async def rasa():
    """A stand-in for Rasa's REST channel: records what it was sent, answers one line; "a person
    please" opens a case first, as the handoff action does."""
    seen = []

    async def webhook(request):
        seen.append(await request.json())
        if seen[-1]["message"] == "a person please":
            service.open_or_update_case(seen[-1]["sender"], "webchat", "en")
        return web.json_response([{"recipient_id": "x", "text": "Answer from the assistant."}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    async with TestServer(app) as server:
        server.seen = seen
        yield server


@pytest_asyncio.fixture
async def chat(db, rasa):
    async with TestClient(TestServer(create_app(str(rasa.make_url("/webhooks/rest/webhook"))))) as client:
        yield client


async def say(chat, words, session=TOKEN):
    response = await chat.post("/api/message", json={"session": session, "message": words})
    return response.status, (await response.json() if response.status < 400 else await response.text())


async def updates(chat, after=0):
    response = await chat.post("/api/updates", json={"session": TOKEN, "after": after})
    assert response.status == 200
    return (await response.json())["messages"]


async def test_the_session_token_becomes_a_keyed_pseudonym_and_is_never_stored(chat, rasa, db):
    assert await say(chat, "hello") == (200, [{"recipient_id": "x", "text": "Answer from the assistant."}])
    sent = rasa.seen[-1]
    cid = outbox.conversation_for(TOKEN)
    assert sent["sender"] == cid and cid.startswith("web-") and TOKEN not in cid
    assert sent["input_channel"] == "webchat"
    service.open_or_update_case(cid, "webchat", "en", engine=db)
    await say(chat, "still there?")
    with session_scope(db) as session:
        rows = [str(r) for r in session.execute(sql("SELECT * FROM cases")).all()]
        rows += [str(r) for r in session.execute(sql("SELECT * FROM case_messages")).all()]
    assert rows and not any(TOKEN in row for row in rows)


async def test_bad_sessions_and_bodies_get_a_clear_400(chat):
    assert await say(chat, "hi", session="web-short") == (400, "bad session")
    response = await chat.post("/api/message", data=b"not json", headers={"Content-Type": "application/json"})
    assert response.status == 400
    response = await chat.post("/api/updates", json={"session": TOKEN, "after": "x"})
    assert response.status == 400


async def test_after_a_handoff_messages_go_to_the_case_and_replies_reach_the_page(chat, rasa, db):
    cid = outbox.conversation_for(TOKEN)
    case_id = service.open_or_update_case(cid, "webchat", "en", engine=db).case_id
    before = len(rasa.seen)
    assert await say(chat, "My passport was stolen") == (200, [])
    assert len(rasa.seen) == before  # the bot never saw it
    with session_scope(db) as session:
        texts = session.execute(select(CaseMessage.text).where(CaseMessage.case_id == case_id)).scalars().all()
    assert texts == ["My passport was stolen"]

    amina = Actor(1, "amina", "supervisor")
    from cases import accounts

    accounts.create("amina", "quiet harbour tulip mosaic", "supervisor", engine=db)
    result = await service.reply(case_id, amina, "Hello, I am Amina.", outbound.send_to_migrant, engine=db)
    assert result.ok and result.message_ids
    first = await updates(chat)
    assert [m["text"] for m in first] == ["Hello, I am Amina."]
    assert outbox.waiting(list(result.message_ids), engine=db)  # not yet confirmed by the page

    result = await service.resolve(case_id, amina, outbound.send_to_migrant, engine=db)
    second = await updates(chat, after=first[-1]["id"])  # confirms the first: it is deleted
    assert [m["text"] for m in second] == [load_knowledge().text("handoff_resolved", "en")]
    with session_scope(db) as session:
        left = session.execute(sql("SELECT id FROM webchat_outbox")).scalars().all()
    assert left == [second[0]["id"]]
    assert await say(chat, "thanks") == (200, [{"recipient_id": "x", "text": "Answer from the assistant."}])


async def test_menu_while_waiting_reaches_the_bot_and_its_answer_joins_the_case(chat, rasa, db):
    cid = outbox.conversation_for(TOKEN)
    case_id = service.open_or_update_case(cid, "webchat", "en", engine=db).case_id
    status, replies = await say(chat, "menu")
    assert status == 200 and replies and rasa.seen[-1]["message"] == "menu"
    with session_scope(db) as session:
        rows = session.execute(select(CaseMessage.author, CaseMessage.text).where(CaseMessage.case_id == case_id)
                               .order_by(CaseMessage.id)).all()
    assert [tuple(r) for r in rows] == [("migrant", "menu"), ("bot", "Answer from the assistant.")]


async def test_the_answer_of_the_turn_that_opened_the_case_joins_it(chat, rasa, db):
    await say(chat, "hello")  # no case: nothing recorded
    await say(chat, "a person please")
    case_id = service.active_case_id(outbox.conversation_for(TOKEN), engine=db)
    with session_scope(db) as session:
        rows = session.execute(select(CaseMessage.author, CaseMessage.text, CaseMessage.delivery)
                               .where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)).all()
    assert [tuple(r) for r in rows] == [("bot", "Answer from the assistant.", "sent")]


async def test_erasure_takes_unfetched_web_chat_messages_too(chat, db):
    cid = outbox.conversation_for(TOKEN)
    outbox.put(cid, "a reply nobody fetched", engine=db)
    service.erase_conversation(cid, engine=db)
    assert await updates(chat) == []


async def test_the_page_shows_a_caseworker_reply_in_a_real_browser(chat, rasa, db):
    from tests.console.test_console_browser import ARGS, CHROMIUM, require_chromium

    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 360, "height": 740})
            await page.goto(str(chat.make_url("/")))
            await page.fill("#text", "hello")
            await page.press("#text", "Enter")
            await page.wait_for_selector("text=Answer from the assistant.", timeout=15000)
            cid = outbox.conversation_for(await page.evaluate("sessionStorage.session"))
            assert rasa.seen[-1]["sender"] == cid
            outbox.put(cid, "<b>Hello</b>, I am Amina from the team.", engine=db)
            await page.wait_for_selector(".msg.person", timeout=15000)
            assert await page.inner_text(".msg.person") == "<b>Hello</b>, I am Amina from the team."  # text, not markup
            assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            await browser.close()
