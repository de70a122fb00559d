"""Privacy: a non-identifying audit log of erasures (on request, on declined consent, retention).

Revision ID: 0004_privacy
Revises: 0003_cases

One row per erasure: when, why, the channel kind and how many rows went. Never the
conversation id, the address or any text: the log proves that erasures happen, it must not
itself say whose data existed.
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_privacy"
down_revision = "0003_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("erased_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),   # request | declined | retention
        sa.Column("channel", sa.String(16), nullable=False),  # telegram | whatsapp | other | all
        sa.Column("conversations", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),         # JSON {table: rows removed}
    )
    op.create_index("ix_erasure_log_erased_at", "erasure_log", ["erased_at"])


def downgrade() -> None:
    op.drop_table("erasure_log")
