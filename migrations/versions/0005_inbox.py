"""Durable inbox: a message is stored before the platform gets its HTTP 200 and removed once answered.

Revision ID: 0005_inbox
Revises: 0004_privacy

`inbox` holds the messages a channel has acknowledged but not finished answering, with the
replies once the assistant produced them (so a restart resumes delivery instead of asking the
assistant again). `inbox_workers` is each running channel's heartbeat: rows whose owner stopped
beating are taken over by another process (or by the same server after its restart).
No address is stored here (it stays in channel_addresses); rows live for seconds.
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_inbox"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.String(32), primary_key=True),       # the message id Rasa is given
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=False),        # JSON: text, media, metadata
        sa.Column("replies", sa.Text),                         # JSON, once the assistant answered
        sa.Column("replies_sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("owner", sa.String(36), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_inbox_channel_owner", "inbox", ["channel", "owner"])
    op.create_index("ix_inbox_conversation_id", "inbox", ["conversation_id"])
    op.create_table(
        "inbox_workers",
        sa.Column("owner", sa.String(36), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("inbox_workers")
    op.drop_table("inbox")
