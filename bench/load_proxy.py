"""`python -m bench.load_proxy --upstream HOST:PORT [--upstream ...]`: a TCP proxy on 127.0.0.1 that
the load bench can take down and bring back (used by bench/load.py).

Two uses:
  - in front of PostgreSQL (one upstream): the "database unavailable" fault without stopping
    the shared server. SIGUSR1 = down: the listening socket closes (new connections are
    refused) and every open connection is cut, as when the database host goes away;
    SIGUSR2 = up: listening again on the same port.
  - in front of several Rasa servers (the replicas of deploy/docker-compose.yml): round robin
    per connection, and a replica that refuses the connection is skipped, which is what a
    reverse proxy does with `proxy_next_upstream error` (nginx) or a Kubernetes Service with
    a readiness probe.

Prints `READY <port>` on its first line. Loopback only; stops on SIGTERM/SIGINT.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import socket
from typing import List, Optional, Set, Tuple, Union

CHUNK = 65536


class Proxy:
    def __init__(self, upstreams: List[Union[str, Tuple[str, int]]], port: int = 0) -> None:
        self.upstreams = [_address(u) if isinstance(u, str) else u for u in upstreams]
        self.port = port
        self._next = itertools.cycle(range(len(upstreams)))
        self._server: Optional[asyncio.base_events.Server] = None
        self._writers: Set[asyncio.StreamWriter] = set()

    async def up(self) -> int:
        if self._server is None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)
            self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def down(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()  # refuse new connections...
        for writer in list(self._writers):  # ...and cut the established ones, before any await
            transport = writer.transport
            if transport is not None:
                transport.abort()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    async def _connect(self) -> Optional[Tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
        first = next(self._next)
        for offset in range(len(self.upstreams)):
            host, port = self.upstreams[(first + offset) % len(self.upstreams)]
            try:
                return await asyncio.wait_for(asyncio.open_connection(host, port), 5)
            except (OSError, asyncio.TimeoutError):
                continue  # next replica
        return None

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream = await self._connect()
        if upstream is None:
            client_writer.transport.abort()
            return
        upstream_reader, upstream_writer = upstream
        self._writers.update((client_writer, upstream_writer))
        try:
            await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
        finally:
            for writer in (client_writer, upstream_writer):
                self._writers.discard(writer)
                writer.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                if writer.can_write_eof():
                    writer.write_eof()
            except (OSError, RuntimeError):
                pass


def _address(text: str) -> Tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def main(upstreams: List[Tuple[str, int]], port: int) -> None:
    proxy = Proxy(upstreams, port)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # the handlers first, READY after: a SIGUSR1 sent on READY must never meet the default action
    # (which ends the process - under load the test's outage then never ended)
    loop.add_signal_handler(signal.SIGUSR1, lambda: asyncio.ensure_future(proxy.down()))
    loop.add_signal_handler(signal.SIGUSR2, lambda: asyncio.ensure_future(proxy.up()))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {await proxy.up()}", flush=True)
    await stop.wait()
    await proxy.down()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.load_proxy", description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", action="append", required=True, help="HOST:PORT (repeat for round robin)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(main([_address(u) for u in args.upstream], args.port))
