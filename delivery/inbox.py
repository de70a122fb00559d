"""The durable inbox: no acknowledged message is lost when a server dies.

A channel gives the platform its HTTP 200 only once the message is stored here, in the same
transaction that claims its delivery id and records the reply address (delivery/store.py), and
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

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from delivery.group_commit import GroupCommit, Kind
from delivery.store import Address, ChannelStore, metadata
from core.clock import utcnow

logger = logging.getLogger(__name__)

inbox = Table(
    "inbox", metadata,
    Column("id", String(32), primary_key=True),  # also the message id Rasa gets (delivery/tracker_view.py)
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

# Statements built once: building one per call cost more than the database work.
_KEEP = insert(inbox)
_FINISH = delete(inbox).where(inbox.c.id == bindparam("b_id"))
_SET_REPLIES = update(inbox).where(inbox.c.id == bindparam("b_id")).values(replies=bindparam("b_replies"))
_SET_SENT = update(inbox).where(inbox.c.id == bindparam("b_id")).values(replies_sent=bindparam("b_sent"))


@dataclass(frozen=True)
class Arrival:
    """One message to keep: what `Inbox.accept` writes."""
    id: str
    conversation_id: str
    address: str
    delivery_id: Optional[str]
    message: Dict[str, Any]


Reply = Tuple[str, Optional[List[Dict[str, Any]]]]  # (text, buttons), as delivery.collector


@dataclass
class KeptMessage:
    """A row taken over from an owner that stopped: what is needed to finish it."""
    id: str
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
        # One commit for all the messages of a moment; kinds in the order they are written.
        self.writes = GroupCommit(store.engine, {
            "accept": Kind(self._accept_all, self._accept_alone),
            "replies": Kind(self._many(_SET_REPLIES), self._alone(_SET_REPLIES)),
            "sent": Kind(self._many(_SET_SENT), self._alone(_SET_SENT)),
            "finish": Kind(self._many(_FINISH), self._alone(_FINISH)),
        })

    # -- one message's life -----------------------------------------------------------------
    def accept(self, arrival: Arrival) -> "asyncio.Future[Optional[Tuple[Address, str]]]":
        """Claim the delivery id, record the address and keep the message, in one transaction.

        A future (no task in between: the webhook's acknowledgement waits for it). Its answer is
        None for a repeated delivery (claimed before: in this inbox, or already answered).
        """
        return self.writes.submit("accept", arrival)

    async def hold_replies(self, row_id: str, replies: Sequence[Reply]) -> None:
        """The assistant answered: from now on a takeover delivers these instead of asking again."""
        await self.writes.run("replies", {"b_id": row_id, "b_replies": json.dumps([[t, b] for t, b in replies])})

    async def mark_sent(self, row_id: str, count: int) -> None:
        await self.writes.run("sent", {"b_id": row_id, "b_sent": count})

    async def finish(self, row_id: str) -> None:
        await self.writes.run("finish", {"b_id": row_id})

    def close(self) -> None:
        self.writes.close()

    # -- the writes (in the writer thread) ---------------------------------------------------
    def _row(self, arrival: Arrival) -> Dict[str, Any]:
        return {"id": arrival.id, "channel": self.channel, "conversation_id": arrival.conversation_id,
                "message": json.dumps(arrival.message), "replies_sent": 0, "owner": self.owner,
                "attempts": 1, "received_at": utcnow()}

    def _accept_all(self, connection: Connection, arrivals: List[Arrival]) -> List[Tuple[Address, str]]:
        """A few statements for any number of messages; IntegrityError if one is a repeat."""
        addresses = self.store.record_arrivals(
            connection, self.channel, [(a.conversation_id, a.address, a.delivery_id) for a in arrivals])
        connection.execute(_KEEP, [self._row(a) for a in arrivals])
        return [(addresses[a.conversation_id], a.id) for a in arrivals]

    def _accept_alone(self, arrival: Arrival) -> Optional[Tuple[Address, str]]:
        row = self._row(arrival)
        recorded = self.store.record_inbound_with(
            arrival.conversation_id, self.channel, arrival.address, arrival.delivery_id,
            lambda connection: connection.execute(_KEEP, row))
        return None if recorded is None else (recorded[0], arrival.id)

    @staticmethod
    def _many(statement: Any) -> Callable[[Connection, List[Dict[str, Any]]], List[None]]:
        def run(connection: Connection, payloads: List[Dict[str, Any]]) -> List[None]:
            connection.execute(statement, payloads)
            return [None] * len(payloads)
        return run

    def _alone(self, statement: Any) -> Callable[[Dict[str, Any]], None]:
        def run(payload: Dict[str, Any]) -> None:
            with self.store.engine.begin() as connection:
                connection.execute(statement, payload)
        return run

    # -- heartbeats and takeover (synchronous: call through store.run) ----------------------
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
