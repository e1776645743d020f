"""``digest serve``: a small read-only web archive of the digests.

Observations
------------
* Everything shown comes from feeds and is hostile.  Day pages are
  :func:`digest.output.render.render_html` (sanitized by the renderer); the other
  pages are Jinja2 templates with autoescaping and http(s)-only links
  (:func:`digest.output.sanitize.safe_url`); the Atom feed is built by
  :mod:`digest.output.atom`.  Every response also carries a strict
  Content-Security-Policy (no scripts, no external anything), ``nosniff``
  and ``Referrer-Policy: no-referrer``.
* The archive may be private: the server binds to 127.0.0.1 unless told
  otherwise (and logs a warning when it is told otherwise).
* A ``Store`` must not be shared between threads, so each request opens its
  own through ``store_factory`` and closes it.

Routes
------
``/``                     days, newest first, with story counts: the days of
                          built digests plus the last ``index_days`` days into
                          which something arrived; each count is that of the
                          day's view (new and developing), as its page shows.
``/day/YYYY-MM-DD``       that day's digest (``render_html``), with a
                          navigation line, the previous and the next day of
                          the index (top and bottom) and a permalink under
                          each story.
``/story/<id>``           every version of a story: outlet, time, link and
                          excerpt; the id of a story that regrouping retired
                          redirects (302) to the story now holding the article
                          that started it.
``/feed.atom``            Atom feed of the stories of the last ``feed_days`` days.
``/healthz``              "ok" when the store can be opened.

Anything else is 404; methods other than GET/HEAD are 405.

Special cases
-------------
* The day page's permalinks are added to the rendered page as elements
  (lxml), one under each ``h2.story``; with a user template that does not
  produce those headings, a list of permalinks is appended instead.
* The feed's absolute URLs use the request's ``Host`` header when it looks
  like a host name, else the server's own address.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.simple_server import make_server as _make_server

import jinja2
import lxml.html

from ..config import Config
from ..errors import DigestError, StoreError
from ..output.atom import entry_updated, latest_update, stories_atom
from ..output.render import excerpt, format_day, format_time, make_env, render_html, short_day
from ..output.sanitize import safe_url
from ..output.view import build_view, day_window
from ..records import StoryView
from ..sources.dates import day_fits
from ..store.base import Store, open_store

__all__ = ["SECURITY_HEADERS", "make_app", "make_server", "serve"]

log = logging.getLogger(__name__)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

SECURITY_HEADERS: list[tuple[str, str]] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-cache"),
]

_DAY = re.compile(r"/day/(\d{4}-\d{2}-\d{2})")
_STORY = re.compile(r"/story/(.+)")
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)

_PAGES = {
    "web/base.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>{% block title %}{{ site }}{% endblock %}</title>
<link rel="alternate" type="application/atom+xml" href="/feed.atom" title="{{ site }}">
<style>
{% include "_style.css.j2" %}
nav { font-size: 0.9rem; color: var(--muted); margin: 0.25rem 0 1rem; }
ul.days, ul.versions { padding-left: 1.2rem; }
ul.days li, ul.versions li { margin: 0.35rem 0; }
ul.versions li { margin-bottom: 1rem; }
ul.versions p.excerpt { margin: 0.3rem 0 0; font-size: 0.95rem; }
</style>
</head>
<body>
<main>
<nav><a href="/">All days</a> · <a href="/feed.atom">Atom feed</a>{% block nav %}{% endblock %}</nav>
{% block main %}{% endblock %}
</main>
</body>
</html>
""",
    "web/index.html": """{% extends "web/base.html" %}
{% block main %}
<h1>{{ site }}</h1>
{% if days %}
<p class="counts">{{ days|length }} {{ "day" if days|length == 1 else "days" }}</p>
<ul class="days">
{% for d in days %}
<li><a href="/day/{{ d.date }}">{{ d.label }}</a> · {{ d.stories }} {{ "story" if d.stories == 1 else "stories" }}</li>
{% endfor %}
</ul>
{% else %}
<p class="lede">No digests yet. Run <code>digest run</code> to read the sources.</p>
{% endif %}
{% endblock %}
""",
    "web/story.html": """{% extends "web/base.html" %}
{% block title %}{{ title }} · {{ site }}{% endblock %}
{% block nav %}{% if day %} · <a href="/day/{{ day }}">Digest of <span class="time">{{ day_label }}</span></a>{% endif %}{% endblock %}
{% block main %}
<h1>{% if url %}<a href="{{ url }}" rel="noopener noreferrer nofollow">{{ title }}</a>{% else %}{{ title }}{% endif %}</h1>
<p class="counts">{{ versions|length }} {{ "version" if versions|length == 1 else "versions" }} from {{ outlets }} {{ "outlet" if outlets == 1 else "outlets" }}{% if first_seen %} · first seen <span class="time">{{ first_seen }}</span>{% endif %}</p>
<ul class="versions">
{% for v in versions %}
<li><strong>{{ v.source }}</strong>{% if v.lead %} (lead){% endif %}: {% if v.url %}<a href="{{ v.url }}" rel="noopener noreferrer nofollow">{{ v.title }}</a>{% else %}{{ v.title }}{% endif %}{% if v.when %} · <span class="time">{{ v.when }}</span>{% endif %}
{% if v.excerpt %}<p class="excerpt">{{ v.excerpt }}</p>{% endif %}
</li>
{% endfor %}
</ul>
{% endblock %}
""",
    "web/error.html": """{% extends "web/base.html" %}
{% block title %}{{ code }} · {{ site }}{% endblock %}
{% block main %}
<h1>{{ code }}</h1>
<p class="lede">{{ message }}</p>
{% endblock %}
""",
}


