"""The web archive on a real server for tests: started on 127.0.0.1, stopped after; and the
checks every page must pass (security headers, no active content but our own)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import lxml.html

from digest.config import Config
from digest.output.sanitize import find_active_content
from digest.service.web import make_server
from digest.service.webserver import ArchiveServer

#: The controls the archive's search box may have (a GET form to /search, nothing else).
SEARCH_CONTROLS = {("input", "search", "q"), ("input", "date", "since"), ("input", "hidden", "sort"), ("button", "submit", None)}


@dataclass
class Site:
    url: str
    cfg: Config
    client: httpx.Client
    server: ArchiveServer

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(self.url + path, **kw)


@contextmanager
def serving(cfg: Config, **options: Any) -> Iterator[ArchiveServer]:
    """``make_server(cfg, "127.0.0.1", 0, **options)`` serving in a thread until the block ends."""
    server = make_server(cfg, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def site(cfg: Config, **options: Any) -> Iterator[Site]:
    with serving(cfg, **options) as server, httpx.Client(timeout=10, follow_redirects=False) as client:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", cfg, client, server)


def hrefs(page: str) -> list[str]:
    return [str(h) for h in lxml.html.document_fromstring(page).xpath("//a/@href")]


def search_box(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The page's one form, checked to be our search box and nothing more."""
    forms = list(doc.iter("form"))
    assert len(forms) == 1, [lxml.html.tostring(f) for f in forms]
    form = forms[0]
    assert (form.get("action"), form.get("method")) == ("/search", "get")
    controls = {(el.tag, el.get("type"), el.get("name")) for el in form.iter("input", "button", "select", "textarea")}
    assert controls <= SEARCH_CONTROLS and ("input", "search", "q") in controls
    return form


def active(page: str) -> list[str]:
    """Active content in a page, allowing only our own feed autodiscovery link and our own
    search box (:func:`search_box`)."""
    doc = lxml.html.document_fromstring(page)
    links = [(el.get("rel"), el.get("href")) for el in doc.iter("link")]
    assert links in ([], [("alternate", "/feed.atom")])
    form = bool(list(doc.iter("form"))) and search_box(doc) is not None
    return [p for p in find_active_content(page)
            if not (links and p.startswith("<link>")) and not (form and p == "<form> element")]  # fmt: skip


def check_headers(r: httpx.Response) -> None:
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "style-src 'unsafe-inline'" in csp
    assert "script-src" not in csp and "form-action 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
