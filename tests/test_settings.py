"""core/settings.py: one way to read a variable, and a bad value stops a process with a clear line."""
from __future__ import annotations

import logging

import pytest

from core import settings
from core.settings import SettingError, check_environment, env_bool, env_int, env_str, exit_if_misconfigured


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("False", False), ("no", False),
    ("off", False), ("", False), ("  ", False),
])
def test_one_boolean_parser(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert env_bool("SOME_FLAG") is expected


def test_a_word_that_is_not_yes_or_no_is_refused(monkeypatch):
    monkeypatch.setenv("CONSOLE_COOKIE_SECURE", "enabled")
    with pytest.raises(SettingError, match=r"CONSOLE_COOKIE_SECURE must be one of 1/on/true/yes or 0/false/no/off, "
                                           r"got 'enabled'"):
        settings.CONSOLE_COOKIE_SECURE.read()


def test_one_number_parser_with_bounds(monkeypatch):
    monkeypatch.delenv("SOME_NUMBER", raising=False)
    assert env_int("SOME_NUMBER", 7) == 7
    for value, number in (("12", 12), (" 0 ", 0), ("", 7)):
        monkeypatch.setenv("SOME_NUMBER", value)
        assert env_int("SOME_NUMBER", 7, minimum=0) == number
    for value in ("12.5", "lots", "-1", "1e3"):
        monkeypatch.setenv("SOME_NUMBER", value)
        with pytest.raises(SettingError, match=f"SOME_NUMBER must be a whole number from 0 to 99, got '{value}'"):
            env_int("SOME_NUMBER", 7, minimum=0, maximum=99)


def test_blank_means_unset_for_text_too(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert settings.DATABASE_URL.read() == settings.DATABASE_URL.default
    monkeypatch.setenv("SOME_TEXT", " value ")
    assert env_str("SOME_TEXT", "d") == "value"


def test_every_variable_is_declared_once():
    names = [var.name for var in settings.DECLARED]
    assert len(names) == len(set(names))


def test_check_environment_names_every_bad_variable(monkeypatch):
    assert check_environment() == []
    monkeypatch.setenv("RETENTION_DAYS", "0")
    monkeypatch.setenv("OFFICE_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("OFFICE_HOURS", "whenever")
    problems = check_environment()
    assert problems == ["OFFICE_TIMEZONE 'Mars/Olympus' is not a time zone name (e.g. Africa/Tripoli, UTC)",
                        "RETENTION_DAYS must be a whole number from 1, got '0'",
                        "OFFICE_HOURS must look like 'mon-fri 09:00-17:00' (days: mon-fri, sun-thu, mon-sat, daily), "
                        "got 'whenever'"]


def test_a_process_with_a_bad_value_does_not_start(monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.setenv("MAX_MESSAGE_CHARS", "2k")
    with pytest.raises(SystemExit) as stopped:
        main(["knowledge", "check"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.strip() == ("python -m bot knowledge not started: MAX_MESSAGE_CHARS must be a "
                                               "whole number from 1, got '2k' (deploy/environment.md)")
    monkeypatch.delenv("MAX_MESSAGE_CHARS")
    exit_if_misconfigured("anything")  # a good environment passes


def test_a_bad_debug_value_keeps_the_logs_redacted(monkeypatch):
    from privacy import log_filter

    monkeypatch.setenv("DEBUG_PERSONAL_DATA_IN_LOGS", "please")
    assert log_filter.enabled()
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "call +22790001122 now", None, None)
    assert "+22790001122" not in log_filter.redact_record(record).getMessage()
    monkeypatch.setenv("DEBUG_PERSONAL_DATA_IN_LOGS", "1")
    assert not log_filter.enabled()
