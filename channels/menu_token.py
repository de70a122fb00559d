"""Signed menu-button ids: what a tap on a Telegram or WhatsApp button carries.

A button used to carry only its number ("3"), and a number means "option 3 of the NEWEST
menu": tapping a button of an older message answered something else. Now every button carries
the id of its menu and of its option, signed for the conversation it was sent to:

    t1.<menu>.<index>.<value>.<signature>        e.g. t1.kx3a9.3.topic:travel_document.Q2x…

- menu: when the menu was sent, minutes since the epoch in base 36 (so an old one can expire);
- index: the option's number in that menu (1-10), 0 for a button carrying its own payload
  (the consent buttons' "consent:yes");
- value: the option id (topic:…, group:…, handoff, language:fr, confirm:yes, …) or payload
  (consent:yes, or a rating of an answer: up:<answer id> / down:<answer id>);
- signature: HMAC-SHA256 over all of it AND the conversation id, keyed from PSEUDONYM_KEY,
  truncated to 64 bits. A user cannot make one up (nor reuse another user's), so a tap can
  never become free text choosing an arbitrary intent or slot: the channels and then the action
  accept only a token that verifies (actions/menu.py checks it again, as the REST channel lets
  a client send any metadata it likes).

Short ASCII, no personal data, at most 64 bytes (Telegram's callback_data limit; every option
id of the knowledge base fits, tests/channels/test_channels_menu_token.py).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from core.settings import get_settings

VERSION = "t1"
MAX_BYTES = 64
MAX_AGE_MINUTES = 7 * 24 * 60  # a week: long enough for a menu read later, short enough for content changes
METADATA_KEY = "tap"            # UserMessage metadata: {"tap": token} or {"tap": EXPIRED}
EXPIRED = "expired"
_VALUE = re.compile(r"^[A-Za-z0-9_:-]{1,40}$")  # option ids and payloads: no "." (the separator)


# A rating button under an answer ("Was this helpful? 👍 / 👎", actions/feedback.py): its value
# names the rated answer; the tap reaches the assistant as the thumb itself, the same message as a
# typed 👍, never as a number (numbers belong to the menu) and never as words the NLU could read.
RATING_VALUES = {"up": "👍", "down": "👎"}


def rating_value(answer_id: str, helpful: bool) -> str:
    return f"{'up' if helpful else 'down'}:{answer_id}"


def read_rating(value: str) -> Optional[Tuple[str, bool]]:
    """(answer id, helpful) of a rating button's value, or None for any other value."""
    thumb, _, answer_id = (value or "").partition(":")
    if thumb not in RATING_VALUES or not answer_id:
        return None
    return answer_id, thumb == "up"


def tapped_value(metadata: Any) -> Optional[str]:
    """The value a tap's token names, read WITHOUT checking its signature: only to keep a tap
    away from something it must never do (a rating never answers the consent question)."""
    token = (metadata or {}).get(METADATA_KEY) if isinstance(metadata, dict) else None
    parts = token.split(".") if isinstance(token, str) and looks_like_token(token) else []
    return parts[3] if len(parts) == 5 else None


@dataclass(frozen=True)
class Tap:
    menu: str
    index: int          # 0: a payload button (value is the text it stands for)
    value: str


def _key() -> bytes:
    # A key of its own, derived from the pseudonym key: a token never reveals anything about
    # the pseudonyms, and no second secret has to be deployed to every process.
    return hmac.new(get_settings().pseudonym_key_bytes, b"menu-token-v1", hashlib.sha256).digest()


