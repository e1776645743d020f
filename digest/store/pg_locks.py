"""Cross-process coordination in PostgreSQL: named locks, the clustering lock, the shared log.

The half of :class:`digest.store.postgres.PostgresStore` that several
processes use to take turns (a mixin over its connection).

How it works
------------
Locks are advisory locks keyed by a 64-bit hash of the schema and the lock
name (two schemas in one database never share a lock).  ``acquire_lock``
takes a session lock, which the server drops when the holder's connection
ends (also after ``kill -9``), and records the holder's pid and host in
``locks`` for error messages.  ``cluster_lock`` is a transaction lock: the
store takes it before every article or merge write, so log numbers
(``seq``) become visible in order (:mod:`digest.store.log`).

Special cases
-------------
* A turn never moves backwards; a run is bound to the source list it
  started with.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import psycopg

from ..errors import StoreError
from .base import StoredArticle, redact
from .log import LogEntry, Turn
from .reads import ARTICLE_COLS

_LOCK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
class PgCoordination:
    """Locks, log and turns over ``self.db`` (a dict-row psycopg connection)."""

    db: psycopg.Connection[dict[str, Any]]
    url: str
    schema: str
    _depth: int
    _locks: set[str]

    if TYPE_CHECKING:  # StoreReads decodes the rows
        def _article_of(self, row: Mapping[str, Any]) -> StoredArticle: ...

    def _key(self, name: str) -> int:
        digest = hashlib.blake2b(f"{self.schema}:{name}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)


    # -- locks -----------------------------------------------------------------
    def acquire_lock(self, name: str) -> bool:
        """Take the session lock ``name``; False if another connection holds it."""
        if not _LOCK_NAME.match(name):
            raise ValueError(f"lock name must be letters, digits, - or _ (got {name!r})")
        if name in self._locks:
            return True
        if not self._one_row("SELECT pg_try_advisory_lock(%s) AS ok", (self._key(name),))["ok"]:
            return False
        self._locks.add(name)
        self.db.execute(
            "INSERT INTO locks(name, pid, host, since) VALUES(%s,%s,%s,now()) ON CONFLICT(name) "
            "DO UPDATE SET pid=excluded.pid, host=excluded.host, since=excluded.since",
            (name, os.getpid(), socket.gethostname()),
        )
        return True

    def release_lock(self, name: str) -> None:
        if name in self._locks:
            self._locks.discard(name)
            if not (self.db.closed or self.db.broken):  # a lost connection took it (and would raise)
                self.db.execute("SELECT pg_advisory_unlock(%s)", (self._key(name),))

    def lock_held(self, name: str) -> bool:
        """Whether the session lock ``name`` is held now (by any connection to this database),
        read from ``pg_locks`` without taking it."""
        key = self._key(name)
        return name in self._locks or self.db.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid::text::bigint = %s AND objid::text::bigint = %s",
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF)).fetchone() is not None

    def lock_holder(self, name: str) -> str:
        """The pid (and host, if not this one) recorded by the holder of ``name``."""
        row = self.db.execute("SELECT pid, host FROM locks WHERE name=%s", (name,)).fetchone()
        if row is None:
            return "unknown"
        return str(row["pid"]) if row["host"] == socket.gethostname() else f"{row['pid']} on {row['host']}"

    def held_by_another(self, name: str, since: str = "") -> StoreError:
        """The error of ``name`` held by another process (its pid), ``since`` after it."""
        return StoreError(f"{redact(self.url)}: another digest {name} is already running "
                          f"(pid {self.lock_holder(name)}){since}")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        held = name in self._locks
        if not held and not self.acquire_lock(name):
            raise self.held_by_another(name)
        try:
            yield
        finally:
            if not held:
                self.release_lock(name)

    def cluster_lock(self) -> None:
        if not self._depth:
            raise StoreError("cluster_lock needs a transaction")
        self.db.execute("SELECT pg_advisory_xact_lock(%s)", (self._key("cluster"),))

    # -- shared log (digest.store.log) ----------------------------------------------
    def log_head(self) -> int:
        return int(self._one_row(
            "SELECT greatest((SELECT max(seq) FROM articles), (SELECT max(seq) FROM merges), 0) AS n"
        )["n"])

    def log_after(self, seq: int, *, since: datetime | None = None) -> list[LogEntry]:
        cols = ARTICLE_COLS.format(text="text")
        arts = self._all_rows(
            f"SELECT seq, {cols} FROM articles WHERE seq > %s "
            "AND (%s::timestamptz IS NULL OR coalesce(published, fetched) >= %s OR fetched >= %s) ORDER BY seq",
            (seq, since, since, since),
        )
        merges = self._all_rows(
            "SELECT seq, kept, dropped, article FROM merges WHERE seq > %s ORDER BY seq", (seq,)
        )
        out = [LogEntry(r["seq"], article=self._article_of(r)) for r in arts]
        out += [LogEntry(r["seq"], keep=r["kept"], drop=r["dropped"], moved=r["article"]) for r in merges]
        out.sort(key=lambda e: e.seq)
        return out

    def get_turn(self, run: str, sources: str) -> Turn:
        self.db.execute(
            "INSERT INTO turns(run, next, sources, updated) VALUES(%s, 0, %s, now()) "
            "ON CONFLICT(run) DO NOTHING", (run, sources),
        )
        r = self._one_row("SELECT * FROM turns WHERE run=%s", (run,))
        if r["sources"] != sources:
            raise StoreError(f"run {run!r} was started with another list of sources "
                             "(every worker of a run needs the same configuration)")
        return Turn(r["run"], r["next"], r["sources"], r["updated"])

    def set_turn(self, run: str, next_position: int) -> None:
        self.db.execute(
            "UPDATE turns SET next=%s, updated=now() WHERE run=%s AND next < %s",
            (next_position, run, next_position),
        )


    def _one_row(self, sql: str, args: Any = ()) -> dict[str, Any]:
        row = self.db.execute(sql, args).fetchone()
        assert row is not None
        return row

    def _all_rows(self, sql: str, args: Any = ()) -> list[dict[str, Any]]:
        return self.db.execute(sql, args).fetchall()
