"""PostgreSQL and Redis on loopback for the tests: a throwaway schema / key prefix each.

Without the servers, or without their Python drivers (the ``scale`` extra),
the tests that need them skip, naming what is missing;
with ``DIGEST_REQUIRE_SERVICES=1`` (set by ``.ci/run``) they fail instead.
Override the addresses with ``DIGEST_TEST_POSTGRES`` (a URL to a database the
tests may create schemas in) and ``DIGEST_TEST_REDIS`` (``host:port``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote

import pytest

PG_URL = os.environ.get("DIGEST_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("DIGEST_TEST_REDIS", "127.0.0.1:6379")


def _unavailable(reason: str) -> None:
    if os.environ.get("DIGEST_REQUIRE_SERVICES"):
        pytest.fail(f"{reason}, but DIGEST_REQUIRE_SERVICES is set")
    pytest.skip(reason)


@cache
def _pg_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[scale]')"
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {PG_URL}: {str(exc).strip().splitlines()[0]}"
    return None


@cache
def _redis_problem() -> str | None:
    try:
        import redis
    except ImportError:
        return "redis-py is not installed (pip install -e '.[scale]')"
    host, port = REDIS.rsplit(":", 1)
    try:
        redis.Redis(host=host, port=int(port), socket_connect_timeout=3).ping()
    except (OSError, redis.RedisError) as exc:
        return f"Redis not reachable at {REDIS}: {exc}"
    return None


def need_redis_client() -> None:
    """The redis-py package, with or without a server (its errors are what a test checks)."""
    try:
        import redis  # noqa: F401
    except ImportError:
        _unavailable("redis-py is not installed (pip install -e '.[scale]')")


def need_postgres() -> None:
    problem = _pg_problem()
    if problem:
        _unavailable(problem)


def need_redis() -> None:
    problem = _redis_problem()
    if problem:
        _unavailable(problem)


def schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema; yields a store URL that writes into it; dropped afterwards."""
    need_postgres()  # first: without the driver this skips (or fails under DIGEST_REQUIRE_SERVICES)
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
        try:
            yield schema_url(name)
        finally:
            admin.execute(f"DROP SCHEMA {name} CASCADE")


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A fresh index URL (``redis://.../0?basename=...``); its keys are deleted afterwards."""
    need_redis()  # first: without the driver this skips (or fails under DIGEST_REQUIRE_SERVICES)
    import redis

    base = f"t_{uuid.uuid4().hex[:12]}"
    host, port = REDIS.rsplit(":", 1)
    try:
        yield f"redis://{host}:{port}/0?basename={base}"
    finally:
        client = redis.Redis(host=host, port=int(port))
        keys = list(client.scan_iter(match=f"{base}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
