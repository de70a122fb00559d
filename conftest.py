"""Marks every collected test `unit`, `integration` (PostgreSQL / Redis) or `browser` (Chromium).

Marked here, from the fixtures a test uses, so that a new test that asks for a database or a
browser is marked without anyone remembering to: `pytest -m unit` runs without any service,
`pytest -m "not browser"` without Chromium. The markers are registered in pyproject.toml
(--strict-markers).
"""
from __future__ import annotations

import pytest

# fixtures that open a connection to the local PostgreSQL or Redis (tests/cases, tests/scale,
# tests/test_erasure_postgres.py)
SERVICE_FIXTURES = {"postgres_url", "pg_url", "postgres_database", "redis_prefix"}


def _needs_a_service(item: pytest.Item) -> bool:
    if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)  # tests/cases: engine parametrised sqlite / postgresql
    return callspec is not None and "postgresql" in callspec.params.values()


def _drives_a_browser(item: pytest.Item) -> bool:
    return item.path.name == "test_console_browser.py" or "browser" in item.name


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _drives_a_browser(item):
            item.add_marker(pytest.mark.browser)
        elif _needs_a_service(item):
            item.add_marker(pytest.mark.integration)
        elif not any(item.get_closest_marker(name) for name in ("unit", "integration", "browser")):
            item.add_marker(pytest.mark.unit)
