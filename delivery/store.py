"""The channels' tables in the project database (schema: migrations/versions/0002_channels.py).

Plain synchronous SQLAlchemy Core; the async channel code calls these through `store.run(...)`,
on a small thread pool of its own, so a slow database never blocks the event loop that
acknowledges webhooks. Small on purpose: SQLite writes one transaction at a time anyway, and
every busy thread competes with the event loop for the GIL (with asyncio's default pool, 6
threads here, webhook acknowledgements slowed down measurably in bench/webhook_ack).
This is the only module that reads or writes a real address (phone number, Telegram chat id).
"""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, TypeVar

from sqlalchemy import (Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, bindparam, delete, insert,
                        select, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from core.clock import utcnow

T = TypeVar("T")
# Delivery ids (Telegram update_id, Twilio MessageSid; not personal data) are remembered this
# long. Twilio signs no timestamp, so a captured signed request could be answered again once its
# id is forgotten: a month makes that useless in practice (docs/security/replay.md). Telegram
# updates also carry their date: older than MAX_UPDATE_AGE they are refused (telegram_updates).
DEDUP_WINDOW = timedelta(days=30)

metadata = MetaData()
_executor: Optional[ThreadPoolExecutor] = None

processed_updates = Table(
    "processed_updates", metadata,
    Column("channel", String(16), primary_key=True),
    Column("update_id", String(64), primary_key=True),
    Column("received_at", DateTime, nullable=False),
)
channel_addresses = Table(
    "channel_addresses", metadata,
    Column("conversation_id", String(64), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("address", String(128), nullable=False),
    Column("language", String(8)),
    Column("last_inbound_at", DateTime),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("blocked", Boolean, nullable=False, default=False),
)
channel_media = Table(
    "channel_media", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("reference", Text, nullable=False),
    Column("content_type", String(128)),
    Column("received_at", DateTime, nullable=False),
)
delivery_status = Table(
    "delivery_status", metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("message_id", String(64)),
    Column("conversation_id", String(64)),
    Column("status", String(32), nullable=False),
    Column("error_code", String(16)),
    Column("recorded_at", DateTime, nullable=False),
)


# Built once: a statement constructed per call cost more than the database work (bench/webhook_ack).
_CLAIM = insert(processed_updates)
_KNOWN = select(channel_addresses.c.conversation_id).where(
    channel_addresses.c.conversation_id.in_(bindparam("b_ids", expanding=True)))
_TOUCH_ADDRESS = (update(channel_addresses).where(channel_addresses.c.conversation_id == bindparam("b_id"))
                  .values(address=bindparam("b_address"), last_inbound_at=bindparam("b_at"), blocked=False))
_ADD_ADDRESS = insert(channel_addresses)
_READ_ADDRESSES = select(channel_addresses).where(
    channel_addresses.c.conversation_id.in_(bindparam("b_ids", expanding=True)))


@dataclass(frozen=True)
class Address:
    conversation_id: str
    channel: str
    address: str  # never log this
    language: Optional[str]
    last_inbound_at: Optional[datetime]
    opted_out: bool
    blocked: bool

    def __repr__(self) -> str:  # keeps the address out of tracebacks and debug output
        return f"Address({self.conversation_id!r}, {self.channel!r}, language={self.language!r})"


class ChannelStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run one of this store's methods on the channels' database threads."""
        global _executor
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="channels-db")
        return await asyncio.get_running_loop().run_in_executor(_executor, functools.partial(function, *args))

    @classmethod
    def from_settings(cls) -> "ChannelStore":
        from core.db import get_engine
        from core.settings import get_settings

        # Pass the URL explicitly: get_engine() caches per URL, and tests change DATABASE_URL.
        return cls(get_engine(get_settings().database_url))

    # -- de-duplication ------------------------------------------------------------------
    def claim_update(self, channel: str, update_id: str) -> bool:
        """True the first time this delivery id is seen, False for every repeat (also after a restart)."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(processed_updates).values(channel=channel, update_id=str(update_id), received_at=utcnow())
                )
            return True
        except IntegrityError:
            return False

    def prune_processed_updates(self, older_than: timedelta = DEDUP_WINDOW) -> int:
        """Platforms stop re-sending after minutes (Telegram) or seconds (Twilio); the window is
        long because it also stops replays of captured, validly signed requests (DEDUP_WINDOW)."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(processed_updates).where(processed_updates.c.received_at < utcnow() - older_than)
            )
        return int(result.rowcount or 0)

    # -- addresses -----------------------------------------------------------------------
    def get_address(self, conversation_id: str) -> Optional[Address]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(channel_addresses).where(channel_addresses.c.conversation_id == conversation_id)
            ).mappings().first()
        return Address(**row) if row else None

    def record_inbound(
        self, conversation_id: str, channel: str, address: str, update_id: Optional[str] = None
    ) -> Optional[Address]:
        """The user wrote: claim the delivery id, remember where to reply, open the 24 h window
        and clear `blocked` (writing to us proves the user unblocked the bot or the number works).

        One transaction (one commit) for all of it; None if `update_id` was already claimed,
        i.e. this is a repeated delivery that must not be answered again.
        """
        recorded = self.record_inbound_with(conversation_id, channel, address, update_id)
        return None if recorded is None else recorded[0]

    def record_inbound_with(
        self, conversation_id: str, channel: str, address: str, update_id: Optional[str] = None,
        also: Optional[Callable[[Connection], T]] = None,
    ) -> Optional[Tuple[Address, Optional[T]]]:
        """record_inbound, plus `also(connection)` in the same transaction (the durable inbox
        stores the message with its claim, so neither exists without the other)."""
        for attempt in (1, 2):
            try:
                with self.engine.begin() as connection:
                    recorded = self.record_arrivals(connection, channel, [(conversation_id, address, update_id)])[
                        conversation_id]
                    extra = also(connection) if also is not None else None
                return recorded, extra
            except IntegrityError:
                if update_id is not None and self.is_claimed(channel, update_id):
                    return None
                if attempt == 2:  # the address row was created concurrently: now it updates
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def record_arrivals(connection: Connection, channel: str,
                        arrivals: Sequence[Tuple[str, str, Optional[str]]]) -> Dict[str, Address]:
        """record_inbound's work for (conversation id, address, delivery id) arrivals, inside the
        caller's transaction, in a fixed handful of statements however many there are (the inbox
        writes a moment's messages together). IntegrityError on a repeated delivery id (or an
        address row created concurrently). The addresses, by conversation id."""
        now = utcnow()
        claims = [{"channel": channel, "update_id": str(update_id), "received_at": now}
                  for _, _, update_id in arrivals if update_id is not None]
        if claims:
            connection.execute(_CLAIM, claims)
        ids = sorted({conversation_id for conversation_id, _, _ in arrivals})
        known = {row[0] for row in connection.execute(_KNOWN, {"b_ids": ids})}
        touched: Dict[str, Dict[str, Any]] = {}
        added: Dict[str, Dict[str, Any]] = {}
        for conversation_id, address, _ in arrivals:  # the last address of a conversation wins
            if conversation_id in known:
                touched[conversation_id] = {"b_id": conversation_id, "b_address": address, "b_at": now}
            else:
                added[conversation_id] = {"conversation_id": conversation_id, "channel": channel, "address": address,
                                          "last_inbound_at": now, "blocked": False, "opted_out": False}
        if touched:
            connection.execute(_TOUCH_ADDRESS, list(touched.values()))
        if added:
            connection.execute(_ADD_ADDRESS, list(added.values()))
        return {row["conversation_id"]: Address(**row)
                for row in connection.execute(_READ_ADDRESSES, {"b_ids": ids}).mappings()}

    def is_claimed(self, channel: str, update_id: str) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(
                select(processed_updates.c.update_id).where(
                    processed_updates.c.channel == channel, processed_updates.c.update_id == str(update_id))
            ).first() is not None

    def _set(self, conversation_id: str, **values: object) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(channel_addresses).where(channel_addresses.c.conversation_id == conversation_id).values(**values)
            )

    def set_language(self, conversation_id: str, language: Optional[str]) -> None:
        self._set(conversation_id, language=language)

    def set_blocked(self, conversation_id: str, blocked: bool = True) -> None:
        self._set(conversation_id, blocked=blocked)

    def set_opted_out(self, conversation_id: str, opted_out: bool = True) -> None:
        self._set(conversation_id, opted_out=opted_out)

    # -- media and delivery --------------------------------------------------------------
    def record_media(self, conversation_id: str, channel: str, reference: str, content_type: Optional[str]) -> Optional[int]:
        """Keep a media reference (Telegram file_id, Twilio MediaUrl); returns its row id, which is
        what a case records (`channel_media:<id>`), never the platform's URL with the account id."""
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(channel_media).values(
                    conversation_id=conversation_id, channel=channel, reference=reference,
                    content_type=content_type, received_at=utcnow(),
                )
            )
            key = result.inserted_primary_key
            return int(key[0]) if key and key[0] is not None else None

    def media_for(self, conversation_id: str) -> list[dict]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(channel_media).where(channel_media.c.conversation_id == conversation_id).order_by(channel_media.c.id)
            ).mappings().all()
        return [dict(row) for row in rows]

    def record_delivery(
        self, channel: str, status: str, message_id: Optional[str] = None,
        conversation_id: Optional[str] = None, error_code: Optional[str] = None, *, known_only: bool = False,
    ) -> bool:
        """Keep a delivery record. `known_only` (platform status callbacks): only for a conversation
        whose address is still held, so a callback arriving after an erasure recreates nothing."""
        with self.engine.begin() as connection:
            if known_only and conversation_id is not None and connection.execute(
                    select(channel_addresses.c.conversation_id)
                    .where(channel_addresses.c.conversation_id == conversation_id)).first() is None:
                return False
            connection.execute(
                insert(delivery_status).values(
                    channel=channel, status=status, message_id=message_id, conversation_id=conversation_id,
                    error_code=None if error_code in (None, "") else str(error_code), recorded_at=utcnow(),
                )
            )
        return True

    def erase_conversation(self, conversation_id: str) -> None:
        """After a user's "delete my data": forget media references, delivery log and language.

        The address itself stays, because the confirmation still has to reach the user and they
        may keep writing; it is removed by the retention purge like any other conversation.
        """
        with self.engine.begin() as connection:
            connection.execute(delete(channel_media).where(channel_media.c.conversation_id == conversation_id))
            connection.execute(delete(delivery_status).where(delivery_status.c.conversation_id == conversation_id))
            connection.execute(
                update(channel_addresses)
                .where(channel_addresses.c.conversation_id == conversation_id)
                .values(language=None)
            )
