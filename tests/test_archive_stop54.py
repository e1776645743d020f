"""The archive (``digest serve``) at stop 54: a day regrouped after its digest was written, and
the copies in a day page's "Also reported by".  A real server on 127.0.0.1 over a real SQLite
file, pages fetched with httpx."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html

from digest.app import App
from digest.output.digests import archive_view
from digest.output.render import render_text
from digest.store.base import NewArticle, open_store
from tests.support.archive import EVIL_SOURCE, NOW, QUAKE, article, at
from tests.support.config import MakeConfig
from tests.support.web import site as open_site

STORM = "Gales of 120 km/h closed the Cook Strait ferries and felled trees across Wellington. " * 4


def _footer(page: str) -> str:
    """The page's line of when it was made ("Generated ...")."""
    doc = lxml.html.document_fromstring(page)
    [em] = [e for e in doc.iter("em") if e.text_content().startswith(("Generated", "Built from the archive"))]
    return " ".join(em.text_content().split())


def _stories(page: str) -> list[str]:
    """The day page's story headings, in order."""
    doc = lxml.html.document_fromstring(page)
    return [" ".join(h.text_content().split()) for h in doc.xpath("//*[contains(@class, 'story')][self::h2 or self::h3]")]


# -- 1. a day regrouped after its digest was written ------------------------------------------------

def _written_day(tmp_path: Path, make_config: MakeConfig) -> tuple[str, str]:
    """Day 14 March written at 23:00 (two stories: a quake of two outlets, a storm); its store
    and its HTML file's text."""
    db = str(tmp_path / "digest.sqlite3")
    writer = make_config(tmp_path, database=db, clock="2026-03-14T23:00:00Z")
    with App(writer, open_store(writer.database_url)) as app:
        app.store.add_articles([
            NewArticle(article("q1", "Coast News", "Quake shakes Opunake", None, at(14, 8), QUAKE), b"fp", "quake", 0.9),
            NewArticle(article("q2", "Valley Wire", "Aftershock felt in Hawera", None, at(14, 9), QUAKE[:300]), b"fp", "quake", 0.5),
            NewArticle(article("s1", "Hill Post", "Storm closes Cook Strait", None, at(14, 10), STORM), b"fp", "storm", 0.7),
        ], leads={"quake": "q1", "storm": "s1"})  # fmt: skip
        [html] = app.write_digest(day=date(2026, 3, 14), formats=("html",))
    return db, html.read_text(encoding="utf-8")


