"""A figure changed in a passage the reader read is compared with the passage it was read from,
not with the whole earlier text (stop 41).  Stop 40 compared a passage's figures with every
figure the earlier versions stated: "$1bn" become "$2bn" was no news in a report that says "two"
anywhere, a 20-metre section become 30 metres none in one that says "30 kilometres west".  A
copy's sentence that restates a figure the original gives in another sentence is still no news
(``digest.output.reading.Read.figures_new``: unless a figure of the sentence it was read from is
gone).  Real parts for the in-place case: the feed on a loopback server, ``digest run``
through the CLI, SQLite on disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from digest.output.news import adds_nothing, whats_new
from digest.output.reading import grams_of, new_passages, read_of
from digest.store.base import StoredArticle
from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed, quake_of


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


@pytest.mark.parametrize(("old", "new", "elsewhere"), [
    ("a 20-metre section", "a 30-metre section", "30 kilometres west"),
    ("more than 40 aftershocks", "more than 18 aftershocks", "a depth of 18 kilometres"),
])
def test_a_figure_changed_to_one_the_report_states_elsewhere_is_news(
    reader: Reader, old: str, new: str, elsewhere: str
) -> None:
    assert old in Q_TEXT and elsewhere in Q_TEXT
    assert quake_of(reader.run(DAY1, feed()))["status"] == "new"
    second = reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, Q_TEXT.replace(old, new, 1))))
    quake = quake_of(second)
    assert quake["status"] == "developing"
    assert new in quake["whats_new"], quake["whats_new"]
    assert new in quake["lead"]["text"] and len(reader.articles()) == 3
    third = reader.run(DAY1 + timedelta(days=1, hours=14), feed((Q_TITLE, Q_TEXT.replace(old, new, 1))))
    assert third["stories"] == []  # once


def _version(key: str, text: str, title: str = "Opunake harbour insurer faces claims") -> StoredArticle:
    return StoredArticle(key=key, source="S", url=None, title=title, text=text, published=DAY1, fetched=DAY1,
                         author=None, truncated=False, priority=0.0, junk=[], fingerprint=b"", story_id="s",
                         score=None, score_detail=None)


REPORT = ("The insurer said it expected claims of about $1bn from the Opunake harbour collapse, its chief "
          "executive told shareholders on Friday. Two of its directors visited the harbour on Thursday. "
          "The company said the claims would be paid within the year.")


def test_a_magnitude_raised_in_place_is_news_where_the_report_says_two_elsewhere() -> None:
    raised = REPORT.replace("$1bn", "$2bn")
    earlier = [_version("a", REPORT)]
    assert not adds_nothing(_version("b", raised), earlier)
    assert new_passages(_version("b", raised), read_of(earlier)) == [raised.split(". ")[0] + "."]
    assert "$2bn" in whats_new([_version("b", raised)], earlier, "Opunake harbour insurer faces claims")


def test_a_figure_said_twice_in_the_sentence_it_replaced_is_news() -> None:
    """"his 4-year-old daughter, then blamed her 5-year-old sister" become "his 5-year-old daughter":
    the sentence still states 5, once more than it did."""
    report = ("A man accidentally shot and killed his 4-year-old daughter, then tried to blame it on her "
              "5-year-old sister, police said on Sunday. He was charged on Monday afternoon with manslaughter.")
    earlier = [_version("a", report)]
    assert not adds_nothing(_version("b", report.replace("his 4-year-old", "his 5-year-old")), earlier)
    assert adds_nothing(_version("c", report), earlier)


def test_a_copy_restating_a_figure_of_another_sentence_adds_nothing() -> None:
    """Another outlet's copy folds the age the report gives in its first sentence into its second:
    the sentence was read, and the figure too (no figure of the sentence it was read from is
    gone).  A guard: a comparison with the sentence alone reads it as news."""
    report = ("A 36-year-old Bloomington man was arrested after the crash outside the store on Saturday night. "
              "Police said Anthony LaSalle was charged with third-degree murder and three counts of criminal "
              "vehicular homicide on Monday afternoon.")
    copy = ("A 36-year-old Bloomington man was arrested after the crash outside the store on Saturday night. "
            "Police said Anthony LaSalle, 36, was charged with third-degree murder and three counts of criminal "
            "vehicular homicide on Monday afternoon.")
    assert adds_nothing(_version("b", copy), [_version("a", report)])


def test_a_copys_sentence_run_on_into_a_sites_line_adds_nothing() -> None:
    """A site's line after a short sentence ("- Advertisement -": no sentence end before it) runs
    the sentence on into the next one, which most of the run-on was read from: its figure is
    stated elsewhere (in the short sentence) and none of that one's is gone.  A guard, as above."""
    report = ("Rioters smashed shop windows across the city centre overnight, police said. Property damage is "
              "an estimated $ 2 million. Talk of what happened in Athens and Thessaloniki has spread to Italy and "
              "Spain, which have had protests of their own over the weekend.")
    copy = report.replace("$ 2 million. Talk", "$ 2 million. - Advertisement - Talk")
    assert adds_nothing(_version("b", copy), [_version("a", report)])


@pytest.mark.parametrize("text", [
    REPORT,
    "Short. Two words. A much longer sentence follows the two short ones here. End.",
    "İstanbul'da 3 kişi öldü ve 5 kişi yaralandı, dedi polis. Valilik açıklama yaptı bugün.",  # "İ" lowers in two
    "地震で3人が死亡した。警察によると5人が負傷した。",  # no spaces between words
    "One two",
])
def test_what_was_read_holds_the_grams_of_the_whole_text(text: str) -> None:
    """The earlier text is read passage by passage (its words once): the grams over a passage's
    edge are read as well, and a text of under three words is one gram, as ``grams_of`` reads them."""
    assert read_of([_version("a", text)]).grams == grams_of(" ".join(text.split()))
