"""Flood protection per conversation: a sliding-window message limit and a size limit.

RATE_LIMIT_PER_MINUTE (default 20; 0 turns it off) messages per conversation are handled in
any 60 seconds; beyond that, the first refused message gets a polite `rate_limited` reply and
the next ones are dropped silently until the window has room again (a flood of "please wait"
replies would be a flood too). A message that looks like immediate danger
(retrieval.safety) is never refused. MAX_MESSAGE_CHARS (default 2000) is the longest text
sent to NLU; longer ones get `message_too_long`.

The limiter lives in the process that runs the channels: with several Rasa servers behind a
load balancer each one counts its own share (platform retries of one message are de-duplicated
before it counts).
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, Optional

from retrieval.safety import is_immediate_danger
from core.settings import MAX_MESSAGE_CHARS, RATE_LIMIT_PER_MINUTE

DEFAULT_PER_MINUTE = RATE_LIMIT_PER_MINUTE.default
DEFAULT_MAX_CHARS = MAX_MESSAGE_CHARS.default
WINDOW_SECONDS = 60.0
SWEEP_EVERY = 1000  # calls between removals of idle conversations


def max_message_chars() -> int:
    return MAX_MESSAGE_CHARS.read()


ALLOW, REFUSE_AND_TELL, REFUSE_SILENTLY = "allow", "refuse_and_tell", "refuse_silently"


@dataclass
class _Window:
    times: Deque[float]
    told: bool = False  # the user got `rate_limited` since their last accepted message


class RateLimiter:
    def __init__(self, per_minute: int = DEFAULT_PER_MINUTE, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.window, self.clock = per_minute, window, clock
        self._windows: Dict[str, _Window] = {}
        self._calls = 0

    @classmethod
    def from_env(cls) -> "RateLimiter":
        return cls(RATE_LIMIT_PER_MINUTE.read())

    def check(self, key: str, urgent: Optional[Callable[[], bool]] = None) -> str:
        """ALLOW (and count it), REFUSE_AND_TELL (first refusal) or REFUSE_SILENTLY.
        `urgent` is asked only for a message over the limit."""
        if self.per_minute <= 0:
            return ALLOW
        now = self.clock()
        self._sweep(now)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(deque())
        while window.times and window.times[0] <= now - self.window:
            window.times.popleft()
        if len(window.times) < self.per_minute or (urgent is not None and urgent()):
            window.times.append(now)
            window.told = False
            return ALLOW
        if window.told:
            return REFUSE_SILENTLY
        window.told = True
        return REFUSE_AND_TELL

    def _sweep(self, now: float) -> None:
        self._calls += 1
        if self._calls % SWEEP_EVERY:
            return
        idle = [key for key, w in self._windows.items() if not w.times or w.times[-1] <= now - self.window]
        for key in idle:
            del self._windows[key]

    def __len__(self) -> int:
        return len(self._windows)


def looks_urgent(text: Optional[str]) -> bool:
    if not text:
        return False
    return is_immediate_danger(text)
