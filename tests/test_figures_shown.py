"""A developing story new only by a figure changed in a sentence the reader read says what
changed (stop 41).  Its "what's new" line was hidden where the new lead's excerpt began with the
sentence ("Developing · first reported ..."), and nothing marked the changed number.  Now the line
is shown, its new figures ``**strong**`` in Markdown (``<strong>`` in HTML and the email, the mark
the renderer's, the feed's text escaped), plain in the text part, and listed as the text writes
them in the JSON digest (``whats_new_figures``).  Real parts: the feed on a loopback server,
``digest run`` and ``digest build`` through the CLI, SQLite on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from digest.app import open_app
from digest.cli import main
from digest.output.news import figures_told, whats_new
from digest.output.newsline import marked_md
from digest.output.reading import read_of
from digest.output.render import render_email_html, render_text
from tests.support.httpd import TestServer
from tests.test_figures_by_passage import _version
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed, quake_of

LEDE = Q_TEXT.split("\n", 1)[0]


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


def _day_two(reader: Reader, text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Day 1 the report, day 2 its entry changed in place to ``text`` (:func:`revised`)."""
    return revised(reader, Q_TEXT, text)


def _quake_feed(text: str) -> str:
    return feed((Q_TITLE, text))


def revised(reader: Reader, first: str, then: str, feed_of: Callable[[str], str] = _quake_feed
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """Day 1 the quake report as ``first`` (in ``feed_of``'s feed), 14 hours on its entry changed
    in place to ``then``: the JSON digest's quake story, and the day in Markdown, HTML, email
    HTML and the email's text."""
    reader.run(DAY1, feed_of(first))
    at = DAY1 + timedelta(hours=14)
    quake = quake_of(reader.run(at, feed_of(then)))
    cfg = reader.config(at, feed_of(then))
    out: dict[str, str] = {}
    for fmt in ("md", "html"):
        path = reader.tmp / f"day.{fmt}"
        assert main(["build", "--config", str(cfg), "--format", fmt, "--date", str(at.date()), "-o", str(path)]) == 0
        out[fmt] = path.read_text(encoding="utf-8")
    with open_app(cfg) as app:
        view = app.build_view(at.date())
    out["email"], out["text"] = render_email_html(view), render_text(view)
    return quake, out


def _developing(html: str) -> Any:
    [line] = lxml.html.document_fromstring(html).xpath("//p[contains(@class, 'developing')]")
    return line


def test_a_figure_changed_in_the_lede_is_shown_and_marked(reader: Reader) -> None:
    """The lede's 4,000 homes become 4,400: the revision leads, its excerpt begins with the lede;
    the line is shown all the same, 4,400 marked in every format but the text."""
    quake, out = _day_two(reader, Q_TEXT.replace("about 4,000 homes", "about 4,400 homes", 1))
    assert quake["status"] == "developing" and quake["whats_new_figures"] == ["4,400"]
    assert quake["whats_new_was"] == ["4,000"]
    assert quake["whats_new"].startswith("A magnitude 6.1 earthquake") and "4,400" in quake["whats_new"]
    assert "cutting power to about **4,400** (was 4,000) homes, GeoNet said." in out["md"]
    for fmt in ("html", "email"):
        line = _developing(out[fmt])
        assert [s.text_content() for s in line.xpath(".//span//strong")] == ["4,400"], fmt
        assert "cutting power to about 4,400 (was 4,000) homes" in line.text_content()
    assert "Developing: A magnitude 6.1 earthquake" in out["text"] and "**" not in out["text"]
    assert "about 4,400 (was 4,000) homes" in out["text"]


def test_a_line_of_words_not_read_marks_nothing(reader: Reader) -> None:
    """A paragraph added: its line is new by its words; nothing marked, the JSON list empty."""
    added = "Powerco said 120 homes in Manaia would stay without power until Thursday evening."
    quake, out = _day_two(reader, Q_TEXT + "\n" + added)
    assert quake["whats_new"] == added and quake["whats_new_figures"] == []
    assert "**120**" not in out["md"] and not _developing(out["html"]).xpath(".//span//strong")


def test_the_feeds_own_marks_around_a_changed_figure_stay_text(reader: Reader) -> None:
    """A feed that writes "**4,400**" and "<mark>" around its figure: its characters are text in
    every format; the only mark is the renderer's."""
    text = Q_TEXT.replace("about 4,000 homes", "about **4,400** <mark>homes</mark>", 1)  # text, not markup
    quake, out = _day_two(reader, text)
    assert quake["whats_new_figures"] == ["4,400"]
    for fmt in ("html", "email"):
        line = _developing(out[fmt])
        assert [s.text_content() for s in line.xpath(".//strong")][1:] == ["4,400"], fmt  # after "Developing"
        assert not line.xpath(".//mark")
        assert "about **4,400 (was 4,000)** <mark>homes</mark>, GeoNet said." in line.text_content()


@pytest.mark.parametrize(("parts", "md"), [
    ([("about ", False), ("4,400", True), (" homes", False)], "about **4,400** homes"),
    ([("about ", False), ("4,400", True, "4,000"), (" homes", False)], "about **4,400** (was 4,000) homes"),
    ([("~50 dead, ", False), ("5", True), (" ~20 hurt", False)], "&#126;50 dead, **5** &#126;20 hurt"),  # no strike
    # the line follows "**Developing**: ": a part after a figure is no line's start ("-", ">", "1.")
    ([("a ", False), ("5", True), ("-year-old *and* ", False), ("7", True)], "a **5**-year-old \\*and\\* **7**"),
    ([("scores ", False), ("3", True, "two"), ("> 2 in ", False), ("1.", False)], "scores **3** (was two)> 2 in 1."),
    ([("+", False), ("5", True, "<b>4</b>")], "+**5** (was &lt;b>4&lt;/b>)"),  # the earlier figure is escaped too
])
def test_a_lines_parts_as_markdown(parts: list[tuple[Any, ...]], md: str) -> None:
    assert marked_md([{"text": t, "new": new, "was": was[0] if was else None} for t, new, *was in parts]) == md


# -- the figure each new one took the place of ("was") -------------------------------------------

TOLL = ("Police said three people were killed and 10 were injured when the bus left the road near "
        "Opunake on Tuesday night. The driver was taken to Taranaki Base Hospital.")


def _told(old: str, new: str) -> list[tuple[str, str | None]]:
    """The figures a line of ``new`` (a revision of ``old``) is new by, each with its figure before."""
    before, after = _version("a", old), _version("b", new)
    read = read_of([before])
    line = whats_new([after], [before], before.title, read=read)
    return [(line[a:b], was) for a, b, was in figures_told(line, after, read)]


@pytest.mark.parametrize(("new", "told"), [
    # each figure replaced one for one, in the order the sentence states them
    (TOLL.replace("three", "five").replace("10 were", "12 were"), [("five", "three"), ("12", "10")]),
    # one changed, the other kept: the kept one is no news
    (TOLL.replace("10 were", "14 were"), [("14", "10")]),
    # changed to a figure the sentence states again where nothing changed: the changed one only
    (TOLL.replace("and 10 were", "and three were"), [("three", "10")]),
    # a figure added beside the changed one: which it replaced is a guess, none is said
    (TOLL.replace("three people", "five people, among them a 36-year-old,"), [("five", None), ("36", None)]),
])
def test_each_changed_figure_carries_the_one_it_replaced(new: str, told: list[tuple[str, str | None]]) -> None:
    assert _told(TOLL, new) == told


def test_the_figure_replaced_is_read_from_the_passage_the_sentence_was_read_from() -> None:
    """A report stating 10 in another sentence: the sentence's own earlier figure is the one said."""
    old = TOLL + " Ten buses run the route each day, the council said in a statement on Wednesday."
    new = old.replace("10 were injured", "11 were injured")
    assert _told(old, new) == [("11", "10")]


def test_the_atom_entry_marks_the_changed_figure_and_says_the_one_before() -> None:
    """The Atom feed's entry of a developing story shows the line as the pages do: the figure
    ``<strong>``, " (was 4,000)" after it; feed text stays text."""
    import feedparser

    from digest.output.atom import stories_atom
    from digest.records import StoryView, VersionView

    line = "Power was cut to about 4,400 <b>homes</b>, GeoNet said."
    at = line.index("4,400")
    lead = VersionView("Coast News", "Quake hits Opunake", "https://a.example/1", DAY1, line)
    story = StoryView("s1", lead.title, lead, [], first_seen=DAY1, status="developing", whats_new=line,
                      whats_new_figures=((at, at + 5, "4,000"),))
    text = stories_atom([story], title="t", feed_url="https://n.example/feed.atom", site_url="https://n.example/",
                        updated=DAY1 + timedelta(days=1))
    [entry] = feedparser.parse(text).entries
    para = lxml.html.fragment_fromstring(entry.content[0].value).find("p")
    assert [s.text_content() for s in para.iter("strong")] == ["Developing", "4,400"]
    assert para.text_content() == "Developing: Power was cut to about 4,400 (was 4,000) <b>homes</b>, GeoNet said."


# -- figures changed in several sentences -----------------------------------------------------

REPORT = ("Police said three people were killed when the bus left the road near Opunake on Tuesday night. "
          "The bus was carrying a school rugby team home from a tournament in New Plymouth. "
          "Ambulance staff said 10 people were taken to Taranaki Base Hospital with injuries. "
          "The road was closed for six hours while investigators examined the scene.")


def _line(old: str, new: str) -> tuple[str, list[tuple[str, str | None]]]:
    before, after = _version("a", old), _version("b", new)
    read = read_of([before])
    line = whats_new([after], [before], before.title, read=read)
    return line, [(line[a:b], was) for a, b, was in figures_told(line, after, read)]


def test_figures_changed_in_two_sentences_are_both_in_the_line() -> None:
    """A correction of the toll and of the injured, two sentences apart: the line holds both
    sentences, the text between them left out (" … "), each figure marked with the one before."""
    line, told = _line(REPORT, REPORT.replace("three people", "four people").replace("said 10", "said 12"))
    assert line == ("Police said four people were killed when the bus left the road near Opunake on Tuesday "
                    "night. … Ambulance staff said 12 people were taken to Taranaki Base Hospital with injuries.")
    assert told == [("four", "three"), ("12", "10")]


def test_figures_changed_in_sentences_side_by_side_are_one_run_of_text() -> None:
    line, told = _line(REPORT, REPORT.replace("said 10", "said 12").replace("for six hours", "for nine hours"))
    assert line == ("Ambulance staff said 12 people were taken to Taranaki Base Hospital with injuries. "
                    "The road was closed for nine hours while investigators examined the scene.")
    assert told == [("12", "10"), ("nine", "six")]


def test_a_second_sentence_that_would_make_the_line_too_long_is_left_out() -> None:
    long_first = REPORT.replace("on Tuesday night.", "on Tuesday night, " + "after a long day of games, " * 12 + "police said.")
    line, told = _line(long_first, long_first.replace("three people", "four people").replace("said 10", "said 12"))
    assert "said 12" not in line and line.endswith(" …") and len(line) <= 242
    assert told == [("four", "three")]


def test_a_figure_whose_sign_flipped_is_news_said_with_the_one_before() -> None:
    """"-0.4%" revised to "0.4%" is the same number without its sign: it was no figure changed
    (figures were compared as numbers), now it is, said with the one before."""
    text = ("The statistics office said the economy grew by -0.4% in the third quarter, after a flat "
            "second quarter, as exports to Australia slowed. Economists had expected growth.")
    line, told = _line(text, text.replace("-0.4%", "0.4%"))
    assert told == [("0.4%", "-0.4%")], (line, told)
