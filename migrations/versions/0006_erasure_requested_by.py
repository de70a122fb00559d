"""Who asked for an erasure done from the console: the audit entry of a supervisor's erasure.

Revision ID: 0006_erasure_requested_by
Revises: 0005_inbox

`erasure_log.requested_by`: `caseworker:<username>` for an erasure a supervisor made in the
console on the migrant's behalf; empty for the migrant's own request, a declined consent and
the retention purge. Still never the conversation id, the address or any text.
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_erasure_requested_by"
down_revision = "0005_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("erasure_log") as batch:
        batch.add_column(sa.Column("requested_by", sa.String(80)))


def downgrade() -> None:
    with op.batch_alter_table("erasure_log") as batch:
        batch.drop_column("requested_by")
