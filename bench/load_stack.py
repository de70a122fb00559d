"""The real stack as separate processes, for bench/load.py and tests/scale: action server, Rasa
server(s) with the trained model, the fake platform APIs, and the TCP proxies the faults use.

Everything listens on 127.0.0.1; the action server also wants its token (bot/action_server.py). Each process writes
its log to the run's work directory; the resident memory (VmRSS, /proc) of each is sampled
twice a second and its peak kept, over every restart; its CPU time (user + system, /proc/PID/stat)
is read on demand (`Service.cpu_seconds`).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from core.paths import ROOT

BIN = Path(sys.executable).parent
# An existing database on the local server to connect to while creating the run's database.
PG_ADMIN = os.environ.get("LOAD_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_HOST = os.environ.get("LOAD_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("LOAD_REDIS_PORT", "6379"))
REDIS_DB = int(os.environ.get("LOAD_REDIS_DB", "1"))
BASE_ENV = {
    "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "OMP_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1",
    "PSEUDONYM_KEY": "bench-only-pseudonym-key-never-used-in-production",  # the channels refuse to start without one
    "ACTION_SERVER_TOKEN": "bench-only-action-server-token-never-used-in-production",  # bot/action_server.py
}


def free_port() -> int:
    from bench.load_proxy import free_port as _free_port

    return _free_port()


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (0.0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # the command name may hold spaces
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15)


def http_ok(url: str, contains: str = "", timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200 and contains in response.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - not up yet, whatever the reason
        return False


@dataclass
class Service:
    """One process of the stack; `start()` waits until it answers."""

    name: str
    argv: List[str]
    env: Dict[str, str]
    log: Path
    ready_url: str = ""           # polled until it answers 200 (and contains ready_text)
    ready_text: str = ""
    first_line: bool = False      # ready when the process prints its first stdout line instead
    process: Optional[subprocess.Popen] = None
    peak_rss_kb: int = 0
    last_rss_kb: int = 0
    starts: int = 0
    line: str = ""
    started_in: List[float] = field(default_factory=list)  # seconds from spawn to ready, per start

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def spawn(self) -> None:
        log = open(self.log, "ab")
        log.write(f"\n==== start {self.starts + 1} at {time.strftime('%H:%M:%S')}\n".encode())
        log.flush()
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=subprocess.PIPE if self.first_line else log,
            stderr=log, start_new_session=True, text=self.first_line)
        log.close()
        self.starts += 1
        self._spawned_at = time.monotonic()

    def wait_ready(self, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        if self.first_line:
            assert self.process is not None and self.process.stdout is not None
            self.line = self.process.stdout.readline().strip()
            if not self.line:
                raise RuntimeError(f"{self.name} did not start (see {self.log})")
        else:
            while not http_ok(self.ready_url, self.ready_text):
                if self.process is None or self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process and self.process.returncode} (see {self.log})")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s (see {self.log})")
                time.sleep(0.2)
        self.started_in.append(time.monotonic() - self._spawned_at)

    def start(self, timeout: float = 240.0) -> "Service":
        self.spawn()
        self.wait_ready(timeout)
        return self

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid) if self.pid is not None else 0.0

    def signal(self, sig: int) -> None:
        if self.pid is not None:
            os.kill(self.pid, sig)

    def stop(self, graceful: bool = True, timeout: float = 30.0) -> Optional[int]:
        """SIGTERM (what an orchestrator sends) or SIGKILL (a crash); returns the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode

    def sample(self) -> None:
        pid = self.pid
        if pid is not None:
            self.last_rss_kb = rss_kb(pid) or self.last_rss_kb
            self.peak_rss_kb = max(self.peak_rss_kb, self.last_rss_kb)


class Sampler(threading.Thread):
    """Samples every service's resident memory (and this process's) twice a second."""

    def __init__(self, services: List[Service]) -> None:
        super().__init__(daemon=True)
        self.services = services
        self.me = Service("bench client", [], {}, Path(os.devnull))
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.5)

    def sample(self) -> None:
        for service in self.services:
            service.sample()
        self.me.last_rss_kb = rss_kb(os.getpid())
        self.me.peak_rss_kb = max(self.me.peak_rss_kb, self.me.last_rss_kb)

    def stop(self) -> None:
        self._stop.set()


# -- databases -----------------------------------------------------------------------------
def _pg_admin():
    import psycopg2

    connection = psycopg2.connect(PG_ADMIN, connect_timeout=3)
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
    return connection


def postgres_reachable() -> Optional[str]:
    """None if the local PostgreSQL answers, else why not."""
    try:
        _pg_admin().close()
        return None
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {str(error).strip()[:120]}"


def redis_reachable() -> Optional[str]:
    try:
        import redis

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=3).ping()
        return None
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {str(error).strip()[:120]}"


