"""The web archive (``digest serve``) and its Atom feed: a real server on 127.0.0.1,
a real SQLite store filled through the store API, pages fetched with httpx."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote

import feedparser
import httpx
import lxml.html
import pytest

from digest.config import parse_config
from digest.output.atom import permalink, stories_atom, story_tag
from digest.output.sanitize import find_active_content
from digest.records import StoryView, VersionView
from digest.store.base import NewArticle, Store, open_store
from tests.support.archive import HOSTILE, NOW, ODD_ID, QUAKE, article, at, fill
from tests.support.config import MakeConfig
from tests.support.web import Site, active, check_headers, hrefs, search_box, serving
from tests.support.web import site as open_site


# -- the web archive -------------------------------------------------------------
def test_server_binds_loopback_by_default(site: Site) -> None:
    assert site.url.startswith("http://127.0.0.1:")
    r = site.get("/healthz")
    assert r.status_code == 200 and r.text == "ok\n"
    check_headers(r)


def test_index_lists_days_newest_first_with_counts(site: Site) -> None:
    r = site.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    check_headers(r)
    doc = lxml.html.document_fromstring(r.text)
    items = [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='days']/li")]
    assert items == [
        "Saturday, 14 March 2026 · 3 stories",
        "Friday, 13 March 2026 · 1 story",
        "Friday, 2 January 2026 · 0 stories",  # a digest was built; nothing is left of it
    ]
    days = [h for h in hrefs(r.text) if h.startswith("/day/")]
    assert days == ["/day/2026-03-14", "/day/2026-03-13", "/day/2026-01-02"]
    assert active(r.text) == []


def test_day_page_shows_the_stories_escaped_with_working_permalinks(site: Site) -> None:
    r = site.get("/day/2026-03-14")
    assert r.status_code == 200
    check_headers(r)
    page = r.text
    assert active(page) == []
    doc = lxml.html.document_fromstring(page)
    titles = [" ".join(h.text_content().replace("\x07", "").split()) for h in doc.xpath("//h2")]
    assert titles[0] == "Quake shakes Opunake"  # three outlets: first
    assert '<script>alert("t")</script> & "quoted" ]]> tail' in titles
    assert "<script>" not in page and "javascript:" not in page and "<img" not in page
    links = hrefs(page)
    assert "https://coast.example/quake" in links and "https://valley.example/q?id=1&x=2" in links
    permalinks = [h for h in links if h.startswith("/story/")]
    assert len(permalinks) == 3
    assert "/story/odd%2Fid%20%3F%26%23x?day=2026-03-14" in permalinks  # the day it is linked from: its nav goes back there
    for href in permalinks:
        story = site.get(href)
        assert story.status_code == 200, href
        assert active(story.text) == []
    assert {"/", "/feed.atom"} <= set(links)


def test_story_page_lists_every_version(site: Site) -> None:
    r = site.get("/story/quake")
    assert r.status_code == 200
    doc = lxml.html.document_fromstring(r.text)
    items = doc.xpath("//ul[@class='versions']/li")
    rows = [" ".join(li.text_content().split()) for li in items]
    assert len(rows) == 3
    assert rows[0].startswith("Coast News (lead): Quake shakes Opunake")
    assert rows[1].startswith("Valley Wire: Opunake quake rattles coast")
    # a cut of the lead's text: each row says what its version is (stop 38)
    assert rows[2].startswith("Hill Post (copy: adds nothing to the earlier versions): Earthquake near Opunake")
    assert [" ".join(li.find_class("time")[0].text_content().split()) for li in items] == [
        "Sat 14 Mar, 08:00 UTC", "Sat 14 Mar, 09:00 UTC", "Sat 14 Mar, 10:00 UTC"
    ]
    links = hrefs(r.text)
    assert "https://coast.example/quake" in links and "https://valley.example/q?id=1&x=2" in links
    assert "/day/2026-03-14" in links  # back to the story's day
    assert "3 versions from 3 outlets" in " ".join(doc.text_content().split())


def test_story_page_shows_every_versions_excerpt(site: Site) -> None:
    """Not only the lead's: what each outlet wrote, under its line."""
    with open_store(site.cfg.database_url) as store:
        store.add_articles([NewArticle(article("q4", "Bay Times", "Quake: the view from the bay", "https://bay.example/q", at(14, 11), "Boats in the bay rocked as the quake hit."), b"fp", "quake", 0.3)])
    doc = lxml.html.document_fromstring(site.get("/story/quake").text)
    excerpts = {
        li.find("strong").text_content(): " ".join(li.find_class("excerpt")[0].text_content().split())
        for li in doc.xpath("//ul[@class='versions']/li")
    }
    # the whole text, but for its opening sentence said again at once, shown once (stop 65: a
    # headline a page read as one paragraph holds twice over its lede; QUAKE says one sentence 4 times)
    whole = " ".join(QUAKE.split())
    assert excerpts["Coast News"] == whole[whole.index(". ") + 2:]
    assert excerpts["Hill Post"] == " ".join(QUAKE[:150].split())
    assert excerpts["Bay Times"] == "Boats in the bay rocked as the quake hit."
    assert len(doc.find_class("excerpt")) == 4  # one per version, none left above the list


