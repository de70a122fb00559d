"""Console feedback loop (issue 14): saved inbox filters, answer ratings, unanswered questions.

Revision ID: 0008_insights
Revises: 0007_console_webchat

- `saved_filters`: an inbox filter set a caseworker saved under a name (their own account's
  rows only; gone with the account).
- `answer_feedback`: how many migrants found an answer helpful or not, per answer, language and
  week. Counts only, no row per rating: no sender, no text, no time finer than the week, no
  order of arrival that could be matched against a conversation.
- `unanswered_questions`: a question the assistant did not understand or answered with low
  confidence, redacted before it is written (numbers, names, places masked:
  privacy/redaction.py), never for a conversation that declined consent, with the sentence
  embedding of the redacted text (so the console groups alike questions without loading a
  model). The conversation id is kept only so that erasure, a later refusal and the retention
  purge remove the row with the conversation (privacy/erasure.py, privacy/retention.py);
  the console never shows it.
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_insights"
down_revision = "0007_console_webchat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("caseworker_id", sa.Integer, sa.ForeignKey("caseworkers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("params", sa.Text, nullable=False),          # JSON: folder, topic, language, status
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("caseworker_id", "name", name="uq_saved_filters_caseworker_name"),
    )
    op.create_index("ix_saved_filters_caseworker_id", "saved_filters", ["caseworker_id"])
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("week", sa.Date, nullable=False),             # the Monday of the week
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint("answer_id", "language", "week", "helpful", name="uq_answer_feedback_key"),
    )
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),  # for erasure only
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),                   # redacted
        sa.Column("outcome", sa.String(16), nullable=False),          # not_understood | low_confidence | choice
        sa.Column("answer_id", sa.String(64)),                        # what was answered or offered first
        sa.Column("confidence", sa.Float, nullable=False),            # the intent classifier's
        sa.Column("vector", sa.LargeBinary),                          # embedding of the redacted text
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_index("ix_unanswered_questions_conversation_id", "unanswered_questions", ["conversation_id"])
    op.create_index("ix_unanswered_questions_day", "unanswered_questions", ["day"])


def downgrade() -> None:
    op.drop_table("unanswered_questions")
    op.drop_table("answer_feedback")
    op.drop_table("saved_filters")
