"""Front matter on top of Markdown and text articles (``digest.frontmatter``, and as read from
local files)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.frontmatter import MAX_LINES, FrontMatter, split_front_matter
from digest.localfiles import read_path
from digest.records import Entry


def test_yaml_front_matter_gives_title_date_and_author_and_leaves_the_text() -> None:
    text = '---\ntitle: "Harbour wall: it fell"\ndate: 2026-11-20 09:30\nauthor: [Jo Lee, Sam]\n---\n\nBody.\n'
    front, rest = split_front_matter(text)
    assert front == FrontMatter("Harbour wall: it fell", datetime(2026, 11, 20, 9, 30, tzinfo=UTC), "Jo Lee")
    assert rest == "\nBody.\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T09:30:00+02:00", datetime(2026, 11, 20, 7, 30, tzinfo=UTC)),  # YAML timestamp
        ("'2026-11-20T09:30:00Z'", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),  # a string
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),  # a date alone: its day
        ("next Tuesday", None),
    ],
)
def test_dates_in_yaml(value: str, expected: datetime | None) -> None:
    front, _ = split_front_matter(f"---\ntitle: t\npubDate: {value}\n---\nx")
    assert front is not None and front.published == expected


def test_toml_front_matter() -> None:
    front, rest = split_front_matter(
        '+++\ntitle = "Ferry back"\ndate = 2026-11-20T11:10:00Z\n[author]\nname = "Ana"\n+++\nText'
    )
    assert front == FrontMatter("Ferry back", datetime(2026, 11, 20, 11, 10, tzinfo=UTC), "Ana")
    assert rest == "Text"


@pytest.mark.parametrize(
    "text",
    [
        "# Title\n\n---\n\nA rule under a heading is Markdown.",
        "Title\n---\nA setext heading.",
        "---\ntitle: never closed\n\nBody",
        "---\n- a list\n- not a mapping\n---\nBody",
        "---\ntitle: [unclosed\n---\nBody",  # invalid YAML
        " ---\ntitle: indented\n---\nBody",
        "---\n" + "k: v\n" * (MAX_LINES + 5) + "---\nBody",  # closes too far down
        "---\na: &x [1, 2]\nb: [*x, *x, *x]\n---\nBody",  # aliases are not read
    ],
)
def test_what_is_not_front_matter_is_left_as_it_was(text: str) -> None:
    assert split_front_matter(text) == (None, text)


def _file(tmp_path: Path, name: str, text: str) -> Entry:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    stamp = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    os.utime(f, (stamp, stamp))
    (e,) = read_path(f, source="s")
    assert isinstance(e, Entry)
    return e


def test_a_markdown_article_with_front_matter(tmp_path: Path) -> None:
    e = _file(tmp_path, "a.md", "---\ntitle: Wall falls\ndate: 2026-11-20T09:30:00Z\nauthor: Jo\n---\n\n"
              "# Wall falls\n\nThe harbour wall fell into the sea.\n")
    assert (e.title, e.published, e.author, e.date_from_file) == (
        "Wall falls", datetime(2026, 11, 20, 9, 30, tzinfo=UTC), "Jo", False)
    assert e.text == "The harbour wall fell into the sea."  # no keys, no repeated heading
    # a heading other than the block's title stays in the text
    other = _file(tmp_path, "b.md", "---\ntitle: Wall falls\n---\n# What we know\n\nIt fell.\n")
    assert other.title == "Wall falls" and other.text is not None and other.text.startswith("What we know")


def test_a_text_article_with_front_matter_and_a_stated_date_in_the_future(tmp_path: Path) -> None:
    e = _file(tmp_path, "a.txt", "---\ntitle: Ferry back\ndate: 2999-01-01\n---\nFerry back\nIt sails again.\n")
    assert (e.title, e.text) == ("Ferry back", "It sails again.")
    # not believed: the file's time stands in
    assert e.published == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC) and e.date_from_file
