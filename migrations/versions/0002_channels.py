"""Messaging channels: processed webhook ids, reply addresses, media references, delivery status.

Revision ID: 0002_channels
Revises: 0001_baseline

Times are naive UTC (`sa.DateTime`), like the rest of the schema. `channel_addresses` is the only
place where a real phone number / Telegram chat id is kept; every other table (and Rasa) only
sees the pseudonymous conversation id.
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_channels"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per webhook delivery id (Telegram update_id, Twilio MessageSid): the primary key
    # makes the insert fail on a duplicate, which is the whole de-duplication mechanism.
    op.create_table(
        "processed_updates",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("update_id", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_processed_updates_received_at", "processed_updates", ["received_at"])

    op.create_table(
        "channel_addresses",
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("last_inbound_at", sa.DateTime),
        sa.Column("opted_out", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("blocked", sa.Boolean, nullable=False, server_default=sa.false()),
    )

    op.create_table(
        "channel_media",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("content_type", sa.String(128)),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_channel_media_conversation_id", "channel_media", ["conversation_id"])

    # Outcome of outbound messages: Twilio status callbacks and permanent send failures.
    op.create_table(
        "delivery_status",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(64)),
        sa.Column("conversation_id", sa.String(64)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("error_code", sa.String(16)),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_delivery_status_message_id", "delivery_status", ["message_id"])
    op.create_index("ix_delivery_status_conversation_id", "delivery_status", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("delivery_status")
    op.drop_table("channel_media")
    op.drop_table("channel_addresses")
    op.drop_table("processed_updates")
