"""Three papercuts of the archive (``digest serve``) left at stop 52's reading (stop 53): a real
server on 127.0.0.1 over a real SQLite file, pages fetched with httpx."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import lxml.html

from digest.app import App
from digest.records import Article
from digest.store.base import NewArticle, open_store
from tests.support.archive import NOW, QUAKE, article, at, fill
from tests.support.config import MakeConfig
from tests.support.web import Site, active, check_headers
from tests.support.web import site as open_site


def _rows(page: str) -> list[str]:
    doc = lxml.html.document_fromstring(page)
    return [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='versions']/li")]


def _footer(page: str) -> str:
    """The page's line of when it was made ("Generated ...")."""
    doc = lxml.html.document_fromstring(page)
    [em] = [e for e in doc.iter("em") if e.text_content().startswith(("Generated", "Built from the archive"))]
    return " ".join(em.text_content().split())


# -- 1. when a served day was made ---------------------------------------------------------------

def test_a_past_days_page_says_when_its_digest_was_made_as_its_file_does(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """A served day's page said "Generated <the time of the request>", weeks after its day: it is
    rendered on request.  It now says when the day's digest was built, as the file written then
    says; a day no digest was written for says it is built from the archive, as of its latest
    article (not the time it is read)."""
    db = str(tmp_path / "digest.sqlite3")
    writer = make_config(tmp_path, database=db, clock="2026-03-14T23:00:00Z")
    with App(writer, open_store(writer.database_url)) as app:
        fill(app.store)
        [md, html] = app.write_digest(day=date(2026, 3, 14), formats=("md", "html"))
    written = _footer(html.read_text(encoding="utf-8"))
    assert written == "Generated Sat 14 Mar, 23:00 UTC.", written
    assert f"*{written}*" in " ".join(md.read_text(encoding="utf-8").split())  # no-break spaces too
    later = NOW + timedelta(days=20)
    for clock in (None, later.isoformat()):  # the reader's clock: its own or a configured one
        cfg = make_config(tmp_path, database=db, **({"clock": clock} if clock else {}))
        with open_site(cfg, clock=lambda: later) as s:
            day = s.get("/day/2026-03-14")
            open_day = s.get("/day/2026-03-13")  # read, never written
        assert day.status_code == 200 and open_day.status_code == 200
        assert _footer(day.text) == written
        assert _footer(open_day.text) == "Built from the archive on request; its latest article arrived Fri 13 Mar, 15:00 UTC."


def test_a_day_written_while_open_says_when_its_latest_article_arrived(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """A day's digest written at 10:30 (``digest run`` while the day was open), two articles
    read after it: its page shows them, so it is not the file of 10:30 and does not say so."""
    db = str(tmp_path / "digest.sqlite3")
    cfg = make_config(tmp_path, database=db)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app.store)
        app.write_digest(day=date(2026, 3, 14), formats=("html",), now=datetime(2026, 3, 14, 10, 30, tzinfo=UTC))
    with open_site(cfg, clock=lambda: NOW) as s:
        footer = _footer(s.get("/day/2026-03-14").text)
    assert footer == "Built from the archive on request; its latest article arrived Sat 14 Mar, 12:00 UTC.", footer


# -- 2. a day with no digest ---------------------------------------------------------------------

def _no_day(s: Site, path: str) -> tuple[str, str, dict[str, str], list[tuple[str, str]]]:
    """A day page's 404: its heading, its line, its links to the nearest days by ``rel``, and
    the links in its content (text, href)."""
    r = s.get(path)
    assert r.status_code == 404, (path, r.status_code)
    check_headers(r)
    assert active(r.text) == []
    doc = lxml.html.document_fromstring(r.text)
    [content] = doc.xpath("//div[@id='content']")
    near = {str(a.get("rel")): str(a.get("href")) for a in content.xpath(".//nav[@class='days']/a")}
    links = [(" ".join(a.text_content().split()), str(a.get("href"))) for a in content.iter("a")]
    return " ".join(doc.xpath("string(//h1)").split()), " ".join(doc.xpath("string(//p[@class='lede'])").split()), near, links


def test_a_day_without_a_digest_is_a_404_page_with_the_nearest_days(site: Site) -> None:
    """``/day/D`` of a day with no digest (none arrived, or one outside the archive) answered a
    bare "404 Not Found: No digest for D.": a reader who followed an old link, or typed a day,
    had nowhere to go but the index.  It is still a 404, in the archive's look: it says there is
    no digest that day and links the nearest days that have one, and the index.  (The archive:
    2026-01-02, 2026-03-13 and 2026-03-14.)"""
    heading, line, near, links = _no_day(site, "/day/2026-02-10")
    assert heading == "Tuesday, 10 February 2026" and line == "No digest for 2026-02-10 in the archive."
    assert near == {"prev": "/day/2026-01-02", "next": "/day/2026-03-13"}
    assert ("All days", "/") in links
    for href in near.values():  # each is a day with a digest
        assert site.get(href).status_code == 200, href
    _, _, near, _ = _no_day(site, "/day/2016-01-05")  # before the archive
    assert near == {"next": "/day/2026-01-02"}
    _, _, near, _ = _no_day(site, "/day/2026-12-01")  # after it
    assert near == {"prev": "/day/2026-03-14"}
    _, _, near, _ = _no_day(site, "/day/9999-12-31")  # past what the calendar's hours hold
    assert near == {"prev": "/day/2026-03-14"}
    heading, line, near, _ = _no_day(site, "/day/2026-02-30")  # no day: its place all the same
    assert (heading, line) == ("No such day", "“2026-02-30” is not a day.")
    assert near == {"prev": "/day/2026-01-02", "next": "/day/2026-03-13"}


# -- 3. a lead that is a copy ---------------------------------------------------------------------

def test_a_lead_with_an_earlier_versions_text_is_not_said_to_add_nothing(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """The lead chosen among copies (Valley Wire's, read after Harbor Herald published the same
    text) read "(lead; copy: adds nothing to the earlier versions)": the story shows it, so it
    is no copy that adds nothing.  It now says whose copy it is; another copy keeps its label."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"))
    with open_store(cfg.database_url) as store:
        store.add_articles([
            NewArticle(article("f1", "Harbor Herald", "Quake shakes Opunake", None, at(14, 7), QUAKE), b"fp", "quake", 0.5),
            NewArticle(article("f2", "Valley Wire", "Quake shakes Opunake", "https://valley.example/q", at(14, 8), QUAKE), b"fp", "quake", 0.9),
            NewArticle(article("f3", "Hill Post", "Quake shakes Opunake", None, at(14, 9), QUAKE[:200]), b"fp", "quake", 0.4),
        ], leads={"quake": "f2"})  # fmt: skip
    with open_site(cfg, clock=lambda: NOW) as s:
        r = s.get("/story/quake")
    assert r.status_code == 200
    rows = _rows(r.text)
    assert rows[0].startswith("Valley Wire (lead; copy of Harbor Herald's earlier version): "), rows
    assert "adds nothing" not in rows[0]
    assert rows[1].startswith("Harbor Herald: "), rows
    assert rows[2].startswith("Hill Post (copy: adds nothing to the earlier versions): "), rows


def test_versions_read_in_one_poll_are_told_apart_by_their_publication(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """The bundled examples' recall story, read in one run: the wire's original (Valley Wire,
    14:00) leads, and Riverside Post's copy of it (14:40) arrived at the same instant.  By key,
    the copy came first, and the original read "(lead; copy of Riverside Post's earlier
    version)" above a copy published 40 minutes after it."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"))
    read = at(14, 20)
    wire = Article(key="z-wire", source="Valley Wire", title="Quake shakes Opunake", text=QUAKE,
                   url=None, published=at(14, 14), fetched=read)
    copy = Article(key="a-copy", source="Riverside Post", title="Quake shakes Opunake", text=QUAKE,
                   url=None, published=at(14, 15), fetched=read)
    with open_store(cfg.database_url) as store:
        store.add_articles([NewArticle(wire, b"fp", "quake", 0.9), NewArticle(copy, b"fp", "quake", 0.5)],
                           leads={"quake": "z-wire"})
    with open_site(cfg, clock=lambda: NOW) as s:
        rows = _rows(s.get("/story/quake").text)
    assert rows[0].startswith("Valley Wire (lead): "), rows
    assert rows[1].startswith("Riverside Post (copy: adds nothing to the earlier versions): "), rows
