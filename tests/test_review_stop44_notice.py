"""Stop 44's review of a notice under a headline of its own (tests written by the reviewer; the
failing ones failed before their fixes): search names the report taken back, not "Article
removed"; a takedown of a report older than the engine's range takes it back; a notice takes
back what its entry said last (a guid reused for another story); and the cases checked fine:
two outlets, notice-restore-notice in a week, both in a day, a labelled retraction, a report
pruned before its notice.  Real parts: feeds on a loopback server, ``digest run``, ``digest
serve``, SQLite on disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.output.search import search
from digest.records import DigestView
from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import (
    DAY1,
    Q_TEXT,
    Q_TITLE,
    Reader,
    _item,
    feed,
)

DIGESTS = [{"name": "daily"}, {"name": "weekly", "every": "week", "weekday": "monday"}]
REMOVED = ("Article removed", "This article has been removed.")


def rss(items: str, name: str = "Coast News") -> str:
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>{name}</title><link>https://coast.example/</link>" + items + "</channel></rss>")


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv, digests=DIGESTS)


@pytest.fixture
def two(reader: Reader) -> Reader:
    """Coast News and Valley Wire."""
    reader.others["Valley Wire"] = rss("")
    return reader


def _run(reader: Reader, at: datetime, body: str) -> None:
    assert main(["run", "--config", str(reader.config(at, body)), "--quiet"]) == 0


def _view(reader: Reader, day: date, digest: str = "daily") -> DigestView:
    with open_app(reader.config(DAY1 + timedelta(days=20), feed())) as app:
        return app.build_view(day, digest=digest)


def _titles(view: DigestView) -> list[str]:
    return [s.title for s in view.stories]


def test_search_names_the_report_not_the_notice(reader: Reader) -> None:
    """`digest search` / the serve search page list the story by its stored lead's headline."""
    _run(reader, DAY1, feed())
    _run(reader, DAY1 + timedelta(days=1), feed(REMOVED))
    assert _titles(_view(reader, date(2026, 11, 11))) == [Q_TITLE]
    with open_app(reader.config(DAY1 + timedelta(days=2), feed())) as app:
        found = search(app.store, app.cfg, "Opunake harbour")
    assert [r.title for r in found] == [Q_TITLE]


def test_a_notice_for_an_old_report_outside_the_engines_range(tmp_path: Path) -> None:
    """A report published 70 days ago (still kept: keep_days default) is replaced in place."""
    with TestServer() as srv:
        reader = Reader(tmp_path, srv, digests=DIGESTS)
        old = DAY1 - timedelta(days=70)
        body = lambda q: rss(_item("quake-1", *q, old))  # noqa: E731
        _run(reader, old + timedelta(hours=2), body((Q_TITLE, Q_TEXT)))
        _run(reader, DAY1, body(REMOVED))
        assert _titles(_view(reader, DAY1.date())) == [Q_TITLE]


def test_two_outlets_one_removes_in_place_heading_stays_the_others(two: Reader) -> None:
    published = DAY1 - timedelta(hours=12)
    two.others["Valley Wire"] = rss(_item("wire-q", Q_TITLE, "OPUNAKE (Valley Wire) - " + Q_TEXT, published).replace(
        "coast.example/wire-q", "wire.example/wire-q"), "Valley Wire")
    _run(two, DAY1, feed())
    _run(two, DAY1 + timedelta(days=1), feed(REMOVED))
    _run(two, DAY1 + timedelta(days=2), feed(REMOVED))  # engine rebuilt again
    view = _view(two, date(2026, 11, 11))
    assert _titles(view) == [Q_TITLE], [(s.title, s.whats_new, s.lead.source) for s in view.stories]
    [s] = view.stories
    assert s.whats_new == "Coast News removed its report"
    assert s.lead.source == "Valley Wire"
    assert "Article removed" not in [v.title for v in s.also], [(v.source, v.title) for v in s.also]


