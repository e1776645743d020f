"""A SQLite store served read only keeps its pages (stop 64).

``digest serve`` on a store in a folder it may not write (a read-only mount, another user's
folder) had no change marker (``PRAGMA data_version`` needs the ``-shm`` file it cannot make):
every request rendered its page again (a year-old store's index ~0.5 s, a day page ~0.4 s, each
time).  Now the marker is the file's and its ``-wal``'s stat (``webcache._FileMarker``), and a
change written by another process (one that may write the folder) shows on the next page."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from digest.service import web, webcache
from digest.store.base import Store
from tests.support.config import MakeConfig
from tests.support.disks import read_only
from tests.support.web import site
from tests.test_stop61_bigstore import DAYS, _add, _listed
from tests.test_stop63_daycount_rows import MONTH, _history

DAY = f"/day/{DAYS[3].isoformat()}"
MONTH_PAGE = f"/month/{MONTH[0]}-{MONTH[1]:02d}"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stores the server opens read only, one a request that renders."""
    seen: list[str] = []
    real = web.open_existing_read_only

    def counted(url: str) -> Store:
        seen.append(url)
        return real(url)

    monkeypatch.setattr(web, "open_existing_read_only", counted)
    return seen


def test_a_read_only_store_renders_each_page_once(make_config: MakeConfig, tmp_path: Path, opened: list[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    cfg = _history(make_config, tmp_path, str(data / "s.sqlite3"))
    for f in data.iterdir():  # written a while ago (within webcache.QUIET, pages kept as long only)
        os.utime(f, (time.time() - 60, time.time() - 60))
    with read_only(data), site(cfg) as s:
        first = {p: s.get(p).text for p in ("/", DAY, MONTH_PAGE)}
        opened.clear()
        for _ in range(3):
            assert {p: s.get(p).text for p in first} == first
        assert opened == []  # before: a store opened (and the page rendered) for each request


@contextmanager
def read_only_view(folder: Path, view: Path) -> Iterator[Path]:
    """``folder`` seen read only at ``view`` (a read-only bind mount: root), ``folder`` itself
    writable (the daemon's, another user's)."""
    view.mkdir()
    if os.geteuid() != 0:
        pytest.skip("needs root to bind-mount a folder read-only")
    if subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True).returncode:
            pytest.skip("cannot bind-mount a folder read-only here")
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], capture_output=True)


def test_a_change_written_by_another_process_shows_on_the_next_page(
    make_config: MakeConfig, tmp_path: Path, opened: list[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    cfg = _history(make_config, tmp_path, str(data / "s.sqlite3"))
    with read_only_view(data, tmp_path / "view") as view:
        seen = cfg.model_copy(update={"database": str(view / "s.sqlite3")})
        with site(seen) as s:
            month = MONTH_PAGE
            assert _listed(s.get(month).text)[DAY] == 2 and s.get(DAY).text == s.get(DAY).text
            _add(cfg, DAYS[3], 5)  # the writer, through the folder it may write
            assert _listed(s.get(month).text)[DAY] == 3
            assert "Story 5 of" in s.get(DAY).text
            opened.clear()
            time.sleep(webcache.QUIET * 1.5)  # the files quiet: one rendering more, then kept
            s.get(DAY)
            s.get(DAY)
            assert len(opened) <= 1


def test_the_marker_holds_a_slot_only_while_the_files_change(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"x")
    marker = webcache._FileMarker(path)
    now = marker()
    assert isinstance(now, tuple) and len(now) == 3  # the file, no -wal, the slot: changed just now
    os.utime(path, (time.time() - 60, time.time() - 60))
    quiet = marker()
    assert isinstance(quiet, tuple) and len(quiet) == 2 and marker() == quiet
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"")
    os.utime(wal, (time.time() - 60, time.time() - 60))
    assert marker() != quiet  # a -wal come
    path.unlink()
    assert marker() is None
