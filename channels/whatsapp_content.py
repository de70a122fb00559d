"""WhatsApp native buttons and lists through Twilio's Content API (inside the 24-hour session).

A menu of up to 3 choices goes out as `twilio/quick-reply` buttons (title <= 20 characters),
4-10 as a `twilio/list-picker` (item <= 24 characters, a button label <= 20). Both keep the
numbered text: it is the message body (so every full title stays readable above the
buttons) and the `twilio/text` fallback of the same content, for a client that cannot show
buttons. Typing the number still works.

Twilio lists each list item's `description` (<= 72 characters) as required, like `item` and
`id` (https://www.twilio.com/docs/content/twiliolist-picker, "items properties"), so every
item gets one: a few words on what it opens, in the user's language (channels/menus.hint:
a group's topics, the languages on offer, a topic's first sentence), else its full title -
which a shortened item title needs anyway.

The templates are generic - every text is a variable ({{1}}...) - so ten of them serve every
menu in all nine languages: quick-reply-1..3 and list-4..10 (v2: v1 had no descriptions;
Twilio keeps an old version unused until someone deletes it). `python -m bot whatsapp
sync-content` creates the missing ones once (the twilio 8 library cannot create content: a
POST to the Content API through the client's own HTTP client) and prints their ids; the sender
finds them by friendly name once per process (ContentCatalog) and sends the numbered text as
before while they are missing. Each button's / item's id is a signed menu token
(channels/menu_token.py), which Twilio sends back as ButtonPayload / ListId.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

logger = logging.getLogger(__name__)

CONTENT_URL = "https://content.twilio.com/v1/Content"
NAME_PREFIX = "migrant-assistant"
BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
LIST_ITEM_LIMIT = 24
LIST_BUTTON_LIMIT = 20
LIST_DESCRIPTION_LIMIT = 72
MAX_BUTTONS, MAX_ITEMS = 3, 10
QUICK_REPLY, LIST_PICKER = "quick-reply", "list"
# A template's layout (its variables) never changes under the same name: a new layout is a
# new version, created beside the old one by `sync-content`.
VERSIONS = {QUICK_REPLY: 1, LIST_PICKER: 2}
_BRACKETS = re.compile(r"\s*[(\[（][^)\]）]*[)\]）]")


def template_name(kind: str, size: int) -> str:
    return f"{NAME_PREFIX}-{kind}-{size}-v{VERSIONS[kind]}"


_VAR_RE = re.compile(r"\{\{(\d+)\}\}")


def _var(number: int) -> str:
    return "{{%d}}" % number


def template_definition(kind: str, size: int) -> Dict[str, Any]:
    """The Content API create body of one generic template: {{1}} is the numbered text;
    quick-reply: {{2}}, {{3}} the first button's title and id...; list: {{2}} the button label,
    {{3}}, {{4}}, {{5}} the first item's title, id and description..."""
    if kind == QUICK_REPLY:
        rich = {"twilio/quick-reply": {"body": _var(1), "actions": [
            {"title": _var(2 + 2 * i), "id": _var(3 + 2 * i)} for i in range(size)]}}
        samples = {"1": "Choose one:\n\n1. First", **{str(2 + 2 * i): f"Option {i + 1}" for i in range(size)},
                   **{str(3 + 2 * i): f"id{i + 1}" for i in range(size)}}
    else:
        rich = {"twilio/list-picker": {"body": _var(1), "button": _var(2), "items": [
            {"item": _var(3 + 3 * i), "id": _var(4 + 3 * i), "description": _var(5 + 3 * i)} for i in range(size)]}}
        samples = {"1": "Choose one:\n\n1. First", "2": "Choose",
                   **{str(3 + 3 * i): f"Option {i + 1}" for i in range(size)},
                   **{str(4 + 3 * i): f"id{i + 1}" for i in range(size)},
                   **{str(5 + 3 * i): f"What option {i + 1} opens" for i in range(size)}}
    return {"friendly_name": template_name(kind, size), "language": "en", "variables": samples,
            "types": {**rich, "twilio/text": {"body": _var(1)}}}


def all_templates() -> List[Dict[str, Any]]:
    return ([template_definition(QUICK_REPLY, n) for n in range(1, MAX_BUTTONS + 1)]
            + [template_definition(LIST_PICKER, n) for n in range(MAX_BUTTONS + 1, MAX_ITEMS + 1)])


# -- titles ---------------------------------------------------------------------------------

def _cut(title: str, limit: int) -> str:
    """At most `limit` characters: whole words and "…" where possible."""
    if len(title) <= limit:
        return title
    words, out = title.split(), ""
    for word in words:
        candidate = f"{out} {word}" if out else word
        if len(candidate) > limit - 1:
            break
        out = candidate
    out = out.rstrip(" ,;:-–—/·،")
    return (out or title[: limit - 1].rstrip()) + "…"


