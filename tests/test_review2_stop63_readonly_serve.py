"""A second review's finding (stop 63): ``digest serve`` on a SQLite store it may only read.

``digest serve`` is the archive's reader ("read-only" in its ``--help``), and since stop 63 it
keeps its day counts in the store, a cache it gives up where the store refuses it.  But a
store whose folder it cannot write (a read-only mount, the daemon's folder served by another
user) was never served: the server opened the store as a writer does and stopped at once
("cannot open the store: the store or its folder ... cannot be written").  Now it says so in
one line and serves every page from the store read only (``store.readonly``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config.reading import load_config
from tests.support.disks import read_only
from tests.support.examples import copy_examples
from tests.support.web import site


def test_a_store_in_a_read_only_folder_is_served(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = copy_examples(tmp_path)
    assert main(["run", "--config", str(cfg_path)]) == 0
    cfg = load_config(cfg_path)
    data = tmp_path / "data"
    before = (data / "digest.sqlite3").read_bytes()
    [html] = sorted((tmp_path / "out").glob("digest-*.html"))[-1:]
    day = "/day/" + html.stem.removeprefix("digest-")
    assert not (data / "digest.sqlite3-wal").exists()  # closed: no -wal, no -shm (as after a daemon stopped)
    capsys.readouterr()
    with read_only(data), site(cfg) as s:
        for path in ("/", day, "/month/" + day[5:12], "/feed.atom", "/search?q=quake", "/healthz"):
            r = s.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert "story" in s.get(day).text
    assert (data / "digest.sqlite3").read_bytes() == before
