"""Slowing down password guessing without letting a stranger lock a caseworker out.

Failures are counted per source address and per username (normalised like sign-in does, so
" CAROL " is carol). After FREE_FAILURES recent failures a key backs off: the next attempt
must wait FIRST_DELAY seconds after the last failure, then twice that, and so on up to
MAX_DELAY (a few minutes). A key forgets its failures after FORGET_AFTER without one.
Nobody is ever locked out: at worst they wait MAX_DELAY.

Why the username limit only applies to "suspect" addresses (FREE_FAILURES or more recent
failures of their own): anyone can type carol's name, so if every failure for carol slowed
every address, an attacker anywhere could keep her out by sending one wrong guess whenever
the delay expires. Instead, carol at an address with few failures is never held back by
failures made elsewhere; an attacker at another address slows down only himself, and at
most slows carol down once she has mistyped FREE_FAILURES times herself.
What that costs: each fresh address gets FREE_FAILURES guesses before its own back-off and
the username's back-off apply. Addresses are scarce (IPv6 is counted per /64 network, which
one subscriber usually gets whole), and a password has to pass zxcvbn score 3 (about 10^8
guesses, cases/accounts.py), far beyond what a few free guesses per address can try.

Counting is race-free: reserve() counts the attempt as a failure BEFORE the password is
checked, in one synchronous step of the event loop (no await between check and count), so
200 simultaneous guesses cannot all slip past the check; success forgives it afterwards.
State is per process and in memory: a restart forgets it, and the number of keys is bounded.

The source address is request.remote. Proxy headers are ignored unless CONSOLE_TRUSTED_PROXY
names the proxy's address(es): then X-Forwarded-For is read from the right, hop by hop, as
long as the hop it came from is trusted (the left part is whatever the client wrote).
"""
from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Collection, Tuple

from aiohttp import web

FREE_FAILURES = 3
FIRST_DELAY, MAX_DELAY = 1.0, 5 * 60.0
FORGET_AFTER = 60 * 60.0
MAX_KEYS = 100_000  # beyond this the longest-quiet keys are dropped: memory stays bounded


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: "OrderedDict[str, _Failures]" = OrderedDict()  # least recently failed first

    def reserve(self, username: str, address: str) -> float:
        """0.0 if the attempt may go ahead (it now counts as a failure until succeeded() or
        released()), else the seconds to wait (Retry-After)."""
        now = self._clock()
        self._forget_old(now)
        by_address, by_user = _keys(username, address)
        wait = self._wait(by_address, now)
        if self._recent(by_address, now) >= FREE_FAILURES:
            wait = max(wait, self._wait(by_user, now))
        if wait > 0:
            return wait
        for key in (by_address, by_user):
            self._count(key, now)
        return 0.0

    def succeeded(self, username: str, address: str) -> None:
        """The password was right: the username's failures are forgiven; the address keeps
        its other failures (one valid account must not wash away guesses at others)."""
        by_address, by_user = _keys(username, address)
        self._failures.pop(by_user, None)
        self._uncount(by_address)

    def released(self, username: str, address: str) -> None:
        """The attempt was not made after all (no password was checked)."""
        for key in _keys(username, address):
            self._uncount(key)

    def _recent(self, key: str, now: float) -> int:
        entry = self._failures.get(key)
        return entry.count if entry and now - entry.last < FORGET_AFTER else 0

    def _wait(self, key: str, now: float) -> float:
        count = self._recent(key, now)
        if count < FREE_FAILURES:
            return 0.0
        delay = min(FIRST_DELAY * 2 ** min(count - FREE_FAILURES, 32), MAX_DELAY)
        return max(0.0, self._failures[key].last + delay - now)

    def _count(self, key: str, now: float) -> None:
        self._failures[key] = _Failures(self._recent(key, now) + 1, now)
        self._failures.move_to_end(key)
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def _uncount(self, key: str) -> None:
        entry = self._failures.get(key)
        if entry is not None:
            entry.count -= 1
            if entry.count <= 0:
                del self._failures[key]

    def _forget_old(self, now: float) -> None:
        while self._failures:
            key, entry = next(iter(self._failures.items()))
            if now - entry.last < FORGET_AFTER:
                break
            del self._failures[key]


def whole_seconds(wait: float) -> int:
    """A wait as Retry-After counts it: whole seconds, at least one."""
    return max(1, math.ceil(wait))


def _keys(username: str, address: str) -> Tuple[str, str]:
    return f"address {_network(address)}", f"user {username}"


def _network(address: str) -> str:
    """The throttling key of an address: IPv4 as is, IPv6 per /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # a Unix socket or something odd: still one key per value
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_address(request: web.BaseRequest, trusted_proxies: Collection[str]) -> str:
    address = request.remote or "unknown"
    hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", [])
            for hop in value.split(",") if hop.strip()]
    while address in trusted_proxies and hops:
        address = hops.pop()  # the hop our trusted proxy saw; anything left of it is hearsay
    return address
