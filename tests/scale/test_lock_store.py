"""rasa_extensions.stores.lock_store.AtomicRedisLockStore on the real Redis: two store objects stand for two
Rasa servers sharing one conversation's lock."""
from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time

import redis
from rasa.utils.endpoints import EndpointConfig

from bench import load_stack
from rasa_extensions.stores.lock_store import AtomicRedisLockStore


def store(prefix: str, port: int = load_stack.REDIS_PORT) -> AtomicRedisLockStore:
    host = load_stack.REDIS_HOST if port == load_stack.REDIS_PORT else "127.0.0.1"
    config = EndpointConfig(url=host, type="rasa_extensions.stores.lock_store.AtomicRedisLockStore",
                            port=str(port), db=str(load_stack.REDIS_DB), key_prefix=prefix,
                            password="")  # as endpoints.production.yml passes them: strings from ${VAR}
    return AtomicRedisLockStore(endpoint_config=config)


def test_tickets_taken_at_the_same_time_by_two_servers_are_all_different(redis_prefix):
    servers = [store(redis_prefix), store(redis_prefix)]
    tickets, start = [], threading.Barrier(8)

    def take(server: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(25):
            tickets.append(server.issue_ticket("conversation-1", 60))

    threads = [threading.Thread(target=take, args=(servers[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(tickets) == list(range(200))  # none lost, none given twice
    for ticket in tickets:
        servers[ticket % 2].cleanup("conversation-1", ticket)
    assert servers[0].get_lock("conversation-1") is None  # the last clean-up removed the key


def test_one_conversation_is_handled_by_one_server_at_a_time_in_arrival_order(redis_prefix):
    servers = [store(redis_prefix), store(redis_prefix)]
    active, order = [], []

    async def message(number: int) -> None:
        await asyncio.sleep(number * 0.01)  # arrival order
        async with servers[number % 2].lock("conversation-2"):
            active.append(number)
            assert len(active) == 1, f"messages {active} handled at the same time"
            await asyncio.sleep(0.03)
            order.append(number)
            active.remove(number)

    async def main() -> None:
        await asyncio.gather(*(message(n) for n in range(12)))

    asyncio.run(main())
    assert order == list(range(12))
    key = servers[0].key_prefix + "conversation-2"
    assert not redis.Redis(host=load_stack.REDIS_HOST, port=load_stack.REDIS_PORT, db=load_stack.REDIS_DB).exists(key)


def _wait_until_refused(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)  # and the open connections are cut right after
            return
        time.sleep(0.01)
    raise AssertionError("the proxy still accepts connections")


def test_a_redis_outage_delays_messages_and_fails_none(redis_prefix, tmp_path):
    proxy = load_stack.proxy(tmp_path, "redis proxy", [f"{load_stack.REDIS_HOST}:{load_stack.REDIS_PORT}"]).start()
    try:
        port = int(proxy.line.split()[1])
        server = store(redis_prefix, port)
        key = server.key_prefix + "conversation-3"

        async def main() -> float:
            proxy.signal(signal.SIGUSR1)  # down: refused and cut
            _wait_until_refused(port)  # the proxy acts on the signal in its own time
            asyncio.get_running_loop().call_later(1.0, proxy.signal, signal.SIGUSR2)
            started = time.monotonic()
            async with server.lock("conversation-3"):  # waits for Redis instead of failing
                waited = time.monotonic() - started
                proxy.signal(signal.SIGUSR1)  # down again while the message is being handled
            # the finished message is not failed for it; its ticket is released once Redis is back
            proxy.signal(signal.SIGUSR2)
            return waited

        assert asyncio.run(main()) >= 0.8
        client = redis.Redis(host=load_stack.REDIS_HOST, port=load_stack.REDIS_PORT, db=load_stack.REDIS_DB)
        deadline = time.monotonic() + 10
        while client.exists(key) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not client.exists(key)
    finally:
        proxy.stop()
