"""A new version whose only text not read is the site's furniture run into its lede is a copy:
the story is listed as "also reported", never shown as developing (stop 65 review: the same
report with "Having trouble viewing the video ? Try disabling ad blocking ..." in front was
developing, its line of what is new the lede read the day before; the issue's rule: "A story is
never shown on a day when nothing new arrived for it").  Real parts: the feeds on a loopback
server, ``digest run`` and ``digest build`` through the CLI, SQLite on disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import DAY1, Reader, feed
from tests.test_stop65_lead_furniture import FURNITURE, KSL, LEDE, NEWS, REST, TITLE, _rss

#: A paragraph of its own with news in it (the day's report, the lede read the day before).
PARAGRAPH = "Police arrested a 19-year-old man at a petrol station in Ashby late on Sunday night."


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


def _story(doc: dict[str, Any]) -> dict[str, Any]:
    [story] = [s for s in doc["stories"] if "Riverton" in s["title"]]
    return story


@pytest.mark.parametrize("furniture", [FURNITURE, KSL])
def test_the_same_report_with_a_video_notice_in_front_is_no_news(reader: Reader, furniture: str) -> None:
    """Coast News's entry read again with the player's notice in front of its lede: an entry
    updated in place back to what the reader read, not shown (``view._back_as_read``)."""
    reader.run(DAY1, feed((TITLE, f"{LEDE} {REST}")))
    doc = reader.run(DAY1 + timedelta(hours=14), feed((TITLE, f"{furniture} {LEDE} {REST}")))
    assert [s for s in doc["stories"] if "Riverton" in s["title"]] == [], doc["stories"]


@pytest.mark.parametrize("furniture", [FURNITURE, KSL])
def test_another_outlets_copy_with_a_video_notice_in_front_is_also_reported(reader: Reader, furniture: str) -> None:
    """Another outlet's copy of the report with the notice in front: listed as "also
    reported", no line of what is new."""
    reader.run(DAY1, feed((TITLE, f"{LEDE} {REST}")))
    reader.others = {"Valley Star": _rss("Valley Star", "vs-1", TITLE, f"{furniture} {LEDE} {REST}")}
    story = _story(reader.run(DAY1 + timedelta(hours=14), feed((TITLE, f"{LEDE} {REST}"))))
    assert story["also_reported"] and not story["whats_new"], story


@pytest.mark.parametrize("news", [f"{LEDE} {NEWS} {REST}", f"{LEDE} {REST}\n{PARAGRAPH}"])
def test_a_video_notice_over_a_report_with_news_in_it_is_developing(reader: Reader, news: str) -> None:
    """The notice over a real new sentence or paragraph: developing, its line the news."""
    reader.run(DAY1, feed((TITLE, f"{LEDE} {REST}")))
    story = _story(reader.run(DAY1 + timedelta(hours=14), feed((TITLE, f"{KSL} {news}"))))
    assert not story["also_reported"] and story["status"] == "developing", story
    assert story["whats_new"].startswith(("Two shoppers", "Police arrested")), story["whats_new"]


@pytest.mark.parametrize("text", [
    f"Two shoppers died. {FURNITURE} {LEDE} {REST}",
    f"Two shoppers died on Monday. Please enable Javascript to watch this video RIVERTON, Utah (AP) — {LEDE} {REST}",
])
def test_a_short_sentence_of_news_over_the_video_notice_is_no_copy(text: str) -> None:
    """``news.copies_of``: a new sentence sharing no word with the text after it, then the
    site's note over yesterday's text, is news (stop 65's review: the note's search went past
    it and dropped it with the note, and the version was "also reported")."""
    from digest.output.news import copies_of
    from digest.output.reading import read_of
    from tests.test_review_stop64_developing import stored

    earlier = [stored("a", "Coast News", f"{LEDE} {REST}")]
    assert copies_of([stored("b", "Valley Star", f"{FURNITURE} {LEDE} {REST}")], earlier, read_of(earlier)) == {"b"}
    assert copies_of([stored("b", "Valley Star", text)], earlier, read_of(earlier)) == set()
