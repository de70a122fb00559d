"""Handoff wiring: the actions open cases, the channel hook routes messages, urgent alerts."""
from __future__ import annotations

import io
import json

import httpx
import pytest

from actions.emergency import ActionEmergency
from actions.handoff import ActionHandoff
from actions.replies import ui
from bot import cli_cases as cli
from cases import accounts, notify, routing, service, store
from cases.delivery import TO_CASE, TO_CASE_AND_BOT, DeliveryResult
from cases.service import CaseUpdate
from testing.case_support import FakeChannel, tracker

CONV = "wa-fedcba9876543210fedcba9876543210"


async def run(action, tracker_):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker_, {})
    return [m["text"] for m in dispatcher.messages], {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.asyncio
async def test_handoff_action_opens_one_case_and_answers_from_the_store(default_db):
    texts, slots = await run(ActionHandoff(), tracker(CONV, "I want a person", history=[("bot", "Hello.")]))
    assert texts == [ui("handoff_requested", "en")] and slots["handoff"] is True
    (row,) = store.inbox(accounts.create("sup", "lantern orbit fennel 42", "supervisor", engine=default_db), "unassigned")
    assert (row.case.conversation_id, row.case.channel, row.case.priority) == (CONV, "telegram", "normal")
    # the conversation up to this message (the channel adds this turn's answers once sent)
    assert [l.message.text for l in store.transcript(row.case.id)] == ["Hello.", "I want a person"]
    texts, _ = await run(ActionHandoff(), tracker(CONV, "hello??", slots={"handoff": True}))
    assert texts == [ui("handoff_already_open", "en")]
    # After the case is resolved the slot is still set, but a person is no longer on it.
    supervisor = accounts.authenticate("sup", "lantern orbit fennel 42")
    service.assign(row.case.id, supervisor, supervisor.id)
    await service.resolve(row.case.id, supervisor, FakeChannel().send)
    texts, _ = await run(ActionHandoff(), tracker(CONV, "human again", slots={"handoff": True}))
    assert texts == [ui("handoff_requested", "en")]
    assert len(store.inbox(supervisor, "unassigned")) == 1


@pytest.mark.asyncio
async def test_a_new_case_copies_the_conversation_up_to_the_migrants_message(default_db):
    current = tracker(CONV, "a person please", history=[("user", "hi"), ("bot", "Hello.")])
    current.events.append({"event": "bot", "text": "Thank you."})  # another action, earlier in this turn
    await run(ActionHandoff(), current)
    # this turn's words join the case when the channel has sent them, once
    assert [l.message.text for l in store.transcript(1)] == ["hi", "Hello.", "a person please"]


@pytest.mark.asyncio
async def test_emergency_is_urgent_and_alerts(default_db, monkeypatch):
    alerts = []
    monkeypatch.setattr(notify, "schedule", alerts.append)
    await run(ActionHandoff(), tracker(CONV, "human please", slots={"language": "fr"}))
    texts, slots = await run(ActionEmergency(), tracker(CONV, "au secours", slots={"language": "fr"}))
    assert texts == [ui("emergency_safety", "fr")] and slots["urgent"] is True
    supervisor = accounts.create("sup", "lantern orbit fennel 42", "supervisor")
    (row,) = store.inbox(supervisor, "unassigned")
    assert (row.case.priority, row.case.reason, row.case.language) == ("urgent", "request", "fr")
    assert store.transcript(row.case.id)[-1].message.text == "human please"  # the channel adds the rest
    assert [a.became_urgent for a in alerts] == [False, True]


@pytest.mark.parametrize("slots,priority,reason,flags", [
    ({"topic": "report_abuse"}, "urgent", "abuse", []),
    ({"vulnerability": "child_alone,medical", "priority_handoff": True}, "high", "unaccompanied_minor",
     ["child_alone", "medical"]),
    ({"vulnerability": "pregnant", "priority_handoff": True}, "high", "vulnerable", ["pregnant"]),
    ({"priority_handoff": True}, "high", "vulnerable", []),
    ({"vulnerability": "none"}, "normal", "request", []),
    ({"topic": "avr_process", "vulnerability": "unknown"}, "normal", "request", []),
])
@pytest.mark.asyncio
async def test_handoff_priority_from_the_conversation(default_db, slots, priority, reason, flags):
    await run(ActionHandoff(), tracker(CONV, "a person please", slots=slots))
    (row,) = store.inbox(accounts.create("sup", "lantern orbit fennel 42", "supervisor"), "unassigned")
    assert (row.case.priority, row.case.reason, row.case.flag_list) == (priority, reason, flags)


@pytest.mark.asyncio
async def test_no_case_without_a_channel_and_the_migrant_is_answered_when_the_store_fails(default_db, monkeypatch):
    texts, _ = await run(ActionHandoff(), tracker(CONV, "human", channel="cli"))
    assert texts == [ui("handoff_requested", "en")]
    assert service.record_inbound(CONV, "x") is None  # no case was opened for `python -m bot ask`
    monkeypatch.setattr(service, "open_or_update_case", lambda *a, **k: (_ for _ in ()).throw(OSError("db down")))
    texts, _ = await run(ActionEmergency(), tracker(CONV, "sos"))
    assert texts == [ui("emergency_safety", "en")]


def test_routing_sends_messages_to_the_case_while_it_is_active(default_db):
    assert routing.on_inbound(CONV, "whatsapp", "hello", None) is None  # no case: not ours
    service.open_or_update_case(CONV, "whatsapp", "en")
    assert routing.on_inbound(CONV, "whatsapp", "my passport is lost", None) == TO_CASE
    assert routing.on_inbound(CONV, "whatsapp", None, {"kind": "voice", "reference": "m-1"}) == TO_CASE
    assert [l.message.text for l in store.transcript(1)] == ["my passport is lost", ""]


@pytest.mark.parametrize("text", [
    "Our boat is SINKING", "please help, I am dying", "sos", "Au secours, on nous frappe", "je me noie… noyade",
    "نحن نغرق", "وأنا أموت", "estou em perigo", "dem kidnap my brother", "ina mutuwa",
])
def test_emergency_words_also_reach_the_bot(default_db, text):
    service.open_or_update_case(CONV, "whatsapp", "en")
    assert routing.on_inbound(CONV, "whatsapp", text, None) == TO_CASE_AND_BOT


@pytest.mark.parametrize("text", ["Is the sea route dangerous?", "Thank you, I will wait", "menus are nice"])
def test_ordinary_messages_do_not_alarm(text):
    assert not routing.looks_urgent(text) and not routing.wants_assistant(text)


@pytest.mark.asyncio
async def test_menu_brings_the_assistant_back_until_a_caseworker_answers(default_db):
    case_id = service.open_or_update_case(CONV, "whatsapp", "en").case_id
    assert routing.on_inbound(CONV, "whatsapp", " Menu! ", None) == TO_CASE_AND_BOT
    assert routing.on_inbound(CONV, "whatsapp", "2", None) == TO_CASE_AND_BOT
    amina = accounts.create("amina", "quiet harbour tulip mosaic")
    await service.reply(case_id, amina, "Hello, I am here now", FakeChannel().send)
    assert routing.on_inbound(CONV, "whatsapp", "thank you", None) == TO_CASE


@pytest.mark.parametrize("text", [
    "delete my data", "/delete", "delete", "Please DELETE my messages", "supprimez mes données svp", "apaga meus dados",
    "امسح بياناتي", "ku goge bayanai na", "tirtir xogtayda", "መረጃዬን አጥፉ", "ሓበሬታይ ደምስሱ", "abeg delete my data",
])
def test_erasure_is_never_swallowed_by_an_open_case(default_db, text):
    # the request and the answer to the assistant's "are you sure? 1 yes 2 no" both reach it
    service.open_or_update_case(CONV, "telegram", "en")
    assert routing.on_inbound(CONV, "telegram", text, None) == TO_CASE_AND_BOT
    assert routing.on_inbound(CONV, "telegram", "1", None) == TO_CASE_AND_BOT


@pytest.mark.parametrize("text", ["my passport is lost", "they deleted my visa at the border?", "remember me to her"])
def test_other_messages_stay_with_the_case(default_db, text):
    service.open_or_update_case(CONV, "telegram", "en")
    assert routing.on_inbound(CONV, "telegram", text, None) == TO_CASE


def test_a_failing_store_routes_to_the_bot(monkeypatch):
    monkeypatch.setattr(service, "record_inbound", lambda *a, **k: (_ for _ in ()).throw(OSError("db down")))
    assert routing.on_inbound(CONV, "telegram", "hello", None) is None  # the assistant answers


@pytest.mark.asyncio
async def test_install_registers_once_with_channels_hooks(default_db, monkeypatch):
    from channels import hooks

    monkeypatch.setattr(hooks, "INBOUND_HOOKS", [])
    monkeypatch.setattr(hooks, "OUTBOUND_HOOKS", [])
    assert hooks.install_case_routing() and hooks.install_case_routing() and len(hooks.INBOUND_HOOKS) == len(hooks.OUTBOUND_HOOKS) == 1
    assert await hooks.on_inbound(CONV, "telegram", "hi", None) == hooks.TO_BOT
    service.open_or_update_case(CONV, "telegram", "en")
    assert await hooks.on_inbound(CONV, "telegram", "hi", None) == hooks.TO_CASE
    # Where channels.hooks knows no "to_case_and_bot", "to_bot" means the same: the case has it.
    both = TO_CASE_AND_BOT if TO_CASE_AND_BOT in hooks.DECISIONS else hooks.TO_BOT
    assert await hooks.on_inbound(CONV, "telegram", "sos", None) == both
    assert [l.message.text for l in store.transcript(1)] == ["hi", "sos"]


@pytest.mark.asyncio
async def test_urgent_notification_names_no_person(monkeypatch):
    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={"ok": True})

    update_ = CaseUpdate(7, True, "pending", "urgent", None, "ar", "risk_sea")
    assert not await notify.notify_urgent(update_, httpx.MockTransport(handler))  # not configured
    monkeypatch.setenv("CASEWORKER_TELEGRAM_CHAT_ID", "-100123")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://telegram.test")
    assert await notify.notify_urgent(update_, httpx.MockTransport(handler))
    normal = CaseUpdate(8, True, "pending", "normal", None, "en", None)
    assert not await notify.notify_urgent(normal, httpx.MockTransport(handler))
    (request,) = requests
    assert str(request.url) == "http://telegram.test/bot123:abc/sendMessage"
    body = json.loads(request.content)
    assert body["chat_id"] == "-100123"
    assert body["text"] == notify.notification_text(update_)
    assert "#7" in body["text"] and "URGENT" in body["text"] and "ar" in body["text"] and "risk_sea" in body["text"]
    failing = httpx.MockTransport(lambda request: httpx.Response(500))
    assert not await notify.notify_urgent(update_, failing)


