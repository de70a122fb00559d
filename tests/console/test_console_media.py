"""Media inline through the console's own authenticated route: fetched from the (fake) platform
with the channel's credentials, never a platform URL or account id in the page."""
from __future__ import annotations

import pytest
import pytest_asyncio

from cases import service
from tests.console.helpers import login, sign_in_page
from tests.console.test_console_browser import ARGS, CHROMIUM, require_chromium
from testing.media import png_bytes, wav_bytes
from testing.telegram_api import FakeTelegramAPI
from testing.twilio_api import FakeTwilioAPI

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def platforms(monkeypatch):
    twilio, telegram = FakeTwilioAPI(), FakeTelegramAPI()
    await twilio.start()
    await telegram.start()
    for name, value in {"TWILIO_ACCOUNT_SID": twilio.account_sid, "TWILIO_AUTH_TOKEN": twilio.auth_token,
                        "TWILIO_WHATSAPP_FROM": "+15550001111", "TWILIO_API_BASE_URL": twilio.base_url,
                        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE_URL": telegram.base_url}.items():
        monkeypatch.setenv(name, value)
    yield twilio, telegram
    await twilio.stop()
    await telegram.stop()


def whatsapp_case(db, twilio, media_id="ME1"):
    url = f"{twilio.base_url}/2010-04-01/Accounts/{twilio.account_sid}/Messages/MM1/Media/{media_id}"
    case_id = service.open_or_update_case("wa-media", "whatsapp", "fr", engine=db).case_id
    service.record_inbound("wa-media", "", {"kind": "image", "reference": url, "content_type": "image/jpeg"}, engine=db)
    service.record_inbound("wa-media", "", {"kind": "audio", "reference": url + "-audio", "content_type": "audio/ogg"},
                           engine=db)
    return case_id, url


async def test_whatsapp_media_come_through_the_console_with_basic_auth(client, db, people, platforms):
    twilio, _ = platforms
    case_id, url = whatsapp_case(db, twilio)
    await login(client, "amina")
    page = await (await client.get(f"/cases/{case_id}")).text()
    assert twilio.account_sid not in page and "/Media/" not in page and twilio.base_url not in page
    assert f'<img src="/cases/{case_id}/media/' in page and f'<audio controls preload="metadata" src="/cases/{case_id}/media/' in page
    data = await (await client.get(f"/api/cases/{case_id}/messages")).json()
    assert twilio.account_sid not in str(data)
    image = await client.get(data["messages"][0]["media"][0]["url"])
    assert image.status == 200 and image.content_type == "image/png" and await image.read() == png_bytes()
    assert image.headers["Cache-Control"] == "no-store"
    audio = await client.get(data["messages"][1]["media"][0]["url"])
    assert audio.status == 200 and audio.content_type == "audio/wav" and await audio.read() == wav_bytes()


async def test_wrong_credentials_other_hosts_and_strangers_get_clear_answers(client, db, people, platforms, monkeypatch):
    twilio, _ = platforms
    case_id, _ = whatsapp_case(db, twilio)
    other = service.open_or_update_case("wa-evil", "whatsapp", "en", engine=db).case_id
    service.record_inbound("wa-evil", "", {"kind": "image", "reference": "http://169.254.169.254/Media/x"}, engine=db)
    await login(client, "amina")
    evil_id = (await (await client.get(f"/api/cases/{other}/messages")).json())["messages"][0]["id"]
    refused = await client.get(f"/cases/{other}/media/{evil_id}/0")
    assert refused.status == 502 and "not a Twilio media address" in await refused.text()
    first = (await (await client.get(f"/api/cases/{case_id}/messages")).json())["messages"][0]["id"]
    assert (await client.get(f"/cases/{case_id}/media/{first}/7")).status == 404
    assert (await client.get(f"/cases/{other}/media/{first}/0")).status == 404  # not that case's message
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "wrong")
    denied = await client.get(f"/cases/{case_id}/media/{first}/0")
    assert denied.status == 502 and "HTTP 401" in await denied.text() and "wrong" not in await denied.text()
    await client.post("/logout", data={"csrf_token": ""})
    client.session.cookie_jar.clear()
    assert (await client.get(f"/cases/{case_id}/media/{first}/0", allow_redirects=False)).status == 303


async def test_telegram_media_use_get_file_then_the_download(client, db, people, platforms):
    _, telegram = platforms
    case_id = service.open_or_update_case("tg-media", "telegram", "en", engine=db).case_id
    service.record_inbound("tg-media", "look", {"kind": "photo", "reference": "photo-file-id"}, engine=db)
    service.record_inbound("tg-media", "", {"kind": "photo", "reference": "expired-id"}, engine=db)
    await login(client, "amina")
    messages = (await (await client.get(f"/api/cases/{case_id}/messages")).json())["messages"]
    photo = await client.get(messages[0]["media"][0]["url"])
    assert photo.status == 200 and await photo.read() == png_bytes()
    assert [c.method for c in telegram.calls] == ["getFile"]
    gone = await client.get(messages[1]["media"][0]["url"])
    assert gone.status == 502 and "no longer has this file" in await gone.text()


async def test_image_and_audio_load_in_a_real_browser(client, db, people, platforms):
    require_chromium()
    from playwright.async_api import async_playwright

    twilio, _ = platforms
    case_id, _ = whatsapp_case(db, twilio)
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page()
            await sign_in_page(page, f"{base}/cases/{case_id}", "amina")
            await page.wait_for_function(
                "() => { const i = document.querySelector('#transcript img'); return i && i.complete && i.naturalWidth === 120; }",
                timeout=15000)
            await page.wait_for_function(
                "() => { const a = document.querySelector('#transcript audio'); return a && a.readyState >= 1 && a.duration > 0.4; }",
                timeout=15000)
            assert twilio.account_sid not in await page.content()
        finally:
            await browser.close()


async def test_media_the_channels_recorded_by_row_are_fetched_only_for_their_conversation(client, db, people, platforms):
    """The channels put `channel_media:<row>` in a case, never the platform's URL (it names the
    Twilio account): the console resolves the row, and only for the case's own conversation."""
    from delivery.store import ChannelStore

    twilio, _ = platforms
    url = f"{twilio.base_url}/2010-04-01/Accounts/{twilio.account_sid}/Messages/MM9/Media/ME9"
    channel_store = ChannelStore(db)
    row = channel_store.record_media("wa-row", "whatsapp", url, "image/jpeg")
    stranger_row = channel_store.record_media("wa-other", "whatsapp", url, "image/jpeg")
    case_id = service.open_or_update_case("wa-row", "whatsapp", "en", engine=db).case_id
    service.record_inbound("wa-row", "", {"kind": "image", "reference": f"channel_media:{row}"}, engine=db)
    service.record_inbound("wa-row", "", {"kind": "image", "reference": f"channel_media:{stranger_row}"}, engine=db)
    await login(client, "amina")
    messages = (await (await client.get(f"/api/cases/{case_id}/messages")).json())["messages"]
    image = await client.get(messages[0]["media"][0]["url"])
    assert image.status == 200 and await image.read() == png_bytes()
    assert (await client.get(messages[1]["media"][0]["url"])).status == 404  # another conversation's file