class _Response:
    __slots__ = ("body", "content_type", "headers", "status")

    def __init__(
        self, status: str, body: str, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        self.status, self.body, self.content_type = status, body, content_type
        self.headers: list[tuple[str, str]] = []


def _one_line(s: object) -> str:
    return " ".join(str(s or "").split())


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class _App:
    def __init__(
        self,
        cfg: Config,
        store_factory: Callable[[], Store],
        *,
        feed_days: int,
        index_days: int,
        feed_max: int,
        clock: Callable[[], datetime],
    ) -> None:
        self.cfg = cfg
        self.store_factory = store_factory
        self.feed_days, self.index_days, self.feed_max = feed_days, index_days, feed_max
        self.clock = clock
        self.render_env = make_env(cfg.templates)
        assert self.render_env.loader is not None
        self.pages = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.DictLoader(_PAGES), self.render_env.loader]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.site = _one_line(cfg.title) or "digest"

    # -- WSGI ------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        raw = environ.get("PATH_INFO") or "/"
        path = raw.encode("latin-1", "replace").decode("utf-8", "replace")
        if method not in ("GET", "HEAD"):
            resp = self.error("405 Method Not Allowed", "Only GET and HEAD are supported.")
            resp.headers.append(("Allow", "GET, HEAD"))
        else:
            try:
                resp = self.route(path, environ)
            except StoreError as exc:
                log.error("%s", exc)
                resp = self.error("503 Service Unavailable", "The store cannot be read right now.")
            except Exception:
                log.exception("error serving %s", _one_line(path)[:200])
                resp = self.error("500 Internal Server Error", "Something went wrong.")
        body = resp.body.encode("utf-8")
        headers = [
            ("Content-Type", resp.content_type),
            ("Content-Length", str(len(body))),
            *SECURITY_HEADERS,
            *resp.headers,
        ]
        start_response(resp.status, headers)
        return [] if method == "HEAD" else [body]

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = self.store_factory()
        try:
            yield store
        finally:
            store.close()

    def page(self, name: str, status: str = "200 OK", **ctx: Any) -> _Response:
        return _Response(status, self.pages.get_template(name).render(site=self.site, **ctx))

    def error(self, status: str, message: str) -> _Response:
        return self.page("web/error.html", status, code=status, message=message)

    def route(self, path: str, environ: dict[str, Any]) -> _Response:
        if path == "/":
            return self.index()
        if path == "/healthz":
            with self.store() as store:
                _ = store.schema_version
            return _Response("200 OK", "ok\n", "text/plain; charset=utf-8")
        if path == "/feed.atom":
            return self.feed(_base_url(environ))
        m = _DAY.fullmatch(path)
        if m:
            try:
                day = date.fromisoformat(m.group(1))
            except ValueError:
                return self.error("404 Not Found", "That is not a day.")
            if not day_fits(day, self.cfg.tz):  # the day's bounds overflow datetime
                return self.error("404 Not Found", f"No digest for {day.isoformat()}.")
            return self.day(day)
        m = _STORY.fullmatch(path)
        if m:
            return self.story(m.group(1))
        return self.error("404 Not Found", "There is no page here.")

    # -- pages -----------------------------------------------------------------
    def known_days(self, store: Store) -> set[date]:
        """The days the archive has: those of built digests, and the last ``index_days``
        days into which something arrived (their digest windows)."""
        days: set[date] = set()
        for key, _ in store.list_digest_dates():
            try:
                days.add(date.fromisoformat(key))
            except ValueError:
                continue
        today = self.clock().astimezone(self.cfg.tz).date()
        for i in range(self.index_days):
            day = today - timedelta(days=i)
            if day in days or not day_fits(day, self.cfg.tz):
                continue
            start, end = day_window(store, self.cfg, day)
            if store.count_articles_fetched_between(start, end):
                days.add(day)
        return {d for d in days if day_fits(d, self.cfg.tz)}

    def days(self, store: Store) -> dict[date, int]:
        """day -> its count of stories, from the view its day page shows (so they agree)."""
        return {d: len(build_view(store, self.cfg, d).stories) for d in self.known_days(store)}

    def index(self) -> _Response:
        with self.store() as store:
            counts = self.days(store)
        days = [
            {"date": d.isoformat(), "label": format_day(d, self.cfg.locale), "stories": n}
            for d, n in sorted(counts.items(), reverse=True)
        ]
        return self.page("web/index.html", days=days)

    def day(self, day: date) -> _Response:
        with self.store() as store:
            view = build_view(store, self.cfg, day)
            known = self.known_days(store)
        if not (view.stories or day in known):
            return self.error("404 Not Found", f"No digest for {day.isoformat()}.")
        page = render_html(
            view, env=self.render_env, tz=self.cfg.tz, excerpt_chars=self.cfg.excerpt_chars,
            locale=self.cfg.locale,
        )
        before = max((d for d in known if d < day), default=None)
        after = min((d for d in known if d > day), default=None)
        return _Response("200 OK", _decorate_day(page, view.stories, before, after, self.cfg.locale))

    def story(self, story_id: str) -> _Response:
        with self.store() as store:
            st = store.get_story(story_id)
            versions = store.story_versions(story_id) if st is not None else []
            successor = None if st is not None else _successor(store, story_id)
        if successor is not None:
            resp = _Response("302 Found", "", "text/plain; charset=utf-8")
            resp.headers.append(("Location", _story_href(successor)))
            return resp
        if st is None or not versions:
            return self.error("404 Not Found", "No such story.")
        tz, locale = self.cfg.tz, self.cfg.locale
        lead = next((v for v in versions if v.key == st.lead_key), versions[0])
        first = _aware(st.first_seen)
        day = first.astimezone(tz).date().isoformat()
        rows = []
        for v in [lead, *(v for v in versions if v is not lead)]:
            source = _one_line(v.source) or "unknown source"
            rows.append(
                {
                    "source": source,
                    "title": _one_line(v.title) or source,
                    "url": safe_url(v.url),
                    "when": format_time(v.published or v.fetched, tz, day=day, locale=locale),
                    "lead": v is lead,
                    "excerpt": excerpt(v.text or "", self.cfg.excerpt_chars),
                }
            )
        return self.page(
            "web/story.html",
            title=_one_line(lead.title) or rows[0]["source"],
            url=safe_url(lead.url),
            versions=rows,
            outlets=len({v.source for v in versions}),
            first_seen=format_time(first, tz, day=day, locale=locale),
            day=day,
            day_label=format_day(day, locale),
        )

    def feed(self, base: str) -> _Response:
        now = self.clock()
        today = now.astimezone(self.cfg.tz).date()
        stories: dict[str, StoryView] = {}
        with self.store() as store:
            for i in range(self.feed_days):  # newest day first: a developing story once, as now
                for s in build_view(store, self.cfg, today - timedelta(days=i)).stories:
                    stories.setdefault(s.story_id, s)
        cap = _aware(now)
        ordered = sorted(stories.values(), key=lambda s: (entry_updated(s, cap), s.story_id), reverse=True)
        shown = ordered[: self.feed_max]
        text = stories_atom(
            shown,
            title=self.site,
            feed_url=base + "/feed.atom",
            site_url=base + "/",
            updated=latest_update(shown, cap),
            excerpt_chars=self.cfg.excerpt_chars,
        )
        return _Response("200 OK", text, "application/atom+xml; charset=utf-8")


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