def shorten(title: str, limit: int) -> str:
    """One title within `limit`: an aside in brackets goes first ("Going home (voluntary
    return)" → "Going home"), then words from the end."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    plain = " ".join(_BRACKETS.sub("", title).split())
    return _cut(plain or title, limit)


def shorten_all(titles: Sequence[str], limit: int, numbers: Optional[Sequence[int]] = None) -> List[str]:
    """Every title within `limit`, all distinct (WhatsApp refuses duplicates). When shortening
    makes two alike, every title carries its menu number ("2. Going…"), which is unique and is
    also what the user would type. `numbers`: each title's menu number, 0 for a button outside
    the numbered menu (👍 👎), which never gets one; default: their positions."""
    short = [shorten(title, limit) for title in titles]
    if len({s.casefold() for s in short}) == len(short):
        return short
    numbers = list(numbers) if numbers is not None else list(range(1, len(titles) + 1))
    return [shorten(f"{n}. {title}", limit) if n else shorten(title, limit) for n, title in zip(numbers, titles)]


def describe(hint: Sequence[str], label: str) -> str:
    """A list item's description (<= 72): the hint's parts ("Dangers in the desert, Dangers at
    sea, …"), else the item's full title. Parts that only fit without commas are joined by
    spaces, so that a list of names (the languages) keeps every name."""
    parts = [" ".join(part.split()) for part in hint if part and part.strip()]
    for separator in (", ", " "):
        joined = separator.join(parts)
        if parts and len(joined) <= LIST_DESCRIPTION_LIMIT:
            return joined
    return _cut(", ".join(parts), LIST_DESCRIPTION_LIMIT) if parts else shorten(label, LIST_DESCRIPTION_LIMIT)


@dataclass(frozen=True)
class Interactive:
    name: str                       # the generic template's friendly name
    variables: Dict[str, str]       # ContentVariables

    @property
    def kind(self) -> str:
        return QUICK_REPLY if f"-{QUICK_REPLY}-" in self.name else LIST_PICKER

    def as_json(self) -> str:
        return json.dumps(self.variables, ensure_ascii=False)


def interactive(text: str, choices: Sequence[Any], list_button: str,
                hints: Optional[Sequence[Sequence[str]]] = None) -> Optional[Interactive]:
    """The content for one menu message, or None when it cannot be one (then: numbered text).

    `choices` are channels.menu_token.Choice (label, token); `text` is the numbered text;
    `hints` (one per choice, channels/menus.hint) become the list items' descriptions.
    """
    size = len(choices)
    if not 1 <= size <= MAX_ITEMS or not text.strip() or len(text) > BODY_LIMIT:
        return None
    labels = [choice.label for choice in choices]
    if size <= MAX_BUTTONS:
        titles = shorten_all(labels, BUTTON_TITLE_LIMIT, [choice.index for choice in choices])
        variables = {"1": text}
        for i, (title, choice) in enumerate(zip(titles, choices)):
            variables[str(2 + 2 * i)] = title
            variables[str(3 + 2 * i)] = choice.token
        return Interactive(template_name(QUICK_REPLY, size), variables)
    titles = shorten_all(labels, LIST_ITEM_LIMIT, [choice.index for choice in choices])
    variables = {"1": text, "2": shorten(list_button, LIST_BUTTON_LIMIT)}
    for i, (title, choice) in enumerate(zip(titles, choices)):
        variables[str(3 + 3 * i)] = title
        variables[str(4 + 3 * i)] = choice.token
        variables[str(5 + 3 * i)] = describe(hints[i] if hints and i < len(hints) else (), choice.label)
    return Interactive(template_name(LIST_PICKER, size), variables)


# -- the templates at Twilio ----------------------------------------------------------------

class ContentCatalog:
    """Friendly name → content SID of our generic templates, looked up once per process."""

    RETRY_AFTER = 600.0  # seconds before looking again when templates were missing or Twilio failed

    def __init__(self, client: Any, http: Any, account_sid: str, auth_token: str) -> None:
        self.client, self.http = client, http
        self.auth = (account_sid, auth_token)
        self._sids: Dict[str, str] = {}
        self._complete = False
        self._looked_at = float("-inf")
        self._lock: Optional[asyncio.Lock] = None

    async def sid(self, name: str) -> Optional[str]:
        if not self._complete and time.monotonic() - self._looked_at > self.RETRY_AFTER:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                if not self._complete and time.monotonic() - self._looked_at > self.RETRY_AFTER:
                    await self._refresh()
        return self._sids.get(name)

    async def _refresh(self) -> None:
        self._looked_at = time.monotonic()
        try:
            self._sids = await self.existing()
        except Exception as exc:
            logger.warning("Could not list WhatsApp content templates (%s): menus go as numbered text",
                           getattr(exc, "code", None) or type(exc).__name__)
            return
        wanted = {t["friendly_name"] for t in all_templates()}
        self._complete = wanted <= set(self._sids)
        if not self._complete:
            logger.warning("%d WhatsApp content template(s) missing: run `python -m bot whatsapp sync-content`",
                           len(wanted - set(self._sids)))

    async def existing(self) -> Dict[str, str]:
        contents = await self.client.content.v1.contents.list_async(page_size=100)
        return {c.friendly_name: c.sid for c in contents
                if c.friendly_name and c.friendly_name.startswith(NAME_PREFIX + "-")}

    async def sync(self) -> Dict[str, str]:
        """Create the missing templates; name → SID of all of them (for the CLI)."""
        found = await self.existing()
        for definition in all_templates():
            name = definition["friendly_name"]
            if name in found:
                continue
            response = await self.http.request(
                "POST", CONTENT_URL, data=definition, headers={"Content-Type": "application/json"},
                auth=self.auth, json_body=True)
            if not 200 <= response.status_code < 300:
                raise RuntimeError(f"Twilio refused to create {name}: HTTP {response.status_code} {response.text[:300]}")
            found[name] = json.loads(response.text)["sid"]
        self._sids, self._complete, self._looked_at = dict(found), True, time.monotonic()
        return found