def _signature(conversation_id: str, menu: str, index: int, value: str) -> str:
    message = f"{VERSION}|{conversation_id}|{menu}|{index}|{value}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def new_menu_id(now: Optional[float] = None) -> str:
    return _base36(int((time.time() if now is None else now) // 60))


def make(conversation_id: str, menu: str, index: int, value: str) -> Optional[str]:
    """The token, or None when the value cannot be carried (not a plain id, or too long)."""
    if not _VALUE.match(value or "") or not 0 <= index <= 99:
        return None
    token = f"{VERSION}.{menu}.{index}.{value}.{_signature(conversation_id, menu, index, value)}"
    return token if len(token.encode()) <= MAX_BYTES else None


def looks_like_token(data: str) -> bool:
    return (data or "").startswith(VERSION + ".")


def read(conversation_id: str, data: Any, now: Optional[float] = None) -> Optional[Tap]:
    """The tap a token stands for; None if it is forged, another user's, malformed or expired."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES or not looks_like_token(data):
        return None
    parts = data.split(".")
    if len(parts) != 5:
        return None
    _, menu, index_text, value, signature = parts
    if not index_text.isdigit() or not _VALUE.match(value) or not re.fullmatch(r"[0-9a-z]{1,8}", menu):
        return None
    index = int(index_text)
    expected = _signature(conversation_id, menu, index, value)
    if not hmac.compare_digest(expected, signature):
        return None
    age = int((time.time() if now is None else now) // 60) - int(menu, 36)
    if not -5 <= age <= MAX_AGE_MINUTES:  # a few minutes of clock skew between processes
        return None
    return Tap(menu, index, value)


def tap_metadata(conversation_id: str, data: str) -> Dict[str, Any]:
    """Metadata for Rasa, and the text the tap stands for (the option's number, or the payload).

    Returns {"text": ..., "metadata": {...}}. The number makes the message a menu choice for the
    NLU (rasa_extensions.nlu.menu_number) without any text that could be read as words; the token itself
    tells actions/menu.py WHICH menu's option it is. An expired or unknown token still reaches
    the assistant (as "0", an option that never exists) so that the user hears the menu is old.
    """
    tap = read(conversation_id, data)
    if tap is None:
        return {"text": "0", "metadata": {METADATA_KEY: EXPIRED}}
    rating = read_rating(tap.value) if not tap.index else None
    text = str(tap.index) if tap.index else (RATING_VALUES["up" if rating[1] else "down"] if rating else tap.value)
    return {"text": text, "metadata": {METADATA_KEY: data}}


@dataclass(frozen=True)
class Choice:
    """One button as a channel shows it."""
    index: int          # its number in the menu (0: a payload button)
    title: str          # as the numbered text shows it ("3. Travel documents")
    label: str          # without the number ("Travel documents")
    token: str
    option: str = ""    # what it stands for: the option id (topic:…, group:…) or the payload
    beside: bool = False  # shown in one row with the `beside` buttons next to it, where the channel can (👍 👎)


_NUMBERED = re.compile(r"^\s*(\d{1,2})\.\s+")


def choices(conversation_id: str, buttons: Any, menu: Optional[str] = None) -> list[Choice]:
    """The buttons of one reply (Rasa's {"title", "payload"[, "option", "label"]}) with their tokens.

    A menu button names its option ("option", set by actions/replies.send) and its number is its
    payload; a button without a number stands for its option when it names one (a rating: its
    payload is the thumb the web chat sends), else for its payload (consent). A button whose value
    cannot be carried is left out (logged by the caller as a skipped button): the numbered text
    still offers it.
    """
    menu = menu or new_menu_id()
    out: list[Choice] = []
    for button in buttons or []:
        if not isinstance(button, dict):
            continue
        title = str(button.get("title") or button.get("payload") or "").strip()
        payload = str(button.get("payload") or "").strip()
        option = str(button.get("option") or "").strip()
        index = int(payload) if option and payload.isdigit() else 0
        value = option or payload
        token = make(conversation_id, menu, index, value)
        if token is None or not title:
            continue
        label = str(button.get("label") or _NUMBERED.sub("", title)).strip() or title
        out.append(Choice(index, title, label, token, value, beside=bool(button.get("beside"))))
    return out
