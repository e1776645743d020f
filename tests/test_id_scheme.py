"""An entry whose id is its page's address (an RSS permalink ``<guid>``, an Atom ``<id>``, a JSON
Feed ``id``); its site moved to https (or added or dropped ``www.``) and its CMS rewrote every
id with the links: the entries are the ones read before.

Before this, an id was keyed as spelt: at the first poll after the move every entry of such a
feed had a new key, was cleaned and stored again ("3 new articles"), each a second version of
its own story.  Ids that are no http(s) URL (``tag:``, ``urn:uuid:``, a number) keep their
key.  Served by a real HTTP server on loopback, read into a SQLite store on disk."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from html import escape
from pathlib import Path

import pytest

from digest.output.jsonview import render_json
from digest.sources.feeds import parse_feed
from digest.text.identity import article_key, id_identity, spelt_id_key, spelt_id_keys
from tests.support.config import MakeApp
from tests.support.httpd import TestServer
from tests.support.stores import rekey
from tests.test_link_scheme import (
    _ISO,
    _PUBLISHED,
    _TEXTS,
    _TITLES,
    DAY1,
    DAY2,
    DAY3,
    MOVES,
    _app,
    _stored,
)

_CTYPE = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}


def _feed(kind: str, site: str, ids: str | None = None, texts: list[str] = _TEXTS) -> bytes:
    """The three items of ``kind`` (``rss``, ``atom``, ``json``) linking to pages on ``site``,
    each with its page's address on ``ids`` (``site`` when None) as its id."""
    ids = ids or site
    if kind == "rss":
        items = "".join(f"<item><title>{_TITLES[i]}</title><link>{site}/2026/11/{i}</link>"
                        f'<guid isPermaLink="true">{ids}/2026/11/{i}</guid><pubDate>{_PUBLISHED[i]}</pubDate>'
                        f"<description>{escape(texts[i])}</description></item>" for i in range(3))
        return f'<rss version="2.0"><channel><title>Coast</title><link>{site}/</link>{items}</channel></rss>'.encode()
    if kind == "atom":
        items = "".join(f'<entry><id>{ids}/2026/11/{i}</id><title>{_TITLES[i]}</title><link href="{site}/2026/11/{i}"/>'
                        f'<updated>{_ISO[i]}</updated><content type="text">{escape(texts[i])}</content></entry>'
                        for i in range(3))
        return (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast</title><id>{ids}/</id>'
                f"<updated>{_ISO[2]}</updated>{items}</feed>").encode()
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Coast", "items": [
        {"id": f"{ids}/2026/11/{i}", "url": f"{site}/2026/11/{i}", "title": _TITLES[i], "date_published": _ISO[i],
         "content_text": texts[i]} for i in range(3)]}).encode()


def _serve(srv: TestServer, kind: str, site: str, ids: str | None = None, texts: list[str] = _TEXTS) -> None:
    srv.set("/feed", _feed(kind, site, ids, texts), headers={"Content-Type": _CTYPE[kind]})


def test_an_http_id_is_one_entry_whatever_its_scheme_or_www() -> None:
    assert id_identity(" http://www.coast.example/2026/11/0 ") == "https://coast.example/2026/11/0"
    assert id_identity("HTTP://WWW.coast.example/a") == "https://coast.example/a"
    keys = {article_key("s", f"{site}/a?p=123", None, "", "") for site in
            ("http://coast.example", "https://www.coast.example", "http://www.coast.example", "https://coast.example")}
    assert keys == {article_key("s", "https://coast.example/a?p=123", None, "", "")}
    # the rest as spelt: a fragment, a query's order, the host's case tell entries apart
    assert len({article_key("s", i, None, "", "") for i in (
        "http://coast.example/page#Ver1", "http://coast.example/page#Ver2", "http://coast.example/?a=1&b=2",
        "http://coast.example/?b=2&a=1", "http://Coast.example/page")}) == 5
    # an https id without www. keeps the key it had: the old keys are the other three spellings
    assert spelt_id_key("s", "https://coast.example/a") == article_key("s", "https://coast.example/a", None, "", "")
    assert sorted(spelt_id_keys("s", "http://coast.example/a")) == sorted(
        spelt_id_key("s", f"{site}/a") for site in ("http://coast.example", "http://www.coast.example",
                                                    "https://www.coast.example"))


