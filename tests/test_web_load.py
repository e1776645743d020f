"""The archive server against clients that stall, over real sockets on 127.0.0.1: 300
half-sent requests, bodies that never come and readers that never read must neither keep a
normal reader waiting nor hold a thread each, and idle connections are closed.
(Throughput under load: ``python -m benchmarks.web_load``.)"""

from __future__ import annotations

import select
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from digest.service import webserver
from digest.store.base import open_store
from tests.support.archive import NOW, fill
from tests.support.config import MakeConfig
from tests.support.web import serving

DAY = "/day/2026-03-14"


@pytest.mark.slow  # seconds by design (CI runs it: --run-slow)
def test_stalled_clients_neither_keep_a_reader_waiting_nor_hold_threads(
    tmp_path: Path, make_config: MakeConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webserver, "IDLE_TIMEOUT", 2)
    monkeypatch.setattr(webserver, "CLEANUP", 1)
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"))
    with open_store(cfg.database_url) as store:
        fill(store)
    with serving(cfg, clock=lambda: NOW) as server:
        port = server.server_address[1]
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + DAY, timeout=10).status_code == 200  # rendered once, before
        threads = threading.active_count()
        stalled: list[socket.socket] = []
        try:
            for i in range(340):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                if i < 300:  # half a request
                    s.sendall(f"GET {DAY} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sl".encode())
                elif i < 320:  # a body announced and never sent
                    s.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nabc")
                else:  # whole requests for the big page, never read
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                    s.sendall(f"GET {DAY} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() * 5)
                stalled.append(s)
            time.sleep(0.3)
            with httpx.Client(timeout=5) as client:
                for path in ("/healthz", DAY, "/"):
                    t0 = time.monotonic()
                    r = client.get(base + path)
                    assert r.status_code == 200, path
                    assert time.monotonic() - t0 < 1.0, path
            assert threading.active_count() <= threads + 1  # a stalled client holds no thread
            # idle connections are closed (IDLE_TIMEOUT, checked every CLEANUP seconds)
            waiting = {s for s in stalled[:320]}
            end = time.monotonic() + 10
            while waiting and time.monotonic() < end:
                ready, _, _ = select.select(list(waiting), [], [], 0.5)
                for s in ready:
                    try:
                        if s.recv(1 << 16) == b"":
                            waiting.discard(s)
                    except OSError:
                        waiting.discard(s)
            assert not waiting, f"{len(waiting)} stalled connections still open"
        finally:
            for s in stalled:
                s.close()
        assert httpx.get(base + "/healthz", timeout=5).status_code == 200
