"""Sign-in throttling (console/throttle.py) and the password-hashing pool (console/password_checks.py):
bursts are counted before any password is checked, a stranger elsewhere cannot lock a
caseworker out, and a flood of sign-ins never holds up the pages."""
from __future__ import annotations

import asyncio
import threading

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher

from cases import accounts
from console.app import create_app
from console.password_checks import MAX_WAITING, WORKERS
from console.throttle import FORGET_AFTER, FREE_FAILURES, MAX_DELAY, LoginThrottle, client_address
from tests.console.helpers import PASSWORDS, login, login_form_token, try_login

HOME, ELSEWHERE = "198.51.100.7", "203.0.113.9"


@pytest_asyncio.fixture
async def proxied(db, channel, monkeypatch):
    """The console behind a reverse proxy on 127.0.0.1, which names the client in X-Forwarded-For."""
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXY", "127.0.0.1")
    app = create_app(db.url.render_as_string(hide_password=False), send=channel.send)
    async with TestClient(TestServer(app)) as client:
        yield client


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- concurrency: the attempt is counted before the password is checked ---------------------

@pytest.mark.asyncio
async def test_a_burst_of_200_wrong_guesses_is_mostly_refused(client, people):
    token = await login_form_token(client)
    responses = await asyncio.gather(*(try_login(client, token, "amina", f"guess {n}") for n in range(200)))
    statuses = [response.status for response in responses]
    assert statuses.count(401) <= FREE_FAILURES
    assert statuses.count(429) >= 200 - FREE_FAILURES
    assert all(r.headers["Retry-After"].isdigit() for r in responses if r.status == 429)


@pytest.mark.asyncio
async def test_the_right_password_inside_a_burst_only_counts_within_the_free_attempts(client, people):
    token = await login_form_token(client)
    attempts = [try_login(client, token, "amina", f"guess {n}") for n in range(20)]
    attempts.append(try_login(client, token, "amina", PASSWORDS["amina"]))
    statuses = [response.status for response in await asyncio.gather(*attempts)]
    assert set(statuses) <= {401, 429, 303}
    # Only FREE_FAILURES attempts got a password check at all, whichever came first.
    assert len(statuses) - statuses.count(429) <= FREE_FAILURES


# --- nobody can lock a caseworker out --------------------------------------------------------

@pytest.mark.asyncio
async def test_wrong_guesses_from_elsewhere_do_not_keep_the_caseworker_out(proxied, people):
    token = await login_form_token(proxied)
    statuses = []
    for guess in range(FREE_FAILURES + 3):  # " AMINA " is amina: it counts against her name too
        response = await try_login(proxied, token, " AMINA ", f"guess {guess}", address=ELSEWHERE)
        statuses.append(response.status)
    assert statuses == [401] * FREE_FAILURES + [429] * 3
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in await response.text()
    # Amina, at an address with no failures of its own, gets in at once.
    assert (await try_login(proxied, token, "amina", PASSWORDS["amina"], address=HOME)).status == 303


@pytest.mark.asyncio
async def test_wrong_guesses_from_one_address_are_throttled_whatever_the_username(proxied, people):
    token = await login_form_token(proxied)
    statuses = [(await try_login(proxied, token, name, "wrong password", address=ELSEWHERE)).status
                for name in ("amina", "ben", "sup", "nobody", "amina")]
    assert statuses == [401] * FREE_FAILURES + [429] * 2
    assert (await try_login(proxied, token, "ben", PASSWORDS["ben"], address=HOME)).status == 303


@pytest.mark.asyncio
async def test_proxy_headers_are_ignored_unless_the_proxy_is_configured(client, people):
    token = await login_form_token(client)  # no CONSOLE_TRUSTED_PROXY: the test client's own address counts
    statuses = [(await try_login(client, token, name, "wrong password", address=f"192.0.2.{n}")).status
                for n, name in enumerate(("amina", "ben", "sup", "nobody"))]
    assert statuses == [401] * FREE_FAILURES + [429]


def test_back_off_doubles_up_to_a_cap_and_never_locks_out():
    clock = FakeClock()
    throttle = LoginThrottle(clock)
    for _ in range(FREE_FAILURES):
        assert throttle.reserve("carol", HOME) == 0
    waits = []
    for _ in range(12):
        wait = throttle.reserve("carol", HOME)
        waits.append(wait)
        clock.now += wait  # she waits as told; then the attempt goes ahead (and fails again)
        assert throttle.reserve("carol", HOME) == 0
    assert waits[:4] == [1, 2, 4, 8] and max(waits) == MAX_DELAY == waits[-1]
    clock.now += FORGET_AFTER  # a quiet hour: all forgotten
    assert throttle.reserve("carol", HOME) == 0 and throttle.reserve("carol", HOME) == 0


