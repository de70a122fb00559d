"""The content team's tables (created by migrations/versions/0008_insights.py; keep both in step).

What migrants tell the content team without meaning to: which answers helped, which questions
found none. Nothing here names a person: ratings are counts per answer, language and week;
unanswered questions are redacted before they are written and carry the conversation id only so
that they leave with the conversation (erasure, refusal, retention).
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, Integer, LargeBinary, String, Text, UniqueConstraint

from core.db import Base

NOT_UNDERSTOOD, LOW_CONFIDENCE, CHOICE = "not_understood", "low_confidence", "choice"
OUTCOMES = (NOT_UNDERSTOOD, LOW_CONFIDENCE, CHOICE)


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("answer_id", "language", "week", "helpful", name="uq_answer_feedback_key"),)

    id = Column(Integer, primary_key=True)
    answer_id = Column(String(64), nullable=False)
    language = Column(String(8), nullable=False)
    week = Column(Date, nullable=False)  # the Monday of the week the rating came in
    helpful = Column(Boolean, nullable=False)
    count = Column(Integer, nullable=False)


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)  # erasure only, never shown
    language = Column(String(8), nullable=False)
    text = Column(Text, nullable=False)  # redacted before it was written
    outcome = Column(String(16), nullable=False)
    answer_id = Column(String(64))  # the answer sent (low confidence) or the first one offered
    confidence = Column(Float, nullable=False)
    vector = Column(LargeBinary)  # float32 sentence embedding of the redacted text (insights/clusters.py)
    day = Column(Date, nullable=False, index=True)
