"""``digest serve`` while a run writes the same store (stop 48 review): a real server on
127.0.0.1 over a real SQLite file, another connection writing it as a ``digest run`` does,
pages fetched with httpx from threads."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from digest.config import Config
from digest.service import web, webserver
from digest.store.base import open_store
from digest.store.sqlite import SQLiteStore
from tests.support.archive import NOW, fill
from tests.support.config import MakeConfig
from tests.support.web import serving

DAY = "/day/2026-03-14"


@pytest.fixture
def store_file(tmp_path: Path, make_config: MakeConfig) -> Iterator[tuple[Path, Config]]:
    path = tmp_path / "digest.sqlite3"
    cfg = make_config(tmp_path, database=str(path))
    with open_store(cfg.database_url) as store:
        fill(store)
    yield path, cfg


def test_readers_waiting_for_a_worker_do_not_flood_the_log(
    store_file: tuple[Path, Config], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """waitress logged a WARNING "Task queue depth is N" for every request that found every
    worker busy: 10 readers for 8 workers made 1,244 warning lines in 25 s of ``digest serve``'s
    log.  A queue is the design (the event loop holds the waiting requests); it is said at most
    once a ``QUEUE_LOG_EVERY`` seconds."""
    _, cfg = store_file
    monkeypatch.setattr(webserver, "THREADS", 1)
    caplog.set_level(logging.INFO)
    with serving(cfg, clock=lambda: NOW) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"

        def read(n: int) -> None:
            with httpx.Client(timeout=20) as client:
                for i in range(4):
                    assert client.get(f"{base}/search?q=quake+{n}x{i}").status_code == 200

        threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    queued = [r for r in caplog.records if r.name == "waitress.queue"]
    assert len(queued) <= 1, len(queued)


def test_a_store_gone_while_serve_runs_is_a_503_not_a_new_empty_store(store_file: tuple[Path, Config]) -> None:
    """The store's file moved aside while ``digest serve`` ran (a backup being restored, its
    disk unmounted): each request opened the store, which made a new empty one (and its folder)
    in its place: the archive answered 200 with no day, /healthz "ok", and a stray store stood
    where the restored one was to go.  Serve, which only reads, now says the store is gone."""
    path, cfg = store_file
    aside = path.parent / "aside"
    with serving(cfg, clock=lambda: NOW) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert httpx.get(base + DAY, timeout=10).status_code == 200
        aside.mkdir()
        for f in path.parent.glob(path.name + "*"):
            f.rename(aside / f.name)
        for page in ("/", DAY, "/healthz", "/search?q=quake"):
            assert httpx.get(base + page, timeout=10).status_code == 503, page
        assert not path.exists()  # nothing made in its place
        for f in aside.iterdir():  # put back: served again
            f.rename(path.parent / f.name)
        r = httpx.get(base + DAY, timeout=10)
        assert r.status_code == 200 and "Quake shakes Opunake" in r.text


def test_readers_of_a_page_while_a_run_commits_share_one_rendering(
    store_file: tuple[Path, Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every commit of a run changes the store's marker, and readers of one page wait for its
    one rendering; but each waiter then asked for the page at the marker it had read: a run
    committing meanwhile made every waiter render the page again, one after the other (the index
    took up to 27 s under 50 readers during ``digest replay``).  A waiter now takes a rendering
    begun after it asked: it shows everything committed before."""
    path, cfg = store_file
    renders = 0
    real = web.Pages.index

    def index(self: web.Pages, store: object, root: str = "/", version: object = None) -> web.Page:
        nonlocal renders
        renders += 1
        time.sleep(0.3)  # a year's index under load
        return real(self, store, root, version)  # type: ignore[arg-type]

    monkeypatch.setattr(web.Pages, "index", index)
    stop = threading.Event()

    def run() -> None:  # a run committing all along
        with SQLiteStore(path) as writer:
            n = 0
            while not stop.is_set():
                writer.set_meta("review:run", str(n))
                n += 1
                time.sleep(0.01)

    with serving(cfg, clock=lambda: NOW) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        writer = threading.Thread(target=run)
        writer.start()
        try:
            time.sleep(0.1)
            statuses: list[int] = []

            def read() -> None:
                statuses.append(httpx.get(base + "/", timeout=30).status_code)

            readers = [threading.Thread(target=read) for _ in range(8)]
            t0 = time.monotonic()
            for t in readers:  # each arriving after a commit: each at a marker of its own
                t.start()
                time.sleep(0.02)
            for t in readers:
                t.join()
            took = time.monotonic() - t0
        finally:
            stop.set()
            writer.join()
    assert statuses == [200] * 8
    assert renders <= 3, (renders, took)
