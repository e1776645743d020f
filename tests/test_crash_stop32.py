"""A review's findings (stop 32) on crashes, kills and a store or disk that fails: each test
failed on the code as reviewed, and states what the user gets now; the docstring says what
happened before.  Real SQLite files on disk, real folders, the real command."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.errors import StoreFull
from digest.service.daemon import Daemon
from tests.support.daemon import Clock, loopback_config, rss
from tests.support.examples import copy_examples
from tests.support.httpd import TestServer, wait_until
from tests.support.stores import damage


@pytest.mark.parametrize("command", [["run"], ["build"]])
def test_a_damaged_store_is_one_line_naming_the_file_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """A store whose file was damaged (a page of ``articles`` overwritten): ``digest run`` and
    ``digest build`` ended in a traceback (``sqlite3.DatabaseError: database disk image is
    malformed``), and ``digest run`` blamed each source first (``error: Harbor Herald:
    internal error: DatabaseError: ...``, recorded as a failure: the daemon pauses a source
    failing long enough).  Now: one line naming the file and what to do, exit status 2."""
    cfg = copy_examples(tmp_path)
    assert main(["run", "--config", str(cfg)]) == 0
    db = tmp_path / "data" / "digest.sqlite3"
    damage(db)
    capsys.readouterr()

    assert main([*command, "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {db}: the store is damaged (database disk image is malformed): restore it from a "
        f"backup, or rescue what it holds with: sqlite3 {db} .recover"
    ], err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["run"], ["build"]])
def test_a_digest_that_cannot_be_written_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """The digest's file could not be written (here a folder in its place; a full disk,
    ``No space left on device``, did the same): ``digest run`` and ``digest build`` ended in
    a traceback (``IsADirectoryError``, ``OSError: [Errno 28]``).  Now: one line naming the
    file and the system's reason, exit status 2; what was read is stored."""
    cfg = copy_examples(tmp_path)
    target = tmp_path / "out" / "digest-2026-11-20.html"
    if command == ["build"]:  # build reads the store a run made: before any, "no store yet" (stop 64)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        target.unlink()
    target.mkdir(parents=True)
    capsys.readouterr()

    assert main([*command, "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {target}: cannot write the digest (Is a directory)"], err
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary file left
    assert "Traceback" not in err
    if command == ["run"]:
        with sqlite3.connect(tmp_path / "data" / "digest.sqlite3") as con:
            assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 21
        con.close()


def _fill_the_disk(con: sqlite3.Connection) -> None:
    """SQLite's own limit on the file's pages: every write that grows it fails as on a full
    disk (``database or disk is full``), the real error from the real library."""
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.execute(f"PRAGMA max_page_count={pages}")


def test_a_full_disk_stops_the_run_with_one_line_and_blames_no_source(tmp_path: Path) -> None:
    """The store's disk full: ``digest run`` said, for every source, ``error: Harbor Herald:
    internal error: StoreError: ...: database or disk is full`` and recorded a failure on each
    (the daemon pauses a source failing for ``pause_after_hours``: all of them, after a full
    disk that lasted as long), then a last line for the digest.  Now the run stops with one
    line (StoreFull, printed as ``error: ...``); the sources' states are as they were, and
    once there is room the next run stores everything."""
    cfg = copy_examples(tmp_path)
    with open_app(cfg) as app:
        _fill_the_disk(app.store.db)  # type: ignore[attr-defined]
        with pytest.raises(StoreFull, match=r"digest\.sqlite3: the disk is full \(database or disk is full\)"):
            app.run()
        assert all(s.failures == 0 and s.last_error is None for s in app.store.list_source_states())
        app.store.db.execute("PRAGMA max_page_count=1073741823")  # type: ignore[attr-defined]
        report = app.run()
        assert (report.new_articles, report.errors) == (21, [])


def test_a_full_disk_stops_a_daemon_round_with_one_line_and_blames_no_source(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The daemon's round on a full disk logged a traceback for every source (``internal
    error: StoreError``) and counted a failure on each: a disk full for ``pause_after_hours``
    paused every source, each to be resumed by hand.  Now one error line a round; the sources
    stay due, unblamed, and the round after the disk has room stores them."""
    with TestServer() as srv:
        for name in ("north", "south"):
            srv.set(f"/{name}.xml", rss(name, range(3)))
        cfg = loopback_config(tmp_path, srv, {"north": "/north.xml", "south": "/south.xml"})
        with open_app(cfg) as app:
            d = Daemon(app, rng=random.Random(1), clock=Clock())
            _fill_the_disk(app.store.db)  # type: ignore[attr-defined]
            caplog.clear()
            with caplog.at_level(logging.INFO):
                assert d.poll_due().new_articles == 0
            bad = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert [r.getMessage() for r in bad] == [
                f"poll: {app.store.path}: the disk is full (database or disk is full): free some "  # type: ignore[attr-defined]
                "space; what was not stored is read again next time (the round stops; its sources stay due)"
            ]
            assert not any(r.exc_info for r in caplog.records)
            assert all(s.failures == 0 for s in app.store.list_source_states())
            app.store.db.execute("PRAGMA max_page_count=1073741823")  # type: ignore[attr-defined]
            assert d.poll_due().new_articles == 6


def test_a_write_the_disk_refuses_inside_a_nested_block_names_the_disk(tmp_path: Path) -> None:
    """A full disk inside a nested block (the daemon stores a source's batch in ``App.unit``,
    ``add_articles`` nests in it): SQLite rolls the whole transaction back itself, and the
    savepoint's ``ROLLBACK TO`` then failed, so the error said ``no such savepoint: sp1``
    instead of the disk.  Now the disk's error is the one raised."""
    from digest.errors import StoreError
    from digest.store.sqlite import SQLiteStore

    with SQLiteStore(tmp_path / "d.sqlite3") as store:
        _fill_the_disk(store.db)
        full = r"the disk is full \(database or disk is full\): free some space; what was not stored is read again next time$"
        with pytest.raises(StoreError, match=full), store.transaction(), store.transaction():
            store.set_meta("big", "x" * 100_000)
        store.db.execute("PRAGMA max_page_count=1073741823")
        store.set_meta("big", "x")  # usable again
        assert store.get_meta("big") == "x"


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (Linux ``/proc``)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _pages_source(tmp_path: Path, n: int = 120) -> Path:
    """A configuration reading a folder of ``n`` whole HTML pages (extracted by the pool)."""
    pages = tmp_path / "pages"
    pages.mkdir()
    words = "harbour council vote quake river bridge mayor budget school storm rescue court".split()
    for i in range(n):
        body = "".join(
            "<p>" + " ".join(words[(i * 7 + j * 3 + k) % len(words)] for k in range(60)).capitalize() + ".</p>"
            for j in range(12)
        )
        (pages / f"p{i}.html").write_text(
            f"<!doctype html><html><head><title>Report {i}</title></head><body><nav>Home News</nav>"
            f"<article><h1>Report {i}</h1>{body}</article><footer>Copyright</footer></body></html>",
            encoding="utf-8",
        )
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Pages\n    path: pages\noutput_dir: out\ndata_dir: data\n", encoding="utf-8")
    return cfg


@contextlib.contextmanager
def _killed_while_extracting(cfg: Path) -> Iterator[tuple[list[str], dict[str, str], list[int]]]:
    """``digest run`` on ``cfg`` killed (``kill -9``) once its process pool is extracting:
    yields the command, its environment and the pool's workers (killed at the end if alive)."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-m", "digest", "run", "--config", str(cfg)]
    run = subprocess.Popen(command, cwd=cfg.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        assert wait_until(lambda: bool(_children(run.pid)), timeout=60)  # the pool is extracting
        workers = _children(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
        yield command, env, workers
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        for pid in workers:  # the orphaned workers the test made
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_run_killed_while_extracting_pages_leaves_the_run_lock_free(tmp_path: Path) -> None:
    """``digest run`` killed (``kill -9``) while its process pool extracted whole pages: the
    pool's workers, forked with the lock's descriptor, lived on and held the store's ``run``
    lock for ever; every later ``digest run`` waited ``--wait`` seconds and gave up (``another
    digest process (pid N) is still reading the sources``, N long dead), and the daemon
    skipped its rounds.  Now the lock dies with the run: the next run reads everything."""
    cfg = _pages_source(tmp_path)
    with _killed_while_extracting(cfg) as (command, env, _workers):
        time.sleep(0.5)
        again = subprocess.run([*command, "--wait", "5"], cwd=tmp_path, env=env, capture_output=True,
                               text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert "is still reading the sources" not in again.stderr
        with sqlite3.connect(tmp_path / "data" / "digest.sqlite3") as con:
            assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 120
        con.close()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_run_killed_while_extracting_pages_leaves_no_worker_behind(tmp_path: Path) -> None:
    """``digest run`` killed (``kill -9``) while its process pool extracted whole pages (cron's
    ``timeout -s KILL``, an OOM kill): its workers waited for work for ever, a process per
    core left behind at each kill, with trafilatura's memory.  Now a worker whose parent
    died exits within seconds."""
    cfg = _pages_source(tmp_path)
    with _killed_while_extracting(cfg) as (_command, _env, workers):
        assert workers

        def gone() -> bool:
            return not any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in workers)

        assert wait_until(gone, timeout=15), [(pid, _state(pid)) for pid in workers]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
