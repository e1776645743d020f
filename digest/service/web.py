"""``digest serve``: a small read-only web archive of the digests.

Observations
------------
* Everything shown comes from feeds and is hostile.  Day pages are
  :func:`digest.output.render.render_html` (sanitized by the renderer); the other
  pages are Jinja2 templates with autoescaping and http(s)-only links
  (:func:`digest.output.sanitize.safe_url`); the Atom feed is built by
  :mod:`digest.output.atom` (the rendering: :mod:`digest.service.webpages`).
  Every response also carries a strict Content-Security-Policy (no scripts,
  no external anything, forms only to this site), ``nosniff`` and
  ``Referrer-Policy: no-referrer``.
* The archive may be private: the server binds to 127.0.0.1 unless told
  otherwise (and logs a warning when it is told otherwise).
* The standard library's ``http.server`` rendered each day page on every request (2.3
  pages/s of a 300-story day at 20 concurrent readers).  Now pages are rendered once per
  change of the store (:mod:`digest.service.webcache`) and conditional requests answered
  304; the server is waitress (:mod:`digest.service.webserver`: its limits, its stop).
* A ``Store`` must not be shared between threads, so each rendering opens its
  own through ``store_factory`` and closes it; a page served from the cache
  opens none.

Routes
------
``/``                     days, newest first, with story counts: the days of
                          built digests plus the last ``index_days`` days into
                          which something arrived; each count is that of the
                          day's view (new and developing), as its page shows.
                          The newest ``INDEX_RECENT`` (31) are listed, by month,
                          then every month with its number of days.
``/month/YYYY-MM``        that month's days, counted as the index counts them,
                          with the months before and after.
``/day/YYYY-MM-DD``       that day's digest (``render_html``), with a
                          navigation line, the previous and the next day of
                          the index (top and bottom) and a permalink under
                          each story.  A day with no digest (or no day:
                          2016-02-30) is a 404 page saying so, with the
                          nearest days that have one and the index.
``/story/<id>?day=``      every version of a story: outlet, time, link and
                          excerpt; the id of a story that regrouping retired
                          redirects (302) to the story now holding the article
                          that started it.  Its navigation goes back to ``day``
                          (the day page linking it) when the story is on it,
                          else to its first day (``digest.service.webstory``).
``/search?q=&since=&page=&sort=``  the stories matching the words (``digest search``),
                          best first (``sort=newest``: the latest first), 50 a
                          page; every page has the search box.
``/feed.atom``            Atom feed of the stories of the last ``feed_days`` days.
``/healthz``              "ok" when the store can be opened (never cached).

A SQLite store whose file is gone while the server runs (moved aside, its disk unmounted) is a
503 saying so on every page, never a new empty store made in its place.

Anything else is 404; methods other than GET/HEAD are 405.  A day before the first day a
prune kept, and a story it removed, are 410 (``digest.retention``), said as such.

Special cases
-------------
* The day page's permalinks are added to the rendered page as elements
  (lxml), one under each ``h2.story``; with a user template that does not
  produce those headings, a list of permalinks is appended instead.
* The feed's absolute URLs use the request's ``Host`` header when it looks
  like a host name, else the server's own address.  Behind a reverse proxy,
  ``--trusted-proxy`` lets waitress take the reader's scheme and host from that
  address's ``X-Forwarded-*`` (from others they are dropped), and
  ``--url-prefix /news`` (waitress's ``SCRIPT_NAME``, whether the proxy strips
  the prefix or not) starts every link of every page and of the feed: links
  were from the host's root, and behind ``/news/`` each one left the archive.
* Cached pages are kept by what they depend on: the store's change marker and
  the day (the index, a day page's previous and next day), the minute for the
  feed (its entries' times are capped at now), the Host for the feed's URLs.
  Day pages and the index share a cache apart from stories, searches and feeds,
  so that many distinct story or search URLs never push the day pages out.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs, quote

from ..config import Config
from ..errors import DigestError, StoreError, StoreUnwritable
from ..sources.dates import day_fits
from ..store.base import Store, open_store
from ..store.readonly import open_existing_read_only, open_read_only, read_only_file
from .reload import CONFIG_CHECK, SERVED_FIXED, ConfigWatch, take
from .webcache import PageCache, change_marker, http_date, not_modified
from .webpages import Page, Pages, one_line
from .websearch import typed_query
from .webserver import ArchiveServer, StartResponse, WSGIApp, proxy_options
from .webstory import asked_day

__all__ = ["SECURITY_HEADERS", "make_app", "make_server", "serve"]

log = logging.getLogger(__name__)

SECURITY_HEADERS: list[tuple[str, str]] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-cache"),
]

_DAY = re.compile(r"/day/(\d{4}-\d{2}-\d{2})")
_MONTH = re.compile(r"/month/(\d{4})-(\d{2})")
_STORY = re.compile(r"/story/(.+)")
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)


class _App:
    def __init__(
        self,
        cfg: Config,
        store_factory: Callable[[], Store],
        *,
        feed_days: int,
        index_days: int,
        feed_max: int,
        clock: Callable[[], datetime] | None,
        cache: bool,
        keep_counts: bool = True,
    ) -> None:
        self.cfg = cfg
        self.store_factory = store_factory
        #: The time it is for the pages: ``clock``, else the configuration's (``clock:`` when
        #: set), read from the configuration taken last: an edited ``clock:`` is taken as any
        #: other setting.  Held fixed, it was refused ("clock changed: restart digest") at that
        #: edit and at every edit after it, each an ERROR line, the file's other changes not
        #: taken (stop 54).
        self.clock: Callable[[], datetime] = clock or (lambda: self.cfg.now())
        self._limits = {"feed_days": feed_days, "index_days": index_days, "feed_max": feed_max}
        self.pages = Pages(cfg, clock=self.clock, **self._limits)
        #: The configuration file, read again when it changed (looked at every CONFIG_CHECK s);
        #: each one read is new ``pages``, and a cached page is of the ``pages`` it was made by.
        self._watch, self._looked = ConfigWatch(cfg), time.monotonic()
        self._reading = threading.Lock()
        self.marker: Callable[[], Hashable | None] = lambda: None
        if cache:
            with self.store() as store:
                self.marker = change_marker(store)
        #: Writes the day counts (SQLite: the marker's, no change of it; a store served read
        #: only: nothing, each write would fail), or None: the store's own.
        self.keeps: Callable[[str, dict[str, tuple[int, str]]], None] | None = (
            getattr(self.marker, "keep_day_counts", None) if keep_counts else lambda config, counts: None)
        self.pages.counts.writer = self.keeps
        self.days_cache = PageCache(max_entries=512, max_bytes=96 << 20)  # the index, day pages
        self.other_cache = PageCache(max_entries=1024, max_bytes=32 << 20)  # stories, searches, feeds

    def reload_config(self) -> bool:
        """Take the configuration file again if it changed (``digest.service.reload``): new
        filters, title, locale and time zone show on the next page; one request at a time
        looks, at most every ``CONFIG_CHECK`` seconds.  True when a new one was taken."""
        if time.monotonic() - self._looked < CONFIG_CHECK or not self._reading.acquire(blocking=False):
            return False
        try:
            self._looked = time.monotonic()
            new = take(self.cfg, self._watch, fixed=SERVED_FIXED)
            if new is None:
                return False
            self.cfg, self.pages = new, Pages(new, clock=self.clock, **self._limits)
            self.pages.counts.writer = self.keeps
            return True
        finally:
            self._reading.release()

    # -- WSGI ------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.reload_config()
        method = environ.get("REQUEST_METHOD", "GET")
        raw = environ.get("PATH_INFO") or "/"
        path = raw.encode("latin-1", "replace").decode("utf-8", "replace")
        root = _prefix(environ) + "/"
        if method not in ("GET", "HEAD"):
            page = self.pages.error("405 Method Not Allowed", "Only GET and HEAD are supported.", root)
            page.headers.append(("Allow", "GET, HEAD"))
        else:
            try:
                page = self.route(path, environ)
            except StoreError as exc:
                log.error("%s", exc)
                page = self.pages.error("503 Service Unavailable", "The store cannot be read right now.", root)
            except Exception:
                log.exception("error serving %s", one_line(path)[:200])
                page = self.pages.error("500 Internal Server Error", "Something went wrong.", root)
        validators = []
        if page.etag is not None:
            validators.append(("ETag", page.etag))
        if page.last_modified is not None:
            validators.append(("Last-Modified", http_date(page.last_modified)))
        if not_modified(environ, page):
            start_response("304 Not Modified", [*SECURITY_HEADERS, *validators])
            status = "304"
            body = b""
        else:
            headers = [
                ("Content-Type", page.content_type),
                ("Content-Length", str(len(page.body))),
                *SECURITY_HEADERS,
                *validators,
                *page.headers,
            ]
            start_response(page.status, headers)
            status, body = page.status[:3], page.body
        if log.isEnabledFor(logging.INFO):
            log.info('%s "%s %s" %s', environ.get("REMOTE_ADDR", "-"), method, one_line(path)[:200], status)
        return [] if method == "HEAD" or not body else [body]

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The store for one request; a damaged file (or a full disk) met reading it raises its
        one line (StoreDamaged, StoreFull): the page is a 503, its log one line, no traceback."""
        from ..store.sqlite import store_failure

        store = self.store_factory()
        try:
            yield store
        except Exception as exc:
            failure = store_failure(exc, str(getattr(store, "path", store.url)))
            if failure is None:
                raise
            raise failure from exc
        finally:
            store.close()

    def cached(
        self, pool: PageCache, key: Hashable, render: Callable[[Pages, Store, Hashable | None], Page], *also: Hashable
    ) -> Page:
        """The page of ``key``, from ``pool`` while the store and the configuration are
        unchanged (and ``also``): rendered by the ``pages`` it is kept under (a file read
        again meanwhile by another request makes a page of the old configuration, kept as such).
        ``render`` is also given the store's version the page is kept at (its change marker and
        ``also``; None where the server cannot see the store change): the index, month and day
        pages take their day counts kept at it as they are (``daycounts.DayCounts``), read with the page's own."""
        pages = self.pages
        marker = self.marker()
        version = None if marker is None else (marker, pages, *also)
        at = None if marker is None else (marker, *also)

        def fresh() -> Page:
            with self.store() as store:
                return render(pages, store, at)

        return pool.get(key, version, fresh)

    def route(self, path: str, environ: dict[str, Any]) -> Page:
        today = self.pages.today()
        root = _prefix(environ) + "/"  # one per server (``--url-prefix``), kept in the keys all the same
        if path == "/":
            return self.cached(self.days_cache, root, lambda p, s, at: p.index(s, root, at), today)
        if path == "/healthz":
            with self.store() as store:
                _ = store.schema_version
            return Page("200 OK", "ok\n", "text/plain; charset=utf-8")
        if path == "/feed.atom":
            base = _base_url(environ) + _prefix(environ)
            minute = int(self.clock().timestamp() // 60)
            return self.cached(self.other_cache, ("feed", base), lambda p, s, _: p.feed(s, base), minute)
        if path == "/search":
            return self.search(environ.get("QUERY_STRING", ""), root)
        m = _DAY.fullmatch(path)
        if m:
            asked = m.group(1)
            try:
                day = date.fromisoformat(asked)
            except ValueError:  # 2016-02-30: no day, with the days around it all the same
                return self.cached(self.days_cache, ("day", asked, root), lambda p, s, _: p.no_day(s, asked, root), today)
            if not day_fits(day, self.cfg.tz):  # the day's bounds overflow datetime: no digest
                return self.cached(self.days_cache, ("day", asked, root), lambda p, s, _: p.no_day(s, asked, root), today)
            return self.cached(self.days_cache, (day, root), lambda p, s, at: p.day(s, day, root, at), today)
        m = _MONTH.fullmatch(path)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if not (1 <= month <= 12 and year >= 1):
                return self.pages.error("404 Not Found", "That is not a month.", root)
            return self.cached(self.days_cache, ("month", year, month, root),
                               lambda p, s, at: p.month(s, year, month, root, at), today)  # fmt: skip
        m = _STORY.fullmatch(path)
        if m:
            sid = m.group(1)
            # the day page it was reached from: a day, else nothing (each a page of its own)
            came = asked_day((parse_qs(environ.get("QUERY_STRING", "")[:4096]).get("day") or [""])[0], self.cfg)
            # by the year too: its times carry theirs unless it is this one (``Pages.story``)
            return self.cached(self.other_cache, ("story", sid, root, came), lambda p, s, _: p.story(s, sid, root, came),
                               today.year)
        return self.pages.error("404 Not Found", "There is no page here.", root)

    def search(self, query_string: str, root: str = "/") -> Page:
        args = parse_qs(query_string[:4096], keep_blank_values=True)
        q = typed_query((args.get("q") or [""])[0])
        since = (args.get("since") or [""])[0].strip()
        page = (args.get("page") or [""])[0].strip()[:8]
        newest = (args.get("sort") or [""])[0].strip() == "newest"  # else best match first
        if not q:  # the box only: nothing to look up
            return self.pages.search(None, "", "", root=root, newest=newest)
        key = ("search", q, since[:20], page, root, newest)
        return self.cached(self.other_cache, key, lambda p, s, _: p.search(s, q, since, page, root, newest=newest))


def _prefix(environ: dict[str, Any]) -> str:
    """The path the archive is served under (``serve --url-prefix``: waitress's ``SCRIPT_NAME``),
    ``""`` at the root of its host."""
    return quote(str(environ.get("SCRIPT_NAME") or "").rstrip("/"), safe="/")


def _base_url(environ: dict[str, Any]) -> str:
    scheme = "https" if environ.get("wsgi.url_scheme") == "https" else "http"
    host = environ.get("HTTP_HOST", "")
    if not _HOST.fullmatch(host):
        name, port = environ.get("SERVER_NAME", "localhost"), str(environ.get("SERVER_PORT", "80"))
        if ":" in name and not name.startswith("["):
            name = f"[{name}]"
        host = name if port == ("443" if scheme == "https" else "80") else f"{name}:{port}"
        if not _HOST.fullmatch(host):
            host = "localhost"
    return f"{scheme}://{host}"


def make_app(
    cfg: Config,
    store_factory: Callable[[], Store],
    *,
    feed_days: int = 7,
    index_days: int = 60,
    feed_max: int = 100,
    clock: Callable[[], datetime] | None = None,
    cache: bool = True,
    keep_counts: bool = True,
) -> WSGIApp:
    """The WSGI application.  ``store_factory()`` opens a store (one per rendering);
    ``cache=False`` renders every request (the benchmark's baseline)."""
    return _App(
        cfg,
        store_factory,
        feed_days=feed_days,
        index_days=index_days,
        feed_max=feed_max,
        clock=clock,
        cache=cache,
        keep_counts=keep_counts,
    )



def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(
    cfg: Config,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    store_factory: Callable[[], Store] | None = None,
    url_prefix: str = "",
    trusted_proxy: str | None = None,
    **app_options: Any,
) -> ArchiveServer:
    """The archive's HTTP server (``port=0``: any free port); ``serve_forever()`` runs it."""
    if not 0 <= port <= 65535:  # the address lookup would wrap it (70000: 4464)
        raise DigestError(f"serve: port {port} is not a port (1-65535, or 0 for any free one)")
    proxy = proxy_options(url_prefix, trusted_proxy)  # a bad prefix is refused before anything opens
    factory = store_factory or (lambda: open_store(cfg.database_url))
    sqlite = store_factory is None and cfg.database_url.lower().startswith("sqlite:")
    kept = True  # the day counts written to the store
    try:
        factory().close()  # fail now, with the store's own message, if it cannot be opened
    except StoreError as exc:  # a store this user may only read (another user's, a read-only mount or role)
        if store_factory is not None or not _readable(cfg.database_url, sqlite, exc):
            raise
        log.info("%s; serving it read only (the day counts are not kept)", exc)
        factory, kept = partial(open_existing_read_only, cfg.database_url), False
    else:
        if sqlite:
            from ..store.sqlite import open_existing

            factory = partial(open_existing, cfg.database_url)  # a file gone meanwhile is not made anew
    app = make_app(cfg, factory, **app_options, keep_counts=kept)
    try:
        server = ArchiveServer(app, host, port, url_prefix=proxy.get("url_prefix", ""), trusted_proxy=trusted_proxy)
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise DigestError(f"serve: cannot listen on {host}:{port}: {why}") from None
    if not _is_loopback(host):
        log.warning("serving on %s: anyone who can reach this address can read the archive", host)
    return server


def _readable(url: str, sqlite: bool, exc: StoreError) -> bool:
    """Whether the store at ``url``, which cannot be opened to write (``exc``), can be read: a
    SQLite file this user may not write, a PostgreSQL schema of a role that may only read it."""
    if sqlite and not (isinstance(exc, StoreUnwritable) and read_only_file(url)):
        return False
    try:
        store = open_read_only(url)
    except StoreError:
        return False
    if store is not None:
        store.close()
    return store is not None


def serve(
    cfg: Config, host: str = "127.0.0.1", port: int = 8080, *, url_prefix: str = "", trusted_proxy: str | None = None
) -> None:
    """Serve the archive until interrupted."""
    server = make_server(cfg, host, port, url_prefix=url_prefix, trusted_proxy=trusted_proxy)
    shown = f"[{host}]" if ":" in host else host
    prefix = "/" + url_prefix.strip().strip("/") if url_prefix.strip().strip("/") else ""
    log.info("serving the digest archive on http://%s:%d%s/", shown, server.server_address[1], prefix)
    try:
        server.serve_forever()
    finally:
        server.server_close()
