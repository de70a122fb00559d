"""Where a migrant's inbound message goes while a caseworker case is active.

Registered as channels.hooks' on_inbound handler (`install()`); the channel calls it for every
inbound message before Rasa sees it:
  - no active case                     → "to_bot"
  - active case                        → "to_case" (the message joins the case transcript)
  - active case, message looks urgent  → "to_case_and_bot": safety answers must never wait
    for a person to be at the console (keywords: knowledge/safety_keywords.yml, all languages,
    because people in distress mix languages)
  - active case, migrant wrote 'menu'  → "to_case_and_bot" from then on, until a caseworker
    answers: ui handoff_requested promises that 'menu' brings the assistant back.
If the case store fails, the message goes to the bot: an answer from the assistant is better
than silence.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, FrozenSet, Optional, Pattern, Tuple

import yaml

from bot.cases import service
from bot.cases.delivery import TO_CASE, TO_CASE_AND_BOT, register_inbound
from bot.paths import KNOWLEDGE_DIR

logger = logging.getLogger(__name__)
KEYWORDS_FILE = KNOWLEDGE_DIR / "safety_keywords.yml"


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").casefold().replace("’", "'")


def _keyword_pattern(keyword: str) -> str:
    keyword = re.escape(_normalise(keyword))
    # Latin-script keywords match at a word start ("drown" in "drowning", not in "undrowned");
    # Arabic and Ethiopic words take attached prefixes (و، ال …), so there any position counts.
    latin = all(ord(char) < 0x250 for char in keyword)
    return rf"(?<!\w){keyword}" if latin else keyword


@lru_cache(maxsize=2)
def load_keywords(path: Path = KEYWORDS_FILE) -> Tuple[Pattern[str], FrozenSet[str]]:
    """(emergency pattern, words that bring the assistant back)."""
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}
    emergency = [str(word) for words in (doc.get("emergency") or {}).values() for word in words]
    back = {_normalise(str(word)) for words in (doc.get("return_to_assistant") or {}).values() for word in words}
    pattern = re.compile("|".join(sorted((_keyword_pattern(w) for w in emergency), key=len, reverse=True)))
    return pattern, frozenset(back)


def looks_like_emergency(text: str) -> bool:
    return bool(text) and load_keywords()[0].search(_normalise(text)) is not None


def wants_assistant(text: str) -> bool:
    return _normalise(text).strip(" .!?\n\t") in load_keywords()[1]


def on_inbound(conversation_id: str, channel: str, text: str, media: Any = None) -> Optional[str]:
    """The on_inbound contract of channels.hooks: "to_case" | "to_case_and_bot" while a case is
    open, else None (not ours: the next hook, or the assistant, takes the message)."""
    text = text or ""
    try:
        recorded = service.record_inbound(conversation_id, text, media, back_to_assistant=wants_assistant(text))
    except Exception:  # noqa: BLE001 - any store failure: fall back to the assistant
        logger.exception("Case store unavailable; message routed to the assistant")
        return None
    if recorded is None:
        return None
    _case_id, mirror_to_bot = recorded
    if mirror_to_bot or looks_like_emergency(text):
        return TO_CASE_AND_BOT
    return TO_CASE


def install() -> bool:
    """Register on_inbound with channels.hooks (called once by the process that runs channels)."""
    return register_inbound(on_inbound)
