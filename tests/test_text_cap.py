"""An article's text is cut to ``MAX_TEXT_CHARS`` before it is cleaned (``prepare.capped``).

A replay file's ``text`` field of 10 MB took 46 s to clean and was stored whole: feeds, folders
and replay files are hostile, and only HTML had a cap.  Real parts: ``prepare`` as every source
calls it, and ``digest replay`` through the CLI with a SQLite store on disk.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from digest.cli import main
from digest.records import Entry
from digest.store.base import open_store
from digest.text import params as p
from digest.text.prepare import capped, prepare
from tests.test_timeline import TUE, digest_json, record, write_inputs

PARAGRAPH = ("The harbour board met again on Tuesday to hear commuters, who said the morning ferry ran "
             "late on most days of the month and left passengers on the quay.")
WORDS = ("ferry", "council", "harbour", "timetable", "commuters", "pier", "fares", "captain", "crew",
         "winter", "schedule", "vote", "residents", "mayor", "complaints", "delays", "budget")


def paragraph(i: int) -> str:
    """A paragraph unlike the others (a text of one repeated paragraph is junk to the cleaner)."""
    pick = random.Random(i)
    extra = " ".join(pick.choice(WORDS) for _ in range(8))
    return f"{PARAGRAPH[:-1]} in paragraph {i}, about the {extra}."


def long_text(chars: int) -> str:
    paragraphs = [paragraph(i) for i in range(chars // len(PARAGRAPH) + 1)]
    return "\n\n".join(paragraphs)


def test_a_text_under_the_cap_is_left_whole() -> None:
    text = long_text(p.MAX_TEXT_CHARS // 2)
    assert capped(text) == text


@pytest.mark.parametrize("sep", ["\n\n", "\n", " "], ids=["paragraphs", "lines", "words"])
def test_a_longer_text_is_cut_at_its_last_break_before_the_cap(sep: str) -> None:
    text = long_text(3 * p.MAX_TEXT_CHARS).replace("\n\n", sep)
    cut = capped(text)
    assert len(cut) <= p.MAX_TEXT_CHARS
    assert len(cut) > p.MAX_TEXT_CHARS - 2 * len(paragraph(0))  # the last break, not an early one
    assert text.startswith(cut)
    assert text[len(cut):].startswith(sep)  # cut at a break, never inside a word


def test_a_text_with_no_break_is_cut_at_the_cap() -> None:
    assert capped("x" * (p.MAX_TEXT_CHARS + 5)) == "x" * p.MAX_TEXT_CHARS


def test_prepare_cleans_only_the_capped_text_and_keeps_the_headline() -> None:
    text = long_text(5 * p.MAX_TEXT_CHARS)
    entry = Entry(source="Big", title="Ferry timetable hearing runs long", url=None,
                  entry_id="big-1", content_html=None, text=text)
    article = prepare(entry)
    assert article is not None
    assert article.title == "Ferry timetable hearing runs long"
    assert len(article.text) <= p.MAX_TEXT_CHARS
    assert article.text.startswith(paragraph(0))
    assert len(article.text) > p.MAX_TEXT_CHARS // 2  # the text is kept, up to the cap


@pytest.mark.parametrize("size", [1_000, 2 * p.MAX_TEXT_CHARS], ids=["short", "over-the-cap"])
def test_a_plain_text_under_site_junk_still_finds_its_headline(size: int) -> None:
    """The headline search of a plain-text article (its first line "Live Stream", site junk)
    reads the capped text: the same headline, short or long."""
    entry = Entry(source="Big", title="Live Stream", url=None, entry_id="big-2", content_html=None,
                  text="Ferry timetable hearing runs long into the night\n\n" + long_text(size))
    article = prepare(entry)
    assert article is not None and article.title == "Ferry timetable hearing runs long into the night"
    assert len(article.text) <= p.MAX_TEXT_CHARS


def test_replay_of_a_huge_text_field_stores_and_shows_the_capped_article(tmp_path: Path) -> None:
    row = record("quake-1", "quake_a1", "Coast News", TUE)
    row["text"] = row["text"] + "\n\n" + long_text(4 * p.MAX_TEXT_CHARS)
    data, cfg = write_inputs(tmp_path, [row])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    doc = digest_json(tmp_path, TUE.date().isoformat())
    [story] = doc["stories"]
    assert story["lead"]["id"] == "quake-1"
    with open_store(str(tmp_path / "data" / "digest.sqlite3")) as store:
        [version] = store.story_versions(story["story_id"])
    assert paragraph(3) in version.text and paragraph(3000) not in version.text
    assert p.MAX_TEXT_CHARS // 2 < len(version.text) <= p.MAX_TEXT_CHARS
