"""Console and web chat (issue 14): web chat outbox, delivery ids, case summary, read markers.

Revision ID: 0007_console_webchat
Revises: 0006_erasure_requested_by

- `webchat_outbox`: what a caseworker (or the resolve notice) sends to a local web chat
  conversation, until that browser has fetched it (then deleted: nothing kept longer).
- `case_messages.platform_ids`: the platform's message ids of an outbound message (JSON list),
  to show the delivered / read status the channels record in `delivery_status`.
- `cases.summary`: what the assistant knew at the handoff (language, host country, screening
  answers, consent...), JSON, shown at the top of the case page.
- `case_reads`: the last message each caseworker has seen of a case (the inbox's unread mark).
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_console_webchat"
down_revision = "0006_erasure_requested_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webchat_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("case_messages") as batch:
        batch.add_column(sa.Column("platform_ids", sa.Text))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("summary", sa.Text))
    op.create_table(
        "case_reads",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("caseworker_id", sa.Integer, sa.ForeignKey("caseworkers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("last_message_id", sa.Integer, nullable=False, default=0),
    )


def downgrade() -> None:
    op.drop_table("case_reads")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("summary")
    with op.batch_alter_table("case_messages") as batch:
        batch.drop_column("platform_ids")
    op.drop_table("webchat_outbox")
