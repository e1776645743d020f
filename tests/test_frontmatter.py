"""Front matter on top of Markdown and text articles (``digest.sources.frontmatter``; as read from
local files: ``test_localfiles``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.sources.frontmatter import (
    MAX_LINES,
    FrontMatter,
    read_front_matter,
)


def test_yaml_front_matter_gives_title_date_and_author_and_leaves_the_text() -> None:
    text = '---\ntitle: "Harbour wall: it fell"\ndate: 2026-11-20 09:30\nauthor: [Jo Lee, Sam]\n---\n\nBody.\n'
    front, rest = read_front_matter(text)[:2]
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
    front, _ = read_front_matter(f"---\ntitle: t\npubDate: {value}\n---\nx")[:2]
    assert front is not None and front.published == expected


def test_toml_front_matter() -> None:
    front, rest = read_front_matter(
        '+++\ntitle = "Ferry back"\ndate = 2026-11-20T11:10:00Z\n[author]\nname = "Ana"\n+++\nText'
    )[:2]
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
        "---\ntitle: t\na: &x [1, 2]\nb: [*x, *x, *x]\n---\nBody",  # aliases are not read
        "---\nUpdate: the council voted\n---\nMore text.",  # a rule over a setext heading
        "---\ntitle: t\ndate: 2026-13-45\n---\nBody",  # an impossible date
        "---\ntitle: t\nn: " + "9" * 5000 + "\n---\nBody",  # an integer too long to read
    ],
)
def test_what_is_not_front_matter_is_left_as_it_was(text: str) -> None:
    assert read_front_matter(text)[:2] == (None, text)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("title: 1984", FrontMatter(title="1984")),  # a number is a title too
        ('title: "a\\ud800b"\nauthor: {name: "\\ud800"}', FrontMatter(title="a?b", author="?")),
        ("title: t\ndate: 0001-01-01T00:00:00+01:00", FrontMatter(title="t")),  # before year 1 in UTC
        ("title: t\ndate: '0001-01-01T00:30:00+05:00'", FrontMatter(title="t")),
    ],
)
def test_odd_fields_never_raise(block: str, expected: FrontMatter) -> None:
    assert read_front_matter(f"---\n{block}\n---\nBody")[0] == expected



@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("---\ntitle: Council votes: yes\n  more: x\n---\nBody", "not valid YAML (mapping values are not allowed here, line 2"),
        ("---\ntitle: [<script>alert(1)</script>\n---\nBody", "not valid YAML (expected ',' or ']'"),
        ("---\ntitle: t\ndate: 2026-13-45\n---\nBody", "not valid YAML (month must be in 1..12)"),
        ('+++\ntitle = "never closed\n+++\nBody', "not valid TOML (Unterminated string"),
    ],
)
def test_front_matter_meant_as_such_that_does_not_read_says_why(text: str, says: str) -> None:
    assert read_front_matter(text)[:2] == (None, text)  # read as written
    problem = read_front_matter(text)[2]
    assert problem is not None and says in problem and problem.endswith("read as text, the block included")
    assert "<script>" not in problem and "Council" not in problem  # the parser's words, never the file's


@pytest.mark.parametrize(
    ("text", "front", "read"),
    [
        ("---\ntitle: Votes: yes\n---\nOne sentence.", FrontMatter(title="Votes: yes"), "title"),
        ("---\ntitle: It's: done\nauthor: Ann: B\ndate: 2016-11-09\n---\nOne sentence.",
         FrontMatter(title="It's: done", author="Ann: B", published=datetime(2016, 11, 9, tzinfo=UTC),
                     published_day=True), "title, author"),
        ("---\ntitle: Ends in a colon:\ntags: [a, b]\n---\nOne sentence.", FrontMatter(title="Ends in a colon:"), "title"),
    ],
)
def test_a_value_holding_an_unquoted_colon_is_read_as_written_and_said(text: str, front: FrontMatter, read: str) -> None:
    """A colon left unquoted (``title: Votes: yes``) made YAML refuse the block; read as text,
    the ``title:`` line was dropped by the cleaning and the title was the body's first sentence
    (stop 64's review).  The rest of the block must read; else as before (above)."""
    got, rest, problem = read_front_matter(text)
    assert (got, rest) == (front, "One sentence.")
    assert problem == ("its front matter is not valid YAML (mapping values are not allowed here, line 2 of "
                       f"the file); {read} read as written (quote a value holding ': ')")


@pytest.mark.parametrize(
    "text",
    [
        "# Title\n\n---\n\nA rule under a heading is Markdown.",
        "---\nUpdate: the council voted\n---\nMore text.",  # a rule over a setext heading
        "---\n- a list\n- not a mapping\n---\nBody",
        "---\nnot: [closed\n---\nBody",  # no key a static-site tool uses: not meant as front matter
        "---\ntitle: read\n---\nBody",  # it reads
    ],
)
def test_what_was_never_meant_as_front_matter_or_reads_has_no_problem(text: str) -> None:
    assert read_front_matter(text)[2] is None
