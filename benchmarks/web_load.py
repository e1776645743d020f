"""The archive server (``digest serve``) under load: a large day page at 20 concurrent readers.

How it works
------------
A SQLite store gets one day of ``--stories`` stories of three versions each
(ECB+ texts when the corpus is there, else made-up sentences), which makes a
day page of ~300 KB.  The server runs in a child process on loopback (so the
load generator does not share its interpreter), and an asyncio load generator
in this process keeps ``--concurrency`` keep-alive connections busy until
``--requests`` requests of the day page are answered (a connection the server
closes is opened again, its connect time counted in the request's latency).
Prints requests/s, p50 and p99 for:

* the baseline: the standard library's threaded ``wsgiref`` server (backlog 5,
  a thread per connection, what ``digest serve`` ran on before) with the page
  rendered on every request (``make_app(cache=False)``), over
  ``--baseline-requests`` requests (it is slow);
* ``digest serve`` as it is (waitress, the page rendered once per change): the
  first, uncached request on its own, then the run.

Then the slow-client check: ``--stalled`` connections each send half a
request and stall; a normal client must get ``/healthz`` and the day page
within a second.  Targets (``--check``: exit 1 when missed; timings on a shared
machine are noisy): ≥ 300 requests/s, p99 ≤ 100 ms, the normal client served
within 1 s.

    python -m benchmarks.web_load [--stories 320] [--requests 3000] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.simple_server import make_server as wsgiref_server

from digest.config import Config, parse_config
from digest.records import Article
from digest.store.base import NewArticle, open_store

from .common import ECB

DAY = datetime(2026, 3, 14, tzinfo=UTC)
NOW = DAY + timedelta(hours=23)
PATH = "/day/2026-03-14"
_WORDS = ("council harbour storm police minister river bridge court vote school fire rail "
          "hospital market strike report flood power road budget").split()


def _texts(n: int) -> list[tuple[str, str]]:
    if ECB.is_file():
        rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [(str(r.get("title") or r["text"][:80])[:160], str(r["text"])) for r in rows]
    rng = random.Random(7)
    return [(" ".join(rng.choices(_WORDS, k=8)).capitalize(),
             ". ".join(" ".join(rng.choices(_WORDS, k=12)).capitalize() for _ in range(8)) + ".")
            for _ in range(n)]  # fmt: skip


def fill(cfg: Config, stories: int) -> None:
    texts = _texts(stories * 3)
    items = []
    for s in range(stories):
        for v in range(3):
            title, text = texts[(s * 3 + v) % len(texts)]
            at = DAY + timedelta(minutes=2 * s + v)
            art = Article(key=f"a{s}-{v}", source=f"Outlet {(s + v) % 40}", title=title, text=text,
                          url=f"https://outlet{(s + v) % 40}.example/{s}/{v}", published=at, fetched=at)
            items.append(NewArticle(art, b"fp", f"s{s}", 0.9 - v / 10))
    with open_store(cfg.database_url) as store:
        store.add_articles(items, leads={f"s{s}": f"a{s}-0" for s in range(stories)})


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):  # what digest serve ran on before
    daemon_threads = True
    allow_reuse_address = True


def _serve(cfg: Config, kind: str, conn: Any) -> None:
    import logging

    logging.disable(logging.WARNING)
    if kind == "baseline":
        from digest.service.web import make_app

        app = make_app(cfg, lambda: open_store(cfg.database_url), clock=lambda: NOW, cache=False)
        server: Any = wsgiref_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer,
                                     handler_class=_Quiet)  # fmt: skip
    else:
        from digest.service.web import make_server

        server = make_server(cfg, "127.0.0.1", 0, clock=lambda: NOW)
    conn.send(server.server_address[1])
    server.serve_forever()


# -- the load generator ----------------------------------------------------------
async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bool]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()
        return int(status), True
    close = headers.get("connection", "").lower() == "close" or (
        version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive")
    return int(status), close


async def _load(port: int, path: str, requests: int, concurrency: int, timeout: float) -> dict[str, Any]:
    left = requests
    latencies: list[float] = []
    errors: list[str] = []

    async def worker() -> None:
        nonlocal left
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while left > 0:
            left -= 1
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
                status, close = await asyncio.wait_for(_request(*conn, path), timeout)
                if status != 200:
                    errors.append(f"HTTP {status}")
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(type(exc).__name__)
                close = True
            latencies.append(time.perf_counter() - t0)
            if close and conn is not None:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    return {
        "requests": len(lat), "errors": len(errors), "error_kinds": sorted(set(errors)),
        "seconds": wall, "rps": len(lat) / wall,
        "p50_ms": 1000 * lat[len(lat) // 2], "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))],
    }


def _get(port: int, path: str, timeout: float = 60) -> tuple[int, float, int]:
    """One request on a new connection: (status, seconds, body bytes)."""
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(1 << 16):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data else 0
    return status, time.perf_counter() - t0, len(data.partition(b"\r\n\r\n")[2])


def stalled_check(port: int, stalled: int) -> dict[str, Any]:
    """``stalled`` connections send half a request and stall; how long a normal client waits."""
    socks = []
    try:
        for _ in range(stalled):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sl".encode())
            socks.append(s)
        time.sleep(0.5)
        health = _get(port, "/healthz", timeout=10)
        day = _get(port, PATH, timeout=10)
    finally:
        for s in socks:
            s.close()
    return {"stalled": stalled, "healthz_ms": 1000 * health[1], "healthz_status": health[0],
            "day_ms": 1000 * day[1], "day_status": day[0]}  # fmt: skip


def _run(cfg: Config, kind: str, requests: int, concurrency: int, stalled: int) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(cfg, kind, child), daemon=True)
    proc.start()
    try:
        port = parent.recv()
        out: dict[str, Any] = {"server": kind}
        status, first, size = _get(port, PATH, timeout=300)
        out.update(first_ms=1000 * first, page_bytes=size, first_status=status)
        out.update(asyncio.run(_load(port, PATH, requests, concurrency, timeout=120)))
        if stalled:
            out["slow_clients"] = stalled_check(port, stalled)
        return out
    finally:
        proc.terminate()
        proc.join(10)


def _line(r: dict[str, Any]) -> str:
    return (f"{r['server']:9} {r['requests']:6d} requests  {r['rps']:8.1f} req/s  p50 {r['p50_ms']:8.1f} ms  "
            f"p99 {r['p99_ms']:8.1f} ms  errors {r['errors']}{' ' + ','.join(r['error_kinds']) if r['errors'] else ''}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--stories", type=int, default=320)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--baseline-requests", type=int, default=60, help="0: no baseline run")
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--stalled", type=int, default=300)
    ap.add_argument("--target-rps", type=float, default=300.0)
    ap.add_argument("--target-p99-ms", type=float, default=100.0)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digest-web-") as tmp:
        cfg = parse_config(f"database: {Path(tmp) / 'digest.sqlite3'}\ntitle: Load test\n",
                           path=Path(tmp) / "feeds.yaml")  # fmt: skip
        fill(cfg, args.stories)
        print(f"{args.stories} stories of 3 versions on {PATH}; concurrency {args.concurrency}")
        runs = []
        if args.baseline_requests:
            runs.append(_run(cfg, "baseline", args.baseline_requests, args.concurrency, 0))
            print(f"baseline: first request {runs[-1]['first_ms']:.0f} ms, page {runs[-1]['page_bytes'] / 1000:.0f} KB")
            print(_line(runs[-1]))
        new = _run(cfg, "serve", args.requests, args.concurrency, args.stalled)
        runs.append(new)
        print(f"serve: first (uncached) request {new['first_ms']:.0f} ms, page {new['page_bytes'] / 1000:.0f} KB")
        print(_line(new))
    slow = new.get("slow_clients")
    ok = new["rps"] >= args.target_rps and new["p99_ms"] <= args.target_p99_ms and not new["errors"]
    if slow:
        served = slow["healthz_status"] == slow["day_status"] == 200
        slow_ok = served and max(slow["healthz_ms"], slow["day_ms"]) <= 1000
        print(f"{slow['stalled']} stalled half-requests: /healthz {slow['healthz_status']} in {slow['healthz_ms']:.0f} ms, "
              f"day page {slow['day_status']} in {slow['day_ms']:.0f} ms: {'ok' if slow_ok else 'NOT ok'}")
        ok = ok and slow_ok
    print(f"targets (>= {args.target_rps:.0f} req/s, p99 <= {args.target_p99_ms:.0f} ms, served within 1 s "
          f"beside stalled clients): {'met' if ok else 'NOT met'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs}, indent=2))
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
