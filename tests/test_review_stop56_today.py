"""Review of stop 56's changes (docs/evaluation.md, "Stop 56: review of today's changes").

Real parts: SQLite files on disk, ``digest`` through its command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.store.sqlite import SQLiteStore
from tests.support.config import make_config

FEED = "https://coast.example/feed.xml"


def test_export_opml_leaves_no_wal_files_beside_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The read-only export opened the SQLite file with ``mode=ro``: a connection that may not
    write makes the WAL's ``-wal`` and ``-shm`` files and cannot remove them, so each export
    left two files beside a store no process had open.  Now the file is opened as the store
    is, every statement read-only (``query_only``): its last connection removes them."""
    db = tmp_path / "d.sqlite3"
    with SQLiteStore(db) as store, store.transaction():
        store.db.execute("INSERT INTO sources(name, location) VALUES(?, ?)", ("Coast", FEED))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.sqlite3"]
    cfg = make_config(tmp_path, {"Coast": FEED}, write=True, database=f"sqlite:///{db}").config_path
    assert cfg is not None
    before = {p.name for p in tmp_path.iterdir()}
    assert main(["export-opml", "--config", str(cfg)]) == 0
    assert FEED in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == before