def test_a_day_regrouped_by_a_later_article_says_so_under_its_built_time(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """A served day is built from the store: a day-15 article that moved one of day 14's
    versions (Valley Wire's) to a story of its own changed day 14's page, no article new that
    day, and its footer still said "Generated Sat 14 Mar, 23:00 UTC" as the file does, which
    shows the versions as they were grouped.  The page shows the stories as grouped now (as
    the story pages and their permalinks do) and says they were regrouped since."""
    db, written = _written_day(tmp_path, make_config)
    assert _footer(written) == "Generated Sat 14 Mar, 23:00 UTC."
    cfg = make_config(tmp_path, database=db)
    with open_store(cfg.database_url) as store:  # the engine's regrouping: q2 moved as h1 came in
        store.add_articles([
            NewArticle(article("h1", "Taranaki Daily", "Hawera aftershock cracks school walls", None, at(15, 9),
                               QUAKE[:300] + " Walls cracked at Hawera High."), b"fp", "h1", 0.6, moves=(("q2", "h1"),)),
        ], leads={"h1": "h1"})  # fmt: skip
    with open_site(cfg, clock=lambda: NOW.replace(day=16)) as s:
        served = s.get("/day/2026-03-14").text
    assert len(_stories(served)) == len(_stories(written)) + 1, (_stories(served), _stories(written))
    assert _footer(served) == "Generated Sat 14 Mar, 23:00 UTC; stories regrouped since by later articles."


def test_a_later_days_version_of_a_days_story_is_no_regrouping_of_it(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """A day-15 version joining day 14's quake story (a development, nothing moved) leaves day
    14's page as its file showed it: its footer is the file's."""
    db, written = _written_day(tmp_path, make_config)
    cfg = make_config(tmp_path, database=db)
    with open_store(cfg.database_url) as store:
        store.add_articles([
            NewArticle(article("q3", "Taranaki Daily", "Quake: roads reopen", None, at(15, 9), QUAKE[:250]),
                       b"fp", "quake", 0.4),
        ])
    with open_site(cfg, clock=lambda: NOW.replace(day=16)) as s:
        served = s.get("/day/2026-03-14").text
    assert _stories(served) == _stories(written)
    assert _footer(served) == _footer(written) == "Generated Sat 14 Mar, 23:00 UTC."


# -- 2. copies in a day page's "Also reported by" ----------------------------------------------------

def _also(page: str) -> list[str]:
    """The rows of the day page's "Also reported by" lists, as read."""
    doc = lxml.html.document_fromstring(page)
    rows = doc.xpath("//p[contains(@class, 'also-label')]/following-sibling::ul[1]/li")
    return [" ".join(li.text_content().split()) for li in rows]


def test_a_day_pages_also_reported_by_names_the_outlet_a_copy_repeats(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """The story page labels a version that repeats an earlier one ("copy: adds nothing ..."); a
    day page's "Also reported by" did not, and a reader clicked three outlets carrying one wire
    text.  Each row that adds nothing to another outlet's version says whose: "same text as"
    where each adds nothing to the other, "adds nothing to" for a part of it (a summary); a
    rewrite with news of its own says nothing.  The outlet's name is escaped as everywhere (a
    hostile one), in the served page, the Markdown file and the email's text part alike."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), clock="2026-03-14T23:00:00Z")
    wire = ("A magnitude 5.1 earthquake shook the coast near Opunake on Saturday morning, GeoNet said. "
            "Residents in Hawera and New Plymouth reported shaking that lasted about twenty seconds. "
            "There were no reports of injuries, and Taranaki civil defence said no tsunami was expected. "
            "Engineers were checking the Waingongoro bridge on State Highway 45 as a precaution.")
    summary = wire.split(". ")[0] + "."
    rewrite = wire.rsplit(". ", 1)[0] + ". Police closed the coast road at Pungarehu while the bridge was checked."
    with App(cfg, open_store(cfg.database_url)) as app:
        app.store.add_articles([
            NewArticle(article("w1", EVIL_SOURCE, "Quake shakes Opunake", None, at(14, 7), wire), b"fp", "quake", 0.9),
            NewArticle(article("w2", "Riverside Post", "Quake shakes Opunake", "https://river.example/q", at(14, 8), wire), b"fp", "quake", 0.5),
            NewArticle(article("w3", "Hill Post", "Quake shakes Opunake", None, at(14, 9), summary), b"fp", "quake", 0.4),
            NewArticle(article("w4", "Metro Daily", "Quake closes coast road", None, at(14, 10), rewrite), b"fp", "quake", 0.6),
        ], leads={"quake": "w1"})  # fmt: skip
        md, html = app.write_digest(day=date(2026, 3, 14), formats=("md", "html"))
        view = archive_view(app.store, cfg, date(2026, 3, 14))

    with open_site(cfg, clock=lambda: NOW) as s:
        served = s.get("/day/2026-03-14").text
    for page in (served, html.read_text(encoding="utf-8")):
        assert "<img" not in page.split("<body", 1)[1], "the outlet's name is markup"
        rows = _also(page)
        assert len(rows) == 3, rows
        assert rows[0].startswith("Riverside Post: ") and rows[0].endswith(f"· same text as {EVIL_SOURCE}"), rows
        assert rows[1].startswith("Hill Post: ") and rows[1].endswith(f"· adds nothing to {EVIL_SOURCE}"), rows
        assert rows[2].startswith("Metro Daily: ") and "nothing" not in rows[2] and "same text" not in rows[2], rows
    text = md.read_text(encoding="utf-8")
    assert "· same text as &lt;img src=x onerror=alert(1)>Evil Outlet" in " ".join(text.split()), text  # as its lead's
    assert "**&lt;img src=x onerror=alert(1)>Evil Outlet**" in text
    mail = " ".join(render_text(view, tz=cfg.tz).split())
    assert f"* Riverside Post · Sat 14 Mar, 08:00 UTC · same text as {EVIL_SOURCE}" in mail, mail
    assert f"* Hill Post · Sat 14 Mar, 09:00 UTC · adds nothing to {EVIL_SOURCE}" in mail, mail
