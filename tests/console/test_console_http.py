"""The console over HTTP (aiohttp test client): sign-in, CSRF, roles, inbox, case page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from cases import service
from cases.delivery import DeliveryResult
from cases.models import Case
from core.clock import utcnow
from core.db import session_scope
from content.knowledge import load_knowledge
from tests.console.helpers import CSRF, PASSWORDS, login

pytestmark = pytest.mark.asyncio
XSS = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"


def new_case(db, conversation="tg-aaaa", **kwargs):
    args = dict(channel="telegram", language="en", topic="avr_overview", reason="request")
    args.update(kwargs)
    return service.open_or_update_case(conversation, engine=db, **args).case_id


def concrete(path: str) -> str:
    return re.sub(r"\{case_id[^}]*\}", "1", re.sub(r"\{action[^}]*\}", "note", path))


async def test_every_page_and_endpoint_needs_a_session(app, client, db, people):
    new_case(db)  # an existing case must not be reachable either
    checked = 0
    for route in app.router.routes():
        info = route.resource.get_info()
        path = concrete(info.get("formatter") or info.get("path") or "")
        if route.method not in ("GET", "POST") or path.startswith("/login") or "prefix" in info:
            continue
        response = await client.request(route.method, path, allow_redirects=False)
        if path.startswith("/api/"):
            assert response.status == 401, path
        else:
            assert response.status == 303 and response.headers["Location"].startswith("/login"), path
        checked += 1
    assert checked >= 7
    response = await client.get("/cases/1", allow_redirects=True)
    assert "Sign in" in await response.text() and "avr" not in await response.text()


async def test_login_sets_strict_httponly_cookies_and_checks_csrf_and_password(client, people):
    response = await client.get("/login")
    page = await response.text()
    cookie = response.cookies["console_login_csrf"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert (await client.post("/login", data={"username": "sup", "password": PASSWORDS["sup"]})).status == 403
    token = CSRF.search(page).group(1)
    wrong = await client.post("/login", data={"csrf_token": token, "username": "sup", "password": "nope"})
    assert wrong.status == 401 and "Wrong username or password" in await wrong.text()
    page = await (await client.get("/login")).text()
    good = await client.post("/login", allow_redirects=False, data={
        "csrf_token": CSRF.search(page).group(1), "username": "sup", "password": PASSWORDS["sup"],
        "next": "//evil.example/steal"})
    assert good.status == 303 and good.headers["Location"] == "/inbox"  # no open redirect
    session = good.cookies["console_session"]
    assert session["httponly"] and session["samesite"] == "Strict"
    assert "Content-Security-Policy" in good.headers


async def test_repeated_wrong_passwords_are_throttled(client, people):
    for _ in range(5):
        page = await (await client.get("/login")).text()
        await client.post("/login", data={"csrf_token": CSRF.search(page).group(1), "username": "amina", "password": "x"})
    page = await (await client.get("/login")).text()
    response = await client.post("/login", data={"csrf_token": CSRF.search(page).group(1), "username": "amina",
                                                 "password": PASSWORDS["amina"]})
    assert response.status == 429


async def test_posts_need_the_sessions_csrf_token(client, db, people):
    case_id = new_case(db)
    csrf = await login(client, "sup")
    url = f"/cases/{case_id}/note"
    assert (await client.post(url, data={"text": "no token"})).status == 403
    assert (await client.post(url, data={"text": "bad", "csrf_token": "x" * 43})).status == 403
    ok = await client.post(url, data={"text": "with token", "csrf_token": csrf}, allow_redirects=False)
    assert ok.status == 303 and ok.headers["Location"] == f"/cases/{case_id}?notice=noted"
    ok = await client.post(url, data={"text": "header token"}, headers={"X-CSRF-Token": csrf}, allow_redirects=False)
    assert ok.status == 303


async def test_sign_out_ends_the_session_server_side(client, people):
    csrf = await login(client, "amina")
    stolen = client.session.cookie_jar.filter_cookies(client.make_url("/"))["console_session"].value
    assert (await client.post("/logout", data={"csrf_token": csrf}, allow_redirects=False)).status == 303
    client.session.cookie_jar.clear()
    replay = await client.get("/inbox", cookies={"console_session": stolen}, allow_redirects=False)
    assert replay.status == 303 and replay.headers["Location"].startswith("/login")


async def test_caseworker_and_supervisor_roles(client, db, people):
    mine, theirs = new_case(db, "tg-1"), new_case(db, "tg-2")
    service.assign(theirs, people["sup"], people["ben"].id, engine=db)
    csrf = await login(client, "amina")
    assert (await client.get("/inbox?folder=all")).status == 403
    assert "All</a>" not in await (await client.get("/inbox")).text()
    assert (await client.get(f"/cases/{theirs}")).status == 404
    assert (await client.get(f"/api/cases/{theirs}/messages")).status == 404
    claimed = await client.post(f"/cases/{mine}/claim", data={"csrf_token": csrf})
    assert "You have claimed this case." in await claimed.text()
    refused = await client.post(f"/cases/{mine}/assign", data={"csrf_token": csrf, "assignee_id": people["ben"].id})
    assert refused.status == 403 and "Only a supervisor" in await refused.text()
    client.session.cookie_jar.clear()
    csrf = await login(client, "sup")
    page = await (await client.get("/inbox?folder=all")).text()
    assert f"/cases/{mine}" in page and f"/cases/{theirs}" in page
    moved = await client.post(f"/cases/{mine}/assign", data={"csrf_token": csrf, "assignee_id": people["ben"].id})
    assert "Case assigned." in await moved.text()


async def test_inbox_sorts_by_priority_then_age_and_colours_the_sla(client, db, people):
    normal_old = new_case(db, "tg-old")
    urgent = new_case(db, "tg-urgent", reason="emergency", language="fr", topic="risk_sea")
    normal_new = new_case(db, "tg-new", language="ar")
    with session_scope(db) as session:
        session.execute(update(Case).where(Case.id == normal_old).values(created_at=utcnow() - timedelta(minutes=95)))
    await login(client, "amina")
    page = await (await client.get("/inbox")).text()
    positions = [page.index(f'href="/cases/{case_id}"') for case_id in (urgent, normal_old, normal_new)]
    assert positions == sorted(positions)
    old_row = page[positions[1]:positions[2]]
    assert 'class="sla sla-over"' in old_row and "waiting 1 h 35 min" in old_row
    assert "sla-over" not in page[positions[2]:]
    filtered = await (await client.get("/inbox?language=fr")).text()
    assert f'/cases/{urgent}"' in filtered and f'/cases/{normal_old}"' not in filtered
    assert (await client.get("/api/inbox/version")).status == 200


async def test_reply_resolve_and_reopen_from_the_case_page(client, db, channel, people):
    case_id = new_case(db, "wa-1", channel="whatsapp", language="fr")
    csrf = await login(client, "amina")
    page = await (await client.get(f"/cases/{case_id}")).text()
    assert "Se présenter" in page and "translation not yet reviewed" in page  # French canned replies
    sent = await client.post(f"/cases/{case_id}/reply", data={"csrf_token": csrf, "text": "Bonjour !"})
    assert "Reply sent." in await sent.text()
    assert channel.deliveries[-1] == {"conversation_id": "wa-1", "text": "Bonjour !", "buttons": None}
    channel.next_results = [DeliveryResult(ok=True, used_template=True), DeliveryResult(ok=False, error="blocked")]
    template = await client.post(f"/cases/{case_id}/reply", data={"csrf_token": csrf, "text": "Encore"})
    assert "24-hour window is closed" in await template.text()
    failed = await client.post(f"/cases/{case_id}/reply", data={"csrf_token": csrf, "text": "Et encore"})
    failed_page = await failed.text()
    assert "could not be delivered" in failed_page and "failed: blocked" in failed_page
    resolved = await client.post(f"/cases/{case_id}/resolve", data={"csrf_token": csrf})
    assert "Case resolved" in await resolved.text()
    assert channel.texts()[-1] == load_knowledge().text("handoff_resolved", "fr")
    assert service.record_inbound("wa-1", "merci", engine=db) is None  # the assistant has them again
    again = await client.post(f"/cases/{case_id}/resolve", data={"csrf_token": csrf})
    assert again.status == 409 and "Cannot resolve a case that is resolved" in await again.text()
    reopened = await client.post(f"/cases/{case_id}/reopen", data={"csrf_token": csrf})
    assert "Case reopened." in await reopened.text()


async def test_migrant_text_is_escaped_in_pages_and_raw_in_json(client, db, people):
    case_id = new_case(db, "tg-x", history=[("migrant", XSS)])
    service.record_inbound("tg-x", "", {"kind": "photo", "reference": "<b>ref</b>", "content_type": "image/jpeg"}, engine=db)
    await login(client, "sup")
    response = await client.get(f"/cases/{case_id}")
    page = await response.text()
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "<img src=x" not in page and "<script>window" not in page and "<b>ref</b>" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    data = await (await client.get(f"/api/cases/{case_id}/messages?after=0")).json()
    assert data["messages"][0]["text"] == XSS  # the page script inserts it with textContent
    # issue 14: never the platform reference (a Twilio URL names the account), only the console's route
    (media,) = data["messages"][1]["media"]
    assert media["label"] == "[photo] image/jpeg <b>ref</b>"  # not a URL: shown, as text
    assert media["url"] == f"/cases/{case_id}/media/{data['messages'][1]['id']}/0" and media["shown"] == "image"
    newer = await (await client.get(f"/api/cases/{case_id}/messages?after={data['messages'][0]['id']}")).json()
    assert [m["id"] for m in newer["messages"]] == [data["messages"][1]["id"]]
    assert (await client.get(f"/api/cases/{case_id}/messages?after=x")).status == 400


async def test_a_supervisor_erases_a_conversation_the_migrant_asked_to_erase(client, db, channel, people, tmp_path,
                                                                               monkeypatch):
    from sqlalchemy import text

    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'no-tracker-yet.db'}")
    case_id = new_case(db, "wa-erase-me", channel="whatsapp", language="fr")
    service.record_inbound("wa-erase-me", "je m'appelle Awa, effacez tout svp", engine=db)
    csrf = await login(client, "amina")
    assert "Erase this conversation" not in await (await client.get(f"/cases/{case_id}")).text()
    refused = await client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf, "confirm": "yes"})
    assert refused.status == 403 and "Only a supervisor" in await refused.text()
    await client.post("/logout", data={"csrf_token": csrf})

    csrf = await login(client, "sup")
    assert "Erase this conversation" in await (await client.get(f"/cases/{case_id}")).text()
    unconfirmed = await client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf})
    assert unconfirmed.status == 409 and "Tick the box" in await unconfirmed.text()
    erased = await client.post(f"/cases/{case_id}/erase", data={"csrf_token": csrf, "confirm": "yes"})
    assert erased.status == 200 and "The conversation was erased" in await erased.text()
    assert channel.texts()[-1] == load_knowledge().text("delete_data_done", "fr")
    assert (await client.get(f"/cases/{case_id}")).status == 404
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM case_messages")).scalar() == 0
        [(reason, requested_by)] = connection.execute(text("SELECT reason, requested_by FROM erasure_log")).all()
    assert (reason, requested_by) == ("caseworker", "caseworker:sup")
