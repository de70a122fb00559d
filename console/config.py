"""Console settings from the environment (read when the app is created)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import FrozenSet


def _addresses(name: str) -> FrozenSet[str]:
    return frozenset(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


def _web_address(name: str) -> str:
    value = os.environ.get(name, "").strip()
    return value.rstrip("/") + "/" if value.startswith(("https://", "http://")) else ""


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class ConsoleConfig:
    host: str = field(default_factory=lambda: os.environ.get("CONSOLE_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _int("CONSOLE_PORT", 8081))
    # A case waiting longer than this for its first answer is shown in red in the inbox.
    sla_first_response_minutes: int = field(default_factory=lambda: _int("SLA_FIRST_RESPONSE_MINUTES", 60))
    session_hours: int = field(default_factory=lambda: _int("CONSOLE_SESSION_HOURS", 12))
    # Behind a TLS proxy set CONSOLE_COOKIE_SECURE=1; plain http on 127.0.0.1 needs it off.
    cookie_secure: bool = field(
        default_factory=lambda: os.environ.get("CONSOLE_COOKIE_SECURE", "").lower() in ("1", "true", "yes")
    )
    poll_seconds: int = field(default_factory=lambda: _int("CONSOLE_POLL_SECONDS", 3))
    # The reverse proxy's address(es), comma-separated (e.g. 127.0.0.1): only requests coming
    # from it may name the client in X-Forwarded-For (sign-in throttling, console/throttle.py).
    # Empty: proxy headers are ignored, as anyone could write them.
    trusted_proxies: FrozenSet[str] = field(default_factory=lambda: _addresses("CONSOLE_TRUSTED_PROXY"))
    # Where the content review page links each knowledge file ("https://github.com/ORG/REPO/blob/main/");
    # only an http(s) address becomes a link, anything else is ignored (the page shows paths).
    content_repository_url: str = field(default_factory=lambda: _web_address("CONTENT_REPOSITORY_URL"))
