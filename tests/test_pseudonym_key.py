"""PSEUDONYM_KEY fails closed: no conversation id is ever made with a public or guessable key,
and a channel without the key does not start (issue: a `wa-…` id was reversed to the number by
trying numbers against the public development key)."""
from __future__ import annotations

import stat

import pytest

from privacy.pseudonym import pseudonymise
from core.settings import MIN_PSEUDONYM_KEY_CHARS, MissingSecret, get_settings, local_pseudonym_key
from channels.config import TelegramConfig
from channels.telegram import TelegramInput


@pytest.fixture
def key(monkeypatch):
    def set_key(value: str) -> None:
        monkeypatch.setenv("PSEUDONYM_KEY", value)
        get_settings.cache_clear()

    yield set_key
    get_settings.cache_clear()


@pytest.mark.parametrize("value", ["", "   ", "short-key", "x" * (MIN_PSEUDONYM_KEY_CHARS - 1)])
def test_no_id_without_a_strong_key(key, value):
    key(value)
    with pytest.raises(MissingSecret, match="PSEUDONYM_KEY"):
        pseudonymise("whatsapp", "+2348031234567")


def test_a_channel_refuses_to_start_without_the_key(key):
    key("")
    with pytest.raises(MissingSecret):
        TelegramInput(TelegramConfig(token="123:abc", webhook_secret="secret"))


def test_an_unconfigured_channel_still_mounts_without_the_key(key):
    key("")
    assert TelegramInput(None).config is None  # it answers 503 and never sees an address


def test_the_key_decides_the_id(key):
    key("a" * MIN_PSEUDONYM_KEY_CHARS + "-one")
    first = pseudonymise("whatsapp", "+2348031234567")
    key("a" * MIN_PSEUDONYM_KEY_CHARS + "-two")
    second = pseudonymise("whatsapp", "+2348031234567")
    assert first.startswith("wa-") and second.startswith("wa-") and first != second
    assert "2348031234567" not in first


def test_the_local_key_is_random_private_and_kept(tmp_path):
    path = tmp_path / "var" / "pseudonym.key"
    first = local_pseudonym_key(path)
    assert len(first) >= MIN_PSEUDONYM_KEY_CHARS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_pseudonym_key(path) == first
    assert local_pseudonym_key(tmp_path / "other.key") != first
