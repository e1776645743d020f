"""An entry without an id is known by its link; its site moved to https (or added or dropped
``www.``), every link of its feed changed with it, and the entries are the ones read before.

Before this, the link key held the scheme and the host as spelt: at the first poll after the
move every such entry of the feed had a new key, was cleaned and stored again ("3 new
articles"), each a second version of its own story.  Served by a real HTTP server on loopback,
read into a SQLite store on disk."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from digest.app import App
from digest.store.base import StoredArticle
from digest.text.identity import (
    article_key,
    canonical_url,
    link_identity,
    spelt_link_key,
    spelt_link_keys,
)
from tests.support.config import MakeApp
from tests.support.httpd import TestServer
from tests.support.stores import rekey

DAY1, DAY2, DAY3 = "2026-11-17T20:00:00Z", "2026-11-18T20:00:00Z", "2026-11-19T20:00:00Z"
_TEXTS = [
    "The harbour wall at Opunake collapsed into the sea after the quake on Tuesday, the council said. "
    "Engineers will inspect the rest of the wall this week.",
    "Power was cut to about four thousand homes across the Taranaki region after the earthquake early "
    "on Tuesday morning. Crews restored most supply by noon.",
    "Schools in the district will stay closed on Wednesday while buildings are checked for damage, the "
    "ministry said in a statement on Tuesday evening.",
]
_TITLES = ["Harbour wall collapses", "Power cut to four thousand homes", "Schools stay closed"]
_PUBLISHED = [f"Tue, 17 Nov 2026 0{6 + i}:00:00 GMT" for i in range(3)]
_ISO = [f"2026-11-17T0{6 + i}:00:00Z" for i in range(3)]


def _body(i: int, site: str) -> str:
    """The item's HTML, linking to its own page on ``site`` (the links in the text move too)."""
    return f'<p>{_TEXTS[i]}</p><p><a href="{site}/news/{i}">Read more</a></p>'


def _feed(kind: str, site: str) -> tuple[bytes, str]:
    """The three items of ``kind`` (``rss``, ``atom``, ``json``) with neither a guid nor an id,
    linking to pages on ``site``; and the content type."""
    if kind == "rss":
        items = "".join(f"<item><title>{_TITLES[i]}</title><link>{site}/news/{i}</link>"
                        f"<pubDate>{_PUBLISHED[i]}</pubDate><description>{escape(_body(i, site))}</description></item>"
                        for i in range(3))
        return (f'<rss version="2.0"><channel><title>Coast</title><link>{site}/</link>{items}</channel></rss>'.encode(),
                "application/rss+xml")
    if kind == "atom":
        items = "".join(f'<entry><title>{_TITLES[i]}</title><link href="{site}/news/{i}"/><updated>{_ISO[i]}</updated>'
                        f'<content type="html">{escape(_body(i, site))}</content></entry>' for i in range(3))
        return (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast</title><id>urn:coast</id>'
                f"<updated>{_ISO[2]}</updated>{items}</feed>".encode(), "application/atom+xml")
    items_json = [{"url": f"{site}/news/{i}", "title": _TITLES[i], "date_published": _ISO[i],
                   "content_html": _body(i, site)} for i in range(3)]
    return (json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Coast", "items": items_json}).encode(),
            "application/feed+json")


def _serve(srv: TestServer, kind: str, site: str) -> None:
    body, ctype = _feed(kind, site)
    srv.set("/feed", body, headers={"Content-Type": ctype})


def _app(tmp_path: Path, make_app: MakeApp, srv: TestServer, clock: str) -> App:
    return make_app(tmp_path, {"Coast": srv.url("/feed")}, fetch={"allow_hosts": ["127.0.0.1"]}, clock=clock,
                    timezone="UTC")


def _stored(app: App) -> list[StoredArticle]:
    return list(app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC)))


def test_a_link_is_one_page_whatever_its_scheme_or_www() -> None:
    assert link_identity("HTTP://WWW.Coast.example:80/a?utm_source=x#c") == "https://coast.example/a"
    assert link_identity("http://coast.example:8080/a") == "https://coast.example:8080/a"  # a port stays
    assert link_identity("https://news.coast.example/a") != link_identity("https://coast.example/a")
    keys = {article_key("s", None, f"{site}/a", "", "") for site in
            ("http://coast.example", "https://www.coast.example", "http://www.coast.example")}
    assert keys == {article_key("s", None, "https://coast.example/a", "", "")}
    # an https link without www. keeps the key it had: the old keys are the other three spellings
    assert spelt_link_key("s", "https://coast.example/a") == article_key("s", None, "https://coast.example/a", "", "")
    assert sorted(spelt_link_keys("s", "http://www.coast.example/a")) == sorted(
        spelt_link_key("s", f"{site}/a") for site in ("http://coast.example", "http://www.coast.example",
                                                      "https://www.coast.example"))
    assert spelt_link_keys("s", "file:///tmp/a") == [] and spelt_link_keys("s", "http://[::1/a") == []


