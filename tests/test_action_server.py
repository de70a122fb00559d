"""The action server answers only Rasa: a hand-made tracker posted without the shared token
opens no case (issue: `next_action: action_handoff` created a case for an invented sender)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Dict, Optional, Tuple

import pytest
import yaml

from bot.action_server import TOKEN_ENV, TOKEN_HEADER, required_token
from core.paths import ROOT
from core.settings import MissingSecret

TOKEN = "action-server-token-for-tests-0123456789"
FORGED_CALL = {
    "next_action": "action_handoff",
    "sender_id": "tg-invented",
    "tracker": {"sender_id": "tg-invented", "slots": {}, "latest_message": {"text": "help"}, "events": [],
                "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"},
    "domain": {},
    "version": "3.6.21",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """urllib against the real `python -m bot.action_server` process."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def request(self, method: str, path: str, body: Optional[dict] = None,
                headers: Optional[Dict[str, str]] = None) -> Tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def get(self, path: str, headers: Optional[Dict[str, str]] = None) -> Tuple[int, object]:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, json: dict, headers: Optional[Dict[str, str]] = None) -> Tuple[int, object]:
        return self.request("POST", path, json, headers)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, TOKEN_ENV: TOKEN, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('actions') / 'cases.db'}"}
    server = subprocess.Popen([sys.executable, "-m", "bot.action_server", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = Client(port)
    deadline = time.monotonic() + 120
    while True:
        try:
            if client.get("/health")[0] == 200:
                break
        except OSError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, "the action server did not start"
        time.sleep(0.3)
    yield client
    server.terminate()
    server.wait(timeout=20)


@pytest.mark.parametrize("headers", [{}, {TOKEN_HEADER: ""}, {TOKEN_HEADER: TOKEN[:-1]}, {TOKEN_HEADER: TOKEN + "x"},
                                     {"Authorization": f"Bearer {TOKEN}"}])
def test_a_call_without_the_token_is_refused_before_any_action_runs(client, headers):
    assert client.post("/webhook", json=FORGED_CALL, headers=headers)[0] == 403
    assert client.get("/actions", headers=headers)[0] == 403


def test_the_token_lets_rasa_through(client):
    status, actions = client.get("/actions", headers={TOKEN_HEADER: TOKEN})
    assert status == 200
    assert "action_handoff" in {action["name"] for action in actions}


def test_health_needs_no_token(client):
    assert client.get("/health")[0] == 200


@pytest.mark.parametrize("token", ["", "   ", "too-short"])
def test_no_server_without_a_strong_token(token):
    with pytest.raises(MissingSecret, match="ACTION_SERVER_TOKEN"):
        required_token(token)


def test_the_server_refuses_to_start_without_a_token():
    env = {**os.environ, TOKEN_ENV: "", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "bot.action_server", "--port", str(_free_port())], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and TOKEN_ENV in result.stdout


def test_production_endpoints_send_the_token_from_the_environment():
    endpoints = yaml.safe_load((ROOT / "endpoints.production.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["headers"] == {TOKEN_HEADER: "${ACTION_SERVER_TOKEN}"}


def test_make_run_gives_rasa_the_token_and_binds_the_action_server_to_loopback(tmp_path, monkeypatch):
    from bot import run

    monkeypatch.setattr(run, "VAR_DIR", tmp_path)
    path = run._endpoints_file(TOKEN)
    assert yaml.safe_load(path.read_text())["action_endpoint"]["headers"] == {TOKEN_HEADER: TOKEN}
    assert (path.stat().st_mode & 0o077) == 0
    action_server = dict(run._processes(tmp_path / "credentials.yml", path))["action server"]
    assert action_server[action_server.index("--interface") + 1] == "127.0.0.1"
