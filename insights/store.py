"""Writing what the content team learns: a rating of an answer, a question nobody answered well.

- `record_rating(answer_id, language, helpful)`: one more 👍 or 👎 for the answer in this week's
  counter (answer_feedback). Nothing else is kept: not who, not when within the week.
- `record_unanswered(conversation_id, language, text, ...)`: the question, redacted here before
  anything is written (privacy/redaction.py), so no caller can keep it raw, with the embedding
  of the redacted text (insights/clusters.py). The conversation id only lets erasure, a
  refusal and the purge take the row away with the conversation.

Both are called from the actions (actions/feedback.py, actions/unanswered.py), off the event loop;
the migrant's reply never waits for them or depends on them.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Callable, Optional, Set

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from core.clock import utcnow
from cases.service import engine_for
from core.db import session_scope
from insights.models import OUTCOMES, AnswerFeedback, UnansweredQuestion
from privacy.redaction import MASK, redact

logger = logging.getLogger(__name__)
LANGUAGE_CHARS, ANSWER_CHARS = 8, 64
_pending: Set["asyncio.Future[Any]"] = set()


def in_background(function: Callable[..., Any], *args: Any) -> None:
    """Run a write off the event loop: the migrant's reply never waits for it, and a failure is
    logged (without the arguments: they may hold a question), never raised into the turn."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop (a script): write now
        _logged(function, *args)
        return
    future = loop.run_in_executor(None, _logged, function, *args)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def _logged(function: Callable[..., Any], *args: Any) -> None:
    try:
        function(*args)
    except Exception:  # noqa: BLE001 - the content team's figures must never cost a reply
        logger.exception("Could not keep %s for the content team", getattr(function, "__name__", "a record"))


async def settled() -> None:
    """Wait for the writes started so far (tests; a turn never waits)."""
    while _pending:
        await asyncio.gather(*list(_pending))


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week: ratings and charts count by week."""
    return day - dt.timedelta(days=day.weekday())


def today() -> dt.date:
    return utcnow().date()


def record_rating(answer_id: str, language: str, helpful: bool, engine: Optional[Engine] = None,
                  day: Optional[dt.date] = None) -> None:
    week = week_of(day or today())
    key = dict(answer_id=answer_id[:ANSWER_CHARS], language=language[:LANGUAGE_CHARS], week=week, helpful=bool(helpful))
    engine = engine_for(engine)
    for _attempt in range(2):  # another process may create this week's row between our update and insert
        try:
            with session_scope(engine) as session:
                counted = session.execute(update(AnswerFeedback).filter_by(**key)
                                          .values(count=AnswerFeedback.count + 1)).rowcount
                if not counted:
                    session.add(AnswerFeedback(**key, count=1))
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not count a rating")


def record_unanswered(conversation_id: str, language: str, text: str, outcome: str, confidence: float,
                      answer_id: Optional[str] = None, engine: Optional[Engine] = None,
                      day: Optional[dt.date] = None) -> Optional[int]:
    """Keep the redacted question; None (nothing kept) when nothing is left of it once masked."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    masked = redact(text, language)
    if not any(char.isalpha() for char in MASK.sub("", masked)):
        return None
    from insights.clusters import vector_of

    row = UnansweredQuestion(conversation_id=conversation_id, language=language[:LANGUAGE_CHARS], text=masked,
                             outcome=outcome, answer_id=(answer_id or None) and answer_id[:ANSWER_CHARS],
                             confidence=round(float(confidence), 3), vector=vector_of(masked), day=day or today())
    with session_scope(engine_for(engine)) as session:
        session.add(row)
        session.flush()
        return int(row.id)
