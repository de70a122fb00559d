"""Console settings from the environment (read when the app is created)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet

from core import settings


def _addresses() -> FrozenSet[str]:
    return frozenset(part.strip() for part in settings.CONSOLE_TRUSTED_PROXY.read().split(",") if part.strip())


def _web_address() -> str:
    value = settings.CONTENT_REPOSITORY_URL.read().strip()
    return value.rstrip("/") + "/" if value.startswith(("https://", "http://")) else ""


@dataclass(frozen=True)
class ConsoleConfig:
    host: str = field(default_factory=settings.CONSOLE_HOST.read)
    port: int = field(default_factory=settings.CONSOLE_PORT.read)
    # A case waiting longer than this for its first answer is shown in red in the inbox.
    sla_first_response_minutes: int = field(default_factory=settings.SLA_FIRST_RESPONSE_MINUTES.read)
    session_hours: int = field(default_factory=settings.CONSOLE_SESSION_HOURS.read)
    # Behind a TLS proxy set CONSOLE_COOKIE_SECURE=1; plain http on 127.0.0.1 needs it off.
    cookie_secure: bool = field(default_factory=settings.CONSOLE_COOKIE_SECURE.read)
    poll_seconds: int = field(default_factory=settings.CONSOLE_POLL_SECONDS.read)
    # The reverse proxy's address(es), comma-separated (e.g. 127.0.0.1): only requests coming
    # from it may name the client in X-Forwarded-For (sign-in throttling, console/throttle.py).
    # Empty: proxy headers are ignored, as anyone could write them.
    trusted_proxies: FrozenSet[str] = field(default_factory=_addresses)
    # Where the content review page links each knowledge file ("https://github.com/ORG/REPO/blob/main/");
    # only an http(s) address becomes a link, anything else is ignored (the page shows paths).
    content_repository_url: str = field(default_factory=_web_address)
