"""Case store tables (created by migrations/versions/0003_cases.py; keep both in step).

A case is the caseworkers' side of one pseudonymous conversation (`conversation_id`, the same
`tg-…`/`wa-…` id Rasa sees): never a phone number or a name. Times are naive UTC, because
SQLite keeps no time zone and mixing aware and naive datetimes fails at comparison time.
"""
from __future__ import annotations

import json
from typing import Any, List

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text

from core.clock import utcnow
from core.db import Base

ACTIVE_WHERE = text("status IN ('pending', 'open')")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(value: str | None, default: Any) -> Any:
    try:
        return json.loads(value) if value else default
    except ValueError:
        return default


class Caseworker(Base):
    __tablename__ = "caseworkers"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)  # argon2id, never the password
    role = Column(String(16), nullable=False, default="caseworker")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime)


class Case(Base):
    __tablename__ = "cases"
    # One active (pending/open) case per conversation, enforced by the database too: two
    # handoffs arriving at once must not open two cases.
    __table_args__ = (
        Index(
            "uq_cases_one_active_per_conversation", "conversation_id", unique=True,
            sqlite_where=ACTIVE_WHERE, postgresql_where=ACTIVE_WHERE,
        ),
        Index("ix_cases_status_priority", "status", "priority", "created_at"),
    )

    id = Column(Integer, primary_key=True)  # the case number caseworkers talk about
    conversation_id = Column(String(64), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    language = Column(String(8), nullable=False)
    topic = Column(String(64))
    reason = Column(String(32), nullable=False, default="request")
    priority = Column(String(8), nullable=False, default="normal")
    status = Column(String(10), nullable=False, default="pending")
    assignee_id = Column(Integer, ForeignKey("caseworkers.id"))
    flags = Column(Text, nullable=False, default="[]")  # JSON list of vulnerability flags
    # The migrant wrote 'menu' to get the assistant back while waiting: their messages reach
    # the bot as well as the case until a caseworker answers (see cases/routing.py).
    mirror_to_bot = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    first_response_at = Column(DateTime)
    resolved_at = Column(DateTime)
    summary = Column(Text)  # JSON: what the assistant knew at the handoff (migration 0007)

    @property
    def summary_dict(self) -> dict:
        return dict(loads(self.summary, {}))

    @property
    def flag_list(self) -> List[str]:
        return list(loads(self.flags, []))


class CaseEvent(Base):
    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(24), nullable=False)
    actor = Column(String(80), nullable=False)  # system | bot | migrant | caseworker:<username>
    created_at = Column(DateTime, nullable=False, default=utcnow)
    payload = Column(Text, nullable=False, default="{}")  # JSON

    @property
    def data(self) -> dict:
        return dict(loads(self.payload, {}))


class CaseMessage(Base):
    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(16), nullable=False)  # migrant | bot | caseworker
    caseworker_id = Column(Integer, ForeignKey("caseworkers.id"))
    text = Column(Text, nullable=False, default="")
    media = Column(Text, nullable=False, default="[]")  # JSON list of references, never the bytes
    created_at = Column(DateTime, nullable=False, default=utcnow)
    delivery = Column(String(10))  # outbound only: sent | template | failed
    delivery_error = Column(Text)
    platform_ids = Column(Text)  # JSON list: the platform's message ids, for delivered / read

    @property
    def platform_id_list(self) -> list:
        return list(loads(self.platform_ids, []))

    @property
    def media_list(self) -> list:
        return list(loads(self.media, []))


class CaseRead(Base):
    """The newest message of a case a caseworker has seen: the inbox marks the rest unread."""

    __tablename__ = "case_reads"

    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    caseworker_id = Column(Integer, ForeignKey("caseworkers.id", ondelete="CASCADE"), primary_key=True)
    last_message_id = Column(Integer, nullable=False, default=0)


class WebchatOutbox(Base):
    """A message for a local web chat conversation, kept until its browser fetched it."""

    __tablename__ = "webchat_outbox"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ConsoleSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is kept, so a copy of the
    database does not let anyone sign in."""

    __tablename__ = "console_sessions"

    token_hash = Column(String(64), primary_key=True)
    caseworker_id = Column(Integer, ForeignKey("caseworkers.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class SavedFilter(Base):
    """An inbox filter set a caseworker saved under a name (migration 0008): theirs alone."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("caseworker_id", "name", name="uq_saved_filters_caseworker_name"),)

    id = Column(Integer, primary_key=True)
    caseworker_id = Column(Integer, ForeignKey("caseworkers.id", ondelete="CASCADE"), nullable=False, index=True)
    name = Column(String(60), nullable=False)
    params = Column(Text, nullable=False)  # JSON: folder, topic, language, status
    created_at = Column(DateTime, nullable=False, default=utcnow)

    @property
    def params_dict(self) -> dict:
        return dict(loads(self.params, {}))
