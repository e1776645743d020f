"""Stores as an older digest left them, for the tests of each added column."""

from __future__ import annotations

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
