"""Under a line new by figures that opens the lead, the excerpt goes on after it.

The lede's 4,000 homes become 4,400: the line is the lede, its figure marked ("about **4,400**
(was 4,000) homes"), and the excerpt under it began with the same sentence again, unmarked.
The excerpt now goes on from the sentence after the line, in every format built from the
story's context (Markdown, HTML, the email, its text).  A line that is not the lead's opening
(a sentence further in) leaves the excerpt as it was.  Real parts: a loopback feed, ``digest
run`` and ``digest build`` through the CLI, SQLite on disk; pages read with lxml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from tests.support.httpd import TestServer
from tests.test_figures_shown import _day_two
from tests.test_review_stop37_inplace import Q_TEXT, Reader

LEDE, _, REST = Q_TEXT.partition("\n")
SECOND = REST.split(". ")[0]  # the lead's second sentence: "The quake hit at 4.12am ..."


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


def _excerpt(html: str) -> str:
    [p] = lxml.html.document_fromstring(html).xpath("//p[contains(@class, 'excerpt')]")
    return " ".join(p.text_content().split())


def test_the_excerpt_goes_on_after_a_line_that_opens_the_lead(reader: Reader) -> None:
    assert "about 4,000 homes" in LEDE
    quake, out = _day_two(reader, Q_TEXT.replace("about 4,000 homes", "about 4,400 homes", 1))
    assert quake["whats_new"] == LEDE.replace("4,000", "4,400")  # the line is the whole lede
    for fmt in ("html", "email"):
        shown = _excerpt(out[fmt])
        assert shown.startswith(SECOND), (fmt, shown)
        assert "Taranaki coast early on Tuesday" not in shown, fmt
    assert "about **4,400** (was 4,000) homes" in out["md"]
    assert out["md"].count("A magnitude 6.1 earthquake struck") == 1, out["md"]
    assert out["text"].count("A magnitude 6.1 earthquake struck") == 1, out["text"]


def test_a_line_further_in_leaves_the_excerpt_whole(reader: Reader) -> None:
    assert "two people were treated" in REST
    quake, out = _day_two(reader, Q_TEXT.replace("two people were treated", "five people were treated", 1))
    assert quake["whats_new_figures"] == ["five"]
    assert _excerpt(out["html"]).startswith("A magnitude 6.1 earthquake struck"), _excerpt(out["html"])