def test_caseworker_cli(default_db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("granite puffin sorrel 31\n"))
    assert cli.main(["add", "Amina", "--role", "supervisor", "--password-stdin"]) == 0
    assert accounts.authenticate("amina", "granite puffin sorrel 31").role == "supervisor"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["add", "ben", "--password-stdin"]) == 1
    assert cli.main(["deactivate", "amina"]) == 0
    assert cli.main(["list"]) == 0
    out = capsys.readouterr()
    assert "amina\tsupervisor\tinactive" in out.out and "at least 12 characters" in out.err
    assert accounts.authenticate("amina", "granite puffin sorrel 31") is None


@pytest.mark.asyncio
async def test_an_emergency_stays_with_the_team_until_a_caseworker_resolves_it(default_db, monkeypatch):
    """The whole life of an urgent case as the migrant lives it: every message acknowledged while
    nobody has answered, then the caseworker's conversation, then the assistant back."""
    from rasa_sdk.events import FollowupAction
    from rasa_sdk.executor import CollectingDispatcher

    from actions.emergency import ActionEmergencyFollowup

    monkeypatch.setattr(notify, "schedule", lambda update: None)
    texts, slots = await run(ActionEmergency(), tracker(CONV, "jirgin ruwa yana nutsewa", slots={"language": "ha"}))
    assert slots["emergency_active"] is True
    # nobody has answered yet: every message reaches the assistant too, which acknowledges it
    assert routing.on_inbound(CONV, "telegram", "mu 50 ne", None) == TO_CASE_AND_BOT
    during = tracker(CONV, "mu 50 ne", slots={"language": "ha", "emergency_active": True})
    texts, _ = await run(ActionEmergencyFollowup(), during)
    assert texts == [ui("emergency_ack", "ha")]
    for text in texts:  # what the channel does once each has gone out
        routing.on_outbound(CONV, "telegram", text, DeliveryResult(ok=True, message_ids=("7",)))
    supervisor = accounts.create("sup", "lantern orbit fennel 42", "supervisor")
    (row,) = store.inbox(supervisor, "unassigned")
    transcript = [entry.message.text for entry in store.transcript(row.case.id)]
    assert transcript[-2:] == ["mu 50 ne", ui("emergency_ack", "ha")] and row.case.priority == "urgent"
    # a person answered: the conversation is with them, the assistant stays quiet
    await service.reply(row.case.id, supervisor, "Muna nan, ina kuke?", FakeChannel().send)
    assert routing.on_inbound(CONV, "telegram", "Agadez", None) == TO_CASE
    # resolved: the next message is the assistant's again, handled as usual
    await service.resolve(row.case.id, supervisor, FakeChannel().send)
    assert routing.on_inbound(CONV, "telegram", "na gode", None) is None
    dispatcher = CollectingDispatcher()
    events = await ActionEmergencyFollowup().run(dispatcher, during, {"actions": ["action_handoff"]})
    assert dispatcher.messages == []
    assert {"event": "slot", "timestamp": None, "name": "emergency_active", "value": None} in events
    assert events[-1] == FollowupAction("action_handoff")  # the rules' action for the message's intent


