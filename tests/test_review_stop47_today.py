"""Review of today's changes (stop 47): faults left by them.  Real parts: feed files and
folders, ``digest run`` through the CLI with the configuration's clock, SQLite on disk."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from digest.cli import main
from tests.test_review_stop46_rename import _config, _rss
from tests.test_timeline import text_of

FIRST = ("g1", "quake_a1", datetime(2026, 12, 1, 9, tzinfo=UTC))


def _articles(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "data" / "digest.sqlite3") as db:
        return db.execute("SELECT key, source FROM articles ORDER BY fetched, key").fetchall()


def _bare_rss() -> str:
    """An item with no guid and no link: keyed by its text."""
    title, text = text_of("quake_a1")
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>G</title><link>https://g.example/</link>'
            f"<description>g</description><item><title>{escape(title)}</title>"
            f"<description>{escape(text)}</description></item></channel></rss>")


def test_a_renamed_sources_item_keyed_by_its_text_is_not_read_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "gamma.rss").write_text(_bare_rss(), encoding="utf-8")
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Daily", "2026-12-01T18:00:00Z"))]) == 0
    capsys.readouterr()
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Evening", "2026-12-02T18:00:00Z"))]) == 0
    err = capsys.readouterr().err
    assert len(_articles(tmp_path)) == 1, err


def test_two_renames_in_a_row_and_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "gamma.rss").write_text(_rss(FIRST), encoding="utf-8")
    for i, name in enumerate(["A", "B", "C", "A"]):
        assert main(["run", "--config", str(_config(tmp_path, name, f"2026-12-0{i + 1}T18:00:00Z"))]) == 0
    assert len(_articles(tmp_path)) == 1


def test_init_force_over_a_symlinked_feeds_yaml_writes_where_it_points(tmp_path: Path) -> None:
    """`digest add` and `digest remove` write a symlinked feeds.yaml where it points (stop 47);
    `digest init --force`, the other command replacing it, put a copy in place of the link."""
    (tmp_path / "dotfiles").mkdir()
    real = tmp_path / "dotfiles" / "feeds.yaml"
    real.write_text("sources:\n  - name: Mine\n    url: https://m.example/feed\n", encoding="utf-8")
    link = tmp_path / "feeds.yaml"
    link.symlink_to(real)
    assert main(["init", "--force", str(link)]) == 0
    assert link.is_symlink()
    assert "m.example" not in real.read_text(encoding="utf-8")
    assert "m.example" in (tmp_path / "feeds.yaml.bak").read_text(encoding="utf-8")


def test_a_markdown_article_of_unclosed_link_addresses_is_read_in_linear_time(tmp_path: Path) -> None:
    """The Markdown guard (stop 47) counts the scans from each ``[`` to its ``]``, but
    Python-Markdown also reads a link's address from ``](`` to the ``)`` balancing it, to the
    paragraph's end when none does: 8,000 ``[](`` (24 KB) took 10 s, 20,000 over a minute."""
    import time

    from digest.sources.localfiles import read_path

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "links.md").write_text("# Links\n\nSome words. " + "[a](" * 20_000 + "\n", encoding="utf-8")
    start = time.monotonic()
    [entry] = [e for e in read_path(folder, source="Notes") if not isinstance(e, Exception)]
    took = time.monotonic() - start
    assert entry.title == "Links" and "[a](" in entry.text
    assert took < 5, f"{took:.1f}s"


@pytest.mark.parametrize("first", ['title=">"', "data-x='<b>'"])
def test_a_crowded_tag_with_a_quoted_angle_bracket_is_still_read_bare(tmp_path: Path, first: str) -> None:
    """``extract.uncrowded`` (stop 47) found a crowded start tag as ``<`` then no ``<`` or ``>``
    before its ``>``: one quoted ``>`` or ``<`` among its attributes, as libxml2 reads it, hid
    the tag, and 40,000 attributes took 7.6 s again (0.3 s bare; 300,000: minutes)."""
    import time

    from digest.text.extract import html_to_text

    attrs = " ".join(f"a{i}=x" for i in range(40_000))
    page = ("<html><head><title>Budget</title></head><body><article>"
            f"<p {first} {attrs}>The council passed its budget on Friday after a long debate about roads.</p>"
            "</article></body></html>")
    start = time.monotonic()
    text, title = html_to_text(page, url="https://council.example/b", page=True)
    took = time.monotonic() - start
    assert title == "Budget" and "passed its budget" in text
    assert took < 2, f"{took:.1f}s"


def test_a_markdown_paragraph_of_many_inline_matches_is_read_in_linear_time(tmp_path: Path) -> None:
    """Python-Markdown copies a paragraph's text at each inline match (emphasis, code, an
    escape): 40,000 ``*a*`` in one paragraph (160 KB) took 8 s, a megabyte minutes, the whole
    run held; the guard (stop 47) counted only the link and tag scans."""
    import time

    from digest.sources.localfiles import read_path

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "marks.md").write_text("# Marks\n\nSome words. " + "*a* " * 40_000 + "\n", encoding="utf-8")
    (folder / "fine.md").write_text("# Fine\n\nThe council *passed* its `budget` on Friday.\n", encoding="utf-8")
    start = time.monotonic()
    entries = {e.title: e.text for e in read_path(folder, source="Notes") if not isinstance(e, Exception)}
    took = time.monotonic() - start
    assert set(entries) == {"Marks", "Fine"} and "passed its budget" in entries["Fine"]
    assert took < 3, f"{took:.1f}s"


def test_digest_sources_shows_a_files_name_without_its_terminal_codes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`digest run`'s error lines drive no terminal since stop 47 (``text.shown.terminal_line``);
    `digest sources` printed the same file's name from the source's note as it was: a line
    'error: FAKE LINE' of its own and the ESC code clearing the screen."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "bad\nerror: FAKE LINE \x1b[2J.md").write_bytes(b"\x00\x01 binary")
    (folder / "fine.md").write_text("# Fine\n\nThe council passed its budget on Friday.\n", encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("clock: 2026-11-20T20:00:00Z\nsources:\n  - {name: Notes, path: notes}\n"
                   "output_dir: out\ndata_dir: data\ntimezone: UTC\n", encoding="utf-8")
    assert main(["run", "-q", "--config", str(cfg)]) == 1
    capsys.readouterr()
    assert main(["sources", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "FAKE LINE" in out and "\x1b" not in out
    assert not any(line.startswith("error: FAKE") for line in out.splitlines()), out


def test_a_scripts_text_or_a_comment_is_no_crowded_tag() -> None:
    """libxml2 reads no tags in a script's text or a comment; ``uncrowded`` read one there and
    bared it (with its quotes paired to the page's, a scrapinghub page lost 187 KB of its 214 KB
    and its article), where a crowded tag of the page itself is still bared."""
    from digest.text.extract import MAX_TAG_ATTRIBUTES, uncrowded

    crowd = " ".join(f"a{i}=x" for i in range(MAX_TAG_ATTRIBUTES + 1))
    page = (f"<html><head><script>var t = '<p {crowd}>';</script><style>/* <p {crowd}> */</style></head>"
            f"<body><!-- <p {crowd}> --><p>The council passed its budget.</p></body></html>")
    assert uncrowded(page) == page
    assert uncrowded(f"{page}<p {crowd}>After.</p>") == f"{page}<p>After.</p>"
    assert uncrowded(f"<script {crowd}>var a = 1;</script>") == "<script>var a = 1;</script>"
