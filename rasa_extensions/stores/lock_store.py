"""A Redis lock store whose updates are atomic, for several Rasa servers (endpoints.production.yml).

Rasa keeps, per conversation, a ticket lock: each message takes a ticket and waits until it is
the one served, so one conversation's messages are handled one at a time, in arrival order,
whichever server received them. Rasa Open Source's RedisLockStore (`type: redis`) updates that
lock by reading it, changing it in Python and writing it back: two servers taking a ticket for
the same conversation at the same moment can both read the same state, and the second write
erases the first ticket. Both messages then run at once, both read the same conversation, and
the SQL tracker store appends only what the second turn added beyond the first: one turn is
missing from the stored conversation (tests/scale/test_two_rasa_servers.py shows it with two
messages sent at the same moment to two servers; RasaHQ/rasa#9213). A clean-up racing with a
new ticket can likewise delete the lock under a waiting message, which then fails.

`AtomicRedisLockStore` stores the very same lock (same keys, same format) but makes every
change of it one Redis transaction (WATCH/MULTI/EXEC, retried when another server changed the
lock in between), waits for its turn in short steps (0.1 s instead of Rasa's 1 s), and sets an
expiry on the key so a lock left by a crashed server does not stay in Redis. If Redis is
unreachable, a message waits for it up to `retry_seconds` (default 10) before it is handled,
then fails (the channels ask the migrant to send it again); a message already handled is not
failed for it (see `cleanup`).

    lock_store:
      type: rasa_extensions.stores.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}          # and port, db, password, key_prefix, use_ssl... as for `type: redis`
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 100       # optimistic transaction retries (each is a few Redis round trips)
KEY_MARGIN_SECONDS = 60  # the key outlives its last ticket by this much
CLEANUP_RETRY_SECONDS = 60


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, poll_seconds: float = 0.1,
                 retry_seconds: float = 10.0, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its class path
            settings = dict(endpoint_config.kwargs or {})
            poll_seconds = float(settings.pop("poll_seconds", poll_seconds))
            retry_seconds = float(settings.pop("retry_seconds", retry_seconds))
            kwargs = {"host": endpoint_config.url or "localhost", **settings, **kwargs}
        super().__init__(**kwargs)
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Rasa's LockStore.lock, waiting out a Redis that is briefly unreachable (up to
        `retry_seconds`) before the message is handled, when nothing has happened yet."""
        ticket = await self._patiently(lambda: self.issue_ticket(conversation_id, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            self.cleanup(conversation_id, ticket)

    async def _patiently(self, call: Callable[[], T]) -> T:
        deadline, pause = time.monotonic() + self.retry_seconds, 0.1
        while True:
            try:
                return call()
            except Exception as error:  # noqa: BLE001 - only Redis being unreachable is waited out
                if not _unreachable(error) or time.monotonic() + pause > deadline:
                    raise
                logger.warning("Redis unreachable (%s); retrying", type(error).__name__)
                await asyncio.sleep(pause)
                pause = min(2.0, pause * 2)

    def _change(self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]],
                delete_if_empty: bool = False) -> T:
        """Apply `change` (old lock → new lock or None, result) as one Redis transaction."""
        import redis

        key = self.key_prefix + conversation_id
        for _ in range(MAX_ATTEMPTS):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new, result = change(lock)
                    pipe.multi()
                    if new is None or (delete_if_empty and not new.is_someone_waiting()):
                        pipe.delete(key)
                    else:
                        latest = max((t.expires for t in new.tickets), default=time.time())
                        ttl_ms = max(1000, int((latest - time.time() + KEY_MARGIN_SECONDS) * 1000))
                        pipe.set(key, new.dumps(), px=ttl_ms)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed this lock meanwhile: read it again
        raise LockError(f"Too much contention on the lock of conversation '{conversation_id}'.")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except LockError:
            raise
        except Exception as error:  # as RedisLockStore: any failure is a LockError for Rasa
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def remove(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove this ticket, and the lock if no other message waits: one transaction, so a
        ticket taken meanwhile by another server is never deleted with the lock.

        Called when the turn is over (answered and stored). If Redis is unreachable just then,
        failing would turn a finished turn into an error (the migrant would be asked to send
        again, and the message would be handled twice): the ticket is released in the
        background as soon as Redis answers (within CLEANUP_RETRY_SECONDS; else it expires
        after the lock lifetime, TICKET_LOCK_LIFETIME)."""
        try:
            self._cleanup(conversation_id, ticket_number)
        except Exception as error:  # noqa: BLE001 - Redis down: see above
            logger.warning("Could not release the lock ticket (%s); retrying in the background", type(error).__name__)
            threading.Thread(target=self._cleanup_later, args=(conversation_id, ticket_number),
                             name="lock-cleanup", daemon=True).start()

    def _cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        def remove(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, remove, delete_if_empty=True)

    def _cleanup_later(self, conversation_id: Text, ticket_number: int) -> None:
        deadline = time.monotonic() + CLEANUP_RETRY_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.5)
            try:
                self._cleanup(conversation_id, ticket_number)
                return
            except Exception:  # noqa: BLE001 - still down
                continue

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Rasa's loop (wait until this ticket is served), polling every `poll_seconds`, and
        waiting out a Redis that is briefly unreachable."""
        wait = min(wait_time_in_seconds, self.poll_seconds)
        while True:
            lock = await self._patiently(lambda: self.get_lock(conversation_id))
            if not lock:  # expired meanwhile
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait)
            await self._patiently(lambda: self.update_lock(conversation_id))
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


def _unreachable(error: BaseException) -> bool:
    import redis

    for _ in range(5):  # issue_ticket wraps it in a LockError
        if isinstance(error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
            return True
        cause = error.__cause__ or error.__context__
        if cause is None:
            break
        error = cause
    return False
