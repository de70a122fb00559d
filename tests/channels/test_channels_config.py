"""channels.config: which channels are enabled, and the credentials file Rasa reads."""
from __future__ import annotations

import pytest
from rasa.shared.utils.io import read_config_file

from channels import config
from channels.telegram import TelegramInput
from channels.whatsapp import WhatsAppInput

TELEGRAM = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_WEBHOOK_SECRET": "s3cret_-X"}
WHATSAPP = {"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tok-secret", "TWILIO_WHATSAPP_FROM": "+14155238886"}


@pytest.fixture
def env(db_url, monkeypatch):
    def set_env(values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    return set_env


@pytest.mark.parametrize("values, expected", [
    ({}, []),
    (TELEGRAM, ["telegram"]),
    ({"TELEGRAM_BOT_TOKEN": "123:abc"}, []),  # no webhook secret: the webhook could not be verified
    (WHATSAPP, ["whatsapp"]),
    ({**WHATSAPP, "TWILIO_AUTH_TOKEN": ""}, []),
    ({**TELEGRAM, **WHATSAPP}, ["telegram", "whatsapp"]),
])
def test_enabled_channels(env, values, expected):
    env(values)
    enabled = config.enabled_channels()
    assert [info.name for info in enabled] == expected
    for info in enabled:
        assert info.class_path == f"channels.{info.name}.{'TelegramInput' if info.name == 'telegram' else 'WhatsAppInput'}"
        assert info.webhook_url == f"http://localhost:5005/webhooks/{info.name}/webhook"
        assert info.public_webhook_url("https://bot.example.org/") == f"https://bot.example.org/webhooks/{info.name}/webhook"


def test_missing_settings_names_the_variables(env):
    env({"TELEGRAM_BOT_TOKEN": "123:abc"})
    missing = config.missing_settings()
    assert missing["telegram"] == ["TELEGRAM_WEBHOOK_SECRET"]
    assert missing["whatsapp"] == ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM"]


@pytest.mark.parametrize("values", [{}, TELEGRAM, WHATSAPP, {**TELEGRAM, **WHATSAPP, "TWILIO_PUBLIC_URL": "https://b.example"}])
def test_written_credentials_enable_exactly_the_configured_channels(env, tmp_path, values):
    env(values)
    path = tmp_path / "credentials.yml"
    written = config.write_credentials(path)
    text = path.read_text()
    assert all(secret not in text for secret in values.values())  # only ${VAR} references on disk
    loaded = read_config_file(str(path))  # what `rasa run --credentials` does, expanding ${VAR}
    assert set(loaded) == {"rest"} | {config.CLASS_PATHS[name] for name in written}
    if "telegram" in written:
        credentials = loaded["channels.telegram.TelegramInput"]
        assert credentials == {"token": "123:abc", "webhook_secret": "s3cret_-X"}
        assert TelegramInput.from_credentials(credentials).config.token == "123:abc"
    if "whatsapp" in written:
        channel = WhatsAppInput.from_credentials(loaded["channels.whatsapp.WhatsAppInput"])
        assert channel.config.account_sid == "AC123" and channel.config.sender == "whatsapp:+14155238886"


def test_credentials_values_win_over_the_environment_and_missing_ones_disable(env):
    env(TELEGRAM)
    assert TelegramInput.from_credentials({"token": "999:zzz"}).config.token == "999:zzz"
    assert TelegramInput.from_credentials(None).config.webhook_secret == "s3cret_-X"
    env({"TELEGRAM_BOT_TOKEN": ""})
    assert TelegramInput.from_credentials(None).config is None  # mounted, but answers 503


def test_a_webhook_secret_telegram_would_refuse_is_reported(env):
    env({**TELEGRAM, "TELEGRAM_WEBHOOK_SECRET": "has spaces!"})
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        config.telegram_config()


def test_configs_keep_secrets_out_of_their_repr(env):
    env({**TELEGRAM, **WHATSAPP})
    assert "123:abc" not in repr(config.telegram_config()) and "s3cret" not in repr(config.telegram_config())
    assert "tok-secret" not in repr(config.whatsapp_config())
