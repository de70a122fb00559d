"""Per-sender queues: one user's messages are handled in order, different users in parallel.

A webhook keeps the message in the inbox, appends it to its sender's queue and returns; the
turn itself never delays the platform's HTTP 200. A worker task exists only while a sender has queued messages; it ends (and forgets the
sender) as soon as the queue is empty, so idle users cost nothing. The check "queue empty" and
the removal happen without an `await` in between, so no message can slip in unseen.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, Set

logger = logging.getLogger(__name__)


class SenderQueues:
    def __init__(
        self,
        handler: Callable[[Any], Awaitable[None]],
        max_pending_per_sender: int = 50,
        max_concurrent: int = 64,
    ) -> None:
        self._handler = handler
        self._max_pending = max_pending_per_sender
        self._queues: Dict[str, Deque[Any]] = {}
        self._tasks: Set[asyncio.Task] = set()
        # Bounds how many turns run at once (each holds a Rasa lock and a DB connection).
        self._slots = asyncio.Semaphore(max_concurrent)

    def submit(self, key: str, item: Any) -> bool:
        """Queue `item` for `key`; False if that sender already has too many waiting (flooding)."""
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            task = asyncio.get_running_loop().create_task(self._work(key, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif len(queue) >= self._max_pending:
            logger.warning("Dropping a message from %s: %d already waiting", key, len(queue))
            return False
        queue.append(item)
        return True

    async def _work(self, key: str, queue: Deque[Any]) -> None:
        try:
            while queue:
                item = queue[0]  # stays visible (counted as pending) until handled
                try:
                    async with self._slots:
                        await self._handler(item)
                except Exception:  # one bad message must not stop this sender's queue
                    logger.exception("Handling a message from %s failed", key)
                finally:
                    queue.popleft()
        finally:
            # Also on cancellation: never leave a queue behind that no worker would serve.
            if self._queues.get(key) is queue:
                del self._queues[key]

    @property
    def pending(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    async def drain(self, timeout: Optional[float] = None) -> bool:
        """Wait until every queued message is handled; False if `timeout` passed first."""
        tasks = set(self._tasks)
        if not tasks:
            return True
        done, not_done = await asyncio.wait(tasks, timeout=timeout)
        if not_done:
            logger.warning("%d senders still had messages queued at shutdown", len(not_done))
            return False
        return await self.drain(timeout) if self._tasks else True
