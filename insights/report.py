"""The figures of the console's insights page and its CSV exports: aggregates only.

- answers by id and language with their 👍 / 👎 counts and helpful rate (answer_feedback);
- unanswered and low-confidence questions, grouped by meaning (insights/clusters.py), each
  group with its count, how many conversations asked, languages, what the assistant did, and a
  few redacted examples - never a conversation id;
- cases opened per handoff reason, and the time to a caseworker's first response;
- all of it per week, for the charts.

Cases and questions are counted as they are now: erased conversations and purged rows are gone
from the figures too.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from cases.models import Case
from cases.service import engine_for
from core.db import session_scope
from insights.clusters import MAX_QUESTIONS, groups
from insights.models import AnswerFeedback, UnansweredQuestion
from insights.store import today, week_of

EXAMPLES = 3          # redacted examples shown per group of questions
MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS = 1, 52, 12
TABLES = ("answers", "questions", "handoffs", "response")


@dataclass(frozen=True)
class Rating:
    answer_id: str
    language: str
    up: int
    down: int

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def helpful_rate(self) -> Optional[float]:
        return self.up / self.total if self.total else None


@dataclass
class QuestionGroup:
    count: int
    conversations: int
    languages: Counter
    outcomes: Counter
    answers: Counter        # what the assistant answered or offered first
    examples: List[str]     # redacted, the most typical first


@dataclass
class Week:
    up: int = 0
    down: int = 0
    unanswered: int = 0
    cases: Counter = field(default_factory=Counter)      # per handoff reason
    response_minutes: List[float] = field(default_factory=list)


@dataclass
class Insights:
    weeks: List[dt.date]                 # Mondays, oldest first
    ratings: List[Rating]
    groups: List[QuestionGroup]
    questions: int
    reasons: Counter
    response_minutes: List[float]
    by_week: Dict[dt.date, Week]

    @property
    def since(self) -> dt.date:
        return self.weeks[0]


def percentile(values: Sequence[float], q: int) -> Optional[float]:
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(sorted(values), n=100, method="inclusive")[q - 1])


def collect(weeks: int = DEFAULT_WEEKS, engine: Optional[Engine] = None, day: Optional[dt.date] = None) -> Insights:
    """The last `weeks` weeks (this one included) of everything the page shows."""
    weeks = max(MIN_WEEKS, min(MAX_WEEKS, int(weeks)))
    this_week = week_of(day or today())
    mondays = [this_week - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    by_week = {monday: Week() for monday in mondays}
    engine = engine_for(engine)
    ratings = _ratings(engine, mondays[0], by_week)
    question_groups, questions = _questions(engine, mondays[0], by_week)
    reasons, response = _cases(engine, mondays[0], by_week)
    return Insights(mondays, ratings, question_groups, questions, reasons, response, by_week)


def _ratings(engine: Engine, start: dt.date, by_week: Dict[dt.date, Week]) -> List[Rating]:
    counts: Dict[Tuple[str, str], List[int]] = {}
    with session_scope(engine) as session:
        rows = session.execute(select(AnswerFeedback.answer_id, AnswerFeedback.language, AnswerFeedback.week,
                                      AnswerFeedback.helpful, AnswerFeedback.count)
                               .where(AnswerFeedback.week >= start)).all()
    for answer_id, language, week, helpful, count in rows:
        pair = counts.setdefault((answer_id, language), [0, 0])
        pair[0 if helpful else 1] += count
        if week in by_week:
            if helpful:
                by_week[week].up += count
            else:
                by_week[week].down += count
    ratings = [Rating(answer_id, language, up, down) for (answer_id, language), (up, down) in counts.items()]
    return sorted(ratings, key=lambda r: (-r.total, r.answer_id, r.language))


def _questions(engine: Engine, start: dt.date, by_week: Dict[dt.date, Week]) -> Tuple[List[QuestionGroup], int]:
    query = (select(UnansweredQuestion.conversation_id, UnansweredQuestion.language, UnansweredQuestion.text,
                    UnansweredQuestion.outcome, UnansweredQuestion.answer_id, UnansweredQuestion.vector,
                    UnansweredQuestion.day)
             .where(UnansweredQuestion.day >= start).order_by(UnansweredQuestion.id.desc()).limit(MAX_QUESTIONS))
    with session_scope(engine) as session:
        rows = session.execute(query).all()
    for row in rows:
        monday = week_of(row.day)
        if monday in by_week:
            by_week[monday].unanswered += 1
    found = []
    for members in groups([row.text for row in rows], [row.vector for row in rows]):
        chosen = [rows[i] for i in members]
        examples = list(dict.fromkeys(row.text for row in chosen))[:EXAMPLES]
        found.append(QuestionGroup(
            count=len(chosen), conversations=len({row.conversation_id for row in chosen}),
            languages=Counter(row.language for row in chosen), outcomes=Counter(row.outcome for row in chosen),
            answers=Counter(row.answer_id for row in chosen if row.answer_id), examples=examples))
    return found, len(rows)


def _cases(engine: Engine, start: dt.date, by_week: Dict[dt.date, Week]) -> Tuple[Counter, List[float]]:
    since = dt.datetime.combine(start, dt.time())
    with session_scope(engine) as session:
        rows = session.execute(select(Case.reason, Case.created_at, Case.first_response_at)
                               .where(Case.created_at >= since)).all()
    reasons: Counter = Counter()
    response: List[float] = []
    for reason, created, first_response in rows:
        reasons[reason] += 1
        week = by_week.get(week_of(created.date()))
        if week is not None:
            week.cases[reason] += 1
        if first_response is not None:
            minutes = max(0.0, (first_response - created).total_seconds() / 60)
            response.append(minutes)
            if week is not None:
                week.response_minutes.append(minutes)
    return reasons, response


# -- CSV -------------------------------------------------------------------------------------
def table(insights: Insights, name: str, title: Any = None) -> Tuple[List[str], List[List[Any]]]:
    """(header, rows) of one export. `title(answer_id) -> str` names answers (the console's)."""
    title = title or (lambda answer_id: answer_id)
    if name == "answers":
        return (["answer_id", "answer", "language", "helpful", "not_helpful", "helpful_rate"],
                [[r.answer_id, title(r.answer_id), r.language, r.up, r.down,
                  "" if r.helpful_rate is None else round(r.helpful_rate, 3)] for r in insights.ratings])
    if name == "questions":
        return (["group", "questions", "conversations", "languages", "not_understood", "low_confidence", "choice",
                 "answers_given_or_offered", "examples"],
                [[n, g.count, g.conversations, " ".join(f"{k}:{v}" for k, v in g.languages.most_common()),
                  g.outcomes.get("not_understood", 0), g.outcomes.get("low_confidence", 0), g.outcomes.get("choice", 0),
                  " ".join(f"{k}:{v}" for k, v in g.answers.most_common()), " | ".join(g.examples)]
                 for n, g in enumerate(insights.groups, start=1)])
    if name == "handoffs":
        reasons = sorted(insights.reasons)
        return (["week", *reasons, "total"],
                [[str(w), *(insights.by_week[w].cases.get(r, 0) for r in reasons), sum(insights.by_week[w].cases.values())]
                 for w in insights.weeks])
    if name == "response":
        return (["week", "answered_cases", "median_minutes", "p90_minutes"],
                [[str(w), len(insights.by_week[w].response_minutes),
                  *(_rounded(percentile(insights.by_week[w].response_minutes, q)) for q in (50, 90))]
                 for w in insights.weeks])
    raise ValueError(f"unknown table {name!r}")


def _rounded(value: Optional[float]) -> Any:
    return "" if value is None else round(value, 1)
