"""Shared fixtures: Tracker.from_dict builders for actions, the trained model for contract tests."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("OMP_NUM_THREADS", "1")
# The channels refuse to run without a key (fail closed); tests use their own, never a deployment's.
os.environ.setdefault("PSEUDONYM_KEY", "tests-only-pseudonym-key-0123456789abcdef")

# What every process of ours has (environment defaults, log redaction), before any test imports a
# package that no longer pulls in `bot` on its way.
import bot  # noqa: E402,F401
from testing.trackers import make_tracker  # noqa: E402,F401  (the fixtures' and tests' one builder)


@contextmanager
def trained_assistant_on_sqlite(folder: Path) -> Iterator[Tuple[Any, Any, Any]]:
    """(agent, tracker store, project engine): the trained model with the in-process actions, the
    production tracker store and a migrated project database, both SQLite files in `folder`."""
    from rasa.core.agent import Agent

    from core.db import make_engine, upgrade
    from bot.inprocess_actions import InProcessActionEndpoint
    from bot.model import latest_model
    from core.settings import get_settings
    from rasa_extensions.stores.tracker_store import ErasableSQLTrackerStore

    project = f"sqlite:///{folder / 'assistant.db'}"
    upgrade(project)
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", project)
    get_settings.cache_clear()
    store = ErasableSQLTrackerStore(dialect="sqlite", db=str(folder / "tracker.db"))
    agent = Agent.load(str(latest_model()), tracker_store=store, action_endpoint=InProcessActionEndpoint())
    engine = make_engine(project)
    try:
        yield agent, store, engine
    finally:
        engine.dispose()
        patch.undo()
        get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_log_redaction_memory(monkeypatch):
    """Every test starts with an empty memory of texts to redact.

    privacy.log_filter remembers each inbound address and text (process-wide, on purpose:
    a log line about a message comes while it is handled) and blanks them in every later log
    record. Shared between tests, a text one test's user sent ("message") was redacted inside
    another test's unrelated log line ("12 messages"): the result depended on the test order.
    """
    from collections import OrderedDict

    from privacy import log_filter

    monkeypatch.setattr(log_filter, "_known", OrderedDict())
    monkeypatch.setattr(log_filter, "_known_longest_first", ())



@lru_cache(maxsize=1)
def domain_dict() -> Dict[str, Any]:
    """domain.yml as Rasa sends it to the action server (the forms' required slots among it)."""
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def make_form_tracker(text: str, requested: str, form: str, slots: Optional[Dict[str, Any]] = None,
                      intent: Optional[str] = "nlu_fallback", confidence: float = 0.95,
                      earlier_events: Sequence[Dict[str, Any]] = (), read_from_message: Sequence[Dict[str, Any]] = ()):
    """The tracker Rasa's form sends to validate_<form> (FormAction._temporary_tracker): the
    message, the events that read it (`read_from_message`, e.g. action_read_message's language),
    the form's own ActionExecuted, then the answer as the candidate of `requested`."""
    values = {**(slots or {}), "requested_slot": requested, requested: text}
    return make_tracker(text, intent, confidence, slots=values, history=earlier_events, active_loop={"name": form},
                        latest_action_name=form,
                        turn=[*read_from_message, {"event": "slot", "name": "requested_slot", "value": requested},
                              {"event": "action", "name": form}, {"event": "slot", "name": requested, "value": text}])


@pytest.fixture
def db(tmp_path):
    """A migrated SQLite project database, installed as the default engine (the stores, the case
    router and the insights use the default one)."""
    from testing import case_support as support

    engine = support.sqlite_engine(tmp_path)
    with support.as_default_database(engine):
        yield engine
    engine.dispose()


@pytest.fixture
def tracker_factory():
    return make_tracker


@pytest.fixture(scope="module")
def assistant():
    """The trained assistant as `python -m bot ask` runs it, loaded once per test module; the tests
    that use it are skipped without a trained model (`make train`)."""
    from bot.model import latest_model

    if latest_model() is None:
        pytest.skip("no trained model: run `make train`")
    from bot.ask import Assistant

    return Assistant.load()


@pytest.fixture
def dispatcher():
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
