"""The store opened to read only (``digest status``), and whether a process holds one of its
named locks, seen without taking it.

Observations
------------
* ``open_store`` makes a SQLite file that is not there, switches it to WAL, migrates an
  older one, and on PostgreSQL makes every table of an empty schema: a health check must
  leave the store as it found it (``digest.store.peek`` reads addresses so, stop 56).
* A lock taken to see whether it is free (``acquire_lock`` then ``release_lock``) is a lock:
  a daemon starting in that instant is refused ("another digest daemon is already
  running").  The holder is seen instead: on Linux ``/proc/locks`` lists each ``flock`` with
  its pid and the file's device and inode; PostgreSQL's ``pg_locks`` each advisory lock
  held.  A lock its holder's death released (``kill -9``) is in neither: a stale lock file,
  whose pid is still written in it, reads as not held.

How it works
------------
:func:`open_read_only` opens SQLite by URI with ``mode=rw`` and ``PRAGMA query_only`` (no
file made; the WAL's ``-wal`` and ``-shm`` files it makes are removed at its close, as
peek's), or ``mode=ro`` when a ``-wal`` file is there already (a writer open, or one killed:
a read-write connection closing last would checkpoint that WAL into the store file; a
read-only one cannot).  Without a ``-wal`` file, in a folder it cannot write (a monitoring
user's, a read-only mount: no ``-shm`` can be made, which a WAL store's reader needs), it reads
the file as ``immutable`` (no lock, no ``-shm``; nobody has the store open, or a ``-wal`` would
be there; a daemon starting in that instant may make the reading one error line).  PostgreSQL in a read-only session (``default_transaction_read_only``).
Neither is migrated: a store at an older schema version is read as it is (a query the old
schema cannot answer is a StoreError), one at a newer version refused.  Both answer
:class:`ReadOnlyStore`: the :class:`~digest.store.base.Store` reads plus :meth:`totals`,
:meth:`deliveries_since` and :meth:`lock_state`.

Special cases
-------------
* No store yet (no SQLite file, or a file or schema without digest's tables): None.
* No ``/proc/locks`` (not Linux): the lock is tried without waiting (``LOCK_SH | LOCK_NB`` on
  a descriptor opened read-only) and let go at once; a lock file that is not there was
  never taken: not held.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from ..errors import StoreError
from . import migrations as _migrations
from .base import Store, redact
from .deliveries import Delivery
from .filelocks import flock_holder
from .sqlite import SQLiteStore, open_failure, path_of

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True, slots=True)
class LockState:
    """Whether a named lock of the store is held now, by which pid, since when (the lock
    file's last write, which its holder makes as it takes it; PostgreSQL's ``locks.since``)."""

    held: bool
    pid: str | None = None
    since: datetime | None = None


class ReadOnlyStore(Store, Protocol):
    """A store opened by :func:`open_read_only`."""

    #: The schema version this digest migrates to.
    latest_schema: int

    def totals(self) -> tuple[int, int]:
        """How many articles and stories the store holds."""
        ...

    def deliveries_since(self, first: str) -> list[Delivery]:
        """Every attempted delivery dated ``first`` (YYYY-MM-DD) or later, by date and target."""
        ...

    def lock_state(self, name: str) -> LockState: ...

    def snapshot(self) -> AbstractContextManager[None]:
        """A block whose reads see one moment of the store (a read transaction): a writer's
        changes meanwhile are not half seen."""
        ...


class _Reads:
    """The queries :class:`ReadOnlyStore` adds, alike on both backends."""

    if TYPE_CHECKING:  # the backend's (the class it is mixed into)
        def _run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
        def _delivery_of(self, row: Any) -> Delivery: ...

    def totals(self) -> tuple[int, int]:
        row = self._run("SELECT (SELECT count(*) FROM articles) AS a, (SELECT count(*) FROM stories) AS s").fetchone()
        return int(row["a"]), int(row["s"])

    def deliveries_since(self, first: str) -> list[Delivery]:
        rows = self._run("SELECT * FROM deliveries WHERE date >= ? AND attempts > 0 ORDER BY date, target",
                         (first,)).fetchall()
        return [self._delivery_of(r) for r in rows]


class ReadOnlySQLite(_Reads, SQLiteStore):
    """A SQLite store read only: nothing made, switched, migrated or locked."""

    def __init__(self, path: Path) -> None:  # SQLiteStore's own makes, switches and migrates
        self.path = path
        self.url = f"sqlite:///{path}"
        self._depth = 0
        self._locks: dict[str, int] = {}
        self._timeout = 10.0
        self._spaced_checked = True
        self.latest_schema = len(_migrations.load("sqlite"))
        wal = path.with_name(path.name + "-wal").exists()
        try:
            self.db = self._open("mode=ro" if wal else "mode=rw")
        except sqlite3.Error as exc:
            if wal or os.access(path.parent, os.W_OK):  # not the folder: said as it is
                raise open_failure(exc, path, self._timeout, doing="cannot read the store") from None
            try:  # a folder it cannot write (another user's, a read-only mount): no -wal, no -shm made
                self.db = self._open("mode=ro&immutable=1")
            except sqlite3.Error:
                raise open_failure(exc, path, self._timeout, doing="cannot read the store") from None

    def _open(self, query: str) -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{quote(str(self.path))}?{query}", uri=True, isolation_level=None,
                             timeout=self._timeout, check_same_thread=False)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA query_only = ON")
            db.execute("PRAGMA user_version").fetchone()  # a file that is no database says so here
        except BaseException:
            db.close()
            raise
        return db

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        self.db.execute("BEGIN")  # deferred: the first read takes the WAL's moment, no lock, no write
        self._depth = 1  # a read of the store's in a transaction of its own: a savepoint
        try:
            yield
        finally:
            self._depth = 0
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def is_empty(self) -> bool:
        """Whether no digest wrote the file yet (version 0, no ``sources`` table)."""
        return self.schema_version == 0 and not self.db.execute("PRAGMA table_info(sources)").fetchall()

    def lock_state(self, name: str) -> LockState:
        path = self._lock_path(name)
        pid = flock_holder(path)
        if pid is None:
            return LockState(False)
        since = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return LockState(True, pid if pid != "unknown" else self.lock_holder(name), since)


def _read_only_postgres(url: str) -> ReadOnlyStore | None:
    try:
        from .pg_readonly import open_pg_read_only
    except ImportError as exc:  # the scale extra's: without it the store is not read (open_store says so)
        raise StoreError(f"{redact(url)}: the postgresql store is not available ({exc})") from None
    return open_pg_read_only(url)


def open_read_only(url: str) -> ReadOnlyStore | None:
    """The store at ``url`` opened to read only; None when there is none yet.  StoreError: it
    cannot be read (one line), or a newer digest wrote it."""
    if not url.lower().startswith("sqlite"):
        return _read_only_postgres(url)
    path = path_of(url)
    if not path.exists():
        return None
    store = ReadOnlySQLite(path)
    try:
        if store.is_empty():
            store.close()
            return None
        newer(store.schema_version, store.latest_schema, url)
    except sqlite3.Error as exc:
        store.close()
        raise open_failure(exc, path, store._timeout, doing="cannot read the store") from None
    except BaseException:
        store.close()
        raise
    return store


def newer(version: int, latest: int, url: str) -> None:
    """StoreError when the store's schema ``version`` is past this digest's ``latest``."""
    if version > latest:
        raise StoreError(f"{redact(url)}: written by a newer digest (schema version {version}, this one "
                         f"knows up to {latest}); upgrade digest to read it")


def read_only_file(url: str) -> bool:
    """Whether the SQLite store at ``url`` is there and this process may not write it or its
    folder (``digest serve`` then reads it as :func:`open_existing_read_only`)."""
    path = path_of(url)
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def open_existing_read_only(url: str) -> ReadOnlyStore:
    """The store at ``url`` read only, for one page of ``digest serve``: a SQLite file gone is a
    StoreError (never made anew), one at a newer schema version refused."""
    if not url.lower().startswith("sqlite"):
        pg = _read_only_postgres(url)
        if pg is None:
            raise StoreError(f"{redact(url)}: no digest store there (its tables are gone)")
        return pg
    path = path_of(url)
    if not path.exists():
        raise StoreError(f"{path}: the store is gone (moved or deleted while serve runs): not made "
                         "anew; put it back, or restart serve")
    store = ReadOnlySQLite(path)
    try:
        newer(store.schema_version, store.latest_schema, url)
    except BaseException:
        store.close()
        raise
    return store
