"""The world of ``benchmarks.kill_fuzz``: four feeds served on loopback whose entries change
each round (:class:`World`, served by :class:`Site`), an aiosmtpd mail box (:class:`Mail`),
both for as long as a block runs (:func:`services`); the configuration pointing at them
(:func:`write_cfg`) and ``python -m digest`` run, or killed after a delay (:func:`digest`).
Shared by ``kill_points`` and the ``crash_*`` benchmarks.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
STEP = timedelta(hours=11)
FEEDS = ("alpha", "beta", "gamma", "delta")
WORDS = ("harbor council bridge river budget school rail storm museum vote market ferry "
         "tunnel library hospital airport stadium festival drought flood mayor court union "
         "strike factory orchard vineyard glacier volcano reef lighthouse canal castle").split()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


class Site:
    """What the loopback server serves: path -> (content type, body)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.lock = threading.Lock()

    def serve(self) -> ThreadingHTTPServer:
        site = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site.lock:
                    page = site.pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                tag = '"%x"' % (hash(page[1]) & 0xFFFFFFFF)  # validators: a 304 when unchanged
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", tag)
                self.send_header("Content-Type", page[0])
                self.send_header("Content-Length", str(len(page[1])))
                self.end_headers()
                self.wfile.write(page[1])

            def log_message(self, *a: Any) -> None:
                pass

        srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        return srv


class Mail:
    def __init__(self) -> None:
        self.got: list[tuple[str, str, str]] = []  # (recipient, Message-ID, Subject)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content)
        with self.lock:
            for r in envelope.rcpt_tos:
                self.got.append((r, str(msg["Message-ID"]), str(msg["Subject"])))
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def _text(rng: random.Random, topic: list[str], n: int) -> str:
    sents = []
    for _ in range(n):
        ws = [rng.choice(topic) for _ in range(rng.randint(8, 14))]
        sents.append(" ".join(ws).capitalize() + ".")
    return " ".join(sents)


class World:
    """The feeds' entries, changed each round from ``seed``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        #: feed -> guid -> dict(title, text, published)
        self.entries: dict[str, dict[str, dict[str, Any]]] = {f: {} for f in FEEDS}
        self.n = 0
        self.served: set[tuple[str, str]] = set()

    def step(self, now: datetime) -> None:
        rng = self.rng
        for _ in range(rng.randint(2, 4)):  # new stories, each told by 1-3 outlets
            self.n += 1
            topic = [*rng.sample(WORDS, 3), *(_word(rng) for _ in range(5))]
            base = _text(rng, topic, 6)
            for f in rng.sample(FEEDS, rng.randint(1, 3)):
                guid = f"{f}-{self.n}"
                sents = base.split(". ")
                rng.shuffle(sents)
                self.entries[f][guid] = {
                    "title": f"{topic[0].title()} {topic[1]} {topic[2]} {self.n}",
                    "text": ". ".join(sents) + " " + _text(rng, topic, 2),
                    "published": now - timedelta(minutes=rng.randint(0, 300)),
                }
        allg = [(f, g) for f in FEEDS for g in self.entries[f]]
        if len(allg) > 6:
            f, g = rng.choice(allg)  # revised in place: a paragraph added
            e = self.entries[f][g]
            e["text"] += " Update: " + _text(rng, e["text"].lower().split()[:8], 3)
            f, g = rng.choice(allg)  # a notice
            self.entries[f][g]["text"] = "This article has been removed."
            f, g = rng.choice(allg)  # removed from the feed
            del self.entries[f][g]
        for f in FEEDS:
            self.served |= {(f, g) for g in self.entries[f]}

    def publish(self, site: Site, port: int) -> None:
        pages: dict[str, tuple[str, bytes]] = {}
        for f in FEEDS:
            items = []
            for g, e in self.entries[f].items():
                link = f"http://127.0.0.1:{port}/{f}/{g}.html"
                desc = e["text"] if f != "delta" else e["text"][:120]
                items.append(
                    f"<item><title>{e['title']}</title><link>{link}</link><guid>{g}</guid>"
                    f"<pubDate>{format_datetime(e['published'])}</pubDate>"
                    f"<description>{desc}</description></item>")
                pages[f"/{f}/{g}.html"] = ("text/html", (
                    f"<html><head><title>{e['title']}</title></head><body><article><h1>{e['title']}</h1>"
                    f"<p>{e['text']}</p></article></body></html>").encode())
            pages[f"/{f}.xml"] = ("application/rss+xml", (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{f}</title>'
                f"<link>http://127.0.0.1:{port}/</link>{''.join(items)}</channel></rss>").encode())
        with site.lock:
            site.pages = pages


def write_cfg(folder: Path, port: int, smtp: int, clock: datetime, tz: str) -> Path:
    data = {
        "sources": [
            {"name": f.title(), "url": f"http://127.0.0.1:{port}/{f}.xml",
             **({"full_text": True} if f == "delta" else {})}
            for f in FEEDS
        ],
        "data_dir": str(folder / "data"), "output_dir": str(folder / "out"),
        "timezone": tz, "clock": clock.isoformat(),
        "fetch": {"allow_hosts": [f"127.0.0.1:{port}"]},
        "dedup": {"window_days": 1},
        "backlog_days": 0,
        "email": {"host": "127.0.0.1", "port": smtp, "security": "none",
                  "from": "d@example.org", "to": ["r@example.org"]},
    }
    cfg = folder / "feeds.yaml"
    cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
    return cfg


def digest(cfg: Path, *args: str, kill_after: float | None = None) -> tuple[int | None, str]:
    """Run ``digest ARGS``; with ``kill_after``, SIGKILL it then (None: killed)."""
    cmd = [sys.executable, "-m", "digest", *args, "--config", str(cfg)]
    if kill_after is None:
        p = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
        return p.returncode, p.stdout + p.stderr
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        proc.wait(kill_after)
        out = proc.stdout.read().decode() if proc.stdout else ""
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # the fulltext pool's children, if any, die with their parent's pipe
        return None, ""


@contextmanager
def services() -> Iterator[tuple[Site, int, Mail, int]]:
    """The feeds' HTTP server and an SMTP server on loopback, for as long as the block runs:
    (the site, its port, the mail box, the SMTP port)."""
    site = Site()
    srv = site.serve()
    mail = Mail()
    smtp = _free_port()
    ctl = Controller(mail, hostname="127.0.0.1", port=smtp, ready_timeout=10)
    ctl.start()
    try:
        yield site, srv.server_address[1], mail, smtp
    finally:
        ctl.stop()
        srv.shutdown()