def create_postgres_database(prefix: str) -> str:
    """A new empty database on the local server; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return name


def drop_postgres_database(name: str) -> None:
    admin = _pg_admin()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def postgres_address() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN)
    return f"{url.host or '127.0.0.1'}:{url.port or 5432}"


def postgres_url(database: str, port: Optional[int] = None) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN).set(database=database)
    if port is not None:  # through the run's proxy on this machine
        url = url.set(host="127.0.0.1", port=port)
    return url.render_as_string(hide_password=False)


def delete_redis_keys(prefix: str) -> int:
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=3)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))  # bounded: this run's keys only
    return client.delete(*keys) if keys else 0


# -- configuration files ---------------------------------------------------------------------
def write_endpoints(path: Path, action_port: int, tracker: Dict[str, Any], lock_store: Optional[Dict[str, Any]]) -> Path:
    """endpoints.yml for one run: the same store class as endpoints.yml / endpoints.production.yml."""
    import yaml

    doc: Dict[str, Any] = {
        "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook",
                            "headers": {"X-Action-Token": BASE_ENV["ACTION_SERVER_TOKEN"]}},
        "tracker_store": {"type": "rasa_extensions.stores.tracker_store.ErasableSQLTrackerStore", **tracker},
    }
    if lock_store:
        doc["lock_store"] = lock_store
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def sqlite_tracker(path: Path) -> Dict[str, Any]:
    return {"dialect": "sqlite", "db": str(path)}


def postgres_tracker(database: str, port: int) -> Dict[str, Any]:
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN)
    tracker = {"dialect": "postgresql", "url": "127.0.0.1", "port": port, "db": database,
               "username": url.username or "postgres"}
    if url.password:
        tracker["password"] = url.password
    return tracker


def redis_lock_store(key_prefix: str, port: Optional[int] = None) -> Dict[str, Any]:
    """As endpoints.production.yml: Rasa's Redis lock store with atomic updates (rasa_extensions/stores/lock_store.py).
    `port`: a proxy on this machine in front of Redis."""
    return {"type": "rasa_extensions.stores.lock_store.AtomicRedisLockStore", "url": "127.0.0.1" if port else REDIS_HOST,
            "port": port or REDIS_PORT, "db": REDIS_DB, "key_prefix": key_prefix}


def write_credentials(path: Path, channels: bool = True) -> Path:
    """rest, plus the Telegram and WhatsApp channels with ${VAR} values (as channels.config writes)."""
    from channels.config import CLASS_PATHS, CREDENTIAL_KEYS

    lines = ["rest:"]
    if channels:
        for name, class_path in CLASS_PATHS.items():
            lines.append(f"{class_path}:")
            lines.extend(f"  {key}: ${{{variable}}}" for key, variable in CREDENTIAL_KEYS[name].items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def copy_model(workdir: Path, source: Optional[Path] = None) -> Path:
    """A private copy of the trained model: another engineer may retrain meanwhile."""
    from bot.model import latest_model

    source = source or latest_model()
    if source is None or not source.exists():
        raise SystemExit("No trained model in models/: run `make train` first.")
    target = workdir / "model" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target


# -- the services ----------------------------------------------------------------------------
def action_server(workdir: Path, port: int, env: Dict[str, str]) -> Service:
    return Service("action server", [sys.executable, "-m", "bot.action_server", "--port", str(port), "--interface", "127.0.0.1"],
                   env, workdir / "action_server.log", ready_url=f"http://127.0.0.1:{port}/health")


def rasa_server(workdir: Path, name: str, port: int, model: Path, endpoints: Path, credentials: Path,
                env: Dict[str, str], launcher: str = "bot") -> Service:
    """launcher "bot": `python -m bot.rasa_server run` (what make run and the deployment start);
    "rasa": Rasa's own `rasa run` script, to compare with (same server, Rasa's per-call schema check)."""
    command = [str(BIN / "rasa")] if launcher == "rasa" else [sys.executable, "-m", "bot.rasa_server"]
    return Service(name, [*command, "run", "--model", str(model), "--endpoints", str(endpoints),
                          "--credentials", str(credentials), "--port", str(port), "--interface", "127.0.0.1"],
                   env, workdir / f"{name.replace(' ', '_')}.log",
                   ready_url=f"http://127.0.0.1:{port}/", ready_text="Hello from Rasa")


def proxy(workdir: Path, name: str, upstreams: List[str], port: int = 0) -> Service:
    argv = [sys.executable, "-m", "bench.load_proxy", "--port", str(port)]
    for upstream in upstreams:
        argv += ["--upstream", upstream]
    return Service(name, argv, {**os.environ, **BASE_ENV}, workdir / f"{name.replace(' ', '_')}.log", first_line=True)


def platforms(workdir: Path, api_latency: float) -> Service:
    return Service("fake platform APIs", [sys.executable, "-m", "bench.load_platforms", "--api-latency", str(api_latency)],
                   {**os.environ, **BASE_ENV}, workdir / "platforms.log", first_line=True)


def platform_settings(line: str) -> Dict[str, str]:
    return json.loads(line)
