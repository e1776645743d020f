"""An outlet's notice under a headline of its own, and a report removed and restored in one week.

A site that takes a report back often replaces the item's headline too ("Article removed").
The engine found the report a notice takes back by its headline only, so such a notice was a
story of its own: a new story headed "Article removed" whose text was the notice, and the report
itself stood untouched.  A notice that revises an entry (``digest.revisions``) takes back that
entry's report (``Doc.revises``), and a story led by its one outlet's notice is headed by the
report's headline.  A report removed and put back within one weekly digest's week said only
"restored its report".  Real parts: the feed on a loopback server, ``digest run`` through the
CLI with the configuration's clock, SQLite on disk; the Atom feed parsed by feedparser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import feedparser
import lxml.html
import pytest

from digest.app import open_app
from digest.cli import main
from digest.output.atom import stories_atom
from digest.output.render import render_markdown
from digest.records import DigestView, StoryView
from tests.support.httpd import TestServer
from tests.support.web import site
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, _item, feed
from tests.test_review_stop44_notice import rss
from tests.test_timeline import text_of
from tests.test_weekly_whats_new import HOMES

DIGESTS = [{"name": "daily"}, {"name": "weekly", "every": "week", "weekday": "monday"}]
REMOVED = ("Article removed", "This article has been removed.")


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv, digests=DIGESTS)


def _run(reader: Reader, at: datetime, quake: tuple[str, str]) -> None:
    assert main(["run", "--config", str(reader.config(at, feed(quake))), "--quiet"]) == 0


def _view(reader: Reader, day: date, digest: str = "daily") -> DigestView:
    with open_app(reader.config(DAY1 + timedelta(days=20), feed())) as app:
        return app.build_view(day, digest=digest)


def _quake(view: DigestView) -> StoryView:
    [story] = [s for s in view.stories if s.lead.url == "https://coast.example/quake-1"]
    return story


def test_a_notice_under_a_headline_of_its_own_takes_its_report_back(reader: Reader) -> None:
    _run(reader, DAY1, (Q_TITLE, Q_TEXT))
    _run(reader, DAY1 + timedelta(days=1), REMOVED)
    view = _view(reader, date(2026, 11, 11))
    assert len(view.stories) == 1, [s.title for s in view.stories]  # no story "Article removed"
    quake = _quake(view)
    assert (quake.status, quake.whats_new) == ("developing", "Coast News removed its report")
    assert quake.title == Q_TITLE
    md = render_markdown(view)
    assert f"## [{Q_TITLE}]" in md and "Article removed" not in md, md
    atom = feedparser.parse(stories_atom(view.stories, title="t", feed_url="https://d.example/feed.atom",
                                         site_url="https://d.example/", updated=DAY1 + timedelta(days=1)))
    assert [e.title for e in atom.entries] == [Q_TITLE]


def test_the_story_page_is_headed_by_the_report_taken_back(reader: Reader) -> None:
    _run(reader, DAY1, (Q_TITLE, Q_TEXT))
    _run(reader, DAY1 + timedelta(days=1), REMOVED)
    quake = _quake(_view(reader, date(2026, 11, 11)))
    with open_app(reader.config(DAY1 + timedelta(days=2), feed())) as app, site(app.cfg) as web:
        page = lxml.html.document_fromstring(web.get(f"/story/{quake.story_id}").text)
    assert page.findtext(".//h1/a") == Q_TITLE


def test_a_report_removed_and_restored_in_one_week_is_no_news_that_week(reader: Reader) -> None:
    """Removed on Tuesday, put back on Thursday as it was: the daily reader is told each; the
    weekly reader, who read it the week before, is told nothing (stop 44's reader review: the
    weekly said "Coast News removed and restored its report" of a text it had read)."""
    _run(reader, DAY1 - timedelta(days=7), (Q_TITLE, Q_TEXT))  # read the week before
    _run(reader, DAY1, (Q_TITLE, "This article has been removed."))  # Tuesday
    _run(reader, DAY1 + timedelta(days=2), (Q_TITLE, Q_TEXT))  # Thursday: put back
    assert _quake(_view(reader, date(2026, 11, 10))).whats_new == "Coast News removed its report"
    assert _quake(_view(reader, date(2026, 11, 12))).whats_new == "Coast News restored its report"
    weekly = _view(reader, date(2026, 11, 15), "weekly")
    assert weekly.stories == [] and weekly.articles_read == weekly.duplicates_collapsed == 2


def test_a_report_read_first_in_the_week_removed_and_restored_is_told_as_read(reader: Reader) -> None:
    """First read on Monday, removed Tuesday, back Thursday: the weekly reader never read it, and
    is told what it says, not that it went and came back."""
    _run(reader, DAY1 - timedelta(days=1), (Q_TITLE, Q_TEXT))  # Monday 9: the story's first report
    _run(reader, DAY1, (Q_TITLE, "This article has been removed."))
    _run(reader, DAY1 + timedelta(days=2), (Q_TITLE, Q_TEXT))
    weekly = _quake(_view(reader, date(2026, 11, 15), "weekly"))
    assert weekly.status == "new" and weekly.whats_new == "" and HOMES in weekly.lead.text


def test_another_outlets_report_new_in_the_week_removed_and_restored_is_told_by_its_words(reader: Reader) -> None:
    """The story read the week before; Valley Wire's report first read on Monday, removed on
    Tuesday, back on Thursday: the weekly line is what the report says (its headline), not
    "Valley Wire removed and restored its report" (stop 44's reader review)."""
    title, text = text_of("quake_a2")
    published = DAY1 - timedelta(days=1)

    def wire(t: str, x: str) -> str:
        return rss(_item("wire-q", t, x, published), "Valley Wire")

    _run(reader, DAY1 - timedelta(days=7), (Q_TITLE, Q_TEXT))  # Coast News, the week before
    reader.others["Valley Wire"] = wire(title, text)
    _run(reader, DAY1 - timedelta(days=1), (Q_TITLE, Q_TEXT))  # Monday 9
    reader.others["Valley Wire"] = wire(title, "This article has been removed.")
    _run(reader, DAY1, (Q_TITLE, Q_TEXT))  # Tuesday
    reader.others["Valley Wire"] = wire(title, text)
    _run(reader, DAY1 + timedelta(days=2), (Q_TITLE, Q_TEXT))  # Thursday
    weekly = _quake(_view(reader, date(2026, 11, 15), "weekly"))
    assert (weekly.status, weekly.whats_new) == ("developing", title)


def test_a_days_heading_is_never_a_report_read_on_a_later_day(reader: Reader) -> None:
    """The day's page is the story as it stood at the day's end: a report of the same outlet
    read a day after its notice (published before it, so taken back by it) does not head the
    day the notice was shown (it headed it, as the latest report taken back)."""
    late = _item("quake-2", "Harbour wall cracked in Taranaki quake", Q_TEXT, DAY1 - timedelta(hours=14))
    _run(reader, DAY1, (Q_TITLE, Q_TEXT))
    _run(reader, DAY1 + timedelta(days=1), REMOVED)
    notice = _item("quake-1", *REMOVED, DAY1 - timedelta(hours=12))
    assert main(["run", "--config", str(reader.config(DAY1 + timedelta(days=2), rss(notice + late))), "--quiet"]) == 0
    quake = _quake(_view(reader, date(2026, 11, 11)))
    assert (quake.title, quake.whats_new) == (Q_TITLE, "Coast News removed its report")
    assert _view(reader, date(2026, 11, 12)).stories == []  # read after its notice: taken back


def test_a_notice_under_a_new_id_at_the_reports_address_takes_it_back(reader: Reader) -> None:
    """A site that publishes its notice as an entry of its own (another id) at the report's
    address, under a headline of its own: the notice found its report neither by entry nor by
    headline, and the day's digest had a new story "Article removed" naming no report."""
    _run(reader, DAY1, (Q_TITLE, Q_TEXT))
    notice = _item("notice-9", *REMOVED, DAY1 + timedelta(hours=20)).replace(
        "https://coast.example/notice-9", "https://coast.example/quake-1")
    assert main(["run", "--config", str(reader.config(DAY1 + timedelta(days=1), rss(notice))), "--quiet"]) == 0
    view = _view(reader, date(2026, 11, 11))
    assert [(s.title, s.status, s.whats_new) for s in view.stories] == [
        (Q_TITLE, "developing", "Coast News removed its report")]


def test_a_notice_whose_report_was_never_read_is_no_story(reader: Reader) -> None:
    """A notice taking back a report the store never held (published before the source was
    added, or pruned since) names nothing the reader read: no story "Article removed"."""
    notice = _item("notice-9", *REMOVED, DAY1 - timedelta(hours=2))
    assert main(["run", "--config", str(reader.config(DAY1, rss(notice))), "--quiet"]) == 0
    view = _view(reader, DAY1.date())
    assert view.stories == [] and view.articles_read == 1
