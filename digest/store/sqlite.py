"""The embedded default store: one SQLite file on disk (WAL mode).

How it works
------------
The connection runs in autocommit mode and the store issues its own
``BEGIN IMMEDIATE`` / ``COMMIT``: every write method is one transaction, and
:meth:`SQLiteStore.transaction` groups calls (nested blocks are SAVEPOINTs,
so an inner failure the caller catches undoes only the inner block).  WAL
journaling with ``synchronous=NORMAL`` survives a crash or ``kill -9`` of
the process at any moment; delivery claims and ``mark_sent`` switch to
``synchronous=FULL`` so they survive a power cut as well.  ``foreign_keys``
is on and ``busy_timeout`` lets a second process wait for a writer instead
of failing.

Migrations (``digest/store/migrations/sqlite/NNNN_*.sql``) run one version per
transaction; the version lives in ``PRAGMA user_version`` and is read
inside the write transaction, so two processes opening a fresh file at once
do not both apply it.

Special cases
-------------
* A file written by a newer digest (higher version) is refused with a
  StoreError instead of being guessed at; a file that is not SQLite too, and
  a SQLite database of another program (version 0 yet holding tables: it was
  taken for a new store, digest's tables written beside the user's).  These
  are refused before anything is written (the WAL switch included): the file
  keeps every byte.
* A store at the latest version is opened without the write lock (the
  version is read first): a reader does not wait for a writer.  What SQLite
  answers when opening or starting a write is one line by its name
  (:func:`open_failure`): damaged, disk full, the file or folder read-only,
  another process holding the write lock past ``timeout``.
* ``sqlite:///abs/path`` and ``sqlite:////abs/path`` both mean ``/abs/path``
  (Config writes the former with an absolute path, i.e. four slashes).
* Lock files (``<db>.<name>.lock``) stay on disk after release: deleting
  them would let two processes lock two different files of the same name.
* The store holds everything read and whom the digest is mailed to: a new
  store file is created 0600 (SQLite gives its ``-wal``/``-shm`` files the
  database file's mode), lock files 0600, and a folder the store creates
  0700, whatever the umask.  An existing file or folder keeps its mode (the
  user chose it).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import StoreDamaged, StoreError, StoreFull, StoreUnwritable
from ..records import plural
from . import migrations as _migrations
from .base import (
    NewArticle,
    parse_ts,
    ts,
    utcnow,
)
from .deliveries import may_claim
from .filelocks import FileLocks
from .ops import StoreOps, sql_for
from .search import folded, has_unspaced, indexed_apart, spaced, spaced_row
from .sqlite_search import SQLiteSearch

log = logging.getLogger(__name__)
#: Meta key: the last article's rowid when the spaced search table was last checked whole up to
#: it (:meth:`SQLiteStore._index_missed`).
SPACED_MARK = "spaced_checked"


def _create_private(path: Path) -> None:
    """Create ``path``'s folder (0700) and an empty ``path`` (0600) unless they exist."""
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class SQLiteStore(FileLocks, SQLiteSearch, StoreOps):
    """The SQLite backend of :class:`digest.store.base.Store`.  One per thread or process."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        migrations: Sequence[_migrations.Migration] | None = None,
    ) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._depth = 0
        self._locks: dict[str, int] = {}
        self._timeout = timeout
        #: This process has checked the spaced search table (:meth:`add_articles`).
        self._spaced_checked = False
        try:
            _create_private(self.path)
            self.db = sqlite3.connect(
                self.path, isolation_level=None, timeout=timeout, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise open_failure(exc, self.path, timeout) from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc.strerror or exc}") from None
        self.db.row_factory = sqlite3.Row
        # read by migration 15's backfill of the spaced search table (digest.store.search.spaced)
        self.db.create_function("digest_spaced", 1, spaced, deterministic=True)
        self.db.create_function("digest_has_unspaced", 1, has_unspaced, deterministic=True)
        # read by migration 16's, which indexes there the texts NFKC folds too (search.spaced_row)
        self.db.create_function("digest_search_form", 1, lambda t: spaced(folded(t)), deterministic=True)
        self.db.create_function("digest_search_apart", 2, indexed_apart, deterministic=True)
        try:
            known = list(migrations) if migrations is not None else _migrations.load("sqlite")
            self._refuse_unknown(len(known))  # before anything is written to the file
            mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("%s: WAL mode unavailable here (journal_mode=%s)", self.path, mode)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._migrate(known)
        except sqlite3.Error as exc:
            self.db.close()
            raise open_failure(exc, self.path, timeout) from None
        except StoreError as exc:  # a migration's write the disk refused: its one line
            self.db.close()
            raise store_failure(exc, str(self.path)) or exc from None
        except BaseException:
            self.db.close()
            raise

    # -- schema ------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_unknown(self, latest: int) -> None:
        """Refuse, before anything is written, a file of a newer digest (a schema version above
        ``latest``) and a SQLite database of something else (version 0 yet holding tables: a
        ``database:`` pointing at another program's file); a file that is not SQLite at all
        fails here too (SQLite's ``file is not a database``)."""
        current = self.schema_version
        if current > latest:
            raise self._newer(current, latest)
        if current == 0:
            tables = [r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' "
                "ORDER BY name")]
            if tables:
                shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
                raise StoreError(
                    f"{self.path}: a SQLite database of another program (tables {shown}), not a digest "
                    "store: left as it is; point 'database:' (or 'data_dir:') at another file"
                )

    def _newer(self, current: int, latest: int) -> StoreError:
        return StoreError(
            f"{self.path}: written by a newer digest (schema version {current}, "
            f"this one knows up to {latest}); upgrade digest to open it"
        )

    def _migrate(self, migrations: list[_migrations.Migration]) -> None:
        """Apply the migrations the file lacks, one transaction each.  A new store says so in
        one line; an upgrade names each step.  A store at the latest version takes no write
        lock to find it so (a reader, ``digest serve``, does not wait for a writer)."""
        latest = len(migrations)
        if self.schema_version == latest and latest:
            return
        new = self.schema_version == 0
        while True:
            with self.transaction():
                current = self.schema_version
                if current > latest:  # upgraded meanwhile by a newer digest
                    raise self._newer(current, latest)
                if current == latest:
                    if new and latest:
                        log.info("%s: new store (schema version %d)", self.path, latest)
                    return
                mig = migrations[current]
                try:
                    for stmt in mig.statements():
                        self.db.execute(stmt)
                except sqlite3.Error as exc:
                    raise StoreError(
                        f"{self.path}: migration {mig.version} ({mig.name}) failed: {exc}"
                    ) from None
                self.db.execute(f"PRAGMA user_version={int(mig.version)}")
                log.log(logging.DEBUG if new else logging.INFO, "%s: schema migrated to version %d (%s)",
                        self.path, mig.version, mig.name)

    # -- transactions --------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work.  Nested blocks are savepoints."""
        if self._depth:
            name = f"sp{self._depth}"
            self.db.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                if self.db.in_transaction:  # SQLite rolls all back itself on a full disk or an I/O error
                    self.db.execute(f"ROLLBACK TO {name}")
                    self.db.execute(f"RELEASE {name}")
                raise
            else:
                self.db.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise open_failure(exc, self.path, self._timeout, doing="cannot start a write") from None
        self._depth = 1
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):  # a full disk, a damaged file: their own line
                failure = store_failure(exc, str(self.path))
                raise failure or StoreError(f"{self.path}: write failed, nothing stored: {exc}") from exc
            raise
        finally:
            self._depth = 0

    @contextmanager
    def _outer_pragma(self, name: str, value: str, restore: str) -> Iterator[None]:
        """A transaction with PRAGMA ``name`` at ``value`` for its commit, ``restore`` after;
        inside another transaction, that one's setting (its commit is the one that counts)."""
        outer = self._depth > 0
        if not outer:
            self.db.execute(f"PRAGMA {name}={value}")
        try:
            with self.transaction():
                yield
        finally:
            if not outer:
                self.db.execute(f"PRAGMA {name}={restore}")

    def _durable(self) -> AbstractContextManager[None]:
        """A transaction synced to disk before it returns (synchronous=FULL)."""
        return self._outer_pragma("synchronous", "FULL", "NORMAL")

    def _unsynced(self) -> AbstractContextManager[None]:
        """A transaction in the OS's hands when it returns, not synced: the store's own
        synchronous=NORMAL (a WAL commit is not synced; the store stays whole after a power cut,
        which may undo the commit), with no checkpoint at its commit (the next write's), as a
        checkpoint syncs.  A kill -9 cannot undo it.  The in-doubt mark's: a wait for the disk
        after its WAL write is a window in which a kill loses the day."""
        every = int(self.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        return self._outer_pragma("wal_autocheckpoint", "0", str(every))

    # -- what StoreOps builds on ---------------------------------------------------
    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql_for("sqlite", sql), params)

    def _run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        return max(self.db.executemany(sql_for("sqlite", sql), rows).rowcount, 0)

    def _stamp(self, dt: datetime) -> str:
        return ts(dt) or ""

    def _when(self, value: str | None) -> datetime | None:
        return parse_ts(value)

    def _story_write(self) -> AbstractContextManager[None]:
        return self.transaction()

    def _log_regroup(self, kept: str, dropped: str, article: str | None = None) -> None:
        """One process owns a SQLite store: no other worker replays merges and moves."""

    # -- what differs -------------------------------------------------------------
    def has_articles(self, keys: Iterable[str], *, source: str | None = None) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        by_source = "" if source is None else " AND source=?"
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            # a key `digest prune` removed is known too: a feed still listing it makes nothing new
            q = (f"SELECT key FROM articles WHERE key IN ({marks}){by_source} "
                 f"UNION ALL SELECT key FROM pruned WHERE key IN ({marks}){by_source}")
            args = chunk if source is None else [*chunk, source]
            found.update(r[0] for r in self.db.execute(q, [*args, *args]))
        return found

    def content_hashes(self, keys: Iterable[str]) -> dict[str, str | None]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, str | None] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            q = f"SELECT key, content_hash FROM articles WHERE key IN ({','.join('?' * len(chunk))})"
            found.update((r[0], r[1]) for r in self.db.execute(q, chunk))
        return found

    def add_articles(self, items: Sequence[NewArticle | tuple[Any, ...]], **kw: Any) -> list[bool]:
        """``StoreOps.add_articles``; the first time this process stores, the articles stored since
        it last looked that lack their spaced search row get it first (:meth:`_index_missed`)."""
        if not self._spaced_checked:
            with self.transaction():
                self._index_missed()
            self._spaced_checked = True
        return super().add_articles(items, **kw)

    def _index_missed(self) -> None:
        """Give the articles stored after the meta ``spaced_checked`` mark (a rowid) that the spaced
        search table indexes (a letter of a script without spaces, or one NFKC folds:
        ``search.spaced_row``) and that have no row there one, then
        move the mark to the last article.  A digest older than migration 15 still running on
        the store (a daemon not stopped for an upgrade, as the README asks) stores articles
        without that row: a Chinese file's words, even its whole title, were found by no search
        for ever (review of stop 55).  Each article is looked at about once: a store's first
        look reads all (0.7 s for 100,000 English articles), later ones those stored since."""
        mark = int(self.get_meta(SPACED_MARK) or 0)
        (top,) = self.db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()
        if top <= mark:
            return
        rows = self.db.execute(
            "SELECT rowid, title, text FROM articles WHERE rowid > ? AND rowid NOT IN "
            "(SELECT rowid FROM articles_fts_spaced WHERE rowid > ?)", (mark, mark))
        missed = [(r[0], *row) for r in rows if (row := spaced_row(r[1], r[2])) is not None]
        if missed:
            self.db.executemany("INSERT INTO articles_fts_spaced(rowid, title, text) VALUES(?, ?, ?)", missed)
            log.info("%s: %s of scripts without spaces or other width forms indexed for search "
                     "(stored by an older digest)", self.path, plural(len(missed), "article"))
        self.set_meta(SPACED_MARK, str(top))

    def _insert(self, item: NewArticle, now: datetime) -> bool:
        """The article's row, and for a text holding a letter of a script written without
        spaces, its spaced text in the search table of those (migration 15)."""
        if not super()._insert(item, now):
            return False
        a = item.article
        row = spaced_row(a.title, a.text)
        if row is not None:
            self.db.execute(
                "INSERT INTO articles_fts_spaced(rowid, title, text) SELECT rowid, ?, ? FROM articles WHERE key=?",
                (*row, a.key),
            )
        return True

    def claim_delivery(self, date: str, target: str, *, stale_after: float = 3600.0) -> bool:
        """Claim (date, target) for sending; False if sent, or being sent (fresh claim)."""
        now = utcnow()
        with self._durable():
            row = self.db.execute(
                "SELECT status, claimed_at FROM deliveries WHERE date=? AND target=?", (date, target)
            ).fetchone()
            status, claimed = (row[0], parse_ts(row[1])) if row else (None, None)
            if not may_claim(status, claimed, now, stale_after):
                return False
            self.db.execute(
                "INSERT INTO deliveries(date, target, status, attempts, claimed_at) "
                "VALUES(?,?,'pending',1,?) ON CONFLICT(date, target) DO UPDATE SET "
                "status='pending', attempts=deliveries.attempts+1, claimed_at=excluded.claimed_at",
                (date, target, ts(now)),
            )
            return True


