"""``digest serve`` while a run writes the same store (stop 48 review): a real server on
127.0.0.1 over a real SQLite file, another connection writing it as a ``digest run`` does,
pages fetched with httpx from threads."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from digest.config import Config
from digest.service import web
from digest.store.base import open_store
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
    monkeypatch.setattr(web, "THREADS", 1)
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