@pytest.mark.parametrize("entry_id", [
    "tag:coast.example,2026:news/0", "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "1234", "coast-0",
    "ftp://www.coast.example/0", "www.coast.example/0", "tag:coast.example,2026:http://www.coast.example/0",
])
def test_an_id_that_is_no_http_url_keeps_its_key(entry_id: str) -> None:
    """Keyed as spelt, as before: a store of before knows it by the key it has now."""
    assert id_identity(entry_id) == entry_id
    assert article_key("s", entry_id, "http://www.coast.example/0", "", "") == spelt_id_key("s", entry_id)
    assert spelt_id_keys("s", entry_id) == []


def test_a_feed_listing_one_entry_under_two_spellings_of_its_id_lists_it_once() -> None:
    """One key, one entry (the first), as an id repeated as spelt is."""
    feed = ('<rss version="2.0"><channel><title>Coast</title>'
            + "".join(f"<item><title>{_TITLES[0]}</title><link>{site}/a</link><guid>{site}/a</guid>"
                      f"<description>{_TEXTS[0]}</description></item>"
                      for site in ("http://coast.example", "https://www.coast.example"))
            + "</channel></rss>").encode()
    [entry] = parse_feed(feed, source="Coast")
    assert entry.entry_id == "http://coast.example/a"


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
@pytest.mark.parametrize(("before", "after"), MOVES)
def test_a_site_that_rewrote_its_ids_to_https_shows_nothing_again(
    tmp_path: Path, make_app: MakeApp, kind: str, before: str, after: str
) -> None:
    """Before: the second day read "3 new articles", each stored twice, for a move of scheme or
    ``www.`` of the feed's ids and links, its items otherwise unchanged.  The JSON digest shows
    each id as the feed wrote it when it was read."""
    with TestServer() as srv:
        _serve(srv, kind, before)
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 3
            assert {a.guid for a in _stored(app)} == {f"{before}/2026/11/{i}" for i in range(3)}
        _serve(srv, kind, after)
        with _app(tmp_path, make_app, srv, DAY2) as app:
            assert app.run().new_articles == 0
            assert len(_stored(app)) == 3
            view = app.build_view()
            assert view.stories == [] and view.articles_read == 0
            assert app.run().new_articles == 0  # and the next poll still knows them
            shown = json.loads(render_json(app.build_view(day=datetime(2026, 11, 17).date())))
            ids = {v["id"] for s in shown["stories"] for v in (s["lead"], *s["also"])}
            assert ids == {f"{before}/2026/11/{i}" for i in range(3)}


def test_the_same_page_under_a_new_id_of_no_url_is_still_another_entry(tmp_path: Path, make_app: MakeApp) -> None:
    """Only an http(s) id's scheme and ``www.`` are read as a link's: an id that changed from a
    URL to a ``tag:`` is another entry, as it was (shown once, though: the same title and text
    from one feed)."""
    with TestServer() as srv:
        _serve(srv, "atom", "http://coast.example")
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 3
        _serve(srv, "atom", "https://coast.example", ids="tag:coast.example,2026:")
        with _app(tmp_path, make_app, srv, DAY2) as app:
            assert app.run().new_articles == 3
            assert len(_stored(app)) == 6


@pytest.mark.parametrize("site", ["http://coast.example", "https://www.coast.example"])
def test_a_store_written_with_ids_as_spelt_knows_its_entries_after_the_upgrade(
    tmp_path: Path, make_app: MakeApp, site: str
) -> None:
    """A store of the digest before: its entries under the key of their id as spelt (scheme and
    ``www.``).  The upgraded digest reads the same feed (nothing new, nothing shown), then the
    site moved to ``https://coast.example`` (the same), then an item changed in place: read as
    its revision, of the first article's key, the story shown as developing."""
    with TestServer() as srv:
        _serve(srv, "rss", site)
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 3
            rows = _stored(app)
        db = sqlite3.connect(tmp_path / "data" / "digest.sqlite3")
        with db:  # the keys as the older digest wrote them, story ids with them
            for a in rows:
                old = spelt_id_key(a.source, a.guid or "")
                assert old != a.key
                rekey(db, old, a.key)
            olds = {spelt_id_key(a.source, a.guid or "") for a in rows}
        db.close()
        with _app(tmp_path, make_app, srv, DAY2) as app:
            assert app.run().new_articles == 0
            assert app.build_view().stories == []
            _serve(srv, "rss", "https://coast.example")
            assert app.run().new_articles == 0
            assert {a.key for a in _stored(app)} == olds
        edited = [_TEXTS[0], _TEXTS[1].replace("noon.", "noon, and the last homes by evening."), _TEXTS[2]]
        _serve(srv, "rss", "https://coast.example", texts=edited)
        with _app(tmp_path, make_app, srv, DAY3) as app:
            assert app.run().new_articles == 1
            [revision] = [a for a in _stored(app) if a.revision_of]
            assert revision.revision_of in olds and revision.key.startswith(revision.revision_of)
            assert revision.guid == "https://coast.example/2026/11/1"  # as the feed writes it now
            [story] = app.build_view().stories
            assert story.status == "developing"


