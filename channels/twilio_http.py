"""An asynchronous HTTP client for the `twilio` library, on httpx.

Two reasons not to use twilio's own AsyncTwilioHttpClient: it logs every request URL at INFO
(message SIDs, and query parameters that can hold phone numbers), and it creates its aiohttp
session outside the event loop. `base_url` sends every request to another host with the same
path, which is how tests reach the local fake Twilio API (TWILIO_API_BASE_URL).
"""
from __future__ import annotations

import logging
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

import httpx
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

logger = logging.getLogger(__name__)


class TwilioHttpClient(AsyncHttpClient):
    def __init__(self, base_url: Optional[str] = None, timeout: float = 10.0, max_connections: int = 64) -> None:
        super().__init__(logger, is_async=True, timeout=timeout)
        self.base_url = base_url.rstrip("/") if base_url else None
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._client: Optional[httpx.AsyncClient] = None

    def _target(self, url: str) -> str:
        if not self.base_url:
            return url
        base, original = urlsplit(self.base_url), urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, base.path + original.path, original.query, ""))

    async def request(
        self,
        method: str,
        url: str,
        params: Optional[Dict[str, object]] = None,
        data: Optional[Dict[str, object]] = None,
        headers: Optional[Dict[str, str]] = None,
        auth: Optional[Tuple[str, str]] = None,
        timeout: Optional[float] = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self._client is None:  # created on first use, inside the running event loop
            self._client = httpx.AsyncClient(limits=self._limits)
        response = await self._client.request(
            method.upper(),
            self._target(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout or self.timeout,
            follow_redirects=allow_redirects,
        )
        return Response(response.status_code, response.text, response.headers)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
