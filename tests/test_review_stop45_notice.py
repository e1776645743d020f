"""Stop 45's review of a notice read as an entry of its own at its report's address (tests
written by the reviewer; each failed on the change as reviewed): a report and its notice read in
one poll; a notice of a report never read that takes back
another story by its generic headline ("Article removed"); a report put back as a new entry
and removed again by the same notice; a link several entries share.  Real parts: the feed on a
loopback server, ``digest run`` through the CLI with the configuration's clock, SQLite on disk."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.records import DigestView
from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import C_TEXT, C_TITLE, DAY1, Q_TEXT, Q_TITLE, Reader, _item
from tests.test_review_stop44_notice import rss

DIGESTS = [{"name": "daily"}, {"name": "weekly", "every": "week", "weekday": "monday"}]
REMOVED = ("Article removed", "This article has been removed.")
PUB = DAY1 - timedelta(hours=12)


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv, digests=DIGESTS)


def _run(reader: Reader, at: datetime, items: str) -> None:
    assert main(["run", "--config", str(reader.config(at, rss(items))), "--quiet"]) == 0


def _view(reader: Reader, day: date, digest: str = "daily") -> DigestView:
    with open_app(reader.config(DAY1 + timedelta(days=20), rss(""))) as app:
        return app.build_view(day, digest=digest)


def _lines(view: DigestView) -> list[tuple[str, str, str]]:
    return [(s.title, s.status, s.whats_new) for s in view.stories]


def _at(guid: str, page: str, title: str, text: str, published: datetime) -> str:
    """An item with id ``guid`` whose link is https://coast.example/PAGE."""
    return _item(guid, title, text, published).replace(
        f"<link>https://coast.example/{guid}</link>", f"<link>https://coast.example/{page}</link>")


def _stories(reader: Reader) -> dict[str, str]:
    """Each stored article's story (guid: story id)."""
    with sqlite3.connect(reader.db) as con:
        rows = dict(con.execute("SELECT guid, story_id FROM articles").fetchall())
    con.close()
    return rows


@pytest.mark.parametrize("notice_first", [True, False])
def test_a_report_and_its_notice_read_in_one_poll(reader: Reader, notice_first: bool) -> None:
    """The site published its report at 06:00 and its notice "Article removed" (another id, the
    report's address) at 16:00; the daily poll at 18:00 reads both.  The notice looked up its
    report in the store only (the batch is stored at its end): it took nothing back, its story
    of notices only was hidden, and the day's digest showed the removed report as a new story,
    never saying it was removed (before the change: a story "Article removed" beside it).  As
    a notice under the report's headline in one poll does, it joins the report's story."""
    report = _item("quake-1", Q_TITLE, Q_TEXT, PUB)
    notice = _at("notice-9", "quake-1", *REMOVED, DAY1 - timedelta(hours=2))
    _run(reader, DAY1, notice + report if notice_first else report + notice)
    stories = _stories(reader)
    assert stories["notice-9"] == stories["quake-1"]
    view = _view(reader, DAY1.date())
    assert [s.lead.text for s in view.stories] != [Q_TEXT], _lines(view)  # not the report, as if standing


def test_a_notice_of_a_report_never_read_takes_back_no_other_story(reader: Reader) -> None:
    """Coast News's notice "Article removed" at other-7, a report the reader never read: it
    found no report at its address, then took the headline lookup, which found the quake's
    notice under the same headline "Article removed" (in the quake's story since the change),
    and the quake was "developing: Coast News removed its report" again on Thursday."""
    _run(reader, DAY1, _item("quake-1", Q_TITLE, Q_TEXT, PUB))
    _run(reader, DAY1 + timedelta(days=1), _at("notice-9", "quake-1", *REMOVED, DAY1 + timedelta(hours=2)))
    assert _lines(_view(reader, date(2026, 11, 11))) == [(Q_TITLE, "developing", "Coast News removed its report")]
    other = _at("notice-10", "other-7", "Article removed", "This article has been removed following a complaint.",
                DAY1 + timedelta(days=1, hours=2))
    _run(reader, DAY1 + timedelta(days=2), other)
    assert _stories(reader)["notice-10"] != _stories(reader)["quake-1"]
    assert _lines(_view(reader, date(2026, 11, 12))) == []


def test_a_notice_of_a_report_never_read_leaves_a_report_put_back_standing(reader: Reader) -> None:
    """Removed on Wednesday, put back as a new entry on Thursday ("restored"), and on Friday a
    notice of another report, never read, under the same headline "Article removed": the quake
    was "Coast News removed its report" again, its lead the other notice's address."""
    _run(reader, DAY1, _item("quake-1", Q_TITLE, Q_TEXT, PUB))
    _run(reader, DAY1 + timedelta(days=1), _at("notice-9", "quake-1", *REMOVED, DAY1 + timedelta(hours=2)))
    _run(reader, DAY1 + timedelta(days=2), _at("quake-1b", "quake-1", Q_TITLE, Q_TEXT, DAY1 + timedelta(days=1, hours=2)))
    assert _lines(_view(reader, date(2026, 11, 12))) == [(Q_TITLE, "developing", "Coast News restored its report")]
    other = _at("notice-10", "other-7", "Article removed", "This story is no longer available.",
                DAY1 + timedelta(days=2, hours=2))
    _run(reader, DAY1 + timedelta(days=3), other)
    assert _lines(_view(reader, date(2026, 11, 13))) == []


