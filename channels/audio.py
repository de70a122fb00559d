"""Recorded audio answers (issue 13, optional part): an answer may have a recording per
language, `knowledge/audio/<lang>/<answer id>.ogg` (Ogg/Opus, what WhatsApp and Telegram play
as a voice message). Where one exists, the channel sends it right after the written answer, for
people who read with difficulty; the text stays the answer (it carries the sources and the
menu). No file, no audio: nothing else changes.

The answer id comes from the answer's custom JSON ({"answer": id}, actions/knowledge_answer.py)
and the language from the conversation. WhatsApp needs a public URL to fetch media from: the
files are served read-only under /webhooks/whatsapp/audio/<lang>/<id>.ogg (public content, no
personal data); Telegram gets the file uploaded.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, List, Optional

from core.paths import KNOWLEDGE_DIR

AUDIO_DIR = KNOWLEDGE_DIR / "audio"
CONTENT_TYPE = "audio/ogg"
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's limit for audio
_ID = re.compile(r"^[a-z0-9_]{1,64}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def find(answer_id: Any, language: Optional[str], root: Optional[Path] = None) -> Optional[Path]:
    """The recording of `answer_id` in `language`, or None (ids checked: no path can be built from input)."""
    if not isinstance(answer_id, str) or not _ID.match(answer_id) or not language or not _LANGUAGE.match(language):
        return None
    path = (root or AUDIO_DIR) / language / f"{answer_id}.ogg"
    try:
        return path if path.is_file() and 0 < path.stat().st_size <= MAX_BYTES else None
    except OSError:
        return None


def answers_of(custom_messages: Iterable[Any]) -> List[str]:
    """The answer ids a turn sent (from the actions' custom JSON), in order."""
    return [m["answer"] for m in custom_messages
            if isinstance(m, dict) and isinstance(m.get("answer"), str)]
