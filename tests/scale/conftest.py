"""Scale-out tests run against the real local PostgreSQL and Redis (what production uses).

They are skipped only when a service is unreachable and the CI variable is unset; in CI
(`.ci/run` starts both) an unreachable service is a failure.
"""
from __future__ import annotations

import os
import uuid

import pytest

from bench import load_stack


def require(postgres: bool = True, redis: bool = False) -> None:
    problems = []
    if postgres and (error := load_stack.postgres_reachable()):
        problems.append(f"PostgreSQL ({load_stack.PG_ADMIN}): {error}")
    if redis and (error := load_stack.redis_reachable()):
        problems.append(f"Redis ({load_stack.REDIS_HOST}:{load_stack.REDIS_PORT}): {error}")
    if not problems:
        return
    if os.environ.get("CI"):
        pytest.fail("unreachable in CI: " + "; ".join(problems))
    pytest.skip("unreachable: " + "; ".join(problems) + " (set CI=1 to make this a failure)")


@pytest.fixture
def postgres_database():
    """A database of its own on the local PostgreSQL, dropped afterwards; yields its name."""
    require(postgres=True)
    name = load_stack.create_postgres_database("scale_test")
    try:
        yield name
    finally:
        load_stack.drop_postgres_database(name)


@pytest.fixture
def redis_prefix():
    """A Redis key prefix of its own (alphanumeric, as Rasa's RedisLockStore requires); its keys
    are deleted afterwards."""
    require(postgres=False, redis=True)
    prefix = f"scaletest{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        load_stack.delete_redis_keys(prefix)
