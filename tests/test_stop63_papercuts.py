"""Stop 63's papercuts, each as a reader met it (docs/evaluation.md, "Stop 63: papercuts")."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.store import migrations
from tests.support.config import make_config

MIDNIGHT_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Midnight Wire</title>
<link>https://midnight.example/</link><description>x</description>
<item><title>Observatory confirms comet flyby at exactly midnight</title><link>https://midnight.example/comet</link>
<pubDate>Fri, 20 Nov 2026 00:00:00 GMT</pubDate><description>The city observatory said the comet passed closest
to the earth at midnight on Friday, and that its tail would stay visible over the harbour for three more nights.</description></item>
<item><title>Lighthouse museum opens a new wing for old lenses</title><link>https://midnight.example/lenses</link>
<pubDate>Fri, 20 Nov 2026</pubDate><description>The lighthouse museum opened a new wing on Friday to show the great
glass lenses taken from the coast's old towers, with a room for the keepers' logbooks.</description></item>
</channel></rss>"""


def _run(tmp_path: Path, sources: dict[str, str | Path]) -> tuple[str, str]:
    """``digest run`` on ``sources`` on 20 November 2026: its (Markdown, HTML) digest."""
    cfg = make_config(tmp_path, sources, write=True, clock="2026-11-20T20:00:00Z", timezone="UTC",
                      backlog_days=0).config_path
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    out = tmp_path / "out"
    return ((out / "digest-2026-11-20.md").read_text(encoding="utf-8").replace("\xa0", " "),
            (out / "digest-2026-11-20.html").read_text(encoding="utf-8").replace("&nbsp;", " ").replace("\xa0", " "))


def _line(text: str, title: str) -> str:
    """The line of ``text`` after ``title``'s heading that names the outlet and its time."""
    after = text[text.index(title):]
    return next(line for line in after.splitlines()[1:] if "Midnight Wire" in line)


def test_a_feeds_time_of_midnight_is_a_time_and_a_day_stated_alone_is_the_day(tmp_path: Path) -> None:
    """Stop 62 showed a day stated without its time (a saved page's "2019-11-19") as the day,
    told by the time it was stored at, 00:00:00 UTC; a feed's item stated at exactly 00:00:00
    GMT was shown as a day too.  Now by what was stated: the time is shown, the day alone is."""
    feed = tmp_path / "midnight.rss"
    feed.write_text(MIDNIGHT_RSS, encoding="utf-8")
    md, page = _run(tmp_path, {"Midnight Wire": feed})
    assert _line(md, "Observatory confirms comet").endswith("Fri 20 Nov, 00:00 UTC")
    assert _line(md, "Lighthouse museum opens").endswith("Fri 20 Nov")
    assert '<span class="time">Fri 20 Nov, 00:00 UTC</span>' in page
    assert '<span class="time">Fri 20 Nov</span>' in page


def test_an_article_stored_before_at_midnight_is_still_shown_as_the_day(tmp_path: Path) -> None:
    """Version 17 (SQLite): an article stored at exactly 00:00:00.000000 UTC before was shown as
    its day; it is taken as one when the store is migrated, the others as times.  The old rows
    are not rewritten (their ``published_day`` NULL, read from their time): PostgreSQL's UPDATE
    of them took 314 s for 315,021 rows (stop 63's review)."""
    from digest.store.sqlite import SQLiteStore

    db = tmp_path / "old.sqlite3"
    with SQLiteStore(db, migrations=migrations.load("sqlite")[:16]) as old, old.transaction():
        for key, at in (("day", "2026-11-20T00:00:00.000000Z"), ("time", "2026-11-20T00:00:01.000000Z")):
            old.db.execute("INSERT INTO articles(key, source, title, text, published, fetched, fingerprint, story_id) "
                           "VALUES (?, 'S', 't', 'x', ?, ?, x'00', ?)", (key, at, at, key))
    with SQLiteStore(db) as new:
        assert new.schema_version == len(migrations.load("sqlite"))
        got = {k: new.get_article(k) for k in ("day", "time")}
    assert {k: (a.published_day if a else None) for k, a in got.items()} == {"day": True, "time": False}
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE published_day IS NULL").fetchone() == (2,)


