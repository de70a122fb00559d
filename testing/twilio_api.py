"""A local fake of Twilio's Messages API (aiohttp, 127.0.0.1, random port) for tests and the bench.

POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic auth, form-encoded like the
real API; answers 201 with a Message resource, or Twilio's error JSON
{"code", "message", "more_info", "status"}. Scripted behaviour:
  - `outside_window(number)`: free-form bodies to it fail; mode "sync" → 400 code 63016,
    mode "callback" → accepted, then a status callback `undelivered` with ErrorCode 63016
    (which is what Twilio really does); templates (ContentSid) are always accepted;
  - `unsubscribe(number)`: 400 code 21610; malformed To: 400 code 21211 (quoting the number,
    as Twilio does, so tests can check it never reaches our logs);
  - `fail(status, code, times)`: e.g. 429 / 20429 or 500.
With `status_callbacks=True` it posts signed `sent` and `delivered` callbacks to StatusCallback.

Content API (https://content.twilio.com/v1/Content, same host here): create (JSON body),
list (paged, `meta.key` = "contents") and fetch. Create refuses (400, code 20001) content whose
types lack a field Twilio documents as required: every list-picker item needs `item`, `id`
and `description` (https://www.twilio.com/docs/content/twiliolist-picker, "items
properties"), every quick-reply action a `title`
(https://www.twilio.com/docs/content/twilio-quick-reply). A message with the ContentSid of
created content must carry ContentVariables for every {{n}} it uses; the rendered result is
checked against WhatsApp's limits (quick-reply: 1-3 unique titles <= 20 characters;
list-picker: 1-10 unique items <= 24, ids <= 200, descriptions 1-72, button <= 20; body <=
1024) and kept in `Sent.rendered`. Refusals answer 400 with Twilio's code 21656 (invalid
ContentVariables). Interactive content cannot open a session: outside the window it fails
like free-form text (63016).
`button_reply()` / `list_reply()` build the inbound webhook of a tap in Twilio's format.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Dict, List, Optional

import httpx
from aiohttp import BasicAuth, web
from twilio.request_validator import RequestValidator

from testing import media

WHATSAPP_ADDRESS = re.compile(r"^whatsapp:\+[1-9]\d{6,14}$")
_VARIABLE = re.compile(r"\{\{(\d+)\}\}")


@dataclass
class Sent:
    params: Dict[str, Any]
    sid: str
    at: float = field(default_factory=time.monotonic)
    rendered: Optional[Dict[str, Any]] = None   # content messages: the types with variables filled in


def _fill(value: Any, variables: Dict[str, str], missing: set) -> Any:
    if isinstance(value, str):
        def one(match: "re.Match[str]") -> str:
            if not variables.get(match.group(1)):
                missing.add(match.group(1))
            return variables.get(match.group(1), "")
        return _VARIABLE.sub(one, value)
    if isinstance(value, list):
        return [_fill(v, variables, missing) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, variables, missing) for k, v in value.items()}
    return value


# the fields Twilio lists as required, per content type and per element of its list
REQUIRED_FIELDS = {
    "twilio/text": (("body",), None, ()),
    "twilio/quick-reply": (("body", "actions"), "actions", ("title",)),
    "twilio/list-picker": (("body", "button", "items"), "items", ("item", "id", "description")),
}


def definition_problem(types: Any) -> Optional[str]:
    """What Twilio would refuse in a create request's `types` (fields missing or empty), or None."""
    if not isinstance(types, dict) or not types:
        return "types must name at least one content type"
    for kind, spec in types.items():
        if kind not in REQUIRED_FIELDS:
            continue  # types this fake does not model are stored as given
        fields, list_key, element_fields = REQUIRED_FIELDS[kind]
        if not isinstance(spec, dict) or any(not spec.get(name) for name in fields):
            return f"{kind} requires {', '.join(fields)}"
        for element in spec.get(list_key) or () if list_key else ():
            missing = [name for name in element_fields if not isinstance(element, dict) or not element.get(name)]
            if missing:
                return f"{kind} {list_key} require {', '.join(element_fields)}; missing {', '.join(missing)}"
    return None


def content_problem(types: Dict[str, Any]) -> Optional[str]:
    """What WhatsApp would refuse in rendered content, or None."""
    for kind, spec in types.items():
        if len(spec.get("body", "")) > 1024:
            return f"{kind} body longer than 1024"
        if kind == "twilio/quick-reply":
            titles = [a.get("title", "") for a in spec.get("actions", [])]
            if not 1 <= len(titles) <= 3 or any(not t or len(t) > 20 for t in titles) or len(set(titles)) < len(titles):
                return f"quick-reply titles invalid: {titles}"
        if kind == "twilio/list-picker":
            items = spec.get("items", [])
            names = [i.get("item", "") for i in items]
            if not 1 <= len(items) <= 10 or any(not n or len(n) > 24 for n in names) or len(set(names)) < len(names):
                return f"list items invalid: {names}"
            if any(not i.get("id") or len(i["id"]) > 200 or not i.get("description") or len(i["description"]) > 72
                   for i in items):
                return f"list item id or description invalid: {[i.get('description') for i in items]}"
            if not spec.get("button") or len(spec["button"]) > 20:
                return "list button invalid"
    return None


