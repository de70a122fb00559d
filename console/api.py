"""JSON endpoints polled by the pages' scripts (401 without a session, see console/auth.py)."""
from __future__ import annotations

from aiohttp import web

from bot.cases import store
from bot.cases.service import CaseNotFound
from console.render import message_json
from console.views import _case_id, db


async def case_messages(request: web.Request) -> web.Response:
    """Messages after ?after=<id>, plus the case's status and priority (they may change)."""
    case_id = _case_id(request)
    try:
        after = int(request.query.get("after", "0"))
        case, assignee = await db(request, store.get_case, case_id, request["actor"])
    except ValueError:
        raise web.HTTPBadRequest(text="after must be a message id") from None
    except CaseNotFound:
        return web.json_response({"error": "not found"}, status=404)
    lines = await db(request, store.transcript, case_id, after)
    return web.json_response({
        "case": {"id": case.id, "status": case.status, "priority": case.priority, "assignee": assignee},
        "messages": [message_json(line) for line in lines],
    })


async def inbox_version(request: web.Request) -> web.Response:
    return web.json_response({"version": await db(request, store.inbox_version)})