def test_a_postgresql_store_takes_its_midnight_articles_as_days(tmp_path: Path) -> None:
    """Version 22 (PostgreSQL): as the SQLite store's version 17."""
    from tests.support.services import pg_schema

    with pg_schema() as url:
        from digest.store.postgres import PostgresStore

        with PostgresStore(url, migrations=migrations.load("postgresql")[:21]) as old, old.transaction():
            for key, at in (("day", datetime(2026, 11, 20, tzinfo=UTC)),
                            ("time", datetime(2026, 11, 20, 0, 0, 1, tzinfo=UTC))):
                old.db.execute("INSERT INTO articles(key, source, title, text, published, fetched, fingerprint, "
                               "story_id) VALUES (%s, 'S', 't', 'x', %s, %s, '\\x00', %s)", (key, at, at, key))
        with PostgresStore(url) as new:
            assert new.schema_version == len(migrations.load("postgresql"))
            got = {k: new.get_article(k) for k in ("day", "time")}
    assert {k: (a.published_day if a else None) for k, a in got.items()} == {"day": True, "time": False}


def test_a_page_or_a_note_says_whether_it_stated_a_day_or_a_time_of_midnight(tmp_path: Path) -> None:
    """The same for a saved page's ``datePublished`` and a note's front matter ``date:``."""
    from digest.sources.localfiles import read_file

    now = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    body = "<p>The council voted on Friday to rebuild the harbour wall the storm broke in two places.</p>"
    said = {}
    for name, stated in (("day.html", "2026-11-20"), ("time.html", "2026-11-20T00:00:00Z"),
                         ("day.md", "2026-11-20"), ("time.md", "2026-11-20T00:00:00Z")):
        path = tmp_path / name
        if name.endswith(".html"):
            path.write_text(f'<html><head><meta itemprop="datePublished" content="{stated}"><title>Wall</title>'
                            f"</head><body><article>{body}</article></body></html>", encoding="utf-8")
        else:
            path.write_text(f"---\ntitle: Wall\ndate: {stated}\n---\nThe council voted on Friday.\n", encoding="utf-8")
        (entry,) = read_file(path, source="Mine", now=now)
        assert entry.published == datetime(2026, 11, 20, tzinfo=UTC) and not entry.date_from_file, name
        said[name] = entry.published_day
    assert said == {"day.html": True, "time.html": False, "day.md": True, "time.md": False}


NOTE = """# Allotment society moves its seed swap to the library

The allotment society said its winter seed swap moves to the [central library](https://library.example/swap)
this year, after the old hall was [sold](javascript:alert(1)) to a developer. Members can read the
[minutes](<https://allotments.example/minutes 2026.pdf>) and see https://allotments.example/map for the plots.
"""
FEED_TOO = """<?xml version="1.0"?><rss version="2.0"><channel><title>Coast News</title><link>https://coast.example/</link>
<description>x</description><item><title>Harbour ferry timetable changes for winter</title>
<link>https://coast.example/ferry</link><pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate><description>The ferry
leaves an hour later from Monday, and the central library stop moves to the quay, the operator said on Friday
after the minutes of its board meeting were published.</description></item></channel></rss>"""


def test_a_notes_markdown_links_stay_links_in_its_excerpt_and_a_feeds_words_never_become_one(tmp_path: Path) -> None:
    """Stop 62 linked a note's bare URLs; its ``[words](https://...)`` showed the words alone
    (the address was lost when the note was read to text).  Its http(s) links are kept apart
    and its words linked again on the digest's pages; a ``javascript:`` one stays text, and a
    feed's words are never linked, the same words though they are."""
    import lxml.html

    from tests.support.web import site

    note, feed = tmp_path / "notes" / "swap.md", tmp_path / "coast.rss"
    note.parent.mkdir()
    note.write_text(NOTE, encoding="utf-8")
    feed.write_text(FEED_TOO, encoding="utf-8")
    md, page = _run(tmp_path, {"My notes": note.parent, "Coast News": feed})
    assert "winter seed swap moves to the central library" in md  # the Markdown file: as before
    cfg = make_config(tmp_path, {"My notes": note.parent, "Coast News": feed}, write=True,
                      clock="2026-11-20T20:00:00Z", timezone="UTC", backlog_days=0)
    with site(cfg) as s:
        story = next(p for p in {h for h in _hrefs(s.get("/day/2026-11-20").text) if h.startswith("/story/")}
                     if "allotment society" in s.get(p).text)
        pages = {"digest": page, "story page": s.get(story).text}
    for name, html_page in pages.items():
        doc = lxml.html.document_fromstring(html_page)
        excerpts = {p.text_content().split()[1]: p for p in doc.find_class("excerpt")}
        ours = excerpts["allotment"]
        links = [(a.text_content(), a.get("href")) for a in ours.iter("a")]
        assert links == [("central library", "https://library.example/swap"),
                         ("minutes", "https://allotments.example/minutes%202026.pdf"),
                         ("https://allotments.example/map", "https://allotments.example/map")], name
        assert "sold to a developer" in ours.text_content(), name
    theirs = next(p for p in lxml.html.document_fromstring(page).find_class("excerpt") if "ferry" in p.text_content())
    assert "central library" in theirs.text_content() and list(theirs.iter("a")) == []