MOVES = [
    ("http://coast.example", "https://coast.example"),
    ("https://www.coast.example", "https://coast.example"),
    ("https://coast.example", "http://www.coast.example"),
]


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
@pytest.mark.parametrize(("before", "after"), MOVES)
def test_a_site_moved_to_https_or_www_shows_nothing_again(
    tmp_path: Path, make_app: MakeApp, kind: str, before: str, after: str
) -> None:
    """Before: the second day read "3 new articles", each stored twice, for a move of scheme or
    ``www.``: the feed's items, unchanged but for their links."""
    with TestServer() as srv:
        _serve(srv, kind, before)
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 3
            assert all(a.guid is None for a in _stored(app))  # keyed by their links
        _serve(srv, kind, after)
        with _app(tmp_path, make_app, srv, DAY2) as app:
            assert app.run().new_articles == 0
            assert len(_stored(app)) == 3
            view = app.build_view()
            assert view.stories == [] and view.articles_read == 0
            # and the next poll still knows them (under their first keys) and reads nothing
            assert app.run().new_articles == 0


def test_a_poll_of_entries_stored_under_their_keys_asks_for_no_other_spelling(
    tmp_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys of a link's other spellings are asked for only for an entry the store does not
    hold under its key now.  Before, every poll computed and asked for them for every entry
    (four keys each for an ``http://www.`` link): 153 ms a run of 100 feeds of 50 items on a
    store that held them all."""
    with TestServer() as srv:
        _serve(srv, "rss", "http://www.coast.example")
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 3
            now = {a.key for a in _stored(app)}
            spelt = {k for a in _stored(app) for k in spelt_link_keys(a.source, a.url or "")}
            asked: list[str] = []
            has_articles = app.store.has_articles

            def recording(keys: Iterable[str], *, source: str | None = None) -> set[str]:
                keys = list(keys)
                asked.extend(keys)
                return has_articles(keys, source=source)

            monkeypatch.setattr(app.store, "has_articles", recording)
            assert app.run().new_articles == 0
            assert now <= set(asked) and spelt.isdisjoint(asked)


def test_an_entry_with_an_id_keeps_its_id_key_when_its_link_moves(tmp_path: Path, make_app: MakeApp) -> None:
    """An id is the entry's identity whatever its link: the same key, one article."""
    with TestServer() as srv:
        feed = ('<rss version="2.0"><channel><title>Coast</title><item><title>{t}</title><link>{s}/news/0</link>'
                '<guid isPermaLink="false">coast-0</guid><description>{d}</description></item></channel></rss>')
        for clock, site in ((DAY1, "http://coast.example"), (DAY2, "https://coast.example")):
            srv.set("/feed", feed.format(t=_TITLES[0], s=site, d=escape(_TEXTS[0])).encode(),
                    headers={"Content-Type": "application/rss+xml"})
            with _app(tmp_path, make_app, srv, clock) as app:
                assert app.run().new_articles == (1 if clock == DAY1 else 0)
        with _app(tmp_path, make_app, srv, DAY2) as app:
            [row] = _stored(app)
            assert row.guid == "coast-0"


@pytest.mark.parametrize("site", ["http://coast.example", "https://www.coast.example"])
def test_a_store_written_with_the_scheme_in_link_keys_knows_its_entries_after_the_upgrade(
    tmp_path: Path, make_app: MakeApp, site: str
) -> None:
    """A store of the digest before: its entries without an id under the key of their link as
    spelt (scheme and ``www.``).  The upgraded digest reads the same feed (nothing new, nothing
    shown), then the site moved to ``https://coast.example`` (the same), then an item changed
    in place: read as its revision, of the first article's key."""
    with TestServer() as srv:
        _serve(srv, "rss", site)
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 3
            rows = _stored(app)
        db = sqlite3.connect(tmp_path / "data" / "digest.sqlite3")
        with db:  # the keys as the older digest wrote them, story ids with them
            for a in rows:
                old = spelt_link_key(a.source, a.url or "")
                assert old != a.key or canonical_url(site) == "https://coast.example/"
                rekey(db, old, a.key)
            olds = {spelt_link_key(a.source, a.url or "") for a in rows}
        db.close()
        with _app(tmp_path, make_app, srv, DAY2) as app:
            assert app.run().new_articles == 0
            assert app.build_view().stories == []
            _serve(srv, "rss", "https://coast.example")
            assert app.run().new_articles == 0
            assert {a.key for a in _stored(app)} == olds
        body, ctype = _feed("rss", "https://coast.example")
        srv.set("/feed", body.replace(b"noon.", b"noon, and the last homes by evening."),
                headers={"Content-Type": ctype})
        with _app(tmp_path, make_app, srv, DAY3) as app:
            assert app.run().new_articles == 1
            [revision] = [a for a in _stored(app) if a.revision_of]
            assert revision.revision_of in olds and revision.key.startswith(revision.revision_of)
            [story] = app.build_view().stories
            assert story.status == "developing"


def test_an_older_digest_refuses_a_store_of_link_keys_it_does_not_know(tmp_path: Path) -> None:
    """An older digest keys an ``http://`` or ``www.`` link as spelt: it would store every such
    entry the store holds under its key now again, as new.  It knows the migrations up to 13
    (SQLite) and says in one line that a newer digest wrote the store."""
    from digest.errors import StoreError
    from digest.store import migrations
    from digest.store.sqlite import SQLiteStore

    path = tmp_path / "d.sqlite3"
    SQLiteStore(path).close()
    older = [m for m in migrations.load("sqlite") if m.version <= 13]
    latest = len(migrations.load("sqlite"))
    with pytest.raises(StoreError, match=rf"written by a newer digest \(schema version {latest}, this one knows up to 13\)"):
        SQLiteStore(path, migrations=older)
    with SQLiteStore(path) as s:
        assert s.get_meta("identity_keys") == "link spelling"
