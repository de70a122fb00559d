"""JSON endpoints polled by the pages' scripts (401 without a session, see console/auth.py)."""
from __future__ import annotations

from aiohttp import web

from cases import store
from cases.service import CaseNotFound
from cases import overview
from console.case_view import message_json, waiting_since
from console.views import database_id, db, delivery_states


async def case_messages(request: web.Request) -> web.Response:
    """Messages after ?after=<id>, plus the case's status and priority (they may change)."""
    case_id, after = database_id(request.match_info["case_id"]), database_id(request.query.get("after", "0"))
    if after is None:
        raise web.HTTPBadRequest(text="after must be a message id")
    if case_id is None:
        return _not_found()
    try:
        case, assignee = await db(request, store.get_case, case_id, request["actor"])
    except CaseNotFound:
        return _not_found()
    # every message's state can change (a delivered / read callback), so all are looked at;
    # only those after `after` are sent whole
    lines = await db(request, store.transcript, case_id, 0)
    states = await db(request, delivery_states, [line.message for line in lines])
    seen = (await db(request, overview.activity, [case_id], request["actor"].id))[case_id]
    new = [line for line in lines if line.message.id > after]
    if new:
        await db(request, overview.mark_read, case_id, request["actor"].id, new[-1].message.id)
    return web.json_response({
        "case": {"id": case.id, "status": case.status, "priority": case.priority, "assignee": assignee,
                 "waiting": waiting_since(seen.last_migrant_at) if case.status != "resolved" else "-"},
        "messages": [message_json(line, states) for line in new],
        "states": {str(m): {"delivery": s["state"], "error": s["reason"] if s["state"] in ("failed", "template") else None}
                   for m, s in states.items()},
    })


def _not_found() -> web.Response:
    return web.json_response({"error": "not found"}, status=404)


async def inbox_version(request: web.Request) -> web.Response:
    actor = request["actor"]
    return web.json_response({"version": await db(request, store.inbox_version, actor),
                              "urgent": await db(request, overview.urgent_waiting, actor)})
