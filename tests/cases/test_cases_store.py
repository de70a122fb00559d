"""The case store on the real migrations, each test on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cases import accounts, service, store
from cases.delivery import DeliveryResult
from cases.models import Case, CaseEvent, CaseMessage
from core.clock import utcnow
from cases.policy import PermissionDenied
from cases.state import CaseError, InvalidTransition
from core.db import session_scope
from content.knowledge import load_knowledge
from testing.case_support import FakeChannel

CONV = "tg-0123456789abcdef0123456789abcdef"


def kinds(engine, case_id):
    return [event.kind for event in store.events(case_id, engine=engine)]


@pytest.fixture
def people(engine):
    supervisor = accounts.create("sup", "lantern orbit fennel 42", "supervisor", engine=engine)
    amina = accounts.create("amina", "quiet harbour tulip mosaic", engine=engine)
    ben = accounts.create("ben", "copper violin meadow 7", engine=engine)
    return supervisor, amina, ben


def open_case(engine, conversation=CONV, **kwargs):
    args = dict(channel="telegram", language="en", topic="avr_overview", reason="request")
    args.update(kwargs)
    return service.open_or_update_case(conversation, engine=engine, **args)


def test_open_creates_a_pending_case_with_history_and_an_opened_event(engine):
    update_ = open_case(engine, history=[("migrant", "hello"), ("bot", "Hello. I am ...")])
    assert update_.created and update_.status == "pending" and update_.priority == "normal"
    lines = store.transcript(update_.case_id, engine=engine)
    assert [(line.message.author, line.message.text) for line in lines] == [("migrant", "hello"), ("bot", "Hello. I am ...")]
    events = store.events(update_.case_id, engine=engine)
    assert [e.kind for e in events] == ["opened"]
    assert events[0].actor == "bot" and events[0].data["reason"] == "request"


def test_open_is_idempotent_raises_priority_and_merges_flags(engine):
    first = open_case(engine)
    again = open_case(engine, reason="vulnerable", flags=["pregnant"])
    assert again.case_id == first.case_id and not again.created
    assert again.priority == "high" and again.previous_priority == "normal" and again.became_urgent is False
    lower = open_case(engine, priority="low", flags=["pregnant"])  # never lowers, no duplicate flag
    assert lower.priority == "high" and lower.previous_priority is None
    urgent = open_case(engine, reason="emergency")
    assert urgent.priority == "urgent" and urgent.became_urgent
    with session_scope(engine) as session:
        assert session.get(Case, first.case_id).flag_list == ["pregnant"]
    assert kinds(engine, first.case_id) == ["opened", "priority_changed", "note", "priority_changed"]


def test_the_database_refuses_a_second_active_case_for_a_conversation(engine):
    open_case(engine)
    with pytest.raises(IntegrityError):
        with session_scope(engine) as session:
            now = utcnow()
            session.add(Case(conversation_id=CONV, channel="telegram", language="en", reason="request",
                             priority="normal", status="open", flags="[]", mirror_to_bot=False,
                             created_at=now, updated_at=now))


def test_inbound_messages_join_the_active_case_only(engine):
    assert service.record_inbound(CONV, "anyone?", engine=engine) is None
    case_id = open_case(engine).case_id
    media = {"kind": "photo", "reference": "file-123", "content_type": "image/jpeg"}
    assert service.record_inbound(CONV, "", media, engine=engine) == (case_id, False)
    assert service.record_inbound(CONV, "menu", back_to_assistant=True, engine=engine) == (case_id, True)
    assert service.record_inbound(CONV, "still there?", engine=engine) == (case_id, True)
    lines = store.transcript(case_id, engine=engine)
    assert lines[0].message.media_list == [media]
    assert kinds(engine, case_id).count("message_in") == 3


@pytest.mark.asyncio
async def test_reply_claims_sends_records_and_starts_the_sla_clock(engine, people):
    _, amina, _ = people
    case_id = open_case(engine).case_id
    service.record_inbound(CONV, "menu", back_to_assistant=True, engine=engine)
    channel = FakeChannel()
    result = await service.reply(case_id, amina, "  Hello, I am Amina.  ", channel.send, engine=engine)
    assert result.ok and channel.deliveries == [{"conversation_id": CONV, "text": "Hello, I am Amina.", "buttons": None}]
    case, assignee = store.get_case(case_id, amina, engine=engine)
    assert case.status == "open" and assignee == "amina" and case.first_response_at is not None
    assert not case.mirror_to_bot  # a person answered: messages go to the case only again
    line = store.transcript(case_id, engine=engine)[-1]
    assert (line.message.author, line.caseworker, line.message.delivery) == ("caseworker", "amina", "sent")
    events = store.events(case_id, engine=engine)
    assert [e.kind for e in events][-2:] == ["assigned", "message_out"]
    assert events[-2].data == {"assignee": "amina", "previous": None, "auto": True}


@pytest.mark.asyncio
async def test_template_and_failed_deliveries_are_recorded_and_not_counted_as_an_answer(engine, people):
    _, amina, _ = people
    case_id = open_case(engine).case_id
    channel = FakeChannel(next_results=[DeliveryResult(ok=True, used_template=True),
                                        {"sent": False, "reason": "blocked", "detail": "the user blocked the bot"},
                                        RuntimeError("secret +49 address in the error")])
    assert (await service.reply(case_id, amina, "one", channel.send, engine=engine)).used_template
    assert not (await service.reply(case_id, amina, "two", channel.send, engine=engine)).ok
    third = await service.reply(case_id, amina, "three", channel.send, engine=engine)
    assert not third.ok and "+49" not in third.error  # the exception's text may hold an address
    case, _ = store.get_case(case_id, amina, engine=engine)
    assert case.first_response_at is None
    deliveries = [(l.message.text, l.message.delivery, l.message.delivery_error) for l in store.transcript(case_id, engine=engine)]
    assert deliveries == [("one", "template", None), ("two", "failed", "the user blocked the bot"),
                          ("three", "failed", "send failed (RuntimeError)")]


@pytest.mark.asyncio
async def test_resolve_tells_the_migrant_in_their_language_and_frees_the_conversation(engine, people):
    supervisor, amina, _ = people
    case_id = open_case(engine, language="fr").case_id
    channel = FakeChannel()
    with pytest.raises(InvalidTransition):  # nobody has claimed it yet
        await service.resolve(case_id, amina, channel.send, engine=engine)
    service.assign(case_id, amina, amina.id, engine=engine)
    result = await service.resolve(case_id, amina, channel.send, engine=engine)
    assert result.ok and channel.texts() == [load_knowledge().text("handoff_resolved", "fr")]
    case, _ = store.get_case(case_id, amina, engine=engine)
    assert case.status == "resolved" and case.resolved_at is not None
    assert service.record_inbound(CONV, "merci", engine=engine) is None  # back to the bot
    with pytest.raises(InvalidTransition):
        await service.reply(case_id, amina, "too late", channel.send, engine=engine)
    # A new handoff opens a new case; the old one cannot be reopened while that one is active.
    assert open_case(engine).case_id != case_id
    with pytest.raises(CaseError, match="another active case"):
        service.reopen(case_id, supervisor, engine=engine)
    assert kinds(engine, case_id) == ["opened", "assigned", "resolved", "message_out"]


@pytest.mark.asyncio
async def test_full_life_cycle_event_log(engine, people):
    supervisor, amina, ben = people
    channel = FakeChannel()
    case_id = open_case(engine).case_id
    service.record_inbound(CONV, "hello?", engine=engine)
    service.assign(case_id, supervisor, ben.id, engine=engine)
    service.change_priority(case_id, supervisor, "high", engine=engine)
    service.add_note(case_id, ben, "Called the centre", engine=engine)
    await service.reply(case_id, ben, "I am here", channel.send, engine=engine)
    await service.resolve(case_id, ben, channel.send, engine=engine)
    service.reopen(case_id, ben, engine=engine)
    service.add_note(case_id, ben, "Reopened: they wrote again", engine=engine)
    events = store.events(case_id, engine=engine)
    assert [(e.kind, e.actor) for e in events] == [
        ("opened", "bot"), ("message_in", "migrant"), ("assigned", "caseworker:sup"),
        ("priority_changed", "caseworker:sup"), ("note", "caseworker:ben"), ("message_out", "caseworker:ben"),
        ("resolved", "caseworker:ben"), ("message_out", "bot"), ("reopened", "caseworker:ben"),
        ("note", "caseworker:ben"),
    ]
    assert events[3].data == {"from": "normal", "to": "high"}
    assert all(e.created_at is not None for e in events)


def test_caseworkers_cannot_take_or_give_away_cases_supervisors_can(engine, people):
    supervisor, amina, ben = people
    case_id = open_case(engine).case_id
    with pytest.raises(PermissionDenied):
        service.assign(case_id, amina, ben.id, engine=engine)
    service.assign(case_id, amina, amina.id, engine=engine)
    with pytest.raises(PermissionDenied):
        service.assign(case_id, ben, ben.id, engine=engine)
    with pytest.raises(PermissionDenied):
        service.add_note(case_id, ben, "not my case", engine=engine)
    with pytest.raises(service.CaseNotFound):
        store.get_case(case_id, ben, engine=engine)  # a colleague's case is not even visible
    service.assign(case_id, supervisor, ben.id, engine=engine)
    assert store.get_case(case_id, ben, engine=engine)[1] == "ben"
    accounts.set_active("amina", False, engine=engine)
    with pytest.raises(CaseError, match="not active"):
        service.assign(case_id, supervisor, amina.id, engine=engine)


def test_inbox_folders_filters_and_order(engine, people):
    supervisor, amina, _ = people
    ids = {}
    for name, reason, language, topic in [("old_normal", "request", "en", "avr_overview"),
                                          ("urgent", "emergency", "fr", "risk_sea"),
                                          ("new_normal", "request", "ar", "avr_overview"),
                                          ("high", "vulnerable", "en", "minors")]:
        ids[name] = open_case(engine, conversation=f"tg-{name}", reason=reason, language=language, topic=topic).case_id
    with session_scope(engine) as session:  # make "old_normal" clearly older
        session.execute(update(Case).where(Case.id == ids["old_normal"]).values(created_at=utcnow() - timedelta(hours=3)))
    order = [row.case.id for row in store.inbox(supervisor, "unassigned", engine=engine)]
    assert order == [ids["urgent"], ids["high"], ids["old_normal"], ids["new_normal"]]
    assert [r.case.id for r in store.inbox(amina, "unassigned", language="en", engine=engine)] == [ids["high"], ids["old_normal"]]
    assert [r.case.id for r in store.inbox(amina, "unassigned", topic="avr_overview", engine=engine)] == [ids["old_normal"], ids["new_normal"]]
    service.assign(ids["high"], amina, amina.id, engine=engine)
    assert [(r.case.id, r.assignee) for r in store.inbox(amina, "mine", engine=engine)] == [(ids["high"], "amina")]
    assert len(store.inbox(supervisor, "all", engine=engine)) == 4
    with pytest.raises(CaseError):
        store.inbox(amina, "all", engine=engine)
    assert store.filter_values(supervisor, engine=engine) == (["avr_overview", "minors", "risk_sea"], ["ar", "en", "fr"])
    before = store.inbox_version(supervisor, engine=engine)
    service.record_inbound("tg-urgent", "news", engine=engine)
    assert store.inbox_version(supervisor, engine=engine) != before


def test_erasure_removes_cases_messages_and_events(engine):
    case_id = open_case(engine, history=[("migrant", "my story")]).case_id
    service.record_inbound(CONV, "more", engine=engine)
    assert service.erase_conversation(CONV, engine=engine) == 1
    with session_scope(engine) as session:
        for table in (Case, CaseMessage, CaseEvent):
            assert session.execute(select(table)).first() is None
    assert service.erase_conversation(CONV, engine=engine) == 0 and case_id


def test_accounts_store_argon2_hashes_and_check_passwords(engine):
    actor = accounts.create("Amina", "correct horse battery", "supervisor", engine=engine)
    assert actor.username == "amina" and actor.is_supervisor
    worker = accounts.list_all(engine=engine)[0]
    assert worker.password_hash.startswith("$argon2id$") and "correct" not in worker.password_hash
    assert accounts.authenticate("AMINA ", "correct horse battery", engine=engine) == actor
    assert accounts.authenticate("amina", "wrong password!", engine=engine) is None
    assert accounts.authenticate("nobody", "correct horse battery", engine=engine) is None
    for bad in [("amina", "pelican lantern crossing 9", "caseworker"), ("x", "pelican lantern crossing 9", "caseworker"),
                ("new", "short", "caseworker"), ("new", "pelican lantern crossing 9", "admin")]:
        with pytest.raises(CaseError):
            accounts.create(*bad, engine=engine)
    accounts.set_active("amina", False, engine=engine)
    assert accounts.authenticate("amina", "correct horse battery", engine=engine) is None
    assert accounts.active_actor(actor.id, engine=engine) is None


def test_migration_0003_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.db import Base

    ours = {"caseworkers", "cases", "case_events", "case_messages", "console_sessions", "case_reads", "webchat_outbox",
            "saved_filters"}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={  # both sides: other modules' models may be loaded
            "include_object": lambda obj, name, type_, reflected, compare_to: type_ != "table" or name in ours,
        })
        assert compare_metadata(context, Base.metadata) == []
