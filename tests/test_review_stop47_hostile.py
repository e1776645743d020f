"""Attacker's review (stop 47): hostile feeds, pages, files and requests, with real parts."""

from __future__ import annotations

import time
from pathlib import Path

from digest.sources.localfiles import read_path


def test_a_markdown_article_of_unclosed_brackets_is_read_in_linear_time(tmp_path: Path) -> None:
    """Python-Markdown scans from each ``[`` (and ``<``) to the end of its paragraph: 150 of them
    before a paragraph's megabyte took 42 s, 8,000 ``[`` alone 12 s, 100,000 (200 KB) hours,
    the whole run held.  The folder's other article is read all the same."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "brackets.md").write_text(
        "# Brackets\n\nSome words of the note. " + "[a " * 150 + "word " * 60_000 + "\n\n"
        + "<a " * 150 + "word " * 60_000 + "\n",
        encoding="utf-8",
    )
    (folder / "fine.md").write_text("# Fine\n\nThe council passed its budget on Friday.\n", encoding="utf-8")
    start = time.monotonic()
    out = list(read_path(folder, source="Notes"))
    took = time.monotonic() - start
    entries = [e for e in out if not isinstance(e, Exception)]
    assert {e.title for e in entries} == {"Brackets", "Fine"}
    body = next(e for e in entries if e.title == "Brackets").text
    assert "[a [a" in body and "<a <a" in body  # the text is kept as it was written
    assert took < 5, f"{took:.1f}s"
