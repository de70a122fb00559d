"""Delivery state per message (sent → delivered → read from platform callbacks, failed with the
reason in words) and Send again for failures and template fallbacks."""
from __future__ import annotations

import pytest
from sqlalchemy import insert

from cases import service, store
from cases.delivery import DeliveryResult, normalise
from core.clock import utcnow
from core.db import session_scope
from tests.console.helpers import login

pytestmark = pytest.mark.asyncio


def status(db, message_id, state, code=None):
    from delivery.store import delivery_status

    with session_scope(db) as session:
        session.execute(insert(delivery_status).values(channel="whatsapp", message_id=message_id, status=state,
                                                       conversation_id="wa-d", error_code=code, recorded_at=utcnow()))


async def test_states_follow_the_platform_callbacks_and_failures_get_words(client, db, channel, people):
    case_id = service.open_or_update_case("wa-d", "whatsapp", "en", engine=db).case_id
    csrf = await login(client, "amina")
    channel.next_results = [DeliveryResult(ok=True, message_ids=("SM1",)), DeliveryResult(ok=True, message_ids=("SM2",))]
    for text in ("first", "second"):
        await client.post(f"/cases/{case_id}/reply", data={"csrf_token": csrf, "text": text})
    status(db, "SM1", "delivered")
    status(db, "SM1", "read")
    status(db, "SM1", "delivered")  # a late callback never moves a message back
    status(db, "SM2", "undelivered", "30003")
    data = await (await client.get(f"/api/cases/{case_id}/messages")).json()
    first, second = data["messages"]
    assert (first["delivery"], first["error"], first["resend"]) == ("read", None, False)
    assert second["delivery"] == "failed" and second["resend"] is True
    assert second["error"] == "The phone is unreachable (switched off or out of coverage)."
    page = await (await client.get(f"/cases/{case_id}")).text()
    assert "failed: The phone is unreachable" in page and page.count('action="/cases/%d/resend"' % case_id) == 1


async def test_send_again_sends_the_same_text_as_a_new_message(client, db, channel, people):
    case_id = service.open_or_update_case("wa-r", "whatsapp", "en", engine=db).case_id
    csrf = await login(client, "amina")
    channel.next_results = [normalise({"sent": False, "reason": "channel_not_configured"}), DeliveryResult(ok=True)]
    failed = await client.post(f"/cases/{case_id}/reply", data={"csrf_token": csrf, "text": "Hello again"})
    page = await failed.text()
    assert 'class="notice error" role="alert"' in page and "could not be delivered" in page
    assert "not set up on this server" in page  # the reason code in words
    (line,) = store.transcript(case_id, engine=db)
    resent = await client.post(f"/cases/{case_id}/resend", data={"csrf_token": csrf, "message_id": line.message.id})
    assert "Reply sent." in await resent.text()
    assert channel.texts("wa-r") == ["Hello again", "Hello again"]
    assert [l.message.delivery for l in store.transcript(case_id, engine=db)] == ["failed", "sent"]  # history kept
    again = await client.post(f"/cases/{case_id}/resend", data={"csrf_token": csrf, "message_id": line.message.id + 1})
    assert again.status == 409 and "Only a message that failed" in await again.text()
    bad = await client.post(f"/cases/{case_id}/resend", data={"csrf_token": csrf, "message_id": "x"})
    assert bad.status == 409 and "Choose the message" in await bad.text()


async def test_the_assistants_messages_show_their_state_too_when_the_platform_reports_it(client, db, people):
    service.open_or_update_case("wa-b", "whatsapp", "en", engine=db)
    service.record_delivered("wa-b", "Your message has reached our team.", DeliveryResult(ok=True, message_ids=("SM9",)),
                             engine=db)
    service.record_delivered("wa-b", "An answer of the web chat's kind.", DeliveryResult(ok=True), engine=db)
    service.record_delivered("wa-b", "Lost.", DeliveryResult(ok=False, error="The platform did not accept it."),
                             engine=db)
    status(db, "SM9", "delivered")
    await login(client, "amina")
    case_id = service.active_case_id("wa-b", engine=db)
    tracked, said, lost = (await (await client.get(f"/api/cases/{case_id}/messages")).json())["messages"]
    assert (tracked["author"], tracked["delivery"]) == ("bot", "delivered")
    assert said["delivery"] is None  # sent, with nothing to follow: recorded as said
    assert (lost["delivery"], lost["error"], lost["resend"]) == ("failed", "The platform did not accept it.", False)


async def test_an_emergency_case_says_so_at_the_top_of_its_summary_card(client, db, people):
    from cases import summary

    case_id = service.open_or_update_case("wa-e", "whatsapp", "ha", reason="emergency", engine=db).case_id
    summary.save(case_id, summary.from_slots({"consent": None}, "whatsapp", "ha", emergency=True), created=True,
                 engine=db)
    await login(client, "amina")
    page = await (await client.get(f"/cases/{case_id}")).text()
    card = page[page.index('<section class="summary"'):page.index("</section>")]
    assert card.index("Emergency") < card.index("Language") and "danger check" in card
    assert "not asked yet" in card  # the consent the emergency did not wait for
