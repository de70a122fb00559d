"""Which messaging channels are configured, from the environment (and `.env`, via core.settings).

A channel is enabled when all its required variables are set. `write_credentials(path)` writes a
Rasa credentials file that mounts exactly the enabled channels; its values are `${VAR}`
references that Rasa expands at start-up, so no secret is ever written to disk.

Telegram:  TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET (required);
           TELEGRAM_API_BASE_URL (default https://api.telegram.org; tests point it to a fake).
WhatsApp:  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM (required);
           TWILIO_PUBLIC_URL (public base URL, e.g. https://bot.example.org, used to check
           signatures behind a proxy and for status callbacks), TWILIO_TEMPLATE_SID (approved
           template for outside the 24-hour window), TWILIO_API_BASE_URL (tests only).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
RASA_PORT = 5005
WEBHOOK_PATHS = {TELEGRAM: "/webhooks/telegram/webhook", WHATSAPP: "/webhooks/whatsapp/webhook"}
WHATSAPP_STATUS_PATH = "/webhooks/whatsapp/status"
CLASS_PATHS = {TELEGRAM: "channels.telegram.TelegramInput", WHATSAPP: "channels.whatsapp.WhatsAppInput"}
# Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as secret_token.
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _env(name: str) -> str:
    from core.settings import env_str

    return env_str(name)  # also reads .env once (never overriding real variables)


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    webhook_secret: str
    api_base_url: str = "https://api.telegram.org"

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        return f"TelegramConfig(api_base_url={self.api_base_url!r})"


@dataclass(frozen=True)
class WhatsAppConfig:
    account_sid: str
    auth_token: str
    whatsapp_from: str
    public_url: str = ""
    template_sid: str = ""
    api_base_url: str = ""

    def __repr__(self) -> str:
        return f"WhatsAppConfig(public_url={self.public_url!r}, template={'yes' if self.template_sid else 'no'})"

    @property
    def sender(self) -> str:
        return self.whatsapp_from if self.whatsapp_from.startswith("whatsapp:") else f"whatsapp:{self.whatsapp_from}"

    @property
    def status_callback_url(self) -> Optional[str]:
        return self.public_url.rstrip("/") + WHATSAPP_STATUS_PATH if self.public_url else None


REQUIRED = {
    TELEGRAM: ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"),
    WHATSAPP: ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM"),
}
OPTIONAL = {
    TELEGRAM: ("TELEGRAM_API_BASE_URL",),
    WHATSAPP: ("TWILIO_PUBLIC_URL", "TWILIO_TEMPLATE_SID", "TWILIO_API_BASE_URL"),
}
# credentials.yml key -> environment variable (the input channels accept either)
CREDENTIAL_KEYS = {
    TELEGRAM: {"token": "TELEGRAM_BOT_TOKEN", "webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
               "api_base_url": "TELEGRAM_API_BASE_URL"},
    WHATSAPP: {"account_sid": "TWILIO_ACCOUNT_SID", "auth_token": "TWILIO_AUTH_TOKEN",
               "whatsapp_from": "TWILIO_WHATSAPP_FROM", "public_url": "TWILIO_PUBLIC_URL",
               "template_sid": "TWILIO_TEMPLATE_SID", "api_base_url": "TWILIO_API_BASE_URL"},
}


def _value(channel: str, key: str, credentials: Optional[Dict]) -> str:
    given = (credentials or {}).get(key)
    return str(given).strip() if given not in (None, "") else _env(CREDENTIAL_KEYS[channel][key])


def telegram_config(credentials: Optional[Dict] = None, require_secret: bool = True) -> Optional[TelegramConfig]:
    """The Telegram settings (credentials.yml values win over the environment), or None if incomplete."""
    token = _value(TELEGRAM, "token", credentials)
    secret = _value(TELEGRAM, "webhook_secret", credentials)
    if not token or (require_secret and not secret):
        return None
    if secret and not _TELEGRAM_SECRET.match(secret):
        raise ValueError("TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)")
    base = _value(TELEGRAM, "api_base_url", credentials) or "https://api.telegram.org"
    return TelegramConfig(token=token, webhook_secret=secret, api_base_url=base.rstrip("/"))


def whatsapp_config(credentials: Optional[Dict] = None) -> Optional[WhatsAppConfig]:
    values = {key: _value(WHATSAPP, key, credentials) for key in CREDENTIAL_KEYS[WHATSAPP]}
    if not (values["account_sid"] and values["auth_token"] and values["whatsapp_from"]):
        return None
    values["public_url"] = values["public_url"].rstrip("/")
    values["api_base_url"] = values["api_base_url"].rstrip("/")
    return WhatsAppConfig(**values)


@dataclass(frozen=True)
class ChannelInfo:
    name: str            # "telegram" | "whatsapp"
    class_path: str      # the key in a Rasa credentials file
    webhook_path: str    # on Rasa's port (5005)
    webhook_url: str     # on this machine: http://localhost:5005/webhooks/<name>/webhook

    def public_webhook_url(self, base: str) -> str:
        """The URL to register with the platform, e.g. base="https://bot.example.org"."""
        return base.rstrip("/") + self.webhook_path


def enabled_channels() -> List[ChannelInfo]:
    """The channels whose required variables are all set, in a fixed order (telegram, whatsapp)."""
    configured = {TELEGRAM: telegram_config() is not None, WHATSAPP: whatsapp_config() is not None}
    return [
        ChannelInfo(name, CLASS_PATHS[name], WEBHOOK_PATHS[name], f"http://localhost:{RASA_PORT}{WEBHOOK_PATHS[name]}")
        for name, is_configured in configured.items() if is_configured
    ]


def missing_settings() -> Dict[str, List[str]]:
    """For each channel, the required variables that are not set (empty list: enabled)."""
    return {channel: [name for name in names if not _env(name)] for channel, names in REQUIRED.items()}


def write_credentials(path: Path | str, include_rest: bool = True) -> List[str]:
    """Write a Rasa credentials file enabling only the configured channels; returns their names.

    `rest` (the local web chat) is kept unless `include_rest` is False.
    """
    lines = ["# Written by channels.config.write_credentials: only the configured channels.",
             "# Values are ${VAR} references that Rasa expands from the environment at start-up."]
    if include_rest:
        lines.append("rest:")
    enabled = enabled_channels()
    for info in enabled:
        lines.append(f"{info.class_path}:")
        for key, variable in CREDENTIAL_KEYS[info.name].items():
            if _env(variable):  # an unset ${VAR} would stop Rasa from starting
                # unquoted on purpose: Rasa only expands ${VAR} in plain (unquoted) YAML scalars
                lines.append(f"  {key}: ${{{variable}}}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [info.name for info in enabled]
