"""A report its outlet put back says what changed in it since the reader last read it.

Coast News's report said 4,000 homes, then 4,400 (told), then its outlet took it back ("Article
removed", told), then put it back saying 4,000.  The day's line said only "Coast News restored
its report": the figure corrected back on the way was never told, and the excerpt showed 4,000
unmarked.  The report back is compared with what its outlet said before its notice (the notice
is no text of the report), and the line goes on with what it says that was not read: "Coast News
restored its report: ... about **4,000** (was 4,400) homes ...", in every output.  Real parts:
the feed on a loopback server, ``digest run`` through the CLI with the configuration's clock,
SQLite on disk; the Atom feed parsed by feedparser, the HTML by lxml."""

from __future__ import annotations

import json
from datetime import date, timedelta

import feedparser
import lxml.html

from digest.output.atom import stories_atom
from digest.output.jsonview import render_json
from digest.output.render import render_email_html, render_markdown, render_text
from digest.records import StoryView
from tests.test_corrected_back import _quake, _run, _view
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Reader
from tests.test_weekly_whats_new import HOMES, _homes, reader

__all__ = ["reader"]  # the fixture, used below

REMOVED = ("Article removed", "This article has been removed.")
SAID = "Coast News restored its report"


def _told_back(reader: Reader, back: str) -> StoryView:
    """4,000 on Tuesday 10, 4,400 on Wednesday 11, removed on Thursday 12, back on Friday 13
    reading ``back``: the Friday story."""
    _run(reader, DAY1, Q_TEXT)
    _run(reader, DAY1 + timedelta(days=1), _homes("4,400"))
    _run(reader, DAY1 + timedelta(days=2), REMOVED[1], REMOVED[0])
    _run(reader, DAY1 + timedelta(days=3), back)
    story = _quake(_view(reader, date(2026, 11, 13)))
    assert story is not None and story.status == "developing"
    return story


def test_a_report_put_back_with_a_figure_corrected_back_says_so_in_every_output(reader: Reader) -> None:
    story = _told_back(reader, Q_TEXT)
    assert story.whats_new.startswith(SAID + ": ") and "about 4,000 homes" in story.whats_new
    view = _view(reader, date(2026, 11, 13))
    md = render_markdown(view)
    assert f"**Developing**: {SAID}: " in md and "about **4,000** (was 4,400) homes" in md, md
    assert md.count("about 4,000 homes") == 0, md  # the excerpt goes on after the line
    assert HOMES in story.lead.text  # the page's text leads
    text = render_text(view)
    assert f"Developing: {SAID}: " in text and "about 4,000 (was 4,400) homes" in text, text
    page = lxml.html.document_fromstring(render_email_html(view))
    [strong] = [s for s in page.xpath("//strong") if s.text == "4,000"]
    assert "(was 4,400)" in (strong.getparent().text_content())
    doc = json.loads(render_json(view))
    [s] = doc["stories"]
    assert (s["whats_new_figures"], s["whats_new_was"]) == (["4,000"], ["4,400"])
    atom = feedparser.parse(stories_atom(view.stories, title="t", feed_url="https://d.example/feed.atom",
                                         site_url="https://d.example/", updated=DAY1 + timedelta(days=3)))
    content = lxml.html.fragment_fromstring(atom.entries[0].content[0].value)
    assert f"Developing: {SAID}: " in content.text_content(), atom.entries[0].content[0].value
    assert [s.text for s in content.find("p").iter("strong")] == ["Developing", "4,000"]


def test_a_report_put_back_as_it_was_says_only_that_it_is_back(reader: Reader) -> None:
    story = _told_back(reader, _homes("4,400"))
    assert (story.whats_new, story.whats_new_figures) == (SAID, ())
    md = render_markdown(_view(reader, date(2026, 11, 13)))
    assert f"**Developing**: {SAID} ·" in md, md


def test_first_reported_is_the_earliest_publication_not_the_poll(reader: Reader) -> None:
    """A developing story said "first reported Tue 10 Nov, 18:00 UTC", the time of the poll that
    first read it, above a report published at 06:00: a new user read it as the story's first
    publication.  It is the earliest publication of the versions read before the day."""
    _run(reader, DAY1, Q_TEXT)  # read Tuesday 18:00, published 06:00
    _run(reader, DAY1 + timedelta(days=1), _homes("4,400"))
    view = _view(reader, date(2026, 11, 11))
    md = render_markdown(view).replace("\xa0", " ")
    assert "first reported Tue 10 Nov, 06:00 UTC · 1 earlier report" in md, md
    assert "first reported Tue 10 Nov, 06:00 UTC" in " ".join(render_text(view).split())  # wrapped at 72
    [story] = json.loads(render_json(view))["stories"]
    assert (story["first_reported"], story["first_seen"]) == ("2026-11-10T06:00:00+00:00", "2026-11-10T18:00:00+00:00")
    _run(reader, DAY1 + timedelta(days=6), _homes("4,600"))  # Monday 16
    weekly = render_markdown(_view(reader, date(2026, 11, 22), "weekly")).replace("\xa0", " ")  # 16-22
    assert "first reported Tue 10 Nov, 06:00 UTC · 1 earlier report" in weekly, weekly
