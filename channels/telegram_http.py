"""python-telegram-bot's HTTP layer on aiohttp (ptb's documented extension point, BaseRequest).

ptb's default HTTPXRequest costs several milliseconds of CPU per call at a few dozen
connections (httpx's pool scans all of them on each request); in the channel's event loop that
time is taken from acknowledging webhooks. This sends the same requests (JSON body) through
aiohttp; file uploads (the recorded answers, channels/audio.py) as multipart/form-data. Error texts never
contain the URL, which holds the bot token.
"""
from __future__ import annotations

import asyncio
from typing import Any, Optional, Tuple

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """ptb's upload as multipart/form-data: the JSON parameters as fields, then the files."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in (request_data.multipart_data or {}).items():
        filename, content, mimetype = part if len(part) == 3 else (part[0], part[1], "application/octet-stream")
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


class AiohttpRequest(BaseRequest):
    def __init__(self, connection_pool_size: int = 16, connect_timeout: float = 5.0,
                 read_timeout: float = 15.0, pool_timeout: float = 10.0) -> None:
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._pool_timeout = pool_timeout
        self._session: Optional[aiohttp.ClientSession] = None

    @property
    def read_timeout(self) -> Optional[float]:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._pool_size))

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _value(self, given: Any, default: float) -> Optional[float]:
        return default if given is BaseRequest.DEFAULT_NONE else given

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: Optional[RequestData] = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> Tuple[int, bytes]:
        await self.initialize()  # lazily, in the running event loop
        assert self._session is not None
        connect = self._value(connect_timeout, self._connect_timeout)
        pool = self._value(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None and pool is None else (connect or 0) + (pool or 0),  # aiohttp counts the pool wait in `connect`
            sock_read=self._value(read_timeout, self._read_timeout),
        )
        body: Any = request_data.json_payload if request_data is not None else None
        headers = {"Content-Type": "application/json", "User-Agent": self.USER_AGENT} if body else {"User-Agent": self.USER_AGENT}
        if request_data is not None and request_data.contains_files:  # a recorded answer (sendVoice)
            body, headers = _multipart(request_data), {"User-Agent": self.USER_AGENT}
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:
            raise TimedOut() from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error
