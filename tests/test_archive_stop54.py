"""The archive (``digest serve``) at stop 54: a day regrouped after its digest was written, and
the copies in a day page's "Also reported by".  A real server on 127.0.0.1 over a real SQLite
file, pages fetched with httpx."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html

from digest.app import App
from digest.store.base import NewArticle, open_store
from tests.support.archive import NOW, QUAKE, article, at
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
