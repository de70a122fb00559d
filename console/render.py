"""HTML rendering and the small formatting helpers pages and JSON share.

Jinja's autoescape is on for every template: a migrant's words can only ever appear as text.
Text people wrote also goes through `visible_bidi`: invisible direction controls are shown as
⟨U+202E⟩ instead of reordering what follows ("\u202egnp.exe" must not read "exe.png").
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import re

import yaml
from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cases.models import Case

from core.clock import utcnow
from content.knowledge import load_knowledge
from core.paths import KNOWLEDGE_DIR

TEMPLATES = Path(__file__).resolve().parent / "templates"
CANNED_DIR = KNOWLEDGE_DIR / "canned_replies"

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)


# Bidirectional embeddings, overrides and isolates, the LRM/RLM marks and the Arabic letter
# mark. console.js has the same list for the text it inserts.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def visible_bidi(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return BIDI_CONTROLS.sub(lambda found: f"⟨U+{ord(found.group()):04X}⟩", text)


def duration(minutes: float) -> str:
    minutes = int(minutes)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d {minutes % (24 * 60) // 60} h"


def when(moment: Optional[datetime]) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def topic_title(topic: Optional[str]) -> str:
    kb = load_knowledge()
    if not topic:
        return "-"
    return kb.topic_title(topic, kb.default_language) if topic in kb.articles else topic


def sla(case: Case, limit_minutes: int, now: Optional[datetime] = None) -> Dict[str, Any]:
    """Time to first answer: still running while nobody has answered; over the limit → 'over'."""
    now = now or utcnow()
    if case.first_response_at:
        minutes = (case.first_response_at - case.created_at).total_seconds() / 60
        return {"label": f"answered after {duration(minutes)}", "over": minutes > limit_minutes, "running": False}
    if case.status == "resolved":
        return {"label": "closed without an answer", "over": False, "running": False}
    minutes = (now - case.created_at).total_seconds() / 60
    return {"label": f"waiting {duration(minutes)}", "over": minutes > limit_minutes, "running": True}


@lru_cache(maxsize=16)
def canned_replies(language: str) -> Tuple[bool, Tuple[Dict[str, str], ...]]:
    """(reviewed, replies) from knowledge/canned_replies/<language>.yml, else English."""
    path = CANNED_DIR / f"{language}.yml"
    if not path.exists():
        path = CANNED_DIR / f"{load_knowledge().default_language}.yml"
    if not path.exists():
        return True, ()
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    replies = tuple({"id": str(r["id"]), "title": str(r["title"]), "text": str(r["text"]).strip()}
                    for r in doc.get("replies") or ())
    return bool((doc.get("translation") or {}).get("reviewed")), replies


_env.filters.update(when=when, topic_title=topic_title, duration=duration, visible_bidi=visible_bidi)


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    context.setdefault("actor", request.get("actor"))
    context.setdefault("csrf", request.get("csrf"))
    html = _env.get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html")
