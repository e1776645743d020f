"""``digest serve`` behind a reverse proxy: the archive under a path (``--url-prefix``) and the
reader's scheme and host from a trusted proxy (``--trusted-proxy``).

A real proxy in front of a real server: a small forwarding proxy on 127.0.0.1 takes
``/news/...``, strips the prefix (as nginx's ``proxy_pass http://upstream/;`` does) and
sends ``X-Forwarded-*``; every link a reader can follow is followed through it."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
import lxml.html
import pytest

from digest.config import Config
from digest.errors import DigestError
from digest.service.web import make_server
from digest.store.base import open_store
from tests.support.archive import NOW, fill
from tests.support.config import MakeConfig
from tests.support.web import Site, serving

PREFIX = "/news"


@contextmanager
def proxy(upstream: str, *, strip: bool, host: str = "news.example.org") -> Iterator[str]:
    """A forwarding proxy for ``PREFIX``: the reader's ``/news/x`` goes upstream as ``/x``
    (``strip``) or as is, with ``X-Forwarded-Proto: https`` and ``X-Forwarded-Host``.
    One client for every request (as a proxy keeps its upstream connections): a client of
    its own each took ~25 ms to make, most of a crawl's time."""
    upstream_client = httpx.Client()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not (self.path == PREFIX or self.path.startswith(PREFIX + "/")):
                self.send_error(404)
                return
            path = (self.path[len(PREFIX):] or "/") if strip else self.path
            r = upstream_client.get(upstream + path, headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": host})
            self.send_response(r.status_code)
            for name in ("Content-Type", "Location"):
                if name in r.headers:
                    self.send_header(name, r.headers[name])
            self.send_header("Content-Length", str(len(r.content)))
            self.end_headers()
            self.wfile.write(r.content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        upstream_client.close()


def _links(page: str) -> list[str]:
    doc = lxml.html.document_fromstring(page)
    return [str(x) for x in doc.xpath("//a/@href | //link/@href | //form/@action")]


def _crawl(front: str, start: str, limit: int = 60) -> dict[str, int]:
    """Every page of the archive reached from ``start`` by its own links (the outlets' links,
    off the site, left alone): URL -> status."""
    seen: dict[str, int] = {}
    todo = [urljoin(front, start)]
    with httpx.Client(timeout=10) as client:
        while todo and len(seen) < limit:
            url = todo.pop()
            if url in seen:
                continue
            r = client.get(url)
            seen[url] = r.status_code
            if "html" not in r.headers.get("content-type", ""):
                continue
            for href in _links(r.text):
                target = urljoin(url, href).split("#")[0]
                if target.startswith(front) and ("?" not in target or "?day=" in target):  # a story from its day
                    todo.append(target)
    return seen


@pytest.fixture
def cfg(tmp_path: Path, make_config: MakeConfig) -> Config:
    c = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="Test archive")
    with open_store(c.database_url) as store:
        fill(store)
    return c


@pytest.mark.parametrize("strip", [True, False], ids=["proxy strips the prefix", "proxy keeps it"])
def test_every_link_of_the_archive_works_under_a_prefix(cfg: Config, strip: bool) -> None:
    """Links were absolute from the host's root (``/day/...``): behind a proxy serving the
    archive at ``/news/`` every one of them left the archive."""
    with serving(cfg, clock=lambda: NOW, url_prefix=PREFIX, trusted_proxy="127.0.0.1") as server:
        upstream = f"http://127.0.0.1:{server.server_address[1]}"
        with proxy(upstream, strip=strip) as front:
            seen = _crawl(front, PREFIX + "/")
            pages = [urlsplit(u).path for u in seen]
            assert {p.split("/")[2] for p in pages if p.count("/") >= 2} >= {"", "day", "story", "feed.atom"}
            assert all(p.startswith(PREFIX + "/") for p in pages), pages
            assert all(status == 200 for status in seen.values()), seen
            # the search box submits under the prefix too
            r = httpx.get(front + PREFIX + "/search", params={"q": "quake"})
            assert r.status_code == 200 and any(h.startswith(PREFIX + "/story/") for h in _links(r.text))
            # the bare prefix is the index
            r = httpx.get(front + PREFIX, follow_redirects=False)
            assert r.status_code == 200 and PREFIX + "/day/2026-03-14" in _links(r.text)


def test_the_atom_feed_links_to_the_readers_address(cfg: Config) -> None:
    """Through a trusted proxy the feed's links carry the reader's scheme, host and the prefix;
    from any other address the forwarded headers are not believed."""
    with serving(cfg, clock=lambda: NOW, url_prefix=PREFIX, trusted_proxy="127.0.0.1") as server:
        upstream = f"http://127.0.0.1:{server.server_address[1]}"
        with proxy(upstream, strip=True) as front:
            feed = feedparser.parse(httpx.get(front + PREFIX + "/feed.atom").content)
    links = [link.href for e in feed.entries for link in e.links if link.rel == "related"]
    assert links and all(h.startswith("https://news.example.org/news/story/") for h in links), links
    assert feed.feed.link == "https://news.example.org/news/"
    with serving(cfg, clock=lambda: NOW, url_prefix=PREFIX, trusted_proxy="10.9.8.7") as server:
        port = server.server_address[1]
        r = httpx.get(f"http://127.0.0.1:{port}/feed.atom",
                      headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})  # fmt: skip
    feed = feedparser.parse(r.content)
    assert feed.feed.link == f"http://127.0.0.1:{port}/news/"


def test_without_a_prefix_links_stay_at_the_root(site: Site) -> None:
    seen = _crawl(site.url, "/")
    assert all(urlsplit(u).path.startswith(("/day/", "/story/", "/feed.atom", "/search")) or urlsplit(u).path == "/"
               for u in seen)  # fmt: skip
    assert set(seen.values()) == {200}


def test_a_bad_prefix_is_one_line(cfg: Config, tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="--url-prefix"):
        make_server(cfg, "127.0.0.1", 0, url_prefix="/news?x=<b>")
    cfg_file = tmp_path / "feeds.yaml"
    cfg_file.write_text(f"database: {tmp_path / 'digest.sqlite3'}\n")
    done = subprocess.run(
        [sys.executable, "-m", "digest", "serve", "--config", str(cfg_file), "--port", "0", "--url-prefix", "/a b"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--url-prefix" in lines[0], done.stderr


def test_the_month_pages_of_a_long_archive_stay_under_the_prefix(make_config: MakeConfig, tmp_path: Path) -> None:
    """An archive of more than INDEX_RECENT days links its months: under a prefix, every
    month page and every link on it (the months before and after, its days) stays under it."""
    from tests.test_review_stop37_yearlong import _history

    cfg = _history(make_config, tmp_path)
    with serving(cfg, url_prefix=PREFIX) as server:
        upstream = f"http://127.0.0.1:{server.server_address[1]}"
        with proxy(upstream, strip=True) as front:
            seen = _crawl(front, PREFIX + "/", limit=200)
    pages = [urlsplit(u).path for u in seen]
    assert sum(p.startswith(PREFIX + "/month/") for p in pages) >= 3, pages
    assert all(p.startswith(PREFIX + "/") for p in pages), pages
    assert set(seen.values()) == {200}, seen