def test_a_report_put_back_as_a_new_entry_and_removed_again_is_told(reader: Reader) -> None:
    """Read the week before; removed on Tuesday (notice-9 at its address), put back on Wednesday
    as a new entry (quake-1b), removed again on Thursday by the same notice under another id
    (notice-11): Thursday's notice was hidden as a page already listed (the same headline and
    text as Tuesday's, ``view._repeats``), so the daily reader was last told "restored", and the
    weekly said nothing.  An entry updated in place the same way is told "removed" again
    (``test_review_stop44_notice.test_notice_restore_notice_in_one_week``)."""
    _run(reader, DAY1 - timedelta(days=7), _item("quake-1", Q_TITLE, Q_TEXT, PUB - timedelta(days=7)))
    _run(reader, DAY1, _at("notice-9", "quake-1", *REMOVED, DAY1 - timedelta(hours=2)))  # Tue
    _run(reader, DAY1 + timedelta(days=1), _at("quake-1b", "quake-1", Q_TITLE, Q_TEXT, DAY1 + timedelta(hours=20)))
    assert _lines(_view(reader, date(2026, 11, 11))) == [(Q_TITLE, "developing", "Coast News restored its report")]
    _run(reader, DAY1 + timedelta(days=2), _at("notice-11", "quake-1", *REMOVED, DAY1 + timedelta(days=1, hours=20)))
    assert _lines(_view(reader, date(2026, 11, 12))) == [(Q_TITLE, "developing", "Coast News removed its report")]
    weekly = _view(reader, date(2026, 11, 15), "weekly")
    assert _lines(weekly) == [(Q_TITLE, "developing", "Coast News removed its report")]


def test_a_notice_at_a_link_several_entries_share_takes_no_story_back(reader: Reader) -> None:
    """A feed whose items all link to the site's front page (or a live page reused for each
    story): the notice's address names no one report, and it took back the source's latest
    report there, whatever its story: the council story was "Coast News removed its report"."""
    _run(reader, DAY1, _at("quake-1", "", Q_TITLE, Q_TEXT, PUB))
    _run(reader, DAY1 + timedelta(days=1), _at("council-1", "", C_TITLE, C_TEXT, DAY1 + timedelta(hours=1)))
    _run(reader, DAY1 + timedelta(days=2), _at("notice-9", "", *REMOVED, DAY1 + timedelta(days=1, hours=2)))
    assert _stories(reader)["notice-9"] not in {_stories(reader)["quake-1"], _stories(reader)["council-1"]}
    assert "removed its report" not in str(_lines(_view(reader, date(2026, 11, 12))))


def test_a_story_of_notices_only_is_not_found_by_search(reader: Reader) -> None:
    """A notice of a report never read is no story in the day's digest (nor its archive day nor
    Atom feed), but `digest search` and the serve search page still listed a story "Article
    removed" (a search for "removed", "article"), leading to a story page of the notice alone."""
    from digest.output.search import search
    from tests.support.web import site

    _run(reader, DAY1, _at("notice-9", "quake-1", *REMOVED, DAY1 - timedelta(hours=2))
         + _item("council-1", C_TITLE, C_TEXT, DAY1 - timedelta(hours=3)))
    assert _lines(_view(reader, DAY1.date())) == [(C_TITLE, "new", "")]
    with open_app(reader.config(DAY1 + timedelta(days=1), rss(""))) as app, site(app.cfg) as web:
        assert [r.title for r in search(app.store, app.cfg, "article removed")] == []
        assert "Article removed" not in web.get("/search?q=removed").text


def test_digest_dedupe_reads_a_notice_at_its_reports_address_as_digest_run_does() -> None:
    """``digest dedupe`` (records in, no store) put a notice under a new id and a headline of its
    own in a story of its own, where ``digest run`` puts it in its report's; a link the reports
    of two stories share names neither."""
    from digest.batch import dedupe_records

    def rec(rid: str, title: str, text: str, url: str) -> dict[str, str]:
        return {"id": rid, "title": title, "text": text, "url": url, "source": "Coast News"}

    out = {r["id"]: r["story"] for r in dedupe_records([
        rec("quake-1", Q_TITLE, Q_TEXT, "https://coast.example/quake-1"),
        rec("council-1", C_TITLE, C_TEXT, "https://coast.example/front"),
        rec("notice-9", *REMOVED, "https://coast.example/quake-1"),
        rec("derby-1", "Derby", "Rovers and United drew 2-2 at the park on Saturday.", "https://coast.example/front"),
        rec("notice-10", *REMOVED, "https://coast.example/front"),
    ])}
    assert out["notice-9"] == out["quake-1"]
    assert out["notice-10"] not in (out["council-1"], out["derby-1"])


def test_a_page_of_search_results_is_full_where_a_story_of_notices_only_ranked_first(reader: Reader) -> None:
    """The index ranks a story of notices only like any other: left out after the store's limit,
    it left a page one short ("removed" asked for one result found none, the notice ranking
    above the council report that says the word once) and made the next page start one late."""
    from digest.output.search import search

    text = C_TEXT + " The old bandstand was removed last spring."
    _run(reader, DAY1, _at("notice-9", "quake-1", *REMOVED, DAY1 - timedelta(hours=2))
         + _item("council-1", C_TITLE, text, DAY1 - timedelta(hours=3)))
    with open_app(reader.config(DAY1 + timedelta(days=1), rss(""))) as app:
        assert app.store.search("removed", limit=1)[0].story_id != _stories(reader)["council-1"]
        assert [r.title for r in search(app.store, app.cfg, "removed", limit=1)] == [C_TITLE]
        assert [r.title for r in search(app.store, app.cfg, "removed", limit=1, offset=1)] == []
