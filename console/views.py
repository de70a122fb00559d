"""Console pages (inbox, case) and the case actions behind their forms.

Forms post and redirect back (post/redirect/get), so reloading never sends a reply twice.
Notices travel as fixed codes in the query string, never as text: nothing a request carries
is echoed into a page.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

from cases import filters, service, store
from cases.policy import Actor, PermissionDenied
from cases.service import CaseNotFound
from cases.state import PRIORITIES, CaseError, allowed_actions
from channels.webchat import outbox
from cases import overview
from console.case_view import message_json, summary_card
from console.render import canned_replies, render, sla
from privacy import erasure

NOTICES = {
    "sent": "Reply sent.",
    "template": "WhatsApp's 24-hour window is closed: the migrant received the approved template inviting "
                "them to write back, not your text. Your reply is saved here; send it again when they answer.",
    "failed": "The reply could not be delivered (the reason is under the message). It is saved here; use "
              "Send again when the reason is fixed.",
    "claimed": "You have claimed this case.", "assigned": "Case assigned.", "noted": "Note added.",
    "priority": "Priority changed.", "reopened": "Case reopened.",
    "resolved": "Case resolved; the migrant was told that the assistant is back.",
    "resolved_unsent": "Case resolved, but the message telling the migrant could not be delivered.",
    "erased": "The conversation was erased: the migrant was told, and nothing of it is kept but an "
              "anonymous record that a supervisor erased one.",
    "filter_saved": "Filter saved: it is in your saved filters above the inbox.",
    "filter_deleted": "Saved filter deleted.",
    "filter_refused": f"The filter was not saved: give it a name of 1 to {filters.NAME_CHARS} characters "
                      f"(at most {filters.MAX_PER_ACCOUNT} per account).",
}
# Notices that report something that did not happen are shown (and announced) as errors.
ERROR_NOTICES = {"failed", "template", "resolved_unsent", "filter_refused"}
MAX_DATABASE_ID = 2**31 - 1


def notice_of(request: web.Request) -> Optional[dict]:
    code = request.query.get("notice", "")
    return {"text": NOTICES[code], "error": code in ERROR_NOTICES} if code in NOTICES else None


async def db(request: web.Request, function: Callable[..., Any], *args: Any) -> Any:
    """Run a synchronous store call off the event loop (other caseworkers keep being served)."""
    return await asyncio.to_thread(function, *args, engine=request.app["engine"])


def delivery_states(messages: List[Any], engine: Any = None) -> Dict[int, dict]:
    """Each message's delivery state (cases.overview); the web chat's from its outbox."""
    return overview.delivery_states(messages, engine=engine, shown=outbox.shown)


def database_id(value: Any) -> Optional[int]:
    """A row id from a request, or None when it is no number or out of the column's range
    (PostgreSQL INTEGER): the database would fail on it with an overflow, not say "none"."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 <= number <= MAX_DATABASE_ID else None


def _case_id(request: web.Request) -> int:
    case_id = database_id(request.match_info["case_id"])
    if case_id is None:
        raise web.HTTPNotFound(text="No such case.")
    return case_id


