"""The store and its folder are private to the user (0600 / 0700), whatever the umask:
real SQLite files on disk, and ``digest run`` as a real process under umask 022."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from digest.records import Article
from digest.store.base import NewArticle
from digest.store.sqlite import SQLiteStore
from tests.support.fixtures import T0

ROOT = Path(__file__).resolve().parents[1]
FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_a_new_store_its_wal_shm_lock_files_and_folder_are_private(tmp_path: Path) -> None:
    db = tmp_path / "data" / "digest.sqlite3"
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755
    try:
        with SQLiteStore(db) as store:
            article = Article(key="k", source="S", title="t", text="x", fetched=T0)
            store.add_articles([NewArticle(article, b"fp", "k", 1.0)])
            with store.exclusive("deliver"):
                files = {p.name: mode(p) for p in db.parent.iterdir()}
    finally:
        os.umask(old)
    assert mode(db.parent) == 0o700
    assert files == {
        "digest.sqlite3": 0o600,
        "digest.sqlite3-wal": 0o600,
        "digest.sqlite3-shm": 0o600,
        "digest.sqlite3.deliver.lock": 0o600,
    }


def test_digest_run_under_umask_022_leaves_a_private_data_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Coast\n    path: {FEEDS / 'coast.rss'}\noutput_dir: out\ndata_dir: data\n")
    subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(cfg), "--quiet"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True,
        timeout=300, umask=0o022,
    )
    data = tmp_path / "data"
    assert mode(data) == 0o700
    # the lock a run holds while it reads the sources stays on disk (see digest.store.sqlite), private
    assert {p.name: mode(p) for p in data.iterdir()} == {"digest.sqlite3": 0o600, "digest.sqlite3.run.lock": 0o600}
    # the digests themselves are for reading: as the umask says
    assert mode(tmp_path / "out") == 0o755
    assert {mode(p) for p in (tmp_path / "out").iterdir()} == {0o644}


def test_an_existing_folder_and_store_keep_their_modes(tmp_path: Path) -> None:
    """The user chose them (a folder shared with a web server's group, say): not changed."""
    data = tmp_path / "shared"
    data.mkdir(mode=0o750)
    data.chmod(0o750)
    with SQLiteStore(data / "d.sqlite3"):
        pass
    (data / "d.sqlite3").chmod(0o640)
    with SQLiteStore(data / "d.sqlite3"):
        pass
    assert mode(data) == 0o750 and mode(data / "d.sqlite3") == 0o640
