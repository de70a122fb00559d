"""Group commit: database writes queued while one transaction runs go together in the next.

The durable inbox writes on the webhook's acknowledgement path. One transaction per write,
through the channels' shared thread pool, put 150-330 ms on the acknowledgement under 20
concurrent senders on SQLite (bench/webhook_ack). Here the writes of a moment share one
transaction on a thread of their own, and writes of one kind share their statements
(`executemany`): a batch costs a handful of statements however many messages arrive at once.

Each kind of write has a `batch` form (all its payloads, inside the shared transaction, in
order) and an `alone` form (one payload, its own transaction and error handling). If a batch
fails (a repeated delivery id, a row written concurrently by another server), every write of it
is made again alone, so one bad write never takes the others with it; its own answer or error
then reaches its caller.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

Outcome = Tuple[bool, Any]  # (succeeded, result or exception)


@dataclass(frozen=True)
class Kind:
    batch: Callable[[Connection, List[Any]], List[Any]]  # payloads -> results, same order
    alone: Callable[[Any], Any]                          # one payload, own transaction(s)


class GroupCommit:
    """A writer thread: takes everything queued, writes it in one transaction, hands the answers
    back to the event loop in one callback (few hops: the webhook's acknowledgement waits)."""

    def __init__(self, engine: Engine, kinds: Dict[str, Kind], max_batch: int = 500) -> None:
        self.engine = engine
        self.kinds = kinds  # written in this order within a transaction
        self._max_batch = max_batch
        self._queue: "queue.SimpleQueue[Optional[Tuple[str, Any, asyncio.Future[Any]]]]" = queue.SimpleQueue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self.batches = 0  # for tests and the bench: how many transactions the writes took

    def submit(self, kind: str, payload: Any) -> "asyncio.Future[Any]":
        """Queue one write; the future gets its answer (or error) once its batch is committed."""
        future: "asyncio.Future[Any]" = asyncio.get_running_loop().create_future()
        self._queue.put((kind, payload, future))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="inbox-db", daemon=True)
                self._thread.start()
        return future

    async def run(self, kind: str, payload: Any) -> Any:
        return await self.submit(kind, payload)

    def _write(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            outcomes = self._commit([(kind, payload) for kind, payload, _ in batch])
            loop = batch[0][2].get_loop()
            try:
                loop.call_soon_threadsafe(_resolve, [future for *_, future in batch], outcomes)
            except RuntimeError:  # the loop is closed (shutdown): nobody waits any more
                pass

    def _commit(self, items: List[Tuple[str, Any]]) -> List[Outcome]:
        """In the writer thread: all in one transaction, or, if that fails, each alone."""
        self.batches += 1
        outcomes: List[Optional[Outcome]] = [None] * len(items)
        try:
            with self.engine.begin() as connection:
                for name, kind in self.kinds.items():
                    positions = [i for i, (k, _) in enumerate(items) if k == name]
                    if positions:
                        results = kind.batch(connection, [items[i][1] for i in positions])
                        for i, result in zip(positions, results):
                            outcomes[i] = (True, result)
            return [outcome for outcome in outcomes if outcome is not None]
        except Exception as error:
            if len(items) > 1:
                logger.info("A batch of %d writes failed (%s); writing them one by one", len(items),
                            type(error).__name__)
            return [self._alone(*item) for item in items]

    def _alone(self, kind: str, payload: Any) -> Outcome:
        try:
            return True, self.kinds[kind].alone(payload)
        except Exception as error:  # noqa: BLE001 - handed to the caller
            return False, error

    def close(self) -> None:
        """Stop the writer once what is queued is written."""
        self._queue.put(None)


def _resolve(futures: List["asyncio.Future[Any]"], outcomes: List[Outcome]) -> None:
    for future, (ok, value) in zip(futures, outcomes):
        if future.done():  # cancelled meanwhile
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