@pytest.mark.asyncio
async def test_an_emergency_case_gets_its_summary_after_it_is_opened_and_alerted(default_db, monkeypatch):
    from cases import summary

    order = []
    monkeypatch.setattr(notify, "schedule", lambda update: order.append(("alert", update.case_id)))
    save = summary.save
    monkeypatch.setattr(summary, "save", lambda *a, **k: (order.append(("summary", a[0])), save(*a, **k)))
    slots = {"language": "fr", "consent": None, "host_country": "niger", "topic": "risk_desert"}
    texts, _ = await run(ActionEmergency(), tracker(CONV, "on meurt de soif", slots=slots))
    assert texts == [ui("emergency_safety", "fr") + "\n\n" + ui("emergency_notice_line", "fr")]
    assert order == [("alert", 1), ("summary", 1)]  # the urgent case first, the card after
    supervisor = accounts.create("sup", "lantern orbit fennel 42", "supervisor")
    case, _ = store.get_case(1, supervisor)
    card = case.summary_dict
    assert card["emergency"] is True and card["host_country"] == "Niger" and card["channel"] == "telegram"
    assert card["consent"] == "not asked"  # an emergency never waits for consent: not "given"
    kinds = [e.kind for e in store.events(1)]
    assert kinds.index("opened") < kinds.index("note")
    (note,) = [e for e in store.events(1) if e.kind == "note"]
    assert note.data["text"].startswith(summary.EMERGENCY_LINE) and "Host country: Niger" in note.data["text"]


