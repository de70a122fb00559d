"""`python -m bot`: ages with units, usage errors instead of tracebacks, the telegram options
wired through, and no third-party warnings on a cron job's output."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from bot.__main__ import _telegram_argv, build_parser
from core.paths import ROOT
from privacy.retention import cli_age


@pytest.mark.parametrize("value, expected", [("90d", timedelta(days=90)), ("2w", timedelta(weeks=2)),
                                             ("12h", timedelta(hours=12)), (" 7D ", timedelta(days=7))])
def test_ages_with_a_unit(value, expected):
    assert cli_age(value) == expected


@pytest.mark.parametrize("value", ["5", "", "ninety", "-3d", "0d", "3m", "1.5d", "2 weeks", "2w3d"])
def test_a_bare_number_or_garbage_is_refused(value):
    with pytest.raises(argparse.ArgumentTypeError, match="90d .* 2w .* 12h"):
        cli_age(value)


def test_purge_and_stats_parse_ages():
    assert build_parser().parse_args(["purge", "--older-than", "2w"]).older_than == timedelta(days=14)
    assert build_parser().parse_args(["stats"]).since == timedelta(days=30)


@pytest.mark.parametrize("argv, expected", [
    (["telegram", "set-webhook", "https://x.example/webhooks/telegram/webhook"],
     ["set-webhook", "https://x.example/webhooks/telegram/webhook"]),
    (["telegram", "set-webhook", "https://x.example/w", "--drop-pending-updates"],
     ["set-webhook", "https://x.example/w", "--drop-pending-updates"]),
    (["telegram", "delete-webhook"], ["delete-webhook"]),
    (["telegram", "poll", "--timeout", "5"], ["poll", "--timeout", "5"]),
    (["telegram", "poll"], ["poll", "--timeout", "25"]),
])
def test_telegram_options_reach_the_telegram_command_line(argv, expected):
    from bot.cli_telegram import build_parser as telegram_parser

    forwarded = _telegram_argv(build_parser().parse_args(argv))
    assert forwarded == expected
    telegram_parser().parse_args(forwarded)  # and it accepts them


def _bot(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'assistant.db'}",
           "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}", "MPLCONFIGDIR": str(tmp_path)}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=180)


@pytest.mark.parametrize("value", ["5", "2weeks"])
def test_a_bad_age_is_a_usage_error_not_a_traceback(value, tmp_path):
    result = _bot("purge", "--older-than", value, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "usage: python -m bot purge" in result.stderr and "Traceback" not in result.stderr
    assert f"'{value}' is not an age" in result.stderr


@pytest.mark.parametrize("command", [["purge", "--older-than", "2w"], ["stats", "--since", "1w"]])
def test_cron_commands_print_no_warnings(command, tmp_path):
    result = _bot(*command, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""
    assert "Warning" not in result.stdout
