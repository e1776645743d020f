"""Feeds served on 127.0.0.1 for the pipeline benchmarks (``poll_cycle``, ``feeds_run``).

Observations
------------
* digest's own fetcher must do the talking: a benchmark that hands the
  pipeline bytes skips the connection set-up, the guarded transport, the
  conditional GET and the error paths that a real run pays for.
* Real feed servers are not all well behaved: some ignore validators and
  send the same body again, some are slow, some fail (500, 404), send
  garbage, or hang up without an answer.

How it works
------------
:class:`FeedServer` is a :class:`http.server.ThreadingHTTPServer` on an
ephemeral loopback port, in a background thread, answering from a route
table of :class:`Route` (body, ETag, delay, status, or a broken kind).  A
route with an ``etag`` answers 304 to a matching ``If-None-Match``, like a
real server; without one it sends the body every time.  Delayed routes wait
on an event set at shutdown, so stopping never waits for them.

:func:`rss` writes an RSS 2.0 document (``content:encoded`` full text,
``description`` summary, ``guid``, ``link``, ``pubDate``) from plain items,
and :func:`ecb_texts` gives ECB+ articles (``../shared``) as
``(title, text)`` pairs for the items' words.
"""

from __future__ import annotations

import email.utils
import http.server
import json
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from html import escape
from types import TracebackType

from .common import ECB


@dataclass
class Route:
    """One path's behaviour."""

    body: bytes = b""
    status: int = 200
    etag: str | None = None
    content_type: str = "application/rss+xml; charset=utf-8"
    #: Seconds to wait before answering.
    delay: float = 0.0
    #: ``"close"``: hang up without answering.
    broken: str | None = None


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        route = owner.routes.get(path)
        with owner.lock:
            owner.hits[path] += 1
        if route is None:
            self._reply(404, b"not found", "text/plain")
            return
        if route.delay and owner.stopping.wait(route.delay):
            return
        if route.broken == "close":
            self.close_connection = True
            return
        if route.etag is not None and self.headers.get("If-None-Match") == route.etag:
            with owner.lock:
                owner.not_modified += 1
            self._reply(304, b"", None, etag=route.etag)
            return
        self._reply(route.status, route.body, route.content_type, etag=route.etag)

    def _reply(self, status: int, body: bytes, ctype: str | None, *, etag: str | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    owner: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        # clients that give up (timeouts) hang up on slow routes: expected here
        if isinstance(sys.exc_info()[1], ConnectionError) or self.owner.stopping.is_set():
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FeedServer:
    """Routes served on 127.0.0.1:<ephemeral port>; a context manager."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str
    published: datetime
    text: str


def rss(
    title: str, link: str, items: list[Item], *, full: bool = True, summary_words: int = 40
) -> bytes:
    """An RSS 2.0 feed: a short description, and (``full``) the text as ``content:encoded``.

    An item with an empty ``guid`` has none.
    """
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>",
        f"<description>{escape(title)} news</description>",
    ]
    for it in items:
        summary = " ".join(it.text.split()[:summary_words])
        guid = f'<guid isPermaLink="false">{escape(it.guid)}</guid>' if it.guid else ""
        content = ""
        if full:
            paras = "".join(f"<p>{escape(p)}</p>" for p in _paragraphs(it.text))
            content = f"<content:encoded><![CDATA[{paras}]]></content:encoded>"
        out.append(
            f"<item><title>{escape(it.title)}</title><link>{escape(it.link)}</link>{guid}"
            f"<pubDate>{email.utils.format_datetime(it.published)}</pubDate>"
            f"<description>{escape(summary)} ...</description>{content}</item>"
        )
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def _paragraphs(text: str, per: int = 3) -> list[str]:
    sents = [s.strip() for s in text.replace(" . ", " .\n").splitlines() if s.strip()]
    return [" ".join(sents[i : i + per]) for i in range(0, len(sents), per)] or [text]


def ecb_texts() -> list[tuple[str, str]]:
    """ECB+ articles as (title, text), in corpus order."""
    if not ECB.is_file():
        raise SystemExit(f"{ECB}: ECB+ corpus not found (set DIGEST_SHARED to the shared folder)")
    rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["title"], r["text"]) for r in rows]
