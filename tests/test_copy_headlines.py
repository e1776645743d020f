"""Another site's copy of a report the reader read adds nothing, though its headline carries the
site's name or a label: "Quake shakes Opunake :: Highcliff Post", "BREAKING: ...".  Its headline's
other words still count: a label before a new fact is news."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.output.headlines import headline_words
from digest.output.news import adds_nothing, copies_of
from digest.store.base import StoredArticle

AT = datetime(2026, 11, 10, 8, tzinfo=UTC)
TITLE = "Magnitude 6.1 earthquake shakes Taranaki coast"
TEXT = ("A magnitude 6.1 earthquake struck off the Taranaki coast early on Tuesday, damaging the harbour wall "
        "at Opunake and cutting power to about 4,000 homes, GeoNet said.\nEngineers inspected the harbour "
        "wall, where a 20-metre section collapsed into the sea.")


def version(key: str, source: str, title: str, text: str = TEXT, outlet: str | None = None) -> StoredArticle:
    return StoredArticle(key=key, source=source, url=None, title=title, text=text, published=AT, fetched=AT,
                         author=None, truncated=False, priority=0.0, junk=[], fingerprint=b"", story_id="s",
                         score=None, score_detail=None, outlet=outlet)


ORIGINAL = version("a", "Coast News", TITLE)


@pytest.mark.parametrize("title", [
    f"{TITLE} :: Highcliff Post",
    f"{TITLE} | Highcliff Post",
    f"BREAKING: {TITLE}",
    f"Live | {TITLE}",
    f"Report: {TITLE} - Highcliff Post",
])
def test_a_copy_under_its_sites_name_or_a_label_adds_nothing(title: str) -> None:
    copy = version("b", "Highcliff Post", title)
    assert adds_nothing(copy, [ORIGINAL])
    assert copies_of([copy], [ORIGINAL]) == {"b"}


def test_the_outlet_an_aggregators_item_names_is_the_one_left_out() -> None:
    copy = version("b", "World Aggregator", f"{TITLE} - Highcliff Post", outlet="Highcliff Post")
    assert adds_nothing(copy, [ORIGINAL])
    assert not adds_nothing(version("c", "World Aggregator", f"{TITLE} - Highcliff Post"), [ORIGINAL])


@pytest.mark.parametrize("title", [
    "BREAKING: Taranaki quake death toll rises",  # a label, then news
    f"{TITLE} :: Valley Wire",  # another site's name is no label
    f"Watchdog: {TITLE}",  # a word before a colon that is no label
])
def test_other_words_of_a_copys_headline_are_still_news(title: str) -> None:
    assert not adds_nothing(version("b", "Highcliff Post", title), [ORIGINAL])


def test_a_label_is_left_out_only_before_the_headline() -> None:
    assert headline_words(version("b", "S", "Police: live: rounds fired")) >= {"live", "round"}