def _successor(store: Store, story_id: str) -> str | None:
    """Where the articles of a retired story went: its id is the key of the article that
    started it (``digest.dedup.engine``; a regrouping that needs a fresh id adds ``~n``), and that
    article is in the story that holds it now.  Permalinks in digests already sent keep
    working after stories merge or regroup."""
    for key in dict.fromkeys([story_id, re.sub(r"~\d+$", "", story_id)]):
        art = store.get_article(key)
        if art is not None and art.story_id != story_id and store.get_story(art.story_id):
            return art.story_id
    return None


def _story_href(story_id: str) -> str:
    return "/story/" + quote(story_id, safe="")


def _day_links(before: date | None, after: date | None, locale: str) -> lxml.html.HtmlElement:
    """``<nav class="days">``: the previous and the next day of the archive, where there is one."""
    nav = lxml.html.Element("nav")
    nav.set("class", "days")
    nav.set("style", "display:flex;justify-content:space-between;gap:1rem;font-size:0.9rem;margin:0.5rem 0 1rem")
    for rel, d, text in (("prev", before, "← {}"), ("next", after, "{} →")):
        if d is None:
            nav.append(lxml.html.Element("span"))  # keeps the next day on the right
            continue
        a = lxml.html.Element("a", href=f"/day/{d.isoformat()}", rel=rel)
        a.text = text.format(short_day(d, locale))
        nav.append(a)
    return nav


