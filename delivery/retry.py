"""Retrying an outbound API call: exponential backoff with jitter, or the wait the server asks for.

The channel decides what is transient (network errors, 5xx, 429) through `classify`; anything
else is raised at once, so permanent failures (blocked, unsubscribed, bad request) are never
repeated.
"""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, Tuple, TypeVar

T = TypeVar("T")

# (retry?, seconds the server asked us to wait or None for our own backoff)
Classification = Tuple[bool, Optional[float]]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5            # total tries, the first included
    base_delay: float = 0.5      # seconds before the 2nd try; doubles each time
    max_delay: float = 8.0
    max_server_wait: float = 60.0  # a longer retry_after is not waited for: fail, caller records it

    def backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * (2 ** attempt))
        return delay * (0.5 + random.random() / 2)  # jitter: many senders do not retry in step


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    classify: Callable[[BaseException], Classification],
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    for attempt in range(policy.attempts):
        try:
            return await call()
        except Exception as exc:
            retry, server_wait = classify(exc)
            last_attempt = attempt == policy.attempts - 1
            if not retry or last_attempt:
                raise
            if server_wait is not None and server_wait > policy.max_server_wait:
                raise
            await sleep(server_wait if server_wait is not None else policy.backoff(attempt))
    raise AssertionError("unreachable")
