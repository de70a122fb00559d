"""Campaign links: which poster, radio spot or partner brought a person, and in which language.

    Telegram:  https://t.me/<bot>?start=fr_radio1      (deep link: "/start fr_radio1")
    WhatsApp:  https://wa.me/<number>?text=Bonjour%20%5Bfr_radio1%5D   (prefilled "Bonjour [fr_radio1]")

The payload is `[<language>_]<campaign>`: an optional language the assistant speaks, then a
campaign id of 1-24 lowercase letters, digits and "-". It is counted per campaign by
`python -m bot stats` (from the message metadata in the tracker) and never stores anything
else: a payload that is not of this form, or that holds a run of digits long enough to be a
phone number, is dropped entirely (a link could be made with someone's number or name in it).
The language is preselected the way a greeting would (tentatively: the person's own first
sentence still decides, actions/message_context.py): the message reaching the assistant is
that language's greeting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

_PAYLOAD = re.compile(r"^(?:([a-z]{2,3})_)?([a-z0-9][a-z0-9-]{0,23})$")
_WHATSAPP_TAG = re.compile(r"\s*\[([A-Za-z0-9_-]{1,32})\]\s*$")
_PHONE_LIKE = re.compile(r"\d{6,}")


@dataclass(frozen=True)
class Campaign:
    id: str
    language: Optional[str] = None

    def metadata(self) -> Dict[str, Any]:
        return {"campaign": self.id, **({"campaign_language": self.language} if self.language else {})}


def parse(payload: str) -> Optional[Campaign]:
    match = _PAYLOAD.match((payload or "").strip().lower())
    if not match or _PHONE_LIKE.search(payload):
        return None
    language, campaign = match.groups()
    if language is not None and language not in _languages():
        return None  # "xx_radio1": a language the assistant does not speak, or not a language at all
    return Campaign(campaign, language)


def from_whatsapp_text(text: str) -> Tuple[str, Optional[Campaign]]:
    """A click-to-chat prefilled message "Bonjour [fr_radio1]" → ("Bonjour", its campaign)."""
    match = _WHATSAPP_TAG.search(text or "")
    if not match:
        return text, None
    campaign = parse(match.group(1))
    if campaign is None:
        return text, None
    rest = text[: match.start()].strip()
    return rest or greeting(campaign.language), campaign


def greeting(language: Optional[str]) -> str:
    """A greeting that names `language` (knowledge/language_hints.yml), "hello" otherwise."""
    from language.hints import hinted_language, load_hints

    for word, named in load_hints().items():
        if named == language and hinted_language(word) == language:
            return word
    return "hello"


def _languages() -> Dict[str, Any]:
    from content.knowledge import load_knowledge

    return load_knowledge().languages