def _decorate_day(
    page: str,
    stories: list[StoryView],
    before: date | None = None,
    after: date | None = None,
    locale: str = "en_GB",
) -> str:
    """Add navigation (all days, the previous and next day) and a permalink under each story
    to a rendered day page."""
    doc = lxml.html.document_fromstring(page)
    main = doc.find(".//main")
    if main is None:
        main = doc.body
    nav = lxml.html.fragment_fromstring(
        '<nav class="site"><a href="/">All days</a> · <a href="/feed.atom">Atom feed</a></nav>'
    )
    nav.set("style", "font-size:0.9rem;margin:0.25rem 0 0.5rem")
    main.insert(0, nav)
    if before is not None or after is not None:
        main.insert(1, _day_links(before, after, locale))
        main.append(_day_links(before, after, locale))
    heads = [h for h in main.iter("h2") if "story" in (h.get("class") or "").split()]
    if len(heads) == len(stories):
        for h2, story in zip(heads, stories, strict=True):
            link = lxml.html.Element("a", href=_story_href(story.story_id))
            link.set("class", "permalink")
            link.text = "all versions" if story.also else "permalink"
            meta = None
            for sib in h2.itersiblings():
                if sib.tag == "h2":
                    break
                if sib.tag == "p" and "meta" in (sib.get("class") or "").split():
                    meta = sib
                    break
            if meta is None:
                meta = lxml.html.Element("p")
                meta.set("class", "meta")
                h2.addnext(meta)
            elif len(meta):
                meta[-1].tail = (meta[-1].tail or "") + " · "
            else:
                meta.text = (meta.text or "") + " · "
            meta.append(link)
    elif stories:
        section = lxml.html.Element("section")
        section.set("class", "permalinks")
        h = lxml.html.Element("h2")
        h.text = "Permalinks"
        section.append(h)
        ul = lxml.html.Element("ul")
        for story in stories:
            li = lxml.html.Element("li")
            a = lxml.html.Element("a", href=_story_href(story.story_id))
            a.text = _one_line(story.lead.title) or _one_line(story.title) or story.story_id
            li.append(a)
            ul.append(li)
        section.append(ul)
        main.append(section)
    out: str = lxml.html.tostring(doc, encoding="unicode", doctype="<!doctype html>")
    return out + "\n"


def make_app(
    cfg: Config,
    store_factory: Callable[[], Store],
    *,
    feed_days: int = 7,
    index_days: int = 60,
    feed_max: int = 100,
    clock: Callable[[], datetime] | None = None,
) -> WSGIApp:
    """The WSGI application.  ``store_factory()`` opens a store (one per request)."""
    return _App(
        cfg,
        store_factory,
        feed_days=feed_days,
        index_days=index_days,
        feed_max=feed_max,
        clock=clock or cfg.now,
    )


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


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
    **app_options: Any,
) -> WSGIServer:
    """A threaded HTTP server for the archive (``port=0``: any free port)."""
    factory = store_factory or (lambda: open_store(cfg.database_url))
    factory().close()  # fail now, with the store's own message, if it cannot be opened
    app = make_app(cfg, factory, **app_options)
    try:
        server = _make_server(host, port, app, server_class=_Server, handler_class=_Handler)
    except OSError as exc:
        raise DigestError(f"serve: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if not _is_loopback(host):
        log.warning("serving on %s: anyone who can reach this address can read the archive", host)
    return server


def serve(cfg: Config, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the archive until interrupted."""
    server = make_server(cfg, host, port)
    shown = f"[{host}]" if ":" in host else host
    log.info("serving the digest archive on http://%s:%d/", shown, server.server_address[1])
    try:
        server.serve_forever()
    finally:
        server.server_close()