def test_notice_restore_notice_in_one_week(reader: Reader) -> None:
    _run(reader, DAY1 - timedelta(days=7), feed())
    _run(reader, DAY1, feed(REMOVED))  # Tue
    _run(reader, DAY1 + timedelta(days=1), feed())  # Wed back
    _run(reader, DAY1 + timedelta(days=2), feed(REMOVED))  # Thu removed again
    for d in (10, 11, 12):
        v = _view(reader, date(2026, 11, d))
        print(d, [(s.title, s.whats_new) for s in v.stories])
    weekly = _view(reader, date(2026, 11, 15), "weekly")
    assert [(s.title, s.whats_new) for s in weekly.stories] == [(Q_TITLE, "Coast News removed its report")]


def test_removed_and_restored_the_same_day(reader: Reader) -> None:
    _run(reader, DAY1 - timedelta(days=1), feed())
    _run(reader, DAY1 - timedelta(hours=12), feed(REMOVED))  # Tue 06:00
    _run(reader, DAY1, feed())  # Tue 18:00 back
    v = _view(reader, date(2026, 11, 10))
    assert v.stories == [] and v.articles_read == 2 and v.duplicates_collapsed == 2  # gone and back: no news


def test_labelled_retraction_in_place(reader: Reader) -> None:
    _run(reader, DAY1, feed())
    _run(reader, DAY1 + timedelta(days=1), feed(("Retracted: " + Q_TITLE, "This article has been retracted.")))
    _run(reader, DAY1 + timedelta(days=2), feed(("Retracted: " + Q_TITLE, "This article has been retracted.")))
    v = _view(reader, date(2026, 11, 11))
    assert [(s.title, s.whats_new) for s in v.stories] == [(Q_TITLE, "Coast News retracted its report")]


def test_serve_search_page_names_the_report(reader: Reader) -> None:
    import lxml.html

    from tests.support.web import site
    _run(reader, DAY1, feed())
    _run(reader, DAY1 + timedelta(days=1), feed(REMOVED))
    with open_app(reader.config(DAY1 + timedelta(days=2), feed())) as app, site(app.cfg) as web:
        page = lxml.html.document_fromstring(web.get("/search?q=Opunake+harbour").text)
    assert [a.text for a in page.xpath("//main//li/a")] == [Q_TITLE]


def test_a_notice_after_the_entry_was_reused_for_another_story(reader: Reader) -> None:
    """The entry quake-1 first held the quake report, then the site reused it for the derby
    report (a material revision, another story), then replaced it with a removal notice: the
    derby report is what was removed."""
    from tests.test_timeline import text_of
    derby = text_of("derby")
    _run(reader, DAY1, feed())
    _run(reader, DAY1 + timedelta(days=1), feed(derby))
    v = _view(reader, date(2026, 11, 11))
    print([(s.title, s.status, s.whats_new) for s in v.stories])
    _run(reader, DAY1 + timedelta(days=2), feed(REMOVED))
    v = _view(reader, date(2026, 11, 12))
    assert [(s.title, s.whats_new) for s in v.stories] == [(derby[0], "Coast News removed its report")]


def test_a_notice_after_the_report_was_pruned(tmp_path: Path) -> None:
    with TestServer() as srv:
        reader = Reader(tmp_path, srv, digests=DIGESTS, dedup={"window_days": 1}, keep_days=6)
        old = DAY1 - timedelta(days=10)
        body = lambda q: rss(_item("quake-1", *q, old))  # noqa: E731
        _run(reader, old + timedelta(hours=2), body((Q_TITLE, Q_TEXT)))
        cfg = reader.config(DAY1 - timedelta(hours=1), body((Q_TITLE, Q_TEXT)))
        assert main(["prune", "--config", str(cfg)]) == 0
        _run(reader, DAY1, body(REMOVED))
        assert _titles(_view(reader, DAY1.date())) == []
