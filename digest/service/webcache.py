"""The archive's rendered pages, kept until the store changes, and conditional requests.

Observations
------------
* A day page of 300 stories costs ~0.5 s to build (its view, Markdown, nh3, the
  lxml pass that adds the links); rendered on every request, twenty readers
  made it 2.3 pages/s.  What it shows changes only when the store does (a
  poll round, a regrouping, a digest sealed) or the day turns.
* The server writes nothing of the archive, and its writers are other processes
  (``digest run``, the daemon): a change must be seen from outside.  It writes one cache of
  its own, the day counts (``daycounts``, stop 63): not a change of what a page shows.

How it works
------------
* :func:`change_marker` gives a cheap function whose value changes whenever
  something is committed to the store.  On SQLite it is the file's
  ``PRAGMA data_version`` read on one connection the server keeps open (SQLite
  changes it when any *other* connection commits; reads do not) with the file's
  inode (a store replaced by a copy).  The day counts are written through that connection
  (:meth:`_SQLiteMarker.keep_day_counts`): its own commits leave its ``data_version`` as it
  was, so they change no version (through the store's connection, each page cached was
  rendered again after the first index).  Other backends have no such counter
  through the store's interface: the marker is the current ``ttl``-second
  slot, so a page is at most that old.
* A SQLite store served read only (a folder or mount this user may not write: ``digest serve``
  opens it as ``store.readonly``) has a ``data_version`` to read only while a writer keeps the
  ``-shm`` file there (a read connection of a store in WAL mode needs it, and may not make it).
  Where it has none (a store closed: no ``-wal``, no ``-shm``), :class:`_FileMarker` is the
  file's and its ``-wal``'s inode, size and modification time instead, the only way a commit
  reaches that file (stop 64).  A time is only as fine as the file system's clock (a few
  milliseconds): two commits in one tick with the ``-wal`` the same size would look like one, so
  while either file changed within the last ``QUIET`` seconds the version also holds the
  current ``QUIET``-second slot (pages at most that old), and the first look after that quiet
  time is a new version again.  Without it each request was rendered (the index of a year-old
  store ~0.5 s, a day page ~0.4 s, each time).
* :class:`PageCache` keeps rendered pages by key (path and what it reads) with
  the *version* they were rendered at (the marker, and the day or minute the
  page depends on); a lookup at another version misses and the page is
  rendered again.  One rendering per key at a time: a reader arriving during a
  rendering waits for it instead of starting another (striped locks), and takes
  the page of a rendering begun after it arrived, though a run committed since
  (else each waiter rendered the page again in turn: the index, up to 27 s).  Bounded
  by entries and bytes, least recently used first out.
* Each cached page gets a strong ETag (a hash of its bytes) and a
  Last-Modified: the time its key's content last changed as this server saw
  it (a rendering identical to the previous one keeps the older time; a
  changed one is later by at least a second, so ``If-Modified-Since`` never
  matches a page that changed within the same second).  :func:`not_modified`
  answers ``If-None-Match`` (which wins) or ``If-Modified-Since``.

Special cases
-------------
* A marker that cannot be read (the file gone) gives ``None``: that request
  is rendered and not cached.
* User templates (``templates:``) edited while the server runs show after the
  next change to the store (or a restart).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from contextlib import suppress
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from ..store.base import Store
from ..store.daycount_rows import CONFIGS_KEPT, KEEP_DAY_COUNTS, TRIM_DAY_COUNTS, day_count_rows
from .webpages import Page

Marker = Callable[[], Hashable | None]
#: Seconds the day counts' write waits for a writer of the store (the daemon's round): then it
#: is left (a cache; the counts stay in memory).
KEEP_WAIT = 1.0


class _SQLiteMarker:
    """``(inode, PRAGMA data_version)`` of a SQLite file, on a connection of its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.conn: sqlite3.Connection | None = None
        self.inode = -1

    def _open(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri()
        try:  # (never made: the store is there; written only by keep_day_counts)
            return sqlite3.connect(uri + "?mode=rw", uri=True, check_same_thread=False, timeout=KEEP_WAIT)
        except sqlite3.Error:  # a file the server cannot write: read only (which needs the -shm file; the store makes it)
            return sqlite3.connect(uri + "?mode=ro", uri=True, check_same_thread=False, timeout=KEEP_WAIT)

    def keep_day_counts(self, config: str, counts: Mapping[str, tuple[int, str]]) -> None:
        """``Store.keep_day_counts`` through this connection: no change of the marker."""
        with self.lock:
            if self.conn is None:
                raise sqlite3.OperationalError("no connection")
            with self.conn:
                self.conn.executemany(KEEP_DAY_COUNTS, day_count_rows(config, counts))
                self.conn.execute(TRIM_DAY_COUNTS, (CONFIGS_KEPT,))

    def __call__(self) -> Hashable | None:
        with self.lock:
            try:
                inode = os.stat(self.path).st_ino
                if self.conn is None or inode != self.inode:
                    self.close()
                    self.conn, self.inode = self._open(), inode
                return (inode, self.conn.execute("PRAGMA data_version").fetchone()[0])
            except (OSError, sqlite3.Error):
                self.close()
                return None

    def close(self) -> None:
        if self.conn is not None:
            with suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None


#: Seconds a read-only store's files must be left unchanged before :class:`_FileMarker` is their
#: stat alone (see the module docstring); the age of a page cached while they change.
QUIET = 2.0


class _FileMarker:
    """A read-only SQLite store's version by its file's and ``-wal``'s stat (module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")

    def __call__(self) -> Hashable | None:
        parts: list[Hashable] = []
        changed = 0.0
        for path in (self.path, self.wal):
            try:
                st = os.stat(path)
            except FileNotFoundError:
                if path == self.path:
                    return None
                parts.append(None)  # no -wal (a store closed): its coming is a change
                continue
            except OSError:
                return None
            parts.append((st.st_ino, st.st_size, st.st_mtime_ns))
            changed = max(changed, st.st_mtime)
        if time.time() - changed < QUIET:  # (a time in the future, a clock set back: as recent)
            parts.append(int(time.monotonic() // QUIET))
        return tuple(parts)


class _ReadOnlyMarker:
    """A read-only SQLite store's version: its ``data_version`` where it can be read, else its
    files' stat (:class:`_FileMarker`); either way a new version when it moves from one to the other."""

    def __init__(self, path: Path) -> None:
        self.live, self.files = _SQLiteMarker(path), _FileMarker(path)

    def __call__(self) -> Hashable | None:
        live = self.live()
        if live is not None:
            return ("data_version", live)
        files = self.files()
        return None if files is None else ("files", files)


def change_marker(store: Store, ttl: float = 2.0) -> Marker:
    """A function whose value changes when something is committed to ``store`` (see the
    module docstring); ``store`` is only looked at, and may be closed after."""
    from ..store.readonly import ReadOnlySQLite
    from ..store.sqlite import SQLiteStore

    if isinstance(store, ReadOnlySQLite):
        return _ReadOnlyMarker(store.path)
    if isinstance(store, SQLiteStore):
        return _SQLiteMarker(store.path)
    return lambda: int(time.monotonic() // ttl)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


class PageCache:
    """Rendered pages by key and version; least recently used out past the bounds."""

    STRIPES = 64

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 << 20) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        #: key: (version, page, when its rendering began: ``time.monotonic()``)
        self._pages: OrderedDict[Hashable, tuple[Hashable, Page, float]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(self.STRIPES)]
        self.hits = self.misses = 0

    def _get(self, key: Hashable, version: Hashable, asked: float | None = None) -> Page | None:
        """The page kept at ``version``; with ``asked``, or one whose rendering began after that
        moment with the same version but for the store's marker (first in the version): it
        shows everything committed before ``asked`` (a run committing while readers waited for a
        rendering made each render the page again, one after the other)."""
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            kept, page, began = entry
            later = asked is not None and began >= asked and _rest(version) is not None
            if kept != version and not (later and _rest(kept) == _rest(version)):
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def get(self, key: Hashable, version: Hashable | None, render: Callable[[], Page]) -> Page:
        """The page of ``key`` at ``version``, rendered (once, however many ask) when missing.
        ``version`` None: rendered, not kept.  Only 200 and 302 responses are kept."""
        if version is None:
            return render()
        page = self._get(key, version)
        if page is not None:
            return page
        asked = time.monotonic()
        with self._stripes[hash(key) % self.STRIPES]:
            page = self._get(key, version, asked)
            if page is not None:
                return page
            with self._lock:
                self.misses += 1
            began = time.monotonic()
            page = render()
            if page.status in ("200 OK", "302 Found"):
                self._put(key, version, page, began)
            return page

    def _put(self, key: Hashable, version: Hashable, page: Page, began: float = 0.0) -> None:
        page.etag = etag_of(page.body)
        now = int(time.time())
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1].body)
                prev = old[1]
                if prev.etag == page.etag and prev.last_modified is not None:
                    now = prev.last_modified
                elif prev.last_modified is not None:
                    now = max(now, prev.last_modified + 1)
            page.last_modified = now
            if len(page.body) > self.max_bytes // 4:
                return  # too big to keep: rendered each time
            self._pages[key] = (version, page, began)
            self._bytes += len(page.body)
            while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, gone, _) = self._pages.popitem(last=False)
                self._bytes -= len(gone.body)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


def _rest(version: Hashable) -> Hashable | None:
    """A version but for the store's marker (``web``'s versions: the marker first, then the
    configuration read and what else the page depends on); None: not such a version."""
    return version[1:] if isinstance(version, tuple) and version else None


def _etags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def not_modified(environ: dict[str, Any], page: Page) -> bool:
    """Whether the client's copy of ``page`` is current (RFC 9110 13.2.2: If-None-Match
    first, If-Modified-Since only without it)."""
    if page.status != "200 OK" or (page.etag is None and page.last_modified is None):
        return False
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        if page.etag is None:
            return False
        tags = _etags(inm)
        return "*" in tags or page.etag in tags
    ims = environ.get("HTTP_IF_MODIFIED_SINCE")
    if ims is None or page.last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return page.last_modified <= since
