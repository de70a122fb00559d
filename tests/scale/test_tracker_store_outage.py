"""The tracker store when its database is briefly unavailable (rasa_extensions.stores.resilience).

A real PostgreSQL database of its own, reached through bench.load_proxy's TCP proxy, which is
taken down (connections refused and cut) while the store is used; plus the retry rules and the
strict fail-safe wrapper, without a server.
"""
from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from bench import load_stack
from bench.load_proxy import Proxy
from rasa_extensions.stores import resilience
from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

pytestmark = pytest.mark.asyncio


def refused() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


def turn(text: str, answer: str) -> list:
    return [UserUttered(text, {"name": "greet", "confidence": 1.0}), BotUttered(answer),
            ActionExecuted("action_listen")]


async def test_transient_errors_are_retried_until_the_database_answers():
    calls = []

    def flaky() -> int:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise refused()
        return 42

    assert await resilience.run(flaky, retry_seconds=5) == 42
    assert len(calls) == 3


async def test_other_errors_are_raised_at_once_and_retries_stop_at_the_deadline():
    calls = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        await resilience.run(broken, retry_seconds=5)
    assert calls == [1]

    def down() -> None:
        raise refused()

    started = time.monotonic()
    with pytest.raises(OperationalError):
        await resilience.run(down, retry_seconds=0.6)
    assert time.monotonic() - started < 2.0


async def test_rasa_fail_safe_wrapper_reraises_for_our_store_only(tmp_path):
    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"), retry_seconds=0)

    def down(*_args):
        raise refused()

    store._load = store._append = down  # the database is gone
    wrapped = Agent._create_tracker_store(store, Domain.empty())  # how Rasa's agent wraps it
    assert isinstance(wrapped, FailSafeTrackerStore)
    with pytest.raises(OperationalError):  # Rasa's default would be None: "a new conversation"
        await wrapped.retrieve("someone")
    with pytest.raises(OperationalError):  # and an in-memory copy of the turn
        await wrapped.save(DialogueStateTracker.from_events("someone", turn("hi", "hello")))
    logged = []  # a caller's own callback still wins
    await FailSafeTrackerStore(store, on_tracker_store_error=logged.append).retrieve("someone")
    assert len(logged) == 1

    class Broken(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            raise refused()

    assert await FailSafeTrackerStore(Broken(Domain.empty())).retrieve("someone") is None  # unchanged


async def test_postgres_outage_during_use_loses_and_duplicates_nothing(postgres_database):
    proxy = Proxy([load_stack.postgres_address()])
    port = await proxy.up()
    settings = load_stack.postgres_tracker(postgres_database, port)  # as in endpoints.yml, where Rasa
    settings["host"] = settings.pop("url")                            # passes `url` as `host`
    # Built on a thread: the constructor connects synchronously, and the proxy runs in this loop.
    store = await asyncio.to_thread(lambda: ErasableSQLTrackerStore(domain=Domain.empty(), retry_seconds=10, **settings))
    try:
        tracker = DialogueStateTracker.from_events("migrant-1", [ActionExecuted("action_listen"), *turn("hi", "hello")])
        await store.save(tracker)

        await proxy.down()  # refused and cut, for 1.5 s
        asyncio.get_running_loop().call_later(1.5, lambda: asyncio.ensure_future(proxy.up()))
        started = time.monotonic()
        for event in turn("what is voluntary return", "Voluntary return is help to go back"):
            tracker.update(event)
        await store.save(tracker)  # waits for the database instead of failing the turn
        assert time.monotonic() - started >= 1.0

        again = await store.retrieve("migrant-1")
        texts = [e.text for e in again.events if isinstance(e, (UserUttered, BotUttered))]
        assert texts == ["hi", "hello", "what is voluntary return", "Voluntary return is help to go back"]

        await proxy.down()  # longer than the store waits: the error reaches the caller
        store.retry_seconds = 0.5
        with pytest.raises(OperationalError):
            await store.retrieve("migrant-1")
        await proxy.up()
        store.retry_seconds = 10
        assert len((await store.retrieve("migrant-1")).events) == len(again.events)  # nothing written twice
    finally:
        await asyncio.to_thread(store.engine.dispose)
        await proxy.down()