@pytest.mark.asyncio
async def test_a_case_that_becomes_an_emergency_is_flagged_and_stays_flagged(default_db, monkeypatch):
    from cases import summary

    monkeypatch.setattr(notify, "schedule", lambda update: None)
    await run(ActionHandoff(), tracker(CONV, "a person please"))
    await run(ActionEmergency(), tracker(CONV, "help, the boat is sinking"))
    await run(ActionHandoff(), tracker(CONV, "a person please", slots={"handoff": True}))  # refreshes the card
    supervisor = accounts.create("sup", "lantern orbit fennel 42", "supervisor")
    case, _ = store.get_case(1, supervisor)
    assert case.summary_dict["emergency"] is True and case.priority == "urgent"
    notes = [e.data["text"] for e in store.events(1) if e.kind == "note" and e.actor == "bot"]
    assert len(notes) == 2 and notes[1].startswith(summary.EMERGENCY_LINE)
    assert not notes[0].startswith(summary.EMERGENCY_LINE)


@pytest.mark.asyncio
async def test_a_failing_summary_never_costs_the_urgent_case(default_db, monkeypatch):
    from cases import summary

    monkeypatch.setattr(notify, "schedule", lambda update: None)
    monkeypatch.setattr(summary, "save", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    texts, slots = await run(ActionEmergency(), tracker(CONV, "sos"))
    assert texts and slots["emergency_active"] is True
    assert service.active_case_id(CONV) is not None