#: SQLite's answers that mean the file itself is damaged (not busy, full, locked or read-only).
DAMAGED = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


def store_failure(exc: BaseException, where: str) -> StoreDamaged | StoreFull | StoreUnwritable | None:
    """The one line for a store (file ``where``) that fails whatever is written or read: its
    file damaged (a read or write met a malformed page), its disk full, or the store not
    writable now (read-only, held by another process: :func:`open_failure`), if ``exc`` or
    what caused it says so; else None."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, StoreDamaged | StoreFull | StoreUnwritable):
            return cur
        name = getattr(cur, "sqlite_errorname", "") if isinstance(cur, sqlite3.DatabaseError) else ""
        if name in DAMAGED:
            return StoreDamaged(
                f"{where}: the store is damaged ({cur}): restore it from a backup, or rescue what "
                f"it holds with: sqlite3 {where} .recover"
            )
        if name == "SQLITE_FULL":
            return StoreFull(f"{where}: the disk is full ({cur}): free some space; what was not "
                             "stored is read again next time")
        if name.startswith("SQLITE_READONLY"):  # the file system remounted read-only, say
            return StoreUnwritable(f"{where}: the store cannot be written ({cur}): its file or folder "
                                   "is read-only; what was not stored is read again next time")
        cur = cur.__cause__ or cur.__context__
    return None


def open_failure(exc: sqlite3.Error, path: Path, timeout: float, *, doing: str = "cannot open the store") -> StoreError:
    """The one line for SQLite's ``exc`` met opening the store at ``path`` (or starting a
    write: ``doing``), by what SQLite names it: the file damaged or full (:func:`store_failure`),
    not a database, its folder or file read-only (SQLite writes ``-wal`` and ``-shm`` files
    beside it, and checks the version in a write transaction), or another process holding
    its write lock longer than ``timeout`` (these two: :class:`StoreUnwritable`, which blames
    no source); else SQLite's own words."""
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return StoreError(f"{path}: not a digest store, nor any SQLite database ({exc}): left as it "
                          "is; point 'database:' (or 'data_dir:') at another file")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        return StoreUnwritable(f"{path}: {doing}: the store or its folder {path.parent} cannot be written "
                               f"({exc}); digest writes the store and its -wal and -shm files there")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreUnwritable(f"{path}: {doing}: another process has held the store's write lock for over "
                               f"{timeout:g} s ({exc}); nothing was done, try again once it is done")
    failure = store_failure(exc, str(path))
    if failure is not None:
        return failure
    return StoreError(f"{path}: {doing}: {exc}")


def path_of(url: str) -> Path:
    """The file path in ``sqlite:///abs/path`` (any number of leading slashes)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    if not rest.startswith("/"):
        raise StoreError(f"{url}: a SQLite URL needs an absolute path (sqlite:///abs/path)")
    return Path("/" + rest.lstrip("/"))


def open_existing(url: str) -> SQLiteStore:
    """The store at ``url`` as :func:`from_url`, but never a new one: a file gone (moved aside
    while a backup is restored, its disk unmounted) is a StoreError.  ``digest serve`` opens the
    store for each page: it made a new empty store in its place, shown as an empty archive."""
    path = path_of(url)
    if not path.exists():
        raise StoreError(f"{path}: the store is gone (moved or deleted while serve runs): not made "
                         "anew; put it back, or restart serve to begin an empty one")
    return SQLiteStore(path)


def from_url(url: str) -> SQLiteStore:
    """The ``BACKENDS`` factory for ``sqlite://`` URLs."""
    return SQLiteStore(path_of(url))
