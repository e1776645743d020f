"""A figure's scale is part of it: "$2m" become "$2bn" is news, said with the figure before
("**$2bn** (was $2m)": the currency sign is part of the figure as shown), where the two were one figure, "#2", and the revision was read as read.
A scale is read where it is sure: spelled out ("2 billion", "two million") or glued on after a
currency sign ("$2m", "£30m"), or as "bn", "mn", "tn"; a bare "30m" may be metres and keeps its
number alone, as before.  Real parts: the feed on a loopback server, ``digest run`` and
``digest build`` through the CLI, SQLite on disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from digest.output.figures import figures, stated, written
from tests.support.httpd import TestServer
from tests.test_figures_shown import revised
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed

DAMAGE = "about 4,000 homes, GeoNet said."


def _with(money: str) -> str:
    assert DAMAGE in Q_TEXT
    return Q_TEXT.replace(DAMAGE, f"about 4,000 homes, with damage estimated at {money}, GeoNet said.")


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


@pytest.mark.parametrize(("text", "found"), [
    ("It cost $2bn, 1.5m litres and 12k homes.", {"#2bn", "#1.5", "#12"}),
    ("It cost $2 billion.", {"#2bn"}),  # the same figure as "$2bn"
    ("It cost 2bn euros.", {"#2bn"}),
    ("It cost $2m, or £1.5 Million.", {"#2m", "#1.5m"}),
    ("It cost $2mn; two million people; $12k.", {"#2m", "#12000"}),  # "$12k" is "$12,000"
    ("a 30m cliff, a 5k run and 4 trillion cells", {"#30", "#5", "#4tn"}),  # metres, kilometres: no scale
])
def test_a_figure_keeps_its_scale_where_it_is_sure(text: str, found: set[str]) -> None:
    assert figures(text) == found


@pytest.mark.parametrize(("one", "other"), [
    ("$2m", "$2,000,000"), ("$0.5bn", "$500m"), ("$12k", "$12,000"), ("2.5 million", "2,500,000"),
    ("$1bn", "$1,000,000,000"), ("3.25 trillion", "3,250,000,000,000"), ("-$2m", "-$2,000,000"),
])
def test_one_sum_written_two_ways_is_one_figure(one: str, other: str) -> None:
    assert figures(f"It cost {one}.") == figures(f"It cost {other}.")


def test_a_sum_changed_is_still_another_figure() -> None:
    assert figures("It cost $2m.") != figures("It cost $2,500,000.")
    assert figures("It cost $0.5bn.") != figures("It cost $50m.")


def test_a_scale_spelled_out_is_written_with_its_figure() -> None:
    text = "damage estimated at $2 billion and 1.5m litres"
    assert [written(text, at) for _fig, at in stated(text, 0, len(text))] == ["$2 billion", "1.5m"]
    text = "a loss of -$2bn, or -€1.5 million"
    assert [written(text, at) for _fig, at in stated(text, 0, len(text))] == ["-$2bn", "-€1.5 million"]
    assert figures(text) == {"#-2bn", "#-1.5m"}


@pytest.mark.parametrize(("old", "new", "mark", "was"), [
    ("$2m", "$2bn", "$2bn", "$2m"),
    ("$2 million", "$2 billion", "$2 billion", "$2 million"),
])
def test_a_scale_corrected_in_place_is_news_and_says_the_figure_before(
    reader: Reader, old: str, new: str, mark: str, was: str
) -> None:
    quake, out = revised(reader, _with(old), _with(new))
    assert quake["status"] == "developing", quake
    assert quake["whats_new_figures"] == [mark] and quake["whats_new_was"] == [was]
    assert f"estimated at **{mark}** (was {was}), GeoNet said." in out["md"]


@pytest.mark.parametrize(("old", "new"), [
    ("$2bn", "$2 billion"), ("$2m", "$2 million"), ("$2m", "$2mn"),
    ("$2m", "$2,000,000"), ("$0.5bn", "$500m"), ("$12k", "$12,000"), ("$1.5 million", "$1,500,000"),
])
def test_a_scale_written_another_way_is_no_news(reader: Reader, old: str, new: str) -> None:
    reader.run(DAY1, feed((Q_TITLE, _with(old))))
    doc = reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, _with(new))))
    assert doc["stories"] == []
