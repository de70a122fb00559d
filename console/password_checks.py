"""Password checks (argon2, deliberately slow) on their own small thread pool.

On asyncio's default pool, a burst of sign-in attempts filled every thread with hashing and
every page request (each needs a thread for its database call) queued behind it: a
supervisor's inbox took 23 s during 200 guesses. Here at most WORKERS hashes run at once and
at most MAX_WAITING more wait; beyond that a sign-in is refused at once (LoginQueueFull, the
caller answers 503) rather than queued, so a flood costs attackers, not caseworkers.
"""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Optional

from sqlalchemy.engine import Engine

from cases import accounts
from cases.policy import Actor

WORKERS, MAX_WAITING = 2, 8


class LoginQueueFull(Exception):
    pass


class PasswordChecks:
    def __init__(self, workers: int = WORKERS, max_waiting: int = MAX_WAITING) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console-passwords")
        self._limit = workers + max_waiting
        self._pending = 0  # submitted and not finished; a worker thread lowers it, hence the lock
        self._lock = threading.Lock()

    def authenticate(self, username: str, password: str, engine: Engine) -> "asyncio.Future[Optional[Actor]]":
        """accounts.authenticate on the pool; raises LoginQueueFull when too many are pending.
        Counted until the hash is done, even if the request that asked has gone away."""
        with self._lock:
            if self._pending >= self._limit:
                raise LoginQueueFull()
            self._pending += 1
        job = self.pool.submit(accounts.authenticate, username, password, engine)
        job.add_done_callback(self._finished)
        return asyncio.wrap_future(job)

    def _finished(self, _job: Future) -> None:
        with self._lock:
            self._pending -= 1

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
