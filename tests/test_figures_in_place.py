"""A figure changed in place is news: a toll raised under the same headline ("two people were
treated" become "five") changed 3 of a sentence's 30 word 3-grams, so the copy test read the
sentence as read and no digest showed it.  A passage that states a figure no earlier version
stated is now new (``digest.output.figures``); a clock time, a date's day, a count of
time ago or of a page's views is not.  Real parts: the feed on a loopback server, ``digest
run`` through the CLI, SQLite on disk (``tests.test_review_stop37_inplace.Reader``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from digest.output.figures import figures
from digest.output.news import whats_new
from digest.store.base import StoredArticle
from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed, quake_of


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


@pytest.mark.parametrize(("old", "new", "news"), [
    ("two people were treated", "five people were treated", True),  # AP style: a word
    ("about 4,000 homes", "about 4,400 homes", True),
    ("more than 40 aftershocks", "more than 45 aftershocks", True),
    ("two people were treated", "2 people were treated", False),  # the same figure
    ("The quake hit at 4.12am", "The quake hit at 5.12am", False),  # a clock time
    ("early on Tuesday,", "early on Tuesday, Nov. 10,", False),  # a date's day
])
def test_a_figure_changed_in_place_is_read_as_news_once(reader: Reader, old: str, new: str, news: bool) -> None:
    first = reader.run(DAY1, feed())
    assert quake_of(first)["status"] == "new"
    assert old in Q_TEXT
    second = reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, Q_TEXT.replace(old, new, 1))))
    if not news:
        assert second["stories"] == [] and len(reader.articles()) == 2
        return
    quake = quake_of(second)
    assert quake["status"] == "developing"
    assert new in quake["whats_new"], quake["whats_new"]  # the sentence with the new figure
    assert new in quake["lead"]["text"] and len(reader.articles()) == 3
    third = reader.run(DAY1 + timedelta(days=1, hours=14), feed((Q_TITLE, Q_TEXT.replace(old, new, 1))))
    assert third["stories"] == []  # once


@pytest.mark.parametrize(("text", "found"), [
    ("Police said five people died and 2,000 fled; a 6.1 quake.", {"#5", "#2000", "#6.1"}),
    ("Police said 5 people died.", {"#5"}),
    ("One man died in 2016 at 9:41 a.m. and at 5 p.m. and 7pm.", set()),  # "one", a year, clocks
    ("Posted 3 hours ago · 1.2K views · 45 comments · 12 shares", set()),
    ("Posted on 2022-06-20, updated March 19, 2020 and 4 June.", set()),
    ("A 6-year-old was hit on Route 66.", {"#6", "#66"}),
])
def test_the_figures_a_text_states(text: str, found: set[str]) -> None:
    assert figures(text) == found


def _version(key: str, text: str) -> StoredArticle:
    return StoredArticle(key=key, source="S", url=None, title=Q_TITLE, text=text, published=DAY1, fetched=DAY1,
                         author=None, truncated=False, priority=0.0, junk=[], fingerprint=b"", story_id="s",
                         score=None, score_detail=None)


def test_a_corrections_line_is_whats_new_before_the_lede_whose_figure_it_corrects() -> None:
    """The lede corrected (4,000 to 4,400) is new by its figure alone; the correction's own line
    says what changed: it is the line shown."""
    lede, rest = Q_TEXT.split("\n", 1)
    fixed = lede.replace("4,000", "4,400") + "\n" + rest + (
        "\nCorrection: an earlier version of this story said 4,000 homes lost power; Powerco says it was 4,400.")
    line = whats_new([_version("b", fixed)], [_version("a", Q_TEXT)], Q_TITLE)
    assert line.startswith("Correction: an earlier version"), line
    only = whats_new([_version("b", lede.replace("4,000", "4,400") + "\n" + rest)], [_version("a", Q_TEXT)], Q_TITLE)
    assert "4,400" in only and only.startswith("A magnitude 6.1"), only
