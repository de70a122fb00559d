"""Splitting a long reply into messages that fit a channel's limit (pure functions, no I/O).

Both Telegram (4096) and Twilio (1600) count characters in UTF-16 code units in practice, so
lengths are measured that way: an emoji counts 2, Arabic and Ge'ez letters count 1. A split
prefers, in this order, a paragraph break, a line break, the end of a sentence (Latin, Arabic
and Ethiopic punctuation), a space, and only then cuts inside a word. Only the whitespace at a
cut is dropped: joining the parts with spaces gives back every word of the original.
"""
from __future__ import annotations

import re
from typing import Callable, List

TELEGRAM_LIMIT = 4096
TWILIO_LIMIT = 1600

# Sentence ends: . ! ? … plus the Armenian/Ethiopic full stops (։ ። ፧ ፨) and Arabic ؟ ۔,
# optionally followed by closing quotes/brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?…։።፧፨؟۔]+[\"'”’»)\]]*\s+")
_BOUNDARIES = (re.compile(r"\n\s*\n\s*"), re.compile(r"\n\s*"), _SENTENCE_END, re.compile(r"\s+"))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _longest_fitting_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """Number of characters of `text` whose measured length is at most `limit` (binary search)."""
    if measure(text) <= limit:
        return len(text)
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return max(low, 1)  # a single character always goes out, even if it alone exceeds the limit


def _cut(window: str) -> tuple[int, int]:
    """Where to end this part and where the next one starts, inside `window`.

    A coarse boundary (paragraph, line) is only taken if it keeps at least half of the window,
    so one short first paragraph does not produce a tiny message; otherwise the latest boundary
    of any finer kind wins, and with no boundary at all the word is cut.
    """
    latest = None
    for boundary in _BOUNDARIES:
        matches = [m for m in boundary.finditer(window) if m.start() > 0]
        if not matches:
            continue
        match = matches[-1]
        end = match.start() if boundary is not _SENTENCE_END else match.start() + len(match.group().rstrip())
        if end >= len(window) // 2:
            return end, match.end()
        if latest is None or end > latest[0]:
            latest = (end, match.end())
    return latest or (len(window), len(window))


def split_message(text: str, limit: int, measure: Callable[[str], int] = utf16_length) -> List[str]:
    """Split `text` into stripped parts, each at most `limit` long (as `measure` counts)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: List[str] = []
    rest = (text or "").strip()
    while rest:
        if measure(rest) <= limit:
            parts.append(rest)
            break
        fit = _longest_fitting_prefix(rest, limit, measure)
        # Look one character further: whitespace right after the window is a boundary too
        # (every boundary ends a part at or before `fit`, so the part still fits).
        window = rest[: fit + 1] if rest[fit].isspace() else rest[:fit]
        end, start_next = _cut(window)
        part = rest[:end].strip()
        if part:
            parts.append(part)
        rest = rest[start_next:].lstrip()
    return parts
