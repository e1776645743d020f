"""Stores as an older digest left them (for the tests of each added column), damaged, or held by
another process."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from digest.store import migrations
from digest.store.sqlite import SQLiteStore


def store_before(path: Path, migration: str, when: datetime) -> SQLiteStore:
    """A SQLite store at ``path`` written by the digest before the first migration whose name
    holds ``migration``, holding one article (key ``k1``, source ``s``, story ``story1``) as
    that digest wrote it; returned opened by today's digest (the migration applied)."""
    every = migrations.load("sqlite")
    before = every[: next(i for i, m in enumerate(every) if migration in m.name)]
    old = SQLiteStore(path, migrations=before)
    with old.transaction():
        old.db.execute(
            "INSERT INTO articles(key, source, title, text, fetched, truncated, priority, fingerprint, story_id)"
            " VALUES('k1', 's', 't', 'x', ?, 0, 0, ?, 'story1')", (old._stamp(when), b"\0" * 8),
        )
    old.close()
    return SQLiteStore(path)


def rekey(db: sqlite3.Connection, old: str, new: str) -> None:
    """Give the article stored under ``new`` the key ``old``, as an older digest wrote it: its key,
    its story's id and lead where they were it (an article first in its story names the story)."""
    for sql in ("UPDATE articles SET key = ?1 WHERE key = ?2",
                "UPDATE articles SET story_id = ?1 WHERE story_id = ?2",
                "UPDATE stories SET lead_key = ?1 WHERE lead_key = ?2",
                "UPDATE stories SET id = ?1 WHERE id = ?2"):
        db.execute(sql, (old, new))


def damage(db: Path, table: str = "articles") -> None:
    """Overwrite the root page of ``table`` in the SQLite file ``db`` with garbage, as a bad disk
    sector or a copy cut off by a crash leaves it; the file's header and schema stay readable."""
    with sqlite3.connect(db) as con:
        size = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name=?", (table,)).fetchone()[0]
    con.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\xa5" * size)


class Hold:
    """A write lock held by :func:`hold_write_lock`; ``release()`` ends the hold early and
    waits until the lock is given back."""

    def __init__(self, thread: threading.Thread, stop: threading.Event) -> None:
        self._thread, self._stop = thread, stop

    def release(self) -> None:
        self._stop.set()
        self._thread.join(10)
        assert not self._thread.is_alive()


def hold_write_lock(path: Path, seconds: float) -> Hold:
    """Another process's long write: a connection of its own holds ``path``'s write lock
    (``BEGIN IMMEDIATE``) for ``seconds``, or until released; returned once it holds it."""
    held, stop = threading.Event(), threading.Event()

    def hold() -> None:
        con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO meta(key, value) VALUES('held', '1')")
        held.set()
        stop.wait(seconds)
        con.execute("ROLLBACK")
        con.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(10)
    return Hold(thread, stop)