async def index(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/inbox")


async def inbox(request: web.Request) -> web.Response:
    actor: Actor = request["actor"]
    query = request.query
    folder, status = query.get("folder", "unassigned"), query.get("status", "active")
    topic, language = query.get("topic") or None, query.get("language") or None
    try:
        rows = await db(request, store.inbox, actor, folder, topic, language, status)
    except CaseError as error:
        return render(request, "error.html", status=403 if folder == "all" else 400, error=str(error))
    topics, languages = await db(request, store.filter_values, actor)
    limit = request.app["config"].sla_first_response_minutes
    seen = await db(request, overview.activity, [row.case.id for row in rows], actor.id)
    mine = await db(request, filters.saved, actor)
    return render(
        request, "inbox.html", rows=[(row, sla(row.case, limit), seen[row.case.id]) for row in rows],
        folder=folder, status_filter=status,
        saved_filters=[(f, filters.query_string(f.params_dict)) for f in mine],
        urgent_ids=",".join(map(str, await db(request, overview.urgent_waiting, actor))),
        topic=topic or "", language=language or "", topics=topics, languages=languages, sla_minutes=limit,
        notice=notice_of(request),
        version=await db(request, store.inbox_version, actor), poll_seconds=request.app["config"].poll_seconds,
    )


async def case_page(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    actor: Actor = request["actor"]
    case_id = _case_id(request)
    try:
        case, assignee = await db(request, store.get_case, case_id, actor)
    except CaseNotFound:
        raise web.HTTPNotFound(text="No such case (or it is assigned to a colleague).") from None
    lines = await db(request, store.transcript, case_id, 0)
    states = await db(request, delivery_states, [line.message for line in lines])
    last_id = lines[-1].message.id if lines else 0
    await db(request, overview.mark_read, case_id, actor.id, last_id)
    seen = (await db(request, overview.activity, [case_id], actor.id))[case_id]
    reviewed, replies = canned_replies(case.language)
    return render(
        request, "case.html", status=status, case=case, assignee=assignee,
        messages=[message_json(line, states) for line in lines], summary=summary_card(case, seen.last_migrant_at),
        events=await db(request, store.events, case_id),
        caseworkers=await db(request, store.caseworkers) if actor.is_supervisor else [],
        allowed=allowed_actions(case.status), priorities=PRIORITIES, canned=replies, canned_reviewed=reviewed,
        sla=sla(case, request.app["config"].sla_first_response_minutes), error=error,
        notice=notice_of(request), last_id=last_id,
        poll_seconds=request.app["config"].poll_seconds,
    )


async def case_action(request: web.Request) -> web.Response:
    """POST /cases/{id}/{action}: do it, then back to the case page with a notice."""
    actor: Actor = request["actor"]
    case_id, action = _case_id(request), request.match_info["action"]
    form = await request.post()
    engine, send = request.app["engine"], request.app["send"]
    try:
        if action == "reply":
            result = await service.reply(case_id, actor, str(form.get("text", "")), send, engine=engine)
            notice = "failed" if not result.ok else ("template" if result.used_template else "sent")
        elif action == "resend":
            result = await service.resend(case_id, actor, _message_id(form.get("message_id")), send, engine=engine)
            notice = "failed" if not result.ok else ("template" if result.used_template else "sent")
        elif action == "resolve":
            result = await service.resolve(case_id, actor, send, engine=engine)
            notice = "resolved" if result.ok and not result.used_template else "resolved_unsent"
        elif action == "claim":
            await db(request, service.assign, case_id, actor, actor.id)
            notice = "claimed"
        elif action == "assign":
            await db(request, service.assign, case_id, actor, _int(form.get("assignee_id")))
            notice = "assigned"
        elif action == "note":
            await db(request, service.add_note, case_id, actor, str(form.get("text", "")))
            notice = "noted"
        elif action == "priority":
            await db(request, service.change_priority, case_id, actor, str(form.get("priority", "")))
            notice = "priority"
        elif action == "reopen":
            await db(request, service.reopen, case_id, actor)
            notice = "reopened"
        elif action == "erase":
            if form.get("confirm") != "yes":
                raise CaseError("Tick the box to confirm that the migrant asked for their data to be erased.")
            await erasure.erase_on_request(case_id, actor, send, engine=engine)
            raise web.HTTPSeeOther("/inbox?notice=erased")  # the case no longer exists
        else:
            raise web.HTTPNotFound()
    except CaseNotFound:
        raise web.HTTPNotFound(text="No such case.") from None
    except PermissionDenied as error:
        return await case_page(request, error=str(error), status=403)
    except CaseError as error:
        return await case_page(request, error=str(error), status=409)
    raise web.HTTPSeeOther(f"/cases/{case_id}?notice={notice}")


def _int(value: Any) -> int:
    number = database_id(value)
    if number is None:
        raise CaseError("Choose a caseworker.")
    return number


def _message_id(value: Any) -> int:
    number = database_id(value)
    if number is None:
        raise CaseError("Choose the message to send again.")
    return number



async def save_filter(request: web.Request) -> web.Response:
    """POST /inbox/filters: save the inbox's current filter set under a name, then show it."""
    form = await request.post()
    params = {key: str(form.get(key, "")) for key in ("folder", "topic", "language", "status")}
    try:
        saved = await db(request, filters.save, request["actor"], str(form.get("name", "")), params)
    except CaseError:
        raise web.HTTPSeeOther("/inbox?" + _with_notice(params, "filter_refused")) from None
    raise web.HTTPSeeOther("/inbox?" + _with_notice(saved.params_dict, "filter_saved"))


async def delete_filter(request: web.Request) -> web.Response:
    """POST /inbox/filters/{id}/delete: one of the caseworker's own saved filters."""
    filter_id = database_id(request.match_info["filter_id"])
    if filter_id is None or not await db(request, filters.remove, request["actor"], filter_id):
        raise web.HTTPNotFound(text="No such saved filter.")
    raise web.HTTPSeeOther("/inbox?notice=filter_deleted")


def _with_notice(params: dict, notice: str) -> str:
    query = filters.query_string({k: str(v) for k, v in params.items() if v})
    return f"{query}&notice={notice}" if query else f"notice={notice}"