def test_explain_finds_an_entry_by_its_id_before_and_after_the_move(tmp_path: Path, make_app: MakeApp) -> None:
    """Its first article keeps the id it was read with (``http://``), its revision the id of its
    day (``https://``).  Before, each spelling named one of them: the old one the first
    version, not the latest, and the new one nothing until a revision was stored."""
    from digest.explain import article

    edited = [_TEXTS[0], _TEXTS[1].replace("noon.", "noon, and the last homes by evening."), _TEXTS[2]]
    with TestServer() as srv:
        _serve(srv, "rss", "http://coast.example")
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 3
        _serve(srv, "rss", "https://www.coast.example")
        with _app(tmp_path, make_app, srv, DAY2) as app:
            assert app.run().new_articles == 0
            first = article(app.store, "https://www.coast.example/2026/11/1")
            assert first.guid == "http://coast.example/2026/11/1" and not first.revision_of
        _serve(srv, "rss", "https://www.coast.example", texts=edited)
        with _app(tmp_path, make_app, srv, DAY3) as app:
            assert app.run().new_articles == 1
            for spelt in ("http://coast.example/2026/11/1", "https://www.coast.example/2026/11/1"):
                latest = article(app.store, spelt)
                assert latest.revision_of == first.key and "last homes" in latest.text


@pytest.mark.parametrize("guid", ["http://www.coast.example/", "https://coast.example/"])
def test_a_page_read_under_an_http_id_before_other_pages_shared_it_is_not_new_again(
    tmp_path: Path, make_app: MakeApp, guid: str
) -> None:
    """A CMS writing its home page as every item's guid, listing one item the first day (read
    under that id: its key is the id read as https without ``www.``) and three the next (an id
    three pages share is no id; the first page is known by the key the id gave it).  Before the
    fix, with ``http://www.``: "3 new articles" the second day, the first page stored twice, as
    that key was looked for under the id as spelt only (an older digest's key)."""
    def items(n: int) -> bytes:
        return ('<rss version="2.0"><channel><title>Coast</title>' + "".join(
            f"<item><title>{_TITLES[i]}</title><link>https://coast.example/news/{i}</link><guid>{guid}</guid>"
            f"<description>{escape(_TEXTS[i])}</description></item>" for i in range(n)) + "</channel></rss>").encode()

    with TestServer() as srv:
        srv.set("/feed", items(1), headers={"Content-Type": _CTYPE["rss"]})
        with _app(tmp_path, make_app, srv, DAY1) as app:
            assert app.run().new_articles == 1
        srv.set("/feed", items(3), headers={"Content-Type": _CTYPE["rss"]})
        with _app(tmp_path, make_app, srv, DAY2) as app:
            assert app.run().new_articles == 2
            assert sorted(a.url or "" for a in _stored(app)) == [f"https://coast.example/news/{i}" for i in range(3)]


def test_a_home_page_guid_under_two_spellings_is_one_shared_id() -> None:
    """Four items, their guid the home page, written ``http://`` on two and ``https://www.`` on
    two: one id four pages share, so no id, and all four are read.  Before, each spelling named
    two pages (kept as an id) and the two spellings one key: the first item only."""
    feed = ('<rss version="2.0"><channel><title>Coast</title>' + "".join(
        f"<item><title>Story {i}</title><link>https://coast.example/news/{i}</link>"
        f"<guid>{'http://coast.example/' if i % 2 else 'https://www.coast.example/'}</guid>"
        f"<description>Text of story {i}.</description></item>" for i in range(4)) + "</channel></rss>").encode()
    entries = parse_feed(feed, source="Coast")
    assert [e.url for e in entries] == [f"https://coast.example/news/{i}" for i in range(4)]
    assert {e.entry_id for e in entries} == {None}
