"""The deployment files agree with each other and with the code (Docker cannot run here, so this
is what can be checked of them without it): every variable they or the code read is documented,
every Rasa replica is behind the proxy, and the image installs the way the Makefile does."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from core.paths import ROOT

DEPLOY = ROOT / "deploy"
ENV_REFERENCE = (DEPLOY / "environment.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", ENV_REFERENCE))
READS = re.compile(r"""(?:environ\.get|getenv|environ\[|_env|_int_env|_int|_bool|env_str|Var)\(?\s*["']([A-Z][A-Z0-9_]{2,})["']""")
PRODUCTION_CODE = ["bot", "channels", "console", "actions", "migrations"]


def referenced(path: Path) -> set:
    """${VAR} references outside comments."""
    text = re.sub(r"(^|\s)#.*$", "", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}", text))


def test_every_variable_of_the_production_files_is_documented_and_in_the_example():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    set_by_compose = set(compose["x-app"]["environment"])
    example = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (DEPLOY / ".env.example").read_text(), re.MULTILINE))
    for path in (ROOT / "endpoints.production.yml", DEPLOY / "docker-compose.yml"):
        for name in referenced(path):
            assert name in DOCUMENTED, f"{path.name} uses ${{{name}}}: document it in deploy/environment.md"
            if name not in set_by_compose:
                assert name in example, f"{path.name} uses ${{{name}}}: add it to deploy/.env.example"


def test_every_variable_the_code_reads_is_documented():
    read = set()
    for package in PRODUCTION_CODE:
        for source in (ROOT / package).rglob("*.py"):
            read |= set(READS.findall(source.read_text(encoding="utf-8")))
    missing = sorted(read - DOCUMENTED)
    assert not missing, f"read by the code but not in deploy/environment.md: {missing}"


def test_every_declared_setting_is_documented():
    from core.settings import DECLARED

    assert len(DECLARED) >= 20
    missing = sorted({var.name for var in DECLARED} - DOCUMENTED)
    assert not missing, f"declared in core/settings.py but not in deploy/environment.md: {missing}"


def test_every_rasa_replica_runs_the_production_files_behind_the_proxy():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    replicas = [name for name in compose["services"] if name.startswith("rasa-")]
    assert len(replicas) >= 2
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    for name in replicas:
        command = compose["services"][name]["command"]
        assert "endpoints.production.yml" in command and "deploy/credentials.production.yml" in command
        assert f"server {name}:5005" in nginx, f"{name} is not an upstream of deploy/nginx.conf"
    for path in ("endpoints.production.yml", "deploy/credentials.production.yml"):
        assert (ROOT / path).exists()
    credentials = yaml.safe_load((DEPLOY / "credentials.production.yml").read_text(encoding="utf-8"))
    assert "rest" not in credentials, "the REST channel answers anyone: not in production"
    endpoints = yaml.safe_load((ROOT / "endpoints.production.yml").read_text(encoding="utf-8"))
    assert endpoints["lock_store"]["type"] == "rasa_extensions.stores.lock_store.AtomicRedisLockStore"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"


def test_the_image_installs_like_the_makefile():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    pip_pin = re.search(r'"pip==([0-9.]+)"', makefile).group(1)
    assert f'"pip=={pip_pin}"' in dockerfile
    for flag in ("--no-deps", "--ignore-requires-python", "-r requirements/lock.txt"):
        assert flag in makefile and flag in dockerfile
    assert "FROM python:3.11" in dockerfile


def test_the_readme_names_the_webhook_urls_the_channels_serve():
    """Where to point Twilio and Telegram (README "Deploying") is what the channels listen on."""
    from channels.config import WEBHOOK_PATHS, WHATSAPP_STATUS_PATH

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploying = readme[readme.index("## Deploying"):readme.index("## Production topology")]
    for path in (*WEBHOOK_PATHS.values(), WHATSAPP_STATUS_PATH):
        assert f"https://YOUR.DOMAIN{path}" in deploying, path
