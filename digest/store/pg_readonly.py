"""A PostgreSQL store opened to read only (``digest status``): :mod:`digest.store.readonly`'s
half that needs psycopg.  A read-only session (``default_transaction_read_only``), no table
made, no migration; a named lock's holder read from ``pg_locks`` (the advisory lock, which the
server drops with its holder's connection, ``kill -9`` included) and the ``locks`` table (its
pid, host and since)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from ..errors import StoreError
from . import migrations as _migrations
from . import pg_watch
from .base import redact
from .postgres import PostgresStore
from .readonly import LockState, ReadOnlyStore, _Reads, newer


class ReadOnlyPostgres(_Reads, PostgresStore):
    """A PostgreSQL store read only: nothing made, migrated or locked."""

    def __init__(self, url: str) -> None:  # PostgresStore's own migrates
        self.url = url
        self._depth = 0
        self._locks: set[str] = set()
        self.taken = None
        self._timeout = 10
        self.latest_schema = len(_migrations.load("postgresql"))
        self.db = self._connect()
        pg_watch.watch(self)
        try:
            self.db.execute("SET TIME ZONE 'UTC'")
            self.db.execute("SET default_transaction_read_only = on")
            self.db.execute("SET default_transaction_isolation = 'repeatable read'")  # snapshot: one moment
            schema = self._one_row("SELECT current_schema() AS s")["s"]
            if schema is None:
                raise StoreError(f"{redact(url)}: no schema to read (check search_path)")
            self.schema: str = schema
        except psycopg.Error as exc:
            self.db.close()
            raise self._unreached(exc) from None
        except BaseException:
            self.db.close()
            raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    def is_empty(self) -> bool:
        """Whether no digest wrote the schema yet (no ``digest_schema`` or ``sources`` table)."""
        row = self._one_row("SELECT to_regclass('digest_schema') IS NULL OR to_regclass('sources') IS NULL AS e")
        return bool(row["e"])

    def lock_state(self, name: str) -> LockState:
        if not self.lock_held(name):
            return LockState(False)
        row = self.db.execute("SELECT since FROM locks WHERE name=%s", (name,)).fetchone()
        return LockState(True, self.lock_holder(name), row["since"] if row else None)


def open_pg_read_only(url: str) -> ReadOnlyStore | None:
    """The PostgreSQL store at ``url`` read only; None when its schema holds no store yet."""
    store = ReadOnlyPostgres(url)
    try:
        if store.is_empty():
            store.close()
            return None
        newer(store.schema_version, store.latest_schema, url)
    except psycopg.Error as exc:
        store.close()
        raise store._unreached(exc) from None
    except BaseException:
        store.close()
        raise
    return store