def test_index_counts_agree_with_each_day_page_and_days_link_to_their_neighbours(site: Site) -> None:
    """A developing story counts on the day it developed (the index counted stories by the
    day they were first seen, the day page shows new and developing ones)."""
    with open_store(site.cfg.database_url) as store:
        store.add_articles([NewArticle(article("c2", "Hill Post", "Budget passed: what it means", "https://hill.example/c2", at(14, 16), "The council passed its budget; here is what changes."), b"fp", "council", 0.4)])
    index = lxml.html.document_fromstring(site.get("/").text)
    listed = {}
    for li in index.xpath("//ul[@class='days']/li"):
        href = li.find("a").get("href")
        listed[href] = int(li.text_content().rsplit("·", 1)[1].split()[0])
    assert listed == {"/day/2026-03-14": 4, "/day/2026-03-13": 1, "/day/2026-01-02": 0}
    for href, count in listed.items():
        day = lxml.html.document_fromstring(site.get(href).text)
        assert len(day.xpath("//h2[contains(@class, 'story')]")) == count, href
    # previous and next day, at the top and the bottom of the page
    def neighbours(day: str) -> list[tuple[str | None, str | None, str]]:
        doc = lxml.html.document_fromstring(site.get(f"/day/{day}").text)
        return [(a.get("rel"), a.get("href"), " ".join("".join(a.xpath(".//text()[not(ancestor::*[@class='vh'])]")).split()))
                for nav in doc.find_class("days") for a in nav.iter("a")]  # fmt: skip (as shown: not the words for screen readers)
    middle = neighbours("2026-03-13")
    assert middle == 2 * [("prev", "/day/2026-01-02", "← Fri, 2 Jan 2026"),
                          ("next", "/day/2026-03-14", "Sat, 14 Mar 2026 →")]  # fmt: skip
    assert neighbours("2026-03-14") == 2 * [("prev", "/day/2026-03-13", "← Fri, 13 Mar 2026")]
    assert neighbours("2026-01-02") == 2 * [("next", "/day/2026-03-13", "Fri, 13 Mar 2026 →")]


def test_hostile_story_page_is_escaped(site: Site) -> None:
    r = site.get("/story/hostile")
    assert r.status_code == 200
    assert active(r.text) == []
    assert "&lt;script&gt;" in r.text and "<script>" not in r.text
    assert not any(h.lower().startswith("javascript") for h in hrefs(r.text))
    assert "Evil Outlet" in lxml.html.document_fromstring(r.text).text_content()


def test_unknown_pages_are_404_and_other_methods_405(site: Site) -> None:
    for path in (
        "/nope",
        "/day/2026-02-30",
        "/day/2025-01-01",
        "/story/missing",
        "/day/x",
        "/story/",
    ):
        r = site.get(path)
        assert r.status_code == 404, path
        check_headers(r)
    r = site.client.post(site.url + "/", content=b"x")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD"
    head = site.client.head(site.url + "/day/2026-03-14")
    assert (
        head.status_code == 200
        and head.content == b""
        and int(head.headers["Content-Length"]) > 1000
    )


