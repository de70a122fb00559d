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
expiry on the key so a lock left by a crashed server does not stay in Redis.

    lock_store:
      type: bot.stores.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}          # and port, db, password, key_prefix, use_ssl... as for `type: redis`
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 100       # optimistic transaction retries (each is a few Redis round trips)
KEY_MARGIN_SECONDS = 60  # the key outlives its last ticket by this much


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, poll_seconds: float = 0.1,
                 **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its class path
            settings = dict(endpoint_config.kwargs or {})
            poll_seconds = float(settings.pop("poll_seconds", poll_seconds))
            kwargs = {"host": endpoint_config.url or "localhost", **settings, **kwargs}
        super().__init__(**kwargs)
        self.poll_seconds = poll_seconds

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
        ticket taken meanwhile by another server is never deleted with the lock."""
        def remove(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, remove, delete_if_empty=True)

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        return await super()._acquire_lock(conversation_id, ticket, min(wait_time_in_seconds, self.poll_seconds))
