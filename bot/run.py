"""`python -m bot run` (what `make run` starts): every process of the embedded set-up.

Action server (127.0.0.1:5055, token-protected: bot/action_server.py), Rasa server (5005, SQLite tracker store, REST + configured channels),
a local web chat (http://127.0.0.1:8080) and the caseworker console (http://127.0.0.1:8081)
when it is installed. Ctrl-C stops everything this started.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import List, Tuple

import yaml

from bot.action_server import TOKEN_ENV, TOKEN_HEADER
from core.paths import ROOT, VAR_DIR
from core.settings import ACTION_SERVER_TOKEN, LOCAL_PSEUDONYM_KEY_FILE, get_settings, local_pseudonym_key
from channels import config as channel_config

BIN = Path(sys.executable).parent


def _credentials_file() -> Tuple[Path, List[str]]:
    """Credentials with only the channels whose secrets are in the environment."""
    path = VAR_DIR / "credentials.yml"
    channel_config.write_credentials(path)
    return path, [f"{c.name}: {c.webhook_url}" for c in channel_config.enabled_channels()]


def _endpoints_file(token: str) -> Path:
    """endpoints.yml plus the header that lets Rasa (and only Rasa) call the action server."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["headers"] = {TOKEN_HEADER: token}
    path = VAR_DIR / "endpoints.yml"
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # holds a secret
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        yaml.safe_dump(endpoints, handle, sort_keys=False)
    return path


def _processes(credentials: Path, endpoints: Path) -> List[Tuple[str, List[str]]]:
    processes = [
        ("action server", [sys.executable, "-m", "bot.action_server", "--port", "5055", "--interface", "127.0.0.1"]),
        ("rasa server", [sys.executable, "-m", "bot.rasa_server", "run", "--model", "models", "--endpoints", str(endpoints),
                         "--credentials", str(credentials), "--port", "5005", "--interface", "127.0.0.1"]),
        ("web chat", [sys.executable, "-m", "bot.webchat"]),
    ]
    if (ROOT / "console").is_dir():
        processes.append(("caseworker console", [sys.executable, "-m", "bot.console_server"]))
    return processes


def _wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except Exception:
            time.sleep(1)
    return False


def main() -> int:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not get_settings().pseudonym_key.strip():  # neither the environment nor .env sets it
        # every child process inherits it; a deployment sets its own (deploy/environment.md)
        os.environ["PSEUDONYM_KEY"] = local_pseudonym_key()
        print(f"PSEUDONYM_KEY is not set: using this machine's own random key in {LOCAL_PSEUDONYM_KEY_FILE}")
        get_settings.cache_clear()
    _ = get_settings().pseudonym_key_bytes  # a short key stops here, before anything starts
    from core.db import upgrade

    upgrade()
    credentials, channels = _credentials_file()
    # a new token each run: only the Rasa server this command starts can call the action server
    token = ACTION_SERVER_TOKEN.read() or secrets.token_urlsafe(48)
    endpoints = _endpoints_file(token)
    env = {**os.environ, "PYTHONPATH": str(ROOT), TOKEN_ENV: token}
    children: List[subprocess.Popen] = []
    for name, command in _processes(credentials, endpoints):
        print(f"starting {name}: {' '.join(command[1:4])} ...", flush=True)
        children.append(subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)

    def stop_and_exit(*_args) -> None:
        stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop_and_exit)
    try:
        ready = _wait_for("http://127.0.0.1:5005/", 180)
        print("\n" + "=" * 60)
        print("Assistant " + ("ready" if ready else "NOT ready (see the logs above)"))
        print("  chat with it:        http://127.0.0.1:8080")
        if len(children) > 3:
            print("  caseworker console:  http://127.0.0.1:8081")
        print("  channels on:         " + ("; ".join(channels) if channels else "none (set TELEGRAM_* / TWILIO_* to enable)"))
        print("  stop:                Ctrl-C")
        print("=" * 60, flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(1)
        print("a process stopped; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()
