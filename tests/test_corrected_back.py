"""A figure its outlet corrected back is news, once; a page flipping between two texts is not.

An entry read saying 4,000 homes, revised in place to 4,400 (told: "**4,400** (was 4,000)"),
then back to 4,000 was never told again: ``digest.revisions`` read a text back to an earlier
one as adding nothing (the copy test held both figures as read), so the day's digest was
empty, the weekly left the story out, and the story led with the withdrawn 4,400 text.  An
outlet's superseded version no longer stands for what it says now: a figure its latest version
replaced is compared with that one (``reading.Read``, by entry).  A page that flips between two
texts is read back once, not at every flip.  Real parts: the feed on a loopback server,
``digest run`` through the CLI with the configuration's clock, SQLite on disk."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from digest.app import open_app
from digest.cli import main
from digest.output.render import render_markdown
from digest.records import DigestView, StoryView
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed
from tests.test_weekly_whats_new import HOMES, _homes, reader

__all__ = ["reader"]  # the fixture, used below


def _run(reader: Reader, at: datetime, text: str, title: str = Q_TITLE) -> None:
    """``digest run`` with the clock at ``at``, the quake report's entry reading ``text``."""
    assert main(["run", "--config", str(reader.config(at, feed((title, text)))), "--quiet"]) == 0


def _view(reader: Reader, day: date, digest: str = "daily") -> DigestView:
    cfg = reader.config(DAY1 + timedelta(days=20), feed((Q_TITLE, Q_TEXT)))
    with open_app(cfg) as app:
        return app.build_view(day, digest=digest)


def _quake(view: DigestView) -> StoryView | None:
    found = [s for s in view.stories if "Taranaki" in s.title or "Taranaki" in s.lead.title]
    assert len(found) <= 1
    return found[0] if found else None


def test_a_figure_corrected_back_is_told_the_day_it_was(reader: Reader) -> None:
    _run(reader, DAY1, Q_TEXT)  # Tuesday 10 November: 4,000 homes
    _run(reader, DAY1 + timedelta(days=2), _homes("4,400"))  # Thursday 12: raised
    thursday = _quake(_view(reader, date(2026, 11, 12)))
    assert thursday is not None and thursday.status == "developing"
    _run(reader, DAY1 + timedelta(days=6), Q_TEXT)  # Monday 16: back to 4,000
    view = _view(reader, date(2026, 11, 16))
    monday = _quake(view)
    assert monday is not None, render_markdown(view)
    assert monday.status == "developing"
    md = render_markdown(view)
    assert "about **4,000** (was 4,400) homes" in md, md
    assert HOMES in monday.lead.text and "4,400" not in monday.lead.text  # the page's text now leads
    weekly = _view(reader, date(2026, 11, 22), "weekly")  # the week of 16-22: the weekly reader read 4,400
    week = _quake(weekly)
    assert week is not None and week.status == "developing"
    assert "about **4,000** (was 4,400) homes" in render_markdown(weekly)


def test_a_figure_raised_and_corrected_back_within_the_week_is_no_news_to_the_weekly_reader(reader: Reader) -> None:
    _run(reader, DAY1 - timedelta(days=7), Q_TEXT)  # read the week before: 4,000
    _run(reader, DAY1, _homes("4,500"))  # Tuesday 10
    _run(reader, DAY1 + timedelta(days=2), Q_TEXT)  # Thursday 12: back
    daily = _view(reader, date(2026, 11, 12))
    thursday = _quake(daily)
    assert thursday is not None and "about **4,000** (was 4,500) homes" in render_markdown(daily)
    weekly = _view(reader, date(2026, 11, 15), "weekly")  # 9-15 November
    md = render_markdown(weekly)
    assert "4,500" not in md, md  # never "**4,500** (was 4,000)": the page no longer says it
    assert _quake(weekly) is None, md  # the week ends where it began: nothing new


def test_a_page_flipping_between_two_figures_is_read_back_once(reader: Reader) -> None:
    texts = [Q_TEXT, _homes("4,400"), Q_TEXT, _homes("4,400"), Q_TEXT, _homes("4,400")]
    for i, text in enumerate(texts):
        _run(reader, DAY1 + timedelta(days=i), text)
    quake = [key for key, title in reader.articles() if title == Q_TITLE]
    assert len(quake) == 3, quake  # the report, the change, one change back
    shown = [_quake(_view(reader, (DAY1 + timedelta(days=i)).date())) for i in range(len(texts))]
    assert [s is not None for s in shown] == [True, True, True, False, False, False]


def test_a_headline_or_a_passage_back_as_it_was_is_still_no_news(reader: Reader) -> None:
    """Only a figure back is read: a headline tried and dropped (an A/B test), a paragraph
    added and taken out again, say nothing the reader has not read."""
    extra = "Civil Defence opened a welfare centre at the Opunake community hall for residents."
    _run(reader, DAY1, Q_TEXT)
    _run(reader, DAY1 + timedelta(days=1), Q_TEXT, "Harbour wall cracked as quake shakes Taranaki")
    _run(reader, DAY1 + timedelta(days=2), Q_TEXT)  # headline back
    _run(reader, DAY1 + timedelta(days=3), Q_TEXT + "\n" + extra)
    _run(reader, DAY1 + timedelta(days=4), Q_TEXT)  # paragraph out again
    quake = [t for _, t in reader.articles() if "Taranaki" in t]
    assert len(quake) == 3, quake  # the report, the new headline, the paragraph
    assert _quake(_view(reader, date(2026, 11, 12))) is None
    assert _quake(_view(reader, date(2026, 11, 14))) is None


def test_the_weekly_header_counts_a_week_undone_as_collapsed(reader: Reader) -> None:
    _run(reader, DAY1 - timedelta(days=7), Q_TEXT)
    _run(reader, DAY1, _homes("4,500"))
    _run(reader, DAY1 + timedelta(days=2), Q_TEXT)
    weekly = _view(reader, date(2026, 11, 15), "weekly")
    assert weekly.articles_read == 2 and weekly.story_count == 0
    assert weekly.duplicates_collapsed == 2  # the header's counts agree
