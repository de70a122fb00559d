"""The pieces under the channels: per-sender queues, the channel tables, the hook registry, retries."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import inspect, update

from channels import hooks
from delivery.queues import SenderQueues
from delivery.retry import RetryPolicy, call_with_retries
from delivery.store import DEDUP_WINDOW, processed_updates
from core.clock import utcnow



@pytest.mark.asyncio
async def test_queues_keep_order_per_sender_and_run_senders_in_parallel():
    log = []

    async def handle(item):
        sender, number, delay = item
        log.append(("start", sender, number))
        await asyncio.sleep(delay)
        log.append(("end", sender, number))

    queues = SenderQueues(handle)
    for number in range(5):
        assert queues.submit("a", ("a", number, 0.02 if number == 0 else 0))
    queues.submit("b", ("b", 0, 0))
    assert queues.pending == 6
    assert await queues.drain(5)
    assert [n for kind, s, n in log if s == "a" and kind == "end"] == [0, 1, 2, 3, 4]
    assert log.index(("end", "b", 0)) < log.index(("end", "a", 0))  # b did not wait for a
    assert queues.pending == 0 and not queues._queues  # idle senders leave nothing behind


@pytest.mark.asyncio
async def test_a_failing_message_does_not_stop_the_senders_queue():
    done = []

    async def handle(item):
        if item == "bad":
            raise RuntimeError("boom")
        done.append(item)

    queues = SenderQueues(handle)
    for item in ("one", "bad", "two"):
        queues.submit("a", item)
    await queues.drain(5)
    assert done == ["one", "two"]


@pytest.mark.asyncio
async def test_a_flooding_sender_is_bounded():
    gate = asyncio.Event()

    async def handle(item):
        await gate.wait()

    queues = SenderQueues(handle, max_pending_per_sender=3)
    accepted = [queues.submit("a", n) for n in range(5)]
    assert accepted == [True, True, True, False, False]
    assert queues.submit("b", 0)  # others are not affected
    gate.set()
    await queues.drain(5)


def test_migration_creates_the_channel_tables(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"processed_updates", "channel_addresses", "channel_media", "delivery_status"} <= tables
    columns = {c["name"] for c in inspect(store.engine).get_columns("channel_addresses")}
    assert columns == {"conversation_id", "channel", "address", "language", "last_inbound_at", "opted_out", "blocked"}


def test_claims_are_persistent_and_per_channel(store):
    assert store.claim_update("telegram", "1") is True
    assert store.claim_update("telegram", "1") is False
    assert store.claim_update("whatsapp", "1") is True
    with store.engine.begin() as connection:
        connection.execute(update(processed_updates).where(processed_updates.c.channel == "whatsapp")
                           .values(received_at=utcnow() - DEDUP_WINDOW - timedelta(days=1)))
    assert store.prune_processed_updates() == 1
    assert store.claim_update("telegram", "1") is False


def test_inbound_unblocks_and_keeps_language_and_opt_out(store):
    first = store.record_inbound("tg-1", "telegram", "42")
    assert (first.blocked, first.opted_out, first.language) == (False, False, None)
    store.set_language("tg-1", "ti")
    store.set_blocked("tg-1")
    store.set_opted_out("tg-1")
    again = store.record_inbound("tg-1", "telegram", "42")
    assert (again.blocked, again.opted_out, again.language) == (False, True, "ti")
    assert "42" not in repr(again)


def test_erasing_a_conversation_forgets_media_and_delivery_log(store):
    store.record_inbound("wa-1", "whatsapp", "+331")
    store.set_language("wa-1", "fr")
    store.record_media("wa-1", "whatsapp", "https://x/m", "image/png")
    store.record_delivery("whatsapp", "delivered", "SM1", "wa-1")
    store.erase_conversation("wa-1")
    assert store.media_for("wa-1") == [] and store.get_address("wa-1").language is None


@pytest.mark.asyncio
async def test_hooks_first_decision_wins_and_bad_hooks_are_skipped(clean_hooks):
    calls = []
    clean_hooks.extend([
        lambda *a: calls.append("broken") or 1 / 0,
        lambda *a: calls.append("invalid") or "to_mars",
        lambda *a: calls.append("abstains") or None,
    ])

    async def decides(conversation_id, channel, text, media):
        calls.append("decides")
        return hooks.TO_CASE

    clean_hooks.append(decides)
    clean_hooks.append(lambda *a: calls.append("never") or hooks.DROP)
    assert await hooks.on_inbound("tg-1", "telegram", "hi", None) == hooks.TO_CASE
    assert calls == ["broken", "invalid", "abstains", "decides"]
    clean_hooks.clear()
    assert await hooks.on_inbound("tg-1", "telegram", "hi", None) == hooks.TO_BOT


@pytest.mark.asyncio
@pytest.mark.parametrize("failures, transient, expect_calls, raises", [
    (2, True, 3, False),
    (10, True, 4, True),    # gives up after the policy's attempts
    (1, False, 1, True),    # permanent: never repeated
])
async def test_retries(failures, transient, expect_calls, raises):
    calls, waits = [], []

    async def call():
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError("nope")
        return "ok"

    async def sleep(seconds):
        waits.append(seconds)

    policy = RetryPolicy(attempts=4, base_delay=1, max_delay=4)
    if raises:
        with pytest.raises(RuntimeError):
            await call_with_retries(call, lambda e: (transient, None), policy, sleep)
    else:
        assert await call_with_retries(call, lambda e: (transient, None), policy, sleep) == "ok"
    assert len(calls) == expect_calls
    assert all(0.5 * min(4, 2 ** i) <= w <= min(4, 2 ** i) for i, w in enumerate(waits))  # exponential, jittered


@pytest.mark.asyncio
async def test_a_server_wait_beyond_the_limit_is_not_waited_for():
    waits = []

    async def call():
        raise RuntimeError("429")

    async def sleep(seconds):
        waits.append(seconds)

    with pytest.raises(RuntimeError):
        await call_with_retries(call, lambda e: (True, 3600.0), RetryPolicy(max_server_wait=60), sleep)
    assert waits == []
