"""Caseworker handoff: caseworkers, cases, their event log and transcript, console sessions.

Revision ID: 0003_cases
Revises: 0002_channels
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_cases"
down_revision = "0002_channels"
branch_labels = None
depends_on = None

ACTIVE_WHERE = sa.text("status IN ('pending', 'open')")


def upgrade() -> None:
    op.create_table(
        "caseworkers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("topic", sa.String(64)),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("assignee_id", sa.Integer, sa.ForeignKey("caseworkers.id")),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("mirror_to_bot", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("first_response_at", sa.DateTime),
        sa.Column("resolved_at", sa.DateTime),
    )
    op.create_index("ix_cases_conversation_id", "cases", ["conversation_id"])
    op.create_index(
        "uq_cases_one_active_per_conversation", "cases", ["conversation_id"], unique=True,
        sqlite_where=ACTIVE_WHERE, postgresql_where=ACTIVE_WHERE,
    )
    op.create_index("ix_cases_status_priority", "cases", ["status", "priority", "created_at"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("caseworker_id", sa.Integer, sa.ForeignKey("caseworkers.id")),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("media", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("delivery", sa.String(10)),
        sa.Column("delivery_error", sa.Text),
    )
    op.create_index("ix_case_messages_case_id", "case_messages", ["case_id"])
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "caseworker_id", sa.Integer, sa.ForeignKey("caseworkers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_console_sessions_caseworker_id", "console_sessions", ["caseworker_id"])


def downgrade() -> None:
    op.drop_table("console_sessions")
    op.drop_table("case_messages")
    op.drop_table("case_events")
    op.drop_table("cases")
    op.drop_table("caseworkers")