def button_reply(number: str, payload: str, title: str, sid: Optional[str] = None) -> Dict[str, str]:
    """The webhook of a quick-reply tap: Body and ButtonText are the title, ButtonPayload the id."""
    sid = sid or "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": f"whatsapp:{number}",
            "To": "whatsapp:+14155238886", "Body": title, "ButtonText": title, "ButtonPayload": payload,
            "MessageType": "button", "NumMedia": "0", "ProfileName": "Test", "WaId": number.lstrip("+"),
            "ApiVersion": "2010-04-01"}


def list_reply(number: str, item_id: str, title: str, sid: Optional[str] = None,
               as_button: bool = False) -> Dict[str, str]:
    """The webhook of a list-picker choice: Body and ListTitle are the item, ListId its id; or,
    `as_button`, the id in ButtonPayload as for a button (where Twilio is moving Content API ids:
    https://www.twilio.com/en-us/changelog/rcs-button-payload, see channels/whatsapp.py)."""
    form = button_reply(number, item_id if as_button else "", title, sid)
    if as_button:
        return form
    for key in ("ButtonText", "ButtonPayload"):
        del form[key]
    form.update({"ListId": item_id, "ListTitle": title, "MessageType": "interactive"})
    return form


class FakeTwilioAPI:
    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "fake-auth-token") -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: List[Sent] = []       # every accepted or refused create
        self.messages: List[Sent] = []       # accepted ones
        self.failures: List[tuple] = []
        self.window_closed: Dict[str, str] = {}
        self.unsubscribed: set[str] = set()
        self.status_callbacks = False
        self.callback_tasks: List[asyncio.Task] = []
        self.latency = 0.0
        self.contents: Dict[str, Dict[str, Any]] = {}   # Content API: sid -> resource
        self.fetched_media: List[tuple] = []             # (MediaUrl, status, content type, bytes)
        self.listeners: List[Any] = []       # called with (To, Body) for each message accepted
        self._counter = itertools.count(1)
        self._runner: Optional[web.AppRunner] = None
        self.base_url = ""

    # -- scripting ------------------------------------------------------------------------
    def outside_window(self, number: str, mode: str = "sync") -> None:
        self.window_closed[self._wa(number)] = mode

    def unsubscribe(self, number: str) -> None:
        self.unsubscribed.add(self._wa(number))

    def fail(self, status: int = 500, code: int = 20500, times: int = 1) -> None:
        self.failures.extend([(status, code)] * times)

    @staticmethod
    def _wa(number: str) -> str:
        return number if number.startswith("whatsapp:") else f"whatsapp:{number}"

    def bodies(self, number: Optional[str] = None) -> List[str]:
        return [m.params.get("Body", "") for m in self.messages
                if number is None or m.params["To"] == self._wa(number)]

    # -- server ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        media.add_twilio_media(app, self)  # console tests: media URLs with basic auth
        app.router.add_post("/v1/Content", self._create_content)
        app.router.add_get("/v1/Content", self._list_content)
        app.router.add_get("/v1/Content/{sid}", self._fetch_content)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self.base_url

    async def stop(self) -> None:
        for task in self.callback_tasks:
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    def _error(self, status: int, code: int, message: str) -> web.Response:
        return web.json_response(
            {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
            status=status,
        )

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        try:
            auth = BasicAuth.decode(header)
        except ValueError:
            return False
        return auth.login == self.account_sid and auth.password == self.auth_token

    async def _create(self, request: web.Request) -> web.Response:
        if not self._authorised(request) or request.match_info["sid"] != self.account_sid:
            return self._error(401, 20003, "Authenticate")
        if self.latency:
            await asyncio.sleep(self.latency)
        params = dict(await request.post())
        sid = "SM" + uuid.uuid4().hex
        self.requests.append(Sent(params, sid))
        to, body, content_sid = params.get("To", ""), params.get("Body"), params.get("ContentSid")
        if self.failures:
            status, code = self.failures.pop(0)
            return self._error(status, code, "Too Many Requests" if status == 429 else "Internal Server Error")
        if not WHATSAPP_ADDRESS.match(to):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.unsubscribed:
            return self._error(400, 21610, "Attempt to send to unsubscribed recipient")
        media_url = params.get("MediaUrl")
        if not body and not content_sid and not media_url:
            return self._error(400, 21602, "Message body is required.")
        if media_url:  # Twilio fetches the media from the sender's public URL
            async with httpx.AsyncClient() as client:
                fetched = await client.get(media_url)
            self.fetched_media.append((media_url, fetched.status_code, fetched.headers.get("content-type"),
                                       len(fetched.content)))
            if fetched.status_code != 200:
                return self._error(400, 11200, "HTTP retrieval failure")
        rendered = None
        if content_sid in self.contents:
            try:
                variables = json.loads(params.get("ContentVariables") or "{}")
            except ValueError:
                return self._error(400, 21656, "The ContentVariables Parameter is invalid.")
            missing: set = set()
            rendered = _fill(self.contents[content_sid]["types"], {k: str(v) for k, v in variables.items()}, missing)
            problem = f"variables {sorted(missing)} missing" if missing else content_problem(rendered)
            if problem:
                return self._error(400, 21656, f"The ContentVariables Parameter is invalid: {problem}")
            if self.window_closed.get(to):  # interactive content cannot start a session
                return self._error(400, 63016, "Failed to send freeform message because you are outside the "
                                               "allowed window.")
        if body and len(body.encode("utf-16-le")) // 2 > 1600:
            return self._error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        window_error = body and not content_sid and self.window_closed.get(to)
        if window_error == "sync":
            return self._error(400, 63016, "Failed to send freeform message because you are outside the "
                                           "allowed window. If you are using WhatsApp, please use a Message Template.")
        self.messages.append(Sent(params, sid, rendered=rendered))
        for listener in self.listeners:
            listener(to, body or "")
        if params.get("StatusCallback") and (self.status_callbacks or window_error):
            statuses = [("undelivered", "63016")] if window_error else [("sent", None), ("delivered", None)]
            self.callback_tasks.append(asyncio.ensure_future(self._callbacks(params, sid, statuses)))
        return web.json_response(self._resource(params, sid), status=201)

    # -- Content API ----------------------------------------------------------------------
    def content_messages(self, number: Optional[str] = None) -> List[Sent]:
        return [m for m in self.messages if m.rendered is not None
                and (number is None or m.params["To"] == self._wa(number))]

    async def _create_content(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, 20001, "Invalid JSON")
        if not body.get("friendly_name") or not body.get("language") or not isinstance(body.get("types"), dict):
            return self._error(400, 20001, "friendly_name, language and types are required")
        problem = definition_problem(body["types"])
        if problem:
            return self._error(400, 20001, f"Invalid types: {problem}")
        sid = "HX" + uuid.uuid4().hex
        now = formatdate(usegmt=True)
        self.contents[sid] = {
            "sid": sid, "account_sid": self.account_sid, "friendly_name": body["friendly_name"],
            "language": body["language"], "variables": body.get("variables") or {}, "types": body["types"],
            "date_created": now, "date_updated": now, "url": f"https://content.twilio.com/v1/Content/{sid}",
            "links": {"approval_fetch": f"https://content.twilio.com/v1/Content/{sid}/ApprovalRequests"},
        }
        return web.json_response(self.contents[sid], status=201)

    async def _list_content(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        size = int(request.query.get("PageSize") or 50)
        items = list(self.contents.values())[:size]
        url = "https://content.twilio.com/v1/Content"
        return web.json_response({"contents": items, "meta": {
            "page": 0, "page_size": size, "first_page_url": f"{url}?PageSize={size}&Page=0",
            "previous_page_url": None, "url": f"{url}?PageSize={size}&Page=0", "next_page_url": None,
            "key": "contents"}})

    async def _fetch_content(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        found = self.contents.get(request.match_info["sid"])
        return web.json_response(found) if found else self._error(404, 20404, "The requested resource was not found")

    def _resource(self, params: Dict[str, Any], sid: str) -> Dict[str, Any]:
        now = formatdate(usegmt=True)
        return {
            "account_sid": self.account_sid, "api_version": "2010-04-01", "body": params.get("Body", ""),
            "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": params.get("From"),
            "messaging_service_sid": None, "num_media": "0", "num_segments": "1", "price": None,
            "price_unit": "USD", "sid": sid, "status": "queued", "to": params.get("To"),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
        }

    async def _callbacks(self, params: Dict[str, Any], sid: str, statuses: List[tuple]) -> None:
        url = params["StatusCallback"]
        validator = RequestValidator(self.auth_token)
        async with httpx.AsyncClient() as client:
            for status, error_code in statuses:
                form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                        "AccountSid": self.account_sid, "From": params["From"], "To": params["To"],
                        "ApiVersion": "2010-04-01", "ChannelPrefix": "whatsapp"}
                if error_code:
                    form["ErrorCode"] = error_code
                signature = validator.compute_signature(url, form)
                await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
