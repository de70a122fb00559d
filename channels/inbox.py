"""The durable inbox: no acknowledged message is lost when a server dies.

A channel gives the platform its HTTP 200 only once the message is stored here, in the same
transaction that claims its delivery id and records the reply address (channels/store.py), and
deletes the row once the replies are delivered. In between, the row records progress: the
replies as soon as the assistant produced them, and how many of them were delivered.

Every channel instance is an owner with a heartbeat in `inbox_workers`. Every few seconds each
running channel takes over the rows whose owner stopped beating (a killed process, a lost
machine): a message the assistant had not answered is handled again; one whose replies were
ready only gets the replies not yet delivered. A clean shutdown deletes its heartbeat, so what it
could not finish is taken over at once. Replicas compare heartbeats written by their own clocks:
keep them in sync (NTP) to well within STALE_AFTER. A server takes over only after beating without
a gap for STALE_AFTER itself (at start, after a database outage), so that a live owner whose
heartbeat merely looks old is never taken over.

What remains (see README, "Faults"): a server killed after the assistant saved its turn but
before the replies were stored here answers that message again (the user gets one answer, the
history shows the message twice); killed between a delivery and its count, that one reply may
arrive twice. A message taken over MAX_ATTEMPTS times (it keeps killing servers) is given up:
the user gets `try_again`. No address is stored here, and rows live for seconds; the erasure on
request and the retention purge remove them like the other channel tables.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, delete, insert, select, update
from sqlalchemy.engine import Connection

from channels.store import Address, ChannelStore, metadata, utcnow

logger = logging.getLogger(__name__)

inbox = Table(
    "inbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("conversation_id", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("replies", Text),
    Column("replies_sent", Integer, nullable=False, default=0),
    Column("owner", String(36), nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("received_at", DateTime, nullable=False),
)
inbox_workers = Table(
    "inbox_workers", metadata,
    Column("owner", String(36), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("seen_at", DateTime, nullable=False),
)

Reply = Tuple[str, Optional[List[Dict[str, Any]]]]  # (text, buttons), as channels.collector


@dataclass
class KeptMessage:
    """A row taken over from an owner that stopped: what is needed to finish it."""
    id: int
    conversation_id: str
    message: Dict[str, Any]          # text, media, metadata
    replies: Optional[List[Reply]]   # None: the assistant has not answered yet
    replies_sent: int
    attempts: int


class Inbox:
    HEARTBEAT = 5.0        # seconds between two heartbeats (and two looks for orphaned rows)
    STALE_AFTER = 15.0     # an owner silent this long is taken for dead
    MAX_ATTEMPTS = 3       # taken over this often: give up with try_again

    def __init__(self, store: ChannelStore, channel: str, owner: Optional[str] = None) -> None:
        self.store = store
        self.channel = channel
        self.owner = owner or str(uuid.uuid4())

    # -- one message's life (synchronous: call through store.run) ---------------------------
    def accept(self, conversation_id: str, address: str, delivery_id: Optional[str],
               message: Dict[str, Any]) -> Optional[Tuple[Address, int]]:
        """Claim, record the address and keep the message, in one transaction.

        None for a repeated delivery (claimed before: in this inbox, or already answered).
        """
        def keep(connection: Connection) -> int:
            result = connection.execute(insert(inbox).values(
                channel=self.channel, conversation_id=conversation_id, message=json.dumps(message),
                replies_sent=0, owner=self.owner, attempts=1, received_at=utcnow()))
            return int(result.inserted_primary_key[0])

        return self.store.record_inbound_with(conversation_id, self.channel, address, delivery_id, keep)

    def hold_replies(self, row_id: int, replies: Sequence[Reply]) -> None:
        """The assistant answered: from now on a takeover delivers these instead of asking again."""
        self._update(row_id, replies=json.dumps([[text, buttons] for text, buttons in replies]))

    def mark_sent(self, row_id: int, count: int) -> None:
        self._update(row_id, replies_sent=count)

    def finish(self, row_id: int) -> None:
        with self.store.engine.begin() as connection:
            connection.execute(delete(inbox).where(inbox.c.id == row_id))

    def _update(self, row_id: int, **values: Any) -> None:
        with self.store.engine.begin() as connection:
            connection.execute(update(inbox).where(inbox.c.id == row_id).values(**values))

    # -- heartbeats and takeover ------------------------------------------------------------
    def beat(self) -> None:
        now = utcnow()
        with self.store.engine.begin() as connection:
            if not connection.execute(update(inbox_workers).where(inbox_workers.c.owner == self.owner)
                                      .values(seen_at=now)).rowcount:
                connection.execute(insert(inbox_workers).values(owner=self.owner, channel=self.channel, seen_at=now))

    def retire(self) -> None:
        """Clean shutdown: whatever this owner still holds is taken over at once by the others."""
        with self.store.engine.begin() as connection:
            connection.execute(delete(inbox_workers).where(inbox_workers.c.owner == self.owner))

    def take_over(self, limit: int = 200) -> List[KeptMessage]:
        """Rows of this channel whose owner is gone, now owned by this one (oldest first).

        Each row is moved with a conditional update, so when two servers look at once exactly
        one of them gets it.
        """
        cutoff = utcnow() - timedelta(seconds=self.STALE_AFTER)
        alive = select(inbox_workers.c.owner).where(inbox_workers.c.seen_at >= cutoff)
        taken: List[KeptMessage] = []
        with self.store.engine.connect() as connection:
            rows = connection.execute(
                select(inbox).where(inbox.c.channel == self.channel, inbox.c.owner != self.owner,
                                    inbox.c.owner.not_in(alive)).order_by(inbox.c.id).limit(limit)
            ).mappings().all()
        for row in rows:
            with self.store.engine.begin() as connection:
                moved = connection.execute(
                    update(inbox).where(inbox.c.id == row["id"], inbox.c.owner == row["owner"])
                    .values(owner=self.owner, attempts=inbox.c.attempts + 1)).rowcount
            if moved:
                taken.append(KeptMessage(
                    id=row["id"], conversation_id=row["conversation_id"], message=json.loads(row["message"]),
                    replies=None if row["replies"] is None else [(t, b) for t, b in json.loads(row["replies"])],
                    replies_sent=int(row["replies_sent"]), attempts=int(row["attempts"]) + 1))
        with self.store.engine.begin() as connection:  # owners gone for good leave no trace
            connection.execute(delete(inbox_workers).where(
                inbox_workers.c.seen_at < cutoff - timedelta(seconds=self.STALE_AFTER)))
        return taken

    def pending(self) -> int:
        """Rows of this channel not finished yet (any owner): for tests and the bench."""
        with self.store.engine.connect() as connection:
            return len(connection.execute(select(inbox.c.id).where(inbox.c.channel == self.channel)).all())