def _hrefs(page: str) -> list[str]:
    import lxml.html

    return [str(h) for h in lxml.html.document_fromstring(page).xpath("//a/@href")]


def test_a_private_feeds_token_in_its_path_is_not_in_its_error_line(tmp_path: Path) -> None:
    """A failing source's error line names the address it read, and is shown in the digest, the
    email and the archive's pages: a private feed's token in its path was there ("HTTP 404 Not
    Found from http://host/feed/3f9a8c.../rss"), as its password was before stop 50-odd.  Now
    the token is ``***`` as the password is; the rest of the address still says where."""
    from tests.support.httpd import TestServer

    token = "3f9a8c7b2e1d4f6a9b8c7d6e5f4a3b2c"
    feed = tmp_path / "midnight.rss"
    feed.write_text(MIDNIGHT_RSS, encoding="utf-8")
    with TestServer() as srv:
        srv.set("/other", "nothing")
        private = srv.url(f"/feed/{token}/rss").replace("http://", "http://ann:hunter2@")
        cfg = make_config(tmp_path, {"Midnight Wire": feed, "Private": private}, write=True, timezone="UTC",
                          clock="2026-11-20T20:00:00Z", backlog_days=0, fetch={"allow_hosts": ["127.0.0.1"]})
        assert main(["run", "--config", str(cfg.config_path), "--quiet"]) == 1  # a source failed
    md = (tmp_path / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8")
    [line] = [line for line in md.splitlines() if "**Private**" in line]
    assert "404" in line and f"{srv.port}/feed/\\*\\*\\*/rss" in line.replace("\\_", "_"), line
    with closing(sqlite3.connect(tmp_path / "data" / "digest.sqlite3")) as db:
        [(stored,)] = db.execute("SELECT last_error FROM sources WHERE name='Private'")
    assert "/feed/***/rss" in stored and token not in stored + md and "hunter2" not in stored + md


def test_a_feed_moved_for_good_to_a_private_address_is_logged_without_its_token(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The line said once when a feed moved for good ("Coast: http://host/old moved for good to
    ...: read there from now on") named the new address whole, its token too."""
    from tests.support.httpd import TestServer

    token = "aB3xK9mQ2pL7vN4wR8tYz0"
    with TestServer() as srv:
        srv.set("/old", "", status=301, headers={"Location": f"/feed/{token}/rss"})
        srv.set(f"/feed/{token}/rss", MIDNIGHT_RSS, headers={"Content-Type": "application/rss+xml"})
        cfg = make_config(tmp_path, {"Coast": srv.url("/old")}, write=True, timezone="UTC",
                          clock="2026-11-20T20:00:00Z", backlog_days=0, fetch={"allow_hosts": ["127.0.0.1"]})
        with caplog.at_level(logging.INFO):
            assert main(["run", "--config", str(cfg.config_path), "--quiet"]) == 0
    err = caplog.text
    assert "moved for good to" in err and "/feed/***/rss" in err and token not in err, err


def test_a_developing_storys_note_leads_with_its_own_links(tmp_path: Path) -> None:
    """A follow-up note joins Tuesday's story the next day; the story's lead stays Tuesday's
    (more complete), so Wednesday's entry leads with the follow-up's excerpt (stop 63's
    developing entries).  Its ``[words](https://...)`` are the follow-up's links, not the
    lead's: the merge of the two stop 63 changes first looked the links up on the lead."""
    import lxml.html

    from tests.test_timeline import text_of

    notes = tmp_path / "notes"
    notes.mkdir()
    title, body = text_of("quake_a1")
    (notes / "quake.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    cfg = make_config(tmp_path, {"My notes": notes}, write=True, clock="2026-11-10T20:00:00Z",
                      timezone="UTC", backlog_days=0).config_path
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    title, body = text_of("quake_a_followup")
    body = body.replace("the Taranaki Regional Council said", "the [Taranaki Regional Council](https://trc.example/opunake) said", 1)
    (notes / "harbour.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    text = cfg.read_text(encoding="utf-8").replace("2026-11-10T20:00:00Z", "2026-11-11T20:00:00Z")
    cfg.write_text(text, encoding="utf-8")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    page = (tmp_path / "out" / "digest-2026-11-11.html").read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(page)
    assert doc.find_class("earlier"), "the story develops with its lead Tuesday's"
    lead = doc.find_class("excerpt")[0]
    assert "rebuilt by March" in lead.text_content()
    assert [(a.text_content(), a.get("href")) for a in lead.iter("a")] == [
        ("Taranaki Regional Council", "https://trc.example/opunake")]