@pytest.mark.parametrize("timezone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
def test_days_at_the_ends_of_the_calendar_are_404_not_500(tmp_path: Path, timezone: str) -> None:
    """9999-12-31 ends in year 10000; 0001-01-01 starts in year 0 east of UTC."""
    cfg = parse_config(
        f"database: {tmp_path / 'digest.sqlite3'}\ntimezone: {timezone}\n", path=tmp_path / "feeds.yaml"
    )
    with open_store(cfg.database_url) as store:
        fill(store)
    with serving(cfg, clock=lambda: NOW) as server, httpx.Client(timeout=10) as client:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for day in ("9999-12-31", "0001-01-01", "0001-01-02", "9999-12-30"):
            r = client.get(f"{base}/day/{day}")
            assert r.status_code == 404, (day, r.status_code)
            assert f"No digest for {day}" in r.text
            check_headers(r)
        assert client.get(f"{base}/day/2026-03-14").status_code == 200


def test_a_day_with_a_digest_but_no_stories_left_is_shown(site: Site) -> None:
    r = site.get("/day/2026-01-02")
    assert r.status_code == 200 and "No new stories" in r.text


def test_feed_lists_recent_stories_and_parses(site: Site) -> None:
    r = site.get("/feed.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    check_headers(r)
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Test archive"
    ids = [e.id for e in feed.entries]
    assert sorted(ids) == sorted(story_tag(s) for s in ("quake", "hostile", ODD_ID, "council"))
    quake = next(e for e in feed.entries if e.id == story_tag("quake"))
    assert quake.link == "https://coast.example/quake"
    assert permalink(site.url, "quake") in [link.href for link in quake.links]
    assert site.get(unquote(permalink(site.url, "quake"))[len(site.url) :]).status_code == 200
    assert "Valley Wire" in quake.content[0].value and "Hill Post" in quake.content[0].value
    hostile = next(e for e in feed.entries if e.id == story_tag("hostile"))
    assert hostile.link == permalink(site.url, "hostile")  # javascript: lead URL is not a link


def test_the_feed_of_an_archive_nothing_arrived_in_lately_lists_its_last_week(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """A backfilled archive (``digest replay`` of last year) or sources silent for weeks: the
    feed is the archive's last week, not empty."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="Test archive")
    with open_store(cfg.database_url) as store:
        fill(store)
    ids = {}
    for later in (timedelta(0), timedelta(days=60)):
        with open_site(cfg, clock=lambda later=later: NOW + later) as s:  # type: ignore[misc]
            ids[later] = sorted(e.id for e in feedparser.parse(s.get("/feed.atom").content).entries)
    assert ids[timedelta(days=60)] == ids[timedelta(0)] and len(ids[timedelta(0)]) == 4


# -- the Atom feed on its own ----------------------------------------------------
def version(source: str, title: str, url: str | None, hour: int = 9, text: str = "") -> VersionView:
    return VersionView(source, title, url, at(14, hour), text)


def test_atom_entries_match_stories_and_hostile_text_stays_text() -> None:
    stories = [
        StoryView("a", "ignored", version("Coast", HOSTILE, "https://coast.example/a?x=1&y=<2>", text="Body & <b>more</b> \x0b text."),
                  [version("Valley", "Other <i>take</i>", "javascript:alert(1)", 10), version("Hill", "", "data:text/html,x", 11)],
                  first_seen=at(14, 9)),
        StoryView("b/2", "B", version("Desk", "Second story", None), [], first_seen=at(14, 8)),
        StoryView("a", "dup", version("Coast", "duplicate entry", None), [], first_seen=at(14, 9)),
    ]  # fmt: skip
    xml = stories_atom(stories, title="My <digest>", feed_url="http://127.0.0.1:8080/feed.atom",
                       site_url="http://127.0.0.1:8080/", updated=NOW)  # fmt: skip
    assert "\x07" not in xml and "\x0b" not in xml
    feed = feedparser.parse(xml.encode("utf-8"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "My <digest>"
    assert [e.id for e in feed.entries] == [story_tag("a"), story_tag("b/2")]
    a, b = feed.entries
    assert a.title == '<script>alert("t")</script> & "quoted" ]]> tail'
    assert a.title_detail.type == "text/plain"
    assert a.link == "https://coast.example/a?x=1&y=%3C2%3E"
    assert a.author == "Coast"
    assert a.summary == "Body & <b>more</b> text."
    html = a.content[0].value
    assert find_active_content(html) == [] and "javascript" not in html and "data:" not in html
    assert "Other &lt;i&gt;take&lt;/i&gt;" in html and ">Hill<" in html
    assert re.search(r"lead", html)
    assert b.link == "http://127.0.0.1:8080/story/b%2F2"
    assert a.published.startswith("2026-03-14T09:00:00") and a.updated.startswith(
        "2026-03-14T11:00:00"
    )
    # the raw XML: the hostile title only as escaped text
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_atom_dates_never_after_the_feed_update() -> None:
    future = datetime(2030, 1, 1, tzinfo=UTC)
    story = StoryView(
        "f", "F", VersionView("X", "From the future", None, future), [], first_seen=future
    )
    feed = feedparser.parse(
        stories_atom(
            [story], title="t", feed_url="http://h/feed.atom", site_url="http://h/", updated=NOW
        )
    )
    assert not feed.bozo
    assert feed.entries[0].updated.startswith("2026-03-14T20:00:00")
    assert feed.entries[0].published.startswith("2026-03-14T20:00:00")


def test_a_retired_story_id_redirects_to_the_story_holding_its_first_article(site: Site) -> None:
    """Stories merge and regroup after a digest went out; its permalinks must still lead somewhere."""
    with open_store(site.cfg.database_url) as store:
        # as the engine names them: a story's id is the key of the article that started it
        store.add_articles([NewArticle(article("tide1", "Coast News", "King tide", None, at(14, 7), QUAKE), b"fp", "tide1", 0.5)])
        store.move_article("tide1", "quake")  # a regrouping retires story tide1
        store.move_article("q2", "q2~7")  # one gives q2 a fresh story id ...
        store.move_article("q2", "quake")  # ... and a later one takes it back
        assert store.get_story("tide1") is None and store.get_story("q2~7") is None
    for retired in ("tide1", "q2~7"):
        r = site.get(f"/story/{retired}")
        assert r.status_code == 302, retired
        assert r.headers["Location"] == "/story/quake"
        check_headers(r)
    assert site.get("/story/quake").status_code == 200
    assert site.get("/story/missing").status_code == 404


# -- rendered once per change, conditional requests ------------------------------------
def test_pages_answer_conditional_requests_until_the_store_changes(site: Site) -> None:
    first = site.get("/day/2026-03-14")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"x", W/{etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": modified}):  # fmt: skip
        r = site.get("/day/2026-03-14", headers=headers)
        assert r.status_code == 304 and r.content == b"", headers
        assert r.headers["ETag"] == etag
        check_headers(r)
    head = site.client.head(site.url + "/day/2026-03-14", headers={"If-None-Match": etag})
    assert head.status_code == 304
    # If-None-Match decides when both are sent (RFC 9110): another tag is a full answer
    r = site.get("/day/2026-03-14", headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert r.status_code == 200 and r.content == first.content
    with open_store(site.cfg.database_url) as store:
        store.add_articles([NewArticle(article("late", "Bay Times", "Harbour closed after the quake", None, at(14, 18), "The harbour is closed."), b"fp", "harbour", 0.5)])
    r = site.get("/day/2026-03-14", headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert r.status_code == 200 and "Harbour closed after the quake" in r.text
    assert r.headers["ETag"] != etag
    later = parsedate_to_datetime(r.headers["Last-Modified"])
    assert later > parsedate_to_datetime(modified)  # a changed page is never "not modified since"
    assert site.get("/day/2026-03-14", headers={"If-Modified-Since": modified}).status_code == 200
    for path in ("/", "/story/quake", "/feed.atom"):
        r = site.get(path)
        assert site.get(path, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304, path


def test_a_page_is_rendered_once_per_change_however_many_ask(tmp_path: Path, make_config: MakeConfig) -> None:
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"))
    with open_store(cfg.database_url) as store:
        fill(store)
    opened = []
    clock = [NOW]

    def factory() -> Store:
        opened.append(1)
        return open_store(cfg.database_url)

    with open_site(cfg, store_factory=factory, clock=lambda: clock[0]) as s:
        def opens(*paths: str, threads: int = 1) -> int:
            before = len(opened)
            with ThreadPoolExecutor(threads) as pool:
                for r in pool.map(s.get, [p for p in paths for _ in range(10)]):
                    assert r.status_code == 200
            return len(opened) - before

        assert opens("/day/2026-03-14", threads=10) == 1  # ten at once: one rendering
        assert opens("/day/2026-03-14", "/story/quake") == 1
        with open_store(cfg.database_url) as store:
            store.move_article("q3", "council")  # a regrouping: nothing new arrived
        assert opens("/day/2026-03-14") == 1
        assert "Earthquake near Opunake" not in s.get("/story/quake").text
        clock[0] = NOW + timedelta(days=1)  # the day turned: the index and the days' neighbours
        assert opens("/", "/day/2026-03-14") == 2
        assert opens("/healthz") == 10  # never cached: it checks the store


def test_every_page_has_the_search_box_and_the_day_page_lets_it_submit(site: Site) -> None:
    for path in ("/", "/day/2026-03-14", "/story/quake", "/nope", "/search", "/search?q=quake"):
        doc = lxml.html.document_fromstring(site.get(path).text)
        assert search_box(doc).get("action") == "/search", path
    day = lxml.html.document_fromstring(site.get("/day/2026-03-14").text)
    policies = [m.get("content") for m in day.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert policies and all("form-action 'self'" in p and "form-action 'none'" not in p for p in policies)


def test_a_sectioned_day_gives_every_story_its_own_link_in_place(tmp_path: Path, make_config: MakeConfig) -> None:
    """With sections a story's heading is an h3 under its section's h2: each one still gets
    its link on its own meta line, and no list of permalinks is added at the end."""
    for folder in ("coast", "odd"):
        (tmp_path / folder).mkdir()
    sources = ("  - {name: Coast News, path: coast, category: World}\n"
               "  - {name: Odd Times, path: odd, category: Local}\n")  # fmt: skip
    cfg = make_config(tmp_path, sources, database=str(tmp_path / "digest.sqlite3"))
    with open_store(cfg.database_url) as store:
        fill(store)
    with open_site(cfg, clock=lambda: NOW) as s:
        r = s.get("/day/2026-03-14")
        doc = lxml.html.document_fromstring(r.text)
        sections = [h.text_content().strip() for h in doc.xpath("//h2[contains(@class, 'section')]")]
        assert sections == ["World", "Local", "Other"]
        heads = doc.xpath("//h3[contains(@class, 'story')]")
        assert len(heads) == 3
        assert "Permalinks" not in r.text and not doc.xpath("//*[contains(@class, 'permalinks')]")
        found = {}
        for head in heads:
            meta = head.xpath("following-sibling::p[contains(@class, 'meta')][1]")[0]
            assert meta.xpath("preceding-sibling::h3[1]")[0] is head  # the story's own meta line
            links = meta.xpath(".//a[@class='permalink']")
            assert len(links) == 1
            found[" ".join(head.text_content().split())] = (links[0].text, links[0].get("href"))
        assert found["Quake shakes Opunake"] == ("all versions", "/story/quake?day=2026-03-14")
        assert found["A story with an odd id"] == ("permalink", "/story/odd%2Fid%20%3F%26%23x?day=2026-03-14")
        assert len(doc.xpath("//a[@class='permalink']")) == 3
        for _, href in found.values():
            assert s.get(href).status_code == 200, href


def test_a_user_template_without_story_headings_gets_the_permalinks_listed_at_the_end(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """The fallback list is built as elements: a title with a control character (the hostile
    story's BEL) is written without it, not a failed page."""
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "digest.md.j2").write_text(
        "# {{ title|md }}\n\n{% for s in stories %}- {{ s.title|md }}\n{% endfor %}\n", encoding="utf-8"
    )
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), templates="tpl")
    with open_store(cfg.database_url) as store:
        fill(store)
    with open_site(cfg, clock=lambda: NOW) as s:
        r = s.get("/day/2026-03-14")
        assert r.status_code == 200
        doc = lxml.html.document_fromstring(r.text)
        listed = doc.xpath("//section[@class='permalinks']//a")
        assert [a.get("href") for a in listed] == [f"/story/{s}?day=2026-03-14" for s in ("quake", "odd%2Fid%20%3F%26%23x", "hostile")]
        assert listed[2].text == HOSTILE.replace("\x07", "")
        assert active(r.text) == []
