"""An asynchronous HTTP client for the `twilio` library, on aiohttp.

Why not twilio's own AsyncTwilioHttpClient: it logs every request URL at INFO (message SIDs,
query parameters that can hold phone numbers) and creates its aiohttp session outside the
event loop. Why not httpx: its connection pool scans every connection on each request, which
made the Twilio and Telegram HTTP clients the largest CPU cost per message in
bench/webhook_ack. `base_url` sends every request to another host with the same path: this is
how tests reach the local fake Twilio API (TWILIO_API_BASE_URL).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

logger = logging.getLogger(__name__)


def _pairs(values: Optional[Dict[str, Any]]) -> Optional[List[Tuple[str, str]]]:
    """Twilio passes repeated parameters (MediaUrl) as lists; aiohttp wants (name, value) pairs."""
    if not values:
        return None
    pairs = []
    for name, value in values.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((name, str(item)))
    return pairs


class TwilioHttpClient(AsyncHttpClient):
    def __init__(self, base_url: Optional[str] = None, timeout: float = 10.0, max_connections: int = 16) -> None:
        super().__init__(logger, is_async=True, timeout=timeout)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.max_connections = max_connections
        self._session: Optional[aiohttp.ClientSession] = None

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
        json_body: bool = False,
    ) -> Response:
        """`json_body`: send `data` as a JSON document (the Content API's create wants one;
        the twilio library itself only sends forms)."""
        if self._session is None or self._session.closed:  # created inside the running event loop
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.max_connections))
        async with self._session.request(
            method.upper(),
            self._target(url),
            params=_pairs(params),
            data=json.dumps(data, ensure_ascii=False).encode() if json_body else _pairs(data),
            headers=headers,
            auth=aiohttp.BasicAuth(*auth) if auth else None,
            timeout=aiohttp.ClientTimeout(total=timeout or self.timeout),
            allow_redirects=allow_redirects,
        ) as response:
            return Response(response.status, await response.text(), response.headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
