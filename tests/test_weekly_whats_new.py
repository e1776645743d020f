"""A weekly digest's "what's new" line is against what its reader read: the week before.

A story read in one week that develops twice in the next (Tuesday 4,000 homes become 4,200,
Thursday 4,400) was told to the weekly reader with Thursday's line, "**4,400** (was 4,200)":
a figure the weekly reader never read, and a development of the week left out.  The weekly
line is now worked out as the daily one is, over the week: the week's versions against those
read before it.  Real parts: the feed on a loopback server, ``digest run`` through the CLI,
SQLite on disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.output.render import render_markdown
from digest.records import StoryView
from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed

DIGESTS = [{"name": "daily"}, {"name": "weekly", "every": "week", "weekday": "monday"}]
HOMES = "about 4,000 homes"
SECOND_WEEK = date(2026, 11, 22)  # the Sunday the weekly digest of 16-22 November is dated


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv, digests=DIGESTS)


def _homes(n: str) -> str:
    assert HOMES in Q_TEXT
    return Q_TEXT.replace(HOMES, f"about {n} homes", 1)


def _run(reader: Reader, at: datetime, text: str) -> None:
    """``digest run`` with the clock at ``at``, the quake report's entry reading ``text``."""
    assert main(["run", "--config", str(reader.config(at, feed((Q_TITLE, text)))), "--quiet"]) == 0


def _quake(reader: Reader, day: date, digest: str) -> tuple[StoryView, str]:
    cfg = reader.config(DAY1 + timedelta(days=12), feed((Q_TITLE, _homes("4,400"))))
    with open_app(cfg) as app:
        view = app.build_view(day, digest=digest)
    [story] = [s for s in view.stories if "Taranaki" in s.title]
    return story, render_markdown(view)


def test_the_weekly_line_says_the_figure_the_weekly_reader_read(reader: Reader) -> None:
    _run(reader, DAY1, Q_TEXT)  # Tuesday 10 November: the first week
    _run(reader, DAY1 + timedelta(days=7), _homes("4,200"))  # Tuesday 17
    _run(reader, DAY1 + timedelta(days=9), _homes("4,400"))  # Thursday 19
    _daily, day = _quake(reader, date(2026, 11, 19), "daily")
    assert "about **4,400** (was 4,200) homes" in day, day  # the daily reader read 4,200
    weekly, md = _quake(reader, SECOND_WEEK, "weekly")
    assert weekly.status == "developing"
    assert "about **4,400** (was 4,000) homes" in md, md
    assert "4,200" not in md


def test_a_story_new_in_the_week_has_no_line_in_the_weekly_digest(reader: Reader) -> None:
    _run(reader, DAY1 + timedelta(days=7), Q_TEXT)  # first read on Tuesday 17
    _run(reader, DAY1 + timedelta(days=9), _homes("4,400"))  # developing on Thursday
    weekly, md = _quake(reader, SECOND_WEEK, "weekly")
    assert weekly.status == "new" and weekly.whats_new == "" and "(was" not in md

