"""JSON endpoints polled by the pages' scripts (401 without a session, see console/auth.py)."""
from __future__ import annotations

from aiohttp import web

from bot.cases import store
from bot.cases.service import CaseNotFound
from console.render import message_json
from console.views import database_id, db


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
    lines = await db(request, store.transcript, case_id, after)
    return web.json_response({
        "case": {"id": case.id, "status": case.status, "priority": case.priority, "assignee": assignee},
        "messages": [message_json(line) for line in lines],
    })


def _not_found() -> web.Response:
    return web.json_response({"error": "not found"}, status=404)


async def inbox_version(request: web.Request) -> web.Response:
    return web.json_response({"version": await db(request, store.inbox_version, request["actor"])})
