"""What the case page and the inbox show beyond the rows themselves: the summary card, each
message with its delivery state and media links, waiting times, language names.

Media are never shown as their platform reference (a Twilio URL names the account): only as
kind and type, with a link to the console's own route that fetches them (console/media.py).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from cases.models import Case

from core.clock import utcnow
from cases.store import TranscriptLine
from content.knowledge import load_knowledge
from console import render
from console.render import duration, when

STATE_WORDS = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed",
               "template": "template sent instead", "queued": "sent", "not_sent": "failed"}
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "webchat": "Web chat (local)"}
CONSENT_WORDS = {"given": "given", "declined": "declined", "not asked": "not asked yet"}


def language_name(code: Optional[str]) -> str:
    language = load_knowledge().languages.get(code or "")
    return language.name if language else (code or "not known")


def channel_name(channel: Optional[str]) -> str:
    return CHANNEL_NAMES.get(channel or "", channel or "not known")


def waiting_since(moment: Optional[datetime], now: Optional[datetime] = None) -> str:
    if moment is None:
        return "-"
    return duration(max(0.0, ((now or utcnow()) - moment).total_seconds() / 60))


def media_items(case_id: int, message_id: int, media: List[Any]) -> List[Dict[str, Any]]:
    """Each medium as kind, type and the console's own link. A reference that is a URL (Twilio's
    names the account) is never shown; other references (a file name) are shown as text."""
    items = []
    for number, item in enumerate(media):
        item = item if isinstance(item, dict) else {"reference": str(item)}
        kind = str(item.get("kind") or "file")
        content_type = str(item.get("content_type") or "")
        reference = str(item.get("reference") or "")
        shown = ("image" if kind in ("photo", "image", "sticker") or content_type.startswith("image/") else
                 "audio" if kind in ("voice", "audio") or content_type.startswith("audio/") else "file")
        fetchable = bool(reference) and not reference.startswith("geo:")
        readable = "" if "://" in reference or not reference else reference
        items.append({"kind": kind, "type": content_type, "shown": shown if fetchable else "label",
                      "url": f"/cases/{case_id}/media/{message_id}/{number}" if fetchable else None,
                      "label": " ".join(part for part in (f"[{kind}]", content_type, readable) if part)})
    return items


def message_json(line: TranscriptLine, states: Dict[int, dict]) -> Dict[str, Any]:
    message = line.message
    state = dict(states.get(message.id) or {})
    if message.author == "bot" and state.get("state") == "sent" and not message.platform_id_list:
        state = {}  # recorded as said (the web chat's answers, old cases): nothing more is known
    resend = message.author != "migrant" and (
        message.delivery in ("failed", "template") or state.get("state") == "failed")
    return {
        "id": message.id, "author": message.author, "caseworker": line.caseworker, "text": message.text,
        "media": media_items(message.case_id, message.id, message.media_list), "at": when(message.created_at),
        "delivery": state.get("state"), "delivery_words": STATE_WORDS.get(state.get("state") or "", state.get("state")),
        "error": state.get("reason") if state.get("state") in ("failed", "template", "not_sent") else None,
        "resend": bool(resend and message.author == "caseworker"),
    }


def summary_card(case: Case, last_migrant_at: Optional[datetime]) -> List[tuple]:
    """(label, value) pairs for the top of the case page, in the order a caseworker reads them."""
    summary = case.summary_dict
    screening = summary.get("screening") or {}
    rows = [("Emergency", "yes (the assistant's danger check)")] if summary.get("emergency") else []
    rows += [
        ("Language", language_name(case.language)),
        ("Channel", channel_name(case.channel)),
        ("Host country", summary.get("host_country") or "not known"),
        ("Nationality", summary.get("nationality") or "not known"),
        ("Topic", case.topic),
        ("Flags", ", ".join(case.flag_list) or "none"),
        ("Consent", CONSENT_WORDS.get(summary.get("consent") or "", summary.get("consent") or "given (case opened)")),
        ("Screening", summary.get("screening_result") or ("answers below" if screening else "not done")),
    ]
    rows += [(label, answer) for label, answer in screening.items()]
    rows.append(("Waiting since their last message", waiting_since(last_migrant_at) if case.status != "resolved" else "-"))
    return rows


render._env.filters.update(language_name=language_name, channel_name=channel_name, waiting=waiting_since)
