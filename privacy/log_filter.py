"""No phone numbers, Telegram ids or message texts in the logs (unless DEBUG_PERSONAL_DATA_IN_LOGS=1).

`install_log_redaction()` wraps the logging record factory, so every record of the process,
from any library and whichever handler prints it (Rasa, sanic, httpx, python-telegram-bot,
twilio, ours), is redacted once, when it is created:

- phone-number-like strings: "+" and 8-15 digits (spaces or dashes between them allowed), and
  stand-alone runs of 9-15 digits (Telegram ids, numbers without "+"). Digits inside a longer
  word (the hex of a pseudonymous `tg-…`/`wa-…` id) are left alone;
- Telegram bot tokens;
- known strings: the addresses and message texts the channels have just received
  (`remember()`, called for every parsed inbound message), for as long as they are among the
  last `MAX_KNOWN` seen;
- conversation ids (`tg-…`, `wa-…`, `web-…`) become a tag (`wa~3f9a1c0d`) keyed by a random value
  that lives only in this process's memory: one process's lines about a conversation still go
  together, but no log holds the stored id, so an erased conversation cannot be found in old
  logs by its id (and nobody can compute the tag of an id once the process has ended).

`install_structlog_redaction()` does the same for Rasa's structured debug events (`rasa run
--debug` logs slot values, entities and texts as fields): those fields become "[redacted]".

The message and arguments are formatted first, so a value passed as an argument is caught as
well as one inside the format string; a traceback is formatted and redacted too.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from collections import OrderedDict
from typing import Any, MutableMapping, Optional, Tuple

from core.settings import DEBUG_PERSONAL_DATA_IN_LOGS, SettingError

REDACTED = "[redacted]"
MAX_KNOWN = 512  # the texts being handled now (a log line about a message comes while it is handled); ~30 us a record when full
MIN_TEXT = 5  # shorter texts ("1", "oui") are everywhere in logs and identify nobody

_PLUS_NUMBER = re.compile(r"(?<![\w+])\+\d(?:[ \-.]?\d){7,16}(?!\w)")
_BARE_DIGITS = re.compile(r"(?<![\w+])\d{9,15}(?!\w)")
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}\b")
_CONVERSATION_ID = re.compile(r"(?<![\w-])(tg|wa|web)-([0-9a-f]{16,64})(?![\w-])")
_TAG_KEY = secrets.token_bytes(32)  # never stored: tags cannot be linked to ids after the process ends
# Rasa's structlog fields that carry what a migrant wrote or what the assistant knows about them
# (the keys rasa.utils.log_utils._anonymizer would hand to Rasa Plus' anonymisation).
STRUCTLOG_PERSONAL_FIELDS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message", "events", "slots", "tracker",
})

_lock = threading.Lock()
_known: "OrderedDict[str, None]" = OrderedDict()
_known_longest_first: Tuple[str, ...] = ()
_installed_factory = None


def enabled() -> bool:
    try:
        return not DEBUG_PERSONAL_DATA_IN_LOGS.read()
    except SettingError:  # not a clear "1": redaction stays on (start-up refuses the value anyway)
        return True


def remember(*values: Optional[str]) -> None:
    """Redact these exact strings (an address, a message text) from now on."""
    global _known_longest_first
    added = False
    with _lock:
        for value in values:
            for variant in _variants(value):
                if variant in _known:
                    _known.move_to_end(variant)
                    continue
                _known[variant] = None
                added = True
                if len(_known) > MAX_KNOWN:
                    _known.popitem(last=False)
        if added:
            _known_longest_first = tuple(sorted(_known, key=len, reverse=True))


def _variants(value: Optional[str]):
    text = str(value or "").strip()
    if len(text) < MIN_TEXT:
        return
    yield text
    escaped = json.dumps(text)[1:-1]  # as it appears inside JSON logged with ensure_ascii
    if escaped != text:
        yield escaped
    if "\n" in text:
        yield from (line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_TEXT)


def redact(text: str) -> str:
    if not text:
        return text
    for known in _known_longest_first:  # plain substring tests (C speed), longest first
        if known in text:
            text = text.replace(known, REDACTED)
    text = _BOT_TOKEN.sub(REDACTED, text)
    text = _CONVERSATION_ID.sub(lambda match: conversation_tag(match.group(0)), text)
    text = _PLUS_NUMBER.sub(REDACTED, text)
    return _BARE_DIGITS.sub(REDACTED, text)


def conversation_tag(conversation_id: str) -> str:
    """How logs of this process name a conversation: `wa~` and 8 hex digits of a keyed hash."""
    prefix = conversation_id.split("-", 1)[0]
    return f"{prefix}~{hmac.new(_TAG_KEY, conversation_id.encode(), hashlib.sha256).hexdigest()[:8]}"


def _redact_structlog_fields(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    if enabled():
        for key in STRUCTLOG_PERSONAL_FIELDS.intersection(event_dict):
            event_dict[key] = REDACTED
    return event_dict


def install_structlog_redaction() -> bool:
    """Put the field redaction first in structlog's chain (Rasa configures structlog before it
    loads the model, which imports `bot`, so this runs after Rasa's set-up). Idempotent."""
    import structlog

    processors = list(structlog.get_config().get("processors") or [])
    if _redact_structlog_fields in processors:
        return True
    structlog.configure(processors=[_redact_structlog_fields, *processors])
    return True


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string: redact what there is
        message = str(record.msg)
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install_log_redaction() -> bool:
    """Redact every log record this process creates from now on. Idempotent; does nothing
    (returns False) when DEBUG_PERSONAL_DATA_IN_LOGS=1."""
    global _installed_factory
    if not enabled():
        return False
    current = logging.getLogRecordFactory()
    if _installed_factory is not None and current is _installed_factory:
        return True

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        return redact_record(record) if enabled() else record

    logging.setLogRecordFactory(factory)
    _installed_factory = factory
    return True
