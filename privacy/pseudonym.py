"""Pseudonymous conversation ids: a keyed hash of the channel address.

Rasa, the logs and the case store only ever see `tg-…` / `wa-…` ids. The same address always
maps to the same id (so a conversation continues), and without PSEUDONYM_KEY nobody can go
back from the id to the phone number or Telegram id. Without the key nothing is pseudonymised:
the channels refuse to start (core.settings.MissingSecret).
"""
from __future__ import annotations

import hashlib
import hmac

from core.settings import get_settings

PREFIXES = {"telegram": "tg", "whatsapp": "wa"}


def pseudonymise(channel: str, address: str, key: bytes | None = None) -> str:
    key = key or get_settings().pseudonym_key_bytes
    digest = hmac.new(key, f"{channel}:{address.strip()}".encode(), hashlib.sha256).hexdigest()
    return f"{PREFIXES.get(channel, channel[:2])}-{digest[:32]}"
