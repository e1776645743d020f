"""Review stop 50: a new user from a wheel, three days moved with ``clock:``.

Each test names what the walkthrough met.  A folder source was read by the machine's clock, not by ``clock:``: a note dated the
configured day, later than the machine's, was "in the future" and shown at the file's
modification time (the walkthrough's "Council approves new cycle lanes" dated 8 Dec,
shown "Sun 6 Dec, 00:04", the time the file was saved).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.errors import DigestError, ParseError
from digest.retention import check_keep
from digest.sources.opml import read_opml
from tests.support.config import make_config

NOTE = """---
title: Council approves new cycle lanes
date: {date}
---
The city council approved three new cycle lanes on Tuesday after a long debate about parking.
Work on the first of them starts in March, the transport committee said.
"""


def _published(tmp_path: Path, clock: datetime, stated: datetime) -> str:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "cycle.md").write_text(NOTE.format(date=stated.strftime("%Y-%m-%dT%H:%M:%SZ")))
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        f"clock: {clock.strftime('%Y-%m-%dT%H:%M:%SZ')}\nsources:\n  - name: Notes\n    path: notes\n"
        "output_dir: out\ndata_dir: data\ntimezone: UTC\n"
    )
    with open_app(cfg) as app:
        app.run()
        view = json.loads(app.render(fmt="json"))
    (story,) = view["stories"]
    return str(story["lead"]["published"])


def test_a_folder_article_dated_before_the_clock_keeps_its_date(tmp_path: Path) -> None:
    """The clock two days ahead of the machine: a note dated a day ahead is not in the future."""
    now = datetime.now(UTC).replace(microsecond=0)
    stated = now + timedelta(days=1)
    assert _published(tmp_path, now + timedelta(days=2), stated) == stated.isoformat()


def test_a_folder_article_dated_after_the_clock_is_in_the_future(tmp_path: Path) -> None:
    """The clock in the past (the bundled examples'): a note dated after it, though before
    the machine's now, is in the clock's future: the read's time stands for it."""
    clock = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    assert _published(tmp_path, clock, clock + timedelta(days=3)) == clock.isoformat()


def test_a_file_that_is_not_xml_says_so_without_lxmls_placeholder_name() -> None:
    """`digest import-opml feeds.yaml` (the wrong file) said "... line 1, column 1 (<string>,
    line 1)": the parser's name for a document read from memory, not the file's."""
    with pytest.raises(ParseError) as info:
        read_opml(b"sources:\n  - name: Wire\n    url: https://wire.example/feed\n", source="feeds.yaml")
    assert str(info.value) == "feeds.yaml: not valid OPML: Start tag expected, '<' not found, line 1, column 1"


def test_prune_keeping_one_day_says_day(tmp_path: Path) -> None:
    """`digest prune --keep-days 1` said "keeping 1 days is too few"."""
    with pytest.raises(DigestError) as info:
        check_keep(make_config(tmp_path), 1)
    assert str(info.value).startswith("prune: keeping 1 day is too few: ")


@pytest.mark.parametrize(
    ("setting", "line"),
    [
        ("fetch:\n  allow_hosts: 127.0.0.1:8765\n",
         "fetch.allow_hosts: needs a list, not '127.0.0.1:8765': write [127.0.0.1:8765] (in brackets, or one '- ' line each)"),
        ("email:\n  host: 127.0.0.1\n  from: d@example.com\n  to: me@example.com\n",
         "email.to: needs a list, not 'me@example.com': write [me@example.com] (in brackets, or one '- ' line each)"),
        ("fetch:\n  allow_hosts:\n", "fetch.allow_hosts: needs a list, not nothing"),
    ],
)
def test_one_value_where_a_list_goes_says_how_to_write_the_list(tmp_path: Path, setting: str, line: str) -> None:
    """`allow_hosts: 127.0.0.1:8765` (the walkthrough's first hand-written setting) said
    "Input should be a valid list", pydantic's words."""
    with pytest.raises(DigestError) as info:
        make_config(tmp_path, extra=setting, write=True)
    assert str(info.value).endswith(line) and "\n" not in str(info.value)
