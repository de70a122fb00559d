"""The one clock of the project database: naive UTC, as stored (SQLite keeps no time zone, and
every table of ours is written the same way)."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
