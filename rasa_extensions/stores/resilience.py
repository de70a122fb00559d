"""How the tracker store behaves when its database is briefly unavailable (bench/load.py --fault database).

Three things, used by rasa_extensions.stores.tracker_store.ErasableSQLTrackerStore:

- Off the event loop: Rasa's SQL tracker store queries the database synchronously inside the
  Rasa server's event loop, so one slow or locked database call (SQLite waits up to 5 s for a
  lock) stopped every conversation and every webhook acknowledgement of that server. The
  queries run on a small thread pool of their own instead (`run`).
- Retries: a connection refused or dropped, a failed pool connection, a locked SQLite file are
  retried with backoff for up to `retry_seconds` (endpoints.yml, default 10), which rides out
  a database restart or fail-over. Only whole operations are retried, and each is one
  transaction that either commits or does nothing, so a retry never writes an event twice.
- Failing loudly: Rasa wraps every tracker store in FailSafeTrackerStore, which answers a
  failed `retrieve` with "no conversation yet" and a failed `save` by keeping the turn in
  memory. Measured: the migrant got an answer from a conversation that had lost its history
  (wrong language, menu numbers that meant nothing), the turn was never stored, and when the
  database came back between the two calls the new events were appended behind the old ones
  out of step. A store with `fail_loudly = True` makes its wrapper re-raise instead, so the
  turn fails as a whole, nothing is stored, and the channels send the migrant the polite
  `try_again` (channels/inbound.py), after which the conversation continues where it was.
  Rasa offers no setting for this; `install_strict_fail_safe` changes FailSafeTrackerStore's
  constructor default for such stores only (no other store is affected).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, TypeVar

from core.db import is_transient

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_RETRY_SECONDS = 10.0
_executor: Optional[ThreadPoolExecutor] = None


async def run(function: Callable[..., T], *args: Any, retry_seconds: float = DEFAULT_RETRY_SECONDS,
              what: str = "tracker store") -> T:
    """`function(*args)` on the tracker store's threads, retried on transient errors for up to
    `retry_seconds` (0: once). The last error is raised."""
    global _executor
    if _executor is None:
        # Small: one turn needs one connection at a time, and SQLite writes one at a time anyway.
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="tracker-db")
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + retry_seconds
    attempt = 0
    while True:
        try:
            return await loop.run_in_executor(_executor, functools.partial(function, *args))
        except Exception as error:  # noqa: BLE001 - classified below
            attempt += 1
            pause = min(2.0, 0.1 * 2 ** attempt) * (0.5 + random.random() / 2)
            if not is_transient(error) or time.monotonic() + pause > deadline:
                raise
            if attempt == 1:
                logger.warning("%s: database unavailable (%s); retrying for up to %.0f s",
                               what, type(getattr(error, "orig", None) or error).__name__, retry_seconds)
            await asyncio.sleep(pause)


def _reraise(error: Exception) -> None:
    raise error


def install_strict_fail_safe() -> None:
    """Make FailSafeTrackerStore re-raise the errors of stores that set `fail_loudly = True`.

    Reviewed alternatives: Rasa has no setting for it; Agent._create_tracker_store wraps every
    store itself (rasa/core/agent.py), and setting the wrapper's private callback after the
    agent loaded would miss every agent created elsewhere (`rasa shell`, tests, model reloads).
    So the wrapper's constructor default changes, only for stores that ask, and only when the
    caller passed no callback of its own. Arguments pass through untouched, so a Rasa upgrade
    that adds parameters keeps working; one that renames `on_tracker_store_error` fails
    tests/scale/test_tracker_store_outage.py instead of silently answering from an empty history.
    """
    from rasa.core import tracker_store as rasa_tracker_store

    original = rasa_tracker_store.FailSafeTrackerStore.__init__
    if getattr(original, "strict_for_fail_loudly", False):
        return

    @functools.wraps(original)
    def __init__(self: Any, tracker_store: Any, *args: Any, **kwargs: Any) -> None:
        if getattr(tracker_store, "fail_loudly", False) and not args and kwargs.get("on_tracker_store_error") is None:
            kwargs["on_tracker_store_error"] = _reraise
        original(self, tracker_store, *args, **kwargs)

    __init__.strict_for_fail_loudly = True  # type: ignore[attr-defined]
    rasa_tracker_store.FailSafeTrackerStore.__init__ = __init__  # type: ignore[method-assign]
