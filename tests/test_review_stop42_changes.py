"""Review (stop 42), today's changes: the "what's new" line of a developing story new only by
figures, each changed figure marked and followed by the one it replaced.  Real parts: the feed
on a loopback server (``tests.support.httpd``), ``digest run`` and ``digest build`` through the
CLI, SQLite on disk, the day's Markdown, HTML, email (both parts) and JSON digest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.app import open_app
from tests.support.httpd import TestServer
from tests.test_figures_shown import _developing, revised
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed

#: The quake report with a figure below zero in a sentence of its own.
COLD = Q_TEXT.replace("Fishing boats were moved to New Plymouth.",
                      "Overnight the temperature in Opunake fell to -2 degrees, MetService said.")


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


def _english(text: str) -> str:
    return feed((Q_TITLE, text))


def _german(text: str) -> str:
    """Coast News's feed in German (the channel's ``<language>``)."""
    return feed((Q_TITLE, text)).replace("<channel>", "<channel><language>de</language>")


AT = DAY1 + timedelta(hours=14)


def _revised(reader: Reader, first: str, then: str, feed_of: Callable[[str], str] = _english
             ) -> tuple[dict[str, Any], dict[str, str]]:
    """``test_figures_shown.revised`` in the English feed unless ``feed_of`` says otherwise."""
    return revised(reader, first, then, feed_of)


def test_a_negative_figure_replaced_is_said_with_its_sign(reader: Reader) -> None:
    """The overnight low, -2 degrees, revised to -4: the line said "-4 (was 2)", a reader read a
    rise from 2 above zero.  Now the figure and the one it replaced keep their minus sign,
    "**-4** (was -2)", in every format and the JSON digest."""
    quake, out = _revised(reader, COLD, COLD.replace("-2 degrees", "-4 degrees"))
    assert quake["whats_new_figures"] == ["-4"] and quake["whats_new_was"] == ["-2"]
    assert "fell to **-4** (was -2) degrees" in out["md"]
    assert "fell to -4 (was -2) degrees" in " ".join(out["text"].split())  # wrapped at 72
    for fmt in ("html", "email"):
        assert "fell to -4 (was -2) degrees" in _developing(out[fmt]).text_content(), fmt


#: A German outlet's report (``<language>de</language>``), its power cut revised in place.
DE_TEXT = ("Ein Erdbeben der Stärke 6,1 erschütterte am Dienstagmorgen die Küste von Taranaki und beschädigte "
           "die Hafenmauer von Opunake.\n"
           "Nach Angaben des Netzbetreibers waren rund 4000 Haushalte in der Region stundenlang ohne Strom.\n"
           "Der Zivilschutz teilte mit, dass zwei Menschen mit leichten Verletzungen behandelt wurden.\n"
           "Die Schulen in Opunake und Manaia blieben geschlossen, während Gebäude überprüft wurden.")


def test_the_words_said_after_a_changed_figure_are_in_the_pages_language(reader: Reader) -> None:
    """A German line: "(was 4000)", the digest's words, stood in the ``<span lang="de">`` of the
    feed's line (a screen reader said "was" as German; in a right-to-left line the words ran
    from its other end).  Now they are a ``<span lang="en" dir="ltr">`` of their own in the
    HTML, the email and the Atom entry; the Markdown file and the text part are as they were."""
    import feedparser
    import lxml.html

    from digest.output.atom import stories_atom

    quake, out = _revised(reader, DE_TEXT, DE_TEXT.replace("rund 4000", "rund 4400"), _german)
    assert quake["whats_new_figures"] == ["4400"] and quake["whats_new_was"] == ["4000"]
    assert "rund **4400** (was 4000) Haushalte" in out["md"] and "rund 4400 (was 4000) Haushalte" in " ".join(out["text"].split())
    for fmt in ("html", "email"):
        [line] = _developing(out[fmt]).xpath(".//span[@lang='de']")
        [was] = line.xpath(".//span")
        assert (was.get("lang"), was.get("dir"), was.text_content()) == ("en", "ltr", "(was 4000)"), fmt
        assert line.text_content().endswith("rund 4400 (was 4000) Haushalte in der Region stundenlang ohne Strom."), fmt
    with open_app(reader.config(AT, _german(DE_TEXT.replace("rund 4000", "rund 4400")))) as app:
        view = app.build_view(AT.date())
    [story] = [s for s in view.stories if s.status == "developing"]
    atom = stories_atom([story], title="t", feed_url="https://n.example/feed.atom", site_url="https://n.example/",
                        updated=DAY1 + timedelta(days=1))
    [entry] = feedparser.parse(atom).entries
    para = lxml.html.fragment_fromstring(entry.content[0].value).find("p")
    [said] = para.xpath("./span[@lang='de']")
    [was] = said.xpath("./span")
    assert (was.get("lang"), was.get("dir"), was.text_content()) == ("en", "ltr", "(was 4000)")
    assert said.text_content().endswith("rund 4400 (was 4000) Haushalte in der Region stundenlang ohne Strom.")



def test_a_percentage_replaced_is_said_with_its_unit(reader: Reader) -> None:
    """The share of homes without power, 12%, revised to 15%: the line said "15 (was 12)%", the
    words inside the figure.  Now the unit written on the figure is part of it and of the one
    it replaced: "**15%** (was 12%)", in every format and the JSON digest; a figure in degrees
    likewise ("**-4°C** (was -2°C)")."""
    share = Q_TEXT.replace("about 4,000 homes", "about 4,000 homes, 12% of the region's")
    quake, out = _revised(reader, share, share.replace("12%", "15%"))
    assert quake["whats_new_figures"] == ["15%"] and quake["whats_new_was"] == ["12%"]
    assert "about 4,000 homes, **15%** (was 12%) of the region's" in out["md"]
    assert "homes, 15% (was 12%) of the region's" in out["text"]
    for fmt in ("html", "email"):
        assert "homes, 15% (was 12%) of the region's" in _developing(out[fmt]).text_content(), fmt


def test_degrees_replaced_are_said_with_their_unit() -> None:
    from tests.test_figures_shown import _line

    cold = COLD.replace("-2 degrees", "-2°C")
    assert _line(cold, cold.replace("-2°C", "-4°C"))[1] == [("-4°C", "-2°C")]
