"""The supervisors' pages: content insights (with CSV exports) and the content review status.

Supervisors only (a caseworker gets 403). Aggregates only: counts, rates, durations and redacted
example questions (insights/report.py); never a conversation id, an address, or a message of
a conversation that declined consent (those questions are never kept: actions/unanswered.py).
The review page reads the knowledge files (content.sources.review_status) and links each
to where it is changed (CONTENT_REPOSITORY_URL): the content stays data in the repository.
"""
from __future__ import annotations

import asyncio
import csv
import io
from typing import Any, Optional

from aiohttp import web

from insights import report
from content.knowledge import load_knowledge
from content.sources import review_status
from console import charts
from console.case_view import language_name
from console.render import duration, render

REASON_WORDS = {"emergency": "emergency", "abuse": "abuse", "unaccompanied_minor": "unaccompanied minor",
                "vulnerable": "vulnerable", "request": "asked for a person"}
OUTCOME_WORDS = {"not_understood": "not understood", "low_confidence": "answered, unsure", "choice": "offered a choice"}
DEFAULT_MAX_AGE_DAYS = 180
# a CSV cell a spreadsheet would run as a formula ("=HYPERLINK(…)" typed by a migrant)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _supervisor_only(request: web.Request) -> Optional[web.Response]:
    if request["actor"].is_supervisor:
        return None
    return render(request, "error.html", status=403, error="Only supervisors can see this page.")


def _weeks(request: web.Request) -> int:
    try:
        return max(report.MIN_WEEKS, min(report.MAX_WEEKS, int(request.query.get("weeks", report.DEFAULT_WEEKS))))
    except ValueError:
        return report.DEFAULT_WEEKS


def answer_title(answer_id: Optional[str]) -> str:
    kb = load_knowledge()
    return kb.topic_title(answer_id, kb.default_language) if answer_id in kb.answers else (answer_id or "-")


async def insights_page(request: web.Request) -> web.Response:
    refused = _supervisor_only(request)
    if refused is not None:
        return refused
    weeks = _weeks(request)
    found = await asyncio.to_thread(report.collect, weeks, request.app["engine"])
    by_week = [found.by_week[w] for w in found.weeks]
    reasons = [r for r, _ in found.reasons.most_common()]
    colours = dict(zip(reasons, charts.PALETTE))
    return render(
        request, "insights.html", insights=found, weeks=weeks, answer_title=answer_title,
        language_name=language_name, reason_words=REASON_WORDS, outcome_words=OUTCOME_WORDS,
        median=_minutes(report.percentile(found.response_minutes, 50)),
        p90=_minutes(report.percentile(found.response_minutes, 90)),
        ratings_chart=charts.weekly_bars("Ratings per week", found.weeks, [
            ("helpful", [w.up for w in by_week], charts.PALETTE[0]),
            ("not helpful", [w.down for w in by_week], charts.PALETTE[1])]),
        questions_chart=charts.weekly_bars("Questions without a good answer per week", found.weeks, [
            ("questions", [w.unanswered for w in by_week], charts.PALETTE[2])]),
        cases_chart=charts.weekly_bars("Cases opened per week, by reason", found.weeks, [
            (REASON_WORDS.get(r, r), [w.cases.get(r, 0) for w in by_week], colours[r]) for r in reasons]
            or [("cases", [0 for _ in by_week], charts.PALETTE[0])]),
        response_chart=charts.weekly_bars("Median time to a first response per week", found.weeks, [
            ("median", [report.percentile(w.response_minutes, 50) for w in by_week], charts.PALETTE[3])],
            unit=" min"),
    )


async def insights_csv(request: web.Request) -> web.Response:
    refused = _supervisor_only(request)
    if refused is not None:
        return refused
    name = request.match_info["table"]
    if name not in report.TABLES:
        raise web.HTTPNotFound(text="No such export.")
    found = await asyncio.to_thread(report.collect, _weeks(request), request.app["engine"])
    header, rows = report.table(found, name, answer_title)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    filename = f"insights-{name}-{found.since:%Y-%m-%d}.csv"
    return web.Response(text=buffer.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # shown as text, never run
    return value


def _minutes(value: Optional[float]) -> str:
    return "-" if value is None else duration(value)


async def content_page(request: web.Request) -> web.Response:
    refused = _supervisor_only(request)
    if refused is not None:
        return refused
    try:
        max_age = max(1, int(request.query.get("max_age_days", DEFAULT_MAX_AGE_DAYS)))
    except ValueError:
        max_age = DEFAULT_MAX_AGE_DAYS
    kb = load_knowledge()
    rows = review_status(kb, max_age)
    ui_files = [(code, kb.is_ui_reviewed(code), f"{kb.root.name}/ui/{code}.yml") for code in kb.languages]
    return render(
        request, "content.html", rows=rows, languages=list(kb.languages), language_name=language_name,
        ui_files=ui_files, max_age=max_age, stale=sum(row.stale for row in rows),
        repository=request.app["config"].content_repository_url,
        reviewed={code: sum(row.states[code] == "reviewed" for row in rows) for code in kb.languages},
    )
