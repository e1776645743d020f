"""Stop 57: a Markdown paragraph of many links.  Python-Markdown cuts each link out of its
paragraph and scans the paragraph again, so its time grows with links × length: a table of
500 links (27 KB) took 2 s, 1,000 links 9 s, 2,000 reference links on one line 15 s.  The
scan's cost counts each link at its paragraph's length; a paragraph over ``_MD_LINES_AT`` is
read a line at a time, and one still over ``_MD_SCAN`` is its text, as before."""

from __future__ import annotations

from pathlib import Path

from digest.sources.localfiles import read_path
from digest.sources.textarticles import _MD_LINES_AT, _MD_SCAN, _by_lines, _md_costly, _md_scan


def _read(folder: Path, name: str, text: str) -> str:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    [entry] = [e for e in read_path(folder / name, source="Notes") if not isinstance(e, Exception)]
    return entry.text


def test_a_list_of_a_thousand_links_is_read_a_line_at_a_time_its_words_kept(tmp_path: Path) -> None:
    rows = "\n".join(f"- [Story number {i}](https://example.com/{i})" for i in range(1000))
    assert _md_scan(rows) > _MD_SCAN  # read whole, it costs seconds
    assert sum(_md_scan(line) for line in rows.split("\n")) < _MD_LINES_AT  # a line at a time, nothing
    text = _read(tmp_path / "notes", "links.md", f"# Reading list\n\nThe week's stories.\n\n{rows}\n")
    assert "Story number 0" in text and "Story number 999" in text
    assert "](https://example.com/" not in text and "[Story" not in text  # Markdown read, not escaped


def test_a_link_written_over_two_lines_stays_whole_when_read_a_line_at_a_time(tmp_path: Path) -> None:
    para = "\n".join(f"Item {i} is [a story that\nwraps](https://example.com/{i}) here." for i in range(400))
    assert _md_scan(para) > _MD_LINES_AT
    split = _by_lines(para)
    assert "[a story that\nwraps](" in split and "here.\n\nItem 1 " in split
    text = _read(tmp_path / "notes", "wrapped.md", f"# Wrapped\n\n{para}\n")
    assert "Item 399 is a story that wraps here." in " ".join(text.split())
    assert "](https://" not in text


def test_two_thousand_links_on_one_line_are_its_text() -> None:
    """One line: reading it a line at a time changes nothing, and its cost is over the bound."""
    line = " ".join(f"[x][r{i}]" for i in range(2000))
    assert _md_costly([line]) == {0}
