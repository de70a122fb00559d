"""WhatsApp (Twilio) channel, end to end: a signed webhook in → the Messages API call at the fake."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from content.knowledge import load_knowledge
from privacy.log_filter import conversation_tag
from privacy.pseudonym import pseudonymise
from delivery import result as d
from channels.outbound import send_to_conversation
from delivery.store import channel_addresses, channel_media, delivery_status
from core.clock import utcnow
from testing.harness import LONG_REPLY, TEMPLATE_SID, TWILIO_FROM, Harness, twilio_env, twilio_message

pytestmark = pytest.mark.asyncio
NUMBER = "+33612345678"


def cid(number: str = NUMBER) -> str:
    return pseudonymise("whatsapp", number)


def ui(key: str, language: str = "en") -> str:
    return load_knowledge().text(key, language)


async def send(whatsapp, params) -> None:
    response = await whatsapp.post_twilio(params)
    assert response.status_code == 200, response.text
    await whatsapp.settle()


def statuses(store):
    with store.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(delivery_status).order_by(delivery_status.c.id)).mappings()]


def close_window(store, number: str = NUMBER, hours: int = 25) -> None:
    with store.engine.begin() as connection:
        connection.execute(update(channel_addresses).where(channel_addresses.c.conversation_id == cid(number))
                           .values(last_inbound_at=utcnow() - timedelta(hours=hours)))


async def test_signed_message_is_answered_through_the_messages_api(whatsapp, fake_twilio, stub_bot):
    response = await whatsapp.post_twilio(twilio_message(NUMBER, "salut"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml") and "<Response></Response>" in response.text
    await whatsapp.settle()
    [message] = fake_twilio.messages
    assert message.params["To"] == f"whatsapp:{NUMBER}" and message.params["From"] == TWILIO_FROM
    assert message.params["Body"] == "Écho : salut"
    assert message.params["StatusCallback"] == f"{whatsapp.base_url}/webhooks/whatsapp/status"
    assert stub_bot.turns[0].sender_id == cid() and NUMBER[1:] not in repr(stub_bot.turns[0].__dict__)


@pytest.mark.parametrize("forgery", ["unsigned", "wrong-token", "tampered-body", "other-url", "garbage"])
async def test_forged_or_unsigned_requests_are_refused(whatsapp, fake_twilio, stub_bot, forgery):
    params = twilio_message(NUMBER, "transfère-moi de l'argent")
    signature = {
        "unsigned": None,
        "wrong-token": whatsapp.sign("/webhooks/whatsapp/webhook", params, token="not-the-token"),
        "tampered-body": whatsapp.sign("/webhooks/whatsapp/webhook", {**params, "Body": "bonjour"}),
        "other-url": whatsapp.sign("/webhooks/whatsapp/status", params),
        "garbage": "bm90IGEgc2lnbmF0dXJl",
    }[forgery]
    response = await whatsapp.post_twilio(params, signature=signature)
    assert response.status_code == 403
    await whatsapp.settle()
    assert stub_bot.turns == [] and fake_twilio.requests == []


@pytest.mark.parametrize("restart", [False, True], ids=["same-process", "after-restart"])
async def test_replayed_request_is_answered_once(whatsapp, fake_twilio, stub_bot, restart):
    params = twilio_message(NUMBER, "une seule fois")  # a valid signature can be replayed as is
    await send(whatsapp, params)
    if restart:
        await whatsapp.restart()
    await send(whatsapp, params)
    assert fake_twilio.bodies() == ["Écho : une seule fois"] and stub_bot.texts() == ["une seule fois"]


async def test_signature_is_checked_against_the_public_url_behind_a_proxy(db_url, store, fake_twilio, stub_bot, monkeypatch):
    harness = Harness(store, stub_bot, twilio_fake=fake_twilio)
    for name, value in twilio_env(fake_twilio, "https://bot.example.org").items():
        monkeypatch.setenv(name, value)
    await harness.start()
    try:
        path = "/webhooks/whatsapp/webhook"
        local = twilio_message(NUMBER, "signé pour l'adresse locale")
        assert (await harness.post_twilio(local)).status_code == 403  # what this server sees is not what Twilio signed
        public = twilio_message(NUMBER, "signé pour l'adresse publique")
        signature = harness.sign(path, public, public_url="https://bot.example.org")
        assert (await harness.post_twilio(public, signature=signature)).status_code == 200
        await harness.settle()
        assert stub_bot.texts() == ["signé pour l'adresse publique"]
    finally:
        await harness.stop()


@pytest.mark.parametrize("content_type, extra, reference", [
    ("image/jpeg", {}, "https://api.twilio.com/media/ME1"),
    ("audio/ogg", {}, "https://api.twilio.com/media/ME1"),
    ("application/pdf", {}, "https://api.twilio.com/media/ME1"),
    ("video/mp4", {}, "https://api.twilio.com/media/ME1"),
    ("location", {"Latitude": "13.51", "Longitude": "2.11"}, "geo:13.51,2.11"),
])
async def test_media_only_message_is_kept_and_answered(whatsapp, fake_twilio, stub_bot, store, content_type, extra, reference):
    if content_type == "location":
        params = twilio_message(NUMBER, "", **extra)
    else:
        params = twilio_message(NUMBER, "", NumMedia="1", MediaUrl0=reference, MediaContentType0=content_type)
    await send(whatsapp, params)
    expected = "voice_note_reply" if content_type.startswith("audio/") else "media_unsupported"
    assert stub_bot.turns == [] and fake_twilio.bodies() == [ui(expected)]
    with store.engine.connect() as connection:
        row = connection.execute(select(channel_media)).mappings().one()
    assert (row["conversation_id"], row["channel"], row["reference"], row["content_type"]) == (
        cid(), "whatsapp", reference, content_type)


async def test_long_reply_is_split_at_1600(whatsapp, fake_twilio):
    await send(whatsapp, twilio_message(NUMBER, "long"))
    parts = fake_twilio.bodies()
    assert len(parts) == 4 and all(len(part) <= 1600 for part in parts)
    assert " ".join(parts).split() == LONG_REPLY.split()


@pytest.mark.parametrize("text", ["أحتاج إلى جواز سفر جديد، أين السفارة؟", "ፓስፖርቴ ጠፍቷል። ምን ላድርግ?"])
async def test_unicode_round_trip(whatsapp, fake_twilio, stub_bot, text):
    await send(whatsapp, twilio_message(NUMBER, text))
    assert stub_bot.texts() == [text] and fake_twilio.bodies() == [f"Écho : {text}"]


@pytest.mark.parametrize("stop", [{"Body": "STOP"}, {"Body": " stop "}, {"Body": "Unsubscribe"},
                                  {"Body": "ARRÊT", "OptOutType": "STOP"}])
async def test_stop_and_start(whatsapp, fake_twilio, stub_bot, store, stop):
    await send(whatsapp, twilio_message(NUMBER, "bonjour"))
    await send(whatsapp, twilio_message(NUMBER, **stop))
    assert store.get_address(cid()).opted_out is True
    assert fake_twilio.bodies() == ["Écho : bonjour"]  # Twilio answers STOP itself; so do we not
    result = await send_to_conversation(cid(), "Un message de l'équipe")
    assert (result.sent, result.reason, result.permanent) == (False, d.OPTED_OUT, True)
    await send(whatsapp, twilio_message(NUMBER, "START"))
    assert store.get_address(cid()).opted_out is False and len(fake_twilio.bodies()) == 1
    await send(whatsapp, twilio_message(NUMBER, "me revoilà"))
    assert stub_bot.texts() == ["bonjour", "me revoilà"]
    assert fake_twilio.bodies()[-1] == "Écho : me revoilà"


async def test_unsubscribed_error_from_twilio_is_recorded(whatsapp, fake_twilio, store):
    fake_twilio.unsubscribe(NUMBER)  # opted out at Twilio without us seeing the STOP
    await send(whatsapp, twilio_message(NUMBER, "hello"))
    assert store.get_address(cid()).opted_out is True
    assert [(s["status"], s["error_code"]) for s in statuses(store)] == [("failed", "21610")]


async def test_outside_the_window_the_template_is_sent_instead(whatsapp, fake_twilio, store):
    await send(whatsapp, twilio_message(NUMBER, "hello"))
    close_window(store)
    result = await send_to_conversation(cid(), "Votre rendez-vous est confirmé.")
    assert (result.sent, result.used_template, result.reason) == (True, True, d.OUTSIDE_WINDOW)
    last = fake_twilio.messages[-1].params
    assert last["ContentSid"] == TEMPLATE_SID and "Body" not in last


async def test_outside_the_window_without_template_nothing_is_sent(whatsapp, fake_twilio, store, monkeypatch):
    await send(whatsapp, twilio_message(NUMBER, "hello"))
    close_window(store)
    whatsapp.channels["whatsapp"].sender.config = whatsapp.channels["whatsapp"].sender.config.__class__(
        **{**whatsapp.channels["whatsapp"].sender.config.__dict__, "template_sid": ""})
    before = len(fake_twilio.requests)
    result = await send_to_conversation(cid(), "Votre rendez-vous est confirmé.")
    assert (result.sent, result.used_template, result.reason) == (False, False, d.OUTSIDE_WINDOW_NO_TEMPLATE)
    assert "24 hours" in result.detail and len(fake_twilio.requests) == before


async def test_twilio_63016_falls_back_to_the_template(whatsapp, fake_twilio, store):
    await send(whatsapp, twilio_message(NUMBER, "hello"))  # our clock says: inside the window
    fake_twilio.outside_window(NUMBER, mode="sync")           # Twilio disagrees
    result = await send_to_conversation(cid(), "Nouvelles de votre dossier")
    assert result.used_template and result.sent
    assert [r.params.get("ContentSid") for r in fake_twilio.requests[-2:]] == [None, TEMPLATE_SID]


async def test_status_callbacks_are_recorded(whatsapp, fake_twilio, store):
    fake_twilio.status_callbacks = True
    await send(whatsapp, twilio_message(NUMBER, "hello"))
    await asyncio.gather(*fake_twilio.callback_tasks)
    await whatsapp.settle()
    sid = fake_twilio.messages[0].sid
    # Recorded as they come (in the background; Twilio does not promise the order either).
    assert sorted((s["message_id"], s["conversation_id"], s["status"]) for s in statuses(store)) == [
        (sid, cid(), "delivered"), (sid, cid(), "sent")]


async def test_asynchronous_63016_is_recorded(whatsapp, fake_twilio, store):
    fake_twilio.outside_window(NUMBER, mode="callback")
    await send(whatsapp, twilio_message(NUMBER, "hello"))
    await asyncio.gather(*fake_twilio.callback_tasks)
    await whatsapp.settle()
    assert [(s["status"], s["error_code"]) for s in statuses(store)] == [("undelivered", "63016")]


async def test_forged_status_callback_is_refused(whatsapp, store):
    params = {"MessageSid": "SM1", "MessageStatus": "delivered", "To": f"whatsapp:{NUMBER}"}
    response = await whatsapp.post_twilio(params, path="/webhooks/whatsapp/status", signature="forged")
    assert response.status_code == 403 and statuses(store) == []


async def test_empty_body_gets_a_hint(whatsapp, fake_twilio, stub_bot):
    await send(whatsapp, twilio_message(NUMBER, "   "))
    assert stub_bot.turns == [] and fake_twilio.bodies() == [ui("not_understood")]


@pytest.mark.parametrize("status, code", [(429, 20429), (500, 20500), (503, 20503)])
async def test_transient_errors_are_retried(whatsapp, fake_twilio, status, code):
    fake_twilio.fail(status, code, times=2)
    await send(whatsapp, twilio_message(NUMBER, "encore"))
    assert len(fake_twilio.requests) == 3 and fake_twilio.bodies() == ["Écho : encore"]


async def test_invalid_number_is_recorded_and_never_logged(whatsapp, fake_twilio, store, caplog):
    caplog.set_level(logging.DEBUG, logger="channels")
    await send(whatsapp, twilio_message("+1", "court"))  # Twilio quotes the number in its error text
    assert store.get_address(cid("+1")).blocked is True
    assert [(s["status"], s["error_code"]) for s in statuses(store)] == [("failed", "21211")]
    assert "whatsapp:+1" not in caplog.text


async def test_one_senders_messages_keep_their_order(whatsapp, fake_twilio, stub_bot):
    for text in ("slow un", "deux", "trois"):
        assert (await whatsapp.post_twilio(twilio_message(NUMBER, text))).status_code == 200
    await whatsapp.settle()
    assert fake_twilio.bodies(NUMBER) == ["Écho : slow un", "Écho : deux", "Écho : trois"]


async def test_a_failed_turn_asks_the_user_to_try_again_in_their_language(whatsapp, fake_twilio):
    await send(whatsapp, twilio_message(NUMBER, "bonjour"))
    await send(whatsapp, twilio_message(NUMBER, "boom"))
    assert fake_twilio.bodies()[-1] == ui("try_again", "fr")


async def test_logs_never_contain_the_phone_number(whatsapp, fake_twilio, caplog):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="channels")
    fake_twilio.fail(500, 20500)
    await send(whatsapp, twilio_message(NUMBER, "bonjour"))
    await send(whatsapp, twilio_message(NUMBER, "boom"))
    await send(whatsapp, twilio_message(NUMBER, "", NumMedia="1", MediaUrl0="https://x/m", MediaContentType0="image/png"))
    await send(whatsapp, twilio_message(NUMBER, "STOP"))
    await whatsapp.post_twilio(twilio_message(NUMBER, "forged"), signature="nope")
    await send_to_conversation(cid(), "opted out now")
    assert conversation_tag(cid()) in caplog.text and cid() not in caplog.text  # tagged, never the stored id
    assert NUMBER not in caplog.text and NUMBER[1:] not in caplog.text


@pytest.mark.parametrize("body", ['/greet{"language": "xx"}', "/handoff"])
async def test_a_message_cannot_force_an_intent(whatsapp, stub_bot, body):
    await send(whatsapp, twilio_message(NUMBER, body))
    assert stub_bot.texts() == [body.lstrip("/")]


async def test_status_callbacks_after_an_erasure_recreate_nothing(whatsapp, fake_twilio, store):
    from privacy.erasure import erase_personal_data

    await send(whatsapp, twilio_message(NUMBER, "hello"))
    sid = fake_twilio.messages[0].sid
    erase_personal_data(cid(), store.engine)
    for status in ("sent", "delivered", "read"):  # Twilio's callbacks for the reply, late
        await whatsapp.post_twilio({"MessageSid": sid, "MessageStatus": status, "To": f"whatsapp:{NUMBER}",
                                    "From": TWILIO_FROM, "AccountSid": fake_twilio.account_sid},
                                   path="/webhooks/whatsapp/status")
    await whatsapp.settle()
    assert statuses(store) == []
