"""Group commit: writes queued together share one transaction; one bad write spoils no other."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from delivery.group_commit import GroupCommit, Kind
from delivery.inbox import Arrival, Inbox


@pytest.fixture
def engine(tmp_path):
    from core.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (k TEXT PRIMARY KEY)"))
    yield engine
    engine.dispose()


INSERT = text("INSERT INTO t (k) VALUES (:k)")


def writer(engine):
    def alone(key):
        with engine.begin() as connection:
            return connection.execute(INSERT, {"k": key}).rowcount

    def batch(connection, keys):
        connection.execute(INSERT, [{"k": k} for k in keys])
        return [1] * len(keys)

    return GroupCommit(engine, {"insert": Kind(batch, alone)})


def keys(engine):
    with engine.connect() as connection:
        return sorted(r[0] for r in connection.execute(text("SELECT k FROM t")))


def test_writes_submitted_together_share_one_transaction(engine):
    writes = writer(engine)

    async def burst():
        return await asyncio.gather(*(writes.run("insert", f"k{i}") for i in range(50)))

    assert asyncio.run(burst()) == [1] * 50
    assert keys(engine) == sorted(f"k{i}" for i in range(50))
    assert writes.batches <= 2  # the first write may go alone; the other 49 wait and go together
    writes.close()


def test_a_failing_write_fails_alone(engine):
    writes = writer(engine)

    async def burst():
        return await asyncio.gather(writes.run("insert", "a"), writes.run("insert", "a"), writes.run("insert", "b"),
                                    return_exceptions=True)

    first, repeat, other = asyncio.run(burst())
    assert first == 1 and other == 1 and "UNIQUE" in str(repeat)
    assert keys(engine) == ["a", "b"]
    writes.close()


def test_a_repeated_delivery_in_the_same_batch_is_kept_once(store):
    box = Inbox(store, "telegram")

    async def burst():
        return await asyncio.gather(
            *(box.accept(Arrival(f"m{n}", "tg-1", "12345", "u-7", {"text": "salut"})) for n in range(3)),
            box.accept(Arrival("m9", "tg-2", "67890", "u-8", {"text": "bonjour"})))

    results = asyncio.run(burst())
    assert [r is None for r in results] == [False, True, True, False]
    assert box.pending() == 2
    box.close()