def test_one_wrong_guess_every_three_minutes_does_not_keep_carol_out():
    clock = FakeClock()
    throttle = LoginThrottle(clock)
    for minute in range(0, 240, 3):  # four hours of guesses at her name, from one address and from many
        clock.now = 1000.0 + minute * 60
        throttle.reserve("carol", ELSEWHERE)
        throttle.reserve("carol", f"192.0.2.{minute % 200}")
    for _ in range(FREE_FAILURES - 1):
        assert throttle.reserve("carol", HOME) == 0  # her typos
    assert throttle.reserve("carol", HOME) == 0  # and the right password goes ahead
    throttle.succeeded("carol", HOME)


def test_the_username_backs_off_for_addresses_that_failed_before():
    clock = FakeClock()
    throttle = LoginThrottle(clock)
    for n in range(FREE_FAILURES + 2):  # a crowd of fresh addresses guessing at carol
        assert throttle.reserve("carol", f"192.0.2.{n}") == 0
    for name in ("amina", "ben", "sup"):
        throttle.reserve(name, ELSEWHERE)
    clock.now += MAX_DELAY - 1  # ELSEWHERE's own back-off is over; carol's is not
    assert throttle.reserve("nobody", ELSEWHERE) == 0
    clock.now += 1
    assert throttle.reserve("carol", ELSEWHERE) > 0
    assert throttle.reserve("carol", HOME) == 0


def test_success_forgives_the_username_but_not_the_addresses_other_failures():
    clock = FakeClock()
    throttle = LoginThrottle(clock)
    for name in ("amina", "ben", "sup"):
        assert throttle.reserve(name, ELSEWHERE) == 0  # failures at other accounts
    assert throttle.reserve("mallory", ELSEWHERE) > 0  # his own valid account does not help him...
    clock.now += 1
    assert throttle.reserve("mallory", ELSEWHERE) == 0
    throttle.succeeded("mallory", ELSEWHERE)
    assert throttle.reserve("amina", ELSEWHERE) > 0  # ...the address still backs off


def test_ipv6_addresses_count_per_64_network():
    throttle = LoginThrottle(FakeClock())
    for host in range(FREE_FAILURES):
        assert throttle.reserve("amina", f"2001:db8:1:2::{host + 1}") == 0
    assert throttle.reserve("ben", "2001:db8:1:2:ffff::9") > 0  # same /64: same key
    assert throttle.reserve("ben", "2001:db8:1:3::1") == 0


# --- hashing has its own small pool; pages never wait behind it --------------------------

class BlockingHasher(PasswordHasher):
    """argon2 whose verify waits until released: the hashing pool stays busy for as long as
    the test needs."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=64, parallelism=1)
        self.release, self.started = threading.Event(), 0

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        self.started += 1
        self.release.wait()
        return super().verify(hash, password)


async def until(condition, guard_seconds: float = 60.0) -> None:
    """Wait for `condition` (a liveness guard, not a timing assertion: a hang fails the test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + guard_seconds
    while not condition():
        assert loop.time() < deadline, "gave up waiting"
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_a_sign_in_flood_is_refused_beyond_the_queue_and_pages_stay_served(proxied, people, monkeypatch):
    await login(proxied, "sup")
    hasher = BlockingHasher()
    monkeypatch.setattr(accounts, "_hasher", hasher)
    token = await login_form_token(proxied)
    flood = [asyncio.ensure_future(try_login(proxied, token, f"user{n}", "wrong password", address=f"192.0.2.{n}"))
             for n in range(40)]  # distinct addresses and names: nothing throttled, all want a hash
    admitted = WORKERS + MAX_WAITING
    try:
        await until(lambda: hasher.started == WORKERS and sum(task.done() for task in flood) == 40 - admitted)
        busy = [task.result() for task in flood if task.done()]
        assert {response.status for response in busy} == {503}
        assert all(response.headers["Retry-After"].isdigit() for response in busy)
        inbox = asyncio.ensure_future(proxied.get("/inbox"))  # while every hashing thread is blocked
        await until(inbox.done)
        assert inbox.result().status == 200 and not hasher.release.is_set()
    finally:
        hasher.release.set()
    statuses = [response.status for response in await asyncio.gather(*flood)]
    assert statuses.count(401) == admitted and statuses.count(503) == 40 - admitted


@pytest.mark.parametrize("remote, forwarded, trusted, expected", [
    ("127.0.0.1", "203.0.113.9", set(), "127.0.0.1"),  # no trusted proxy: the header is anyone's words
    ("127.0.0.1", "203.0.113.9", {"127.0.0.1"}, "203.0.113.9"),
    ("127.0.0.1", "1.1.1.1, 203.0.113.9", {"127.0.0.1"}, "203.0.113.9"),  # the left part is the client's claim
    ("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.2", {"127.0.0.1", "10.0.0.2"}, "203.0.113.9"),
    ("198.51.100.7", "203.0.113.9", {"127.0.0.1"}, "198.51.100.7"),  # not from the proxy: header ignored
])
def test_the_client_address_comes_from_a_trusted_proxy_only(remote, forwarded, trusted, expected):
    from aiohttp.test_utils import make_mocked_request

    request = make_mocked_request("POST", "/login", headers={"X-Forwarded-For": forwarded})
    request = request.clone(remote=remote)
    assert client_address(request, trusted) == expected
