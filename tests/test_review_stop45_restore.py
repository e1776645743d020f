"""Stop 45's review of a report put back saying what the reader had not read (tests written by
the reviewer; each failed on main as reviewed): a new opening sentence of the report put back is
said twice, in the line and again as the excerpt's first sentence under it; a figure the reader
was never shown (the report raised and taken back in one digest's window, the digest showing the
notice alone) is told as the figure the report put back "was".  Real parts: the feed on a
loopback server, ``digest run`` through the CLI with the configuration's clock, SQLite on disk."""

from __future__ import annotations

from datetime import date, timedelta

import lxml.html

from digest.output.render import render_email_html, render_markdown, render_text
from tests.test_corrected_back import _quake, _run, _view
from tests.test_restored_figures import REMOVED, SAID
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Reader
from tests.test_weekly_whats_new import _homes, reader

__all__ = ["reader"]  # the fixture, used below

LEDE = ("Civil Defence opened a welfare centre at the Opunake community hall on Friday for residents "
        "whose homes were damaged.")


def test_a_new_opening_of_a_report_put_back_is_not_said_twice(reader: Reader) -> None:
    """Removed on Wednesday, put back on Thursday with a new first sentence: the line says it
    ("Coast News restored its report: Civil Defence opened ..."), and the excerpt right under it
    opened with the same sentence again.  The line's words are the lead's opening: the excerpt
    goes on after them, as it does for a line new by a figure (a version's own line that the
    excerpt says is not shown at all)."""
    _run(reader, DAY1, Q_TEXT)
    _run(reader, DAY1 + timedelta(days=1), REMOVED[1], REMOVED[0])
    _run(reader, DAY1 + timedelta(days=2), LEDE + "\n" + Q_TEXT)
    view = _view(reader, date(2026, 11, 12))
    story = _quake(view)
    assert story is not None and story.whats_new == f"{SAID}: {LEDE}"
    md = render_markdown(view)
    assert f"**Developing**: {SAID}: {LEDE}" in md, md
    assert md.count(LEDE) == 1, md
    assert render_text(view).replace("\n", " ").count("community hall on Friday") == 1
    page = lxml.html.document_fromstring(render_email_html(view))
    assert page.text_content().count("community hall on Friday") == 1


def test_a_figure_the_reader_never_saw_before_the_notice_is_no_was(reader: Reader) -> None:
    """4,000 on Tuesday; on Wednesday raised to 4,400 in the morning and taken back in the
    evening: Wednesday's digest showed "Coast News removed its report" and "This article has
    been removed." alone, never 4,400.  Put back on Thursday at 4,000, the line said "about
    **4,000** (was 4,400) homes": a change from a figure the reader never read, of a figure they
    read on Tuesday (as a figure raised and corrected back within a week is no news to the weekly
    reader, ``test_corrected_back``).  The report is back as the reader last read it: "Coast News
    restored its report", as before the change."""
    _run(reader, DAY1, Q_TEXT)  # Tuesday 10, 18:00
    _run(reader, DAY1 + timedelta(hours=16), _homes("4,400"))  # Wednesday 11, 10:00
    _run(reader, DAY1 + timedelta(days=1), REMOVED[1], REMOVED[0])  # Wednesday 11, 18:00
    wednesday = _view(reader, date(2026, 11, 11))
    assert "4,400" not in render_markdown(wednesday)  # the reader was shown the notice alone
    _run(reader, DAY1 + timedelta(days=2), Q_TEXT)  # Thursday 12: back at 4,000
    view = _view(reader, date(2026, 11, 12))
    story = _quake(view)
    assert story is not None and story.status == "developing"
    md = render_markdown(view)
    assert "4,400" not in md, md
    assert (story.whats_new, story.whats_new_figures) == (SAID, ())


def test_a_figure_the_weekly_reader_never_saw_before_the_notice_is_no_was(reader: Reader) -> None:
    """The weekly reader's: 4,000 in the week of 9-15 November; 4,400 on Monday 16 and the
    notice on Wednesday 18 (the weekly digest of 16-22 said "Coast News removed its report",
    never 4,400); back at 4,000 on Tuesday 24: "Coast News restored its report", no "(was 4,400)"."""
    _run(reader, DAY1, Q_TEXT)  # Tuesday 10
    _run(reader, DAY1 + timedelta(days=6), _homes("4,400"))  # Monday 16
    _run(reader, DAY1 + timedelta(days=8), REMOVED[1], REMOVED[0])  # Wednesday 18
    assert "4,400" not in render_markdown(_view(reader, date(2026, 11, 22), "weekly"))
    _run(reader, DAY1 + timedelta(days=14), Q_TEXT)  # Tuesday 24
    weekly = _view(reader, date(2026, 11, 29), "weekly")
    story = _quake(weekly)
    assert story is not None and story.status == "developing"
    md = render_markdown(weekly)
    assert "4,400" not in md, md
    assert story.whats_new == SAID
