"""Attacker's review (stop 47): hostile feeds, pages, files and requests, with real parts."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

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



def test_a_long_paragraph_of_links_that_close_is_still_read_as_markdown(tmp_path: Path) -> None:
    """The guard above counts what the scans read, not the marks: a table of 500 links in one
    paragraph (32 KB; 1,000 marks) is Markdown, its links' words read, not their addresses; and
    many paragraphs each under the bound are bounded together."""
    folder = tmp_path / "notes"
    folder.mkdir()
    rows = "\n".join(f"| {i} | [Story number {i}](https://example.com/{i}) |" for i in range(500))
    (folder / "links.md").write_text(f"# Links\n\nThe week's stories.\n\n{rows}\n", encoding="utf-8")
    [entry] = [e for e in read_path(folder, source="Notes") if not isinstance(e, Exception)]
    assert "Story number 499" in entry.text and "](https://example.com/" not in entry.text
    from digest.sources.textarticles import _md_costly

    under = "[a " * 16 + "word " * 60_000  # each alone under the bound, ten of them over it
    assert not _md_costly([under]) and len(_md_costly([under] * 10)) >= 1


RSS = (
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>Good Feed</title>"
    b"<item><title>A story</title><link>https://good.example/a</link><guid>a</guid></item>"
    b"</channel></rss>"
)


def test_a_redirect_to_a_javascript_url_is_one_line_and_the_other_feeds_are_read() -> None:
    """httpx builds the next request of every redirect, followed or not: a ``Location`` it cannot
    make one of (``javascript:alert(1)``) raised its own ``InvalidURL`` out of the fetch, so
    ``digest add`` and ``digest import-opml --check`` (a hostile list's one feed) ended in a
    traceback, none of the list added; a run said 'unexpected InvalidURL'."""
    from digest.config import FetchConfig
    from digest.errors import FetchError
    from digest.sources.fetch import fetch
    from digest.sources.probe import Probe, probe_many
    from tests.support.httpd import TestServer

    with TestServer() as srv:
        srv.redirect("/bad", "javascript:alert(1)")
        srv.set("/feed.xml", RSS, headers={"Content-Type": "application/rss+xml"})
        cfg = FetchConfig(allow_hosts=[f"127.0.0.1:{srv.port}"])
        try:
            fetch(srv.url("/bad"), config=cfg, source="Bad")
        except FetchError as exc:
            assert "\n" not in str(exc) and srv.url("/bad") in str(exc)
        else:
            raise AssertionError("fetched")
        now = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
        got = probe_many([("Bad", srv.url("/bad")), ("Good", srv.url("/feed.xml"))], cfg, now=now)
    assert isinstance(got[0], FetchError)
    assert isinstance(got[1], Probe) and got[1].title == "Good Feed"


def test_a_character_reference_naming_no_character_leaves_the_feeds_other_entries_read(tmp_path: Path) -> None:
    """feedparser's loose parser made a character of each reference and encoded it: one
    entry's ``&#xD800;`` (a surrogate), ``&#x110000;`` or ``&#99999999999999999999;`` raised out of
    the parse, and the whole feed was 'cannot parse', none of its entries read."""
    for ref in ("&#xD800;", "&#55296;", "&#x110000;", "&#99999999999999999999;"):
        feed = tmp_path / "feed.rss"
        feed.write_text(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>C</title>"
            "<item><title>Good one</title><guid>1</guid><description>Fine.</description></item>"
            f"<item><title>Bad {ref} one</title><guid>2</guid><description>Bad {ref}.</description></item>"
            "</channel></rss>",
            encoding="utf-8",
        )
        out = list(read_path(feed, source="Planet"))
        assert all(not isinstance(e, Exception) for e in out), (ref, out)
        titles = [e.title for e in out if not isinstance(e, Exception)]
        assert titles[0] == "Good one" and titles[1].startswith("Bad"), (ref, titles)
        assert all(not 0xD800 <= ord(c) <= 0xDFFF for t in titles for c in t)


def test_an_opml_lists_names_and_folders_are_capped_as_a_feeds_title_is(tmp_path: Path) -> None:
    """A list's outline named by 1 MB, in 200 folders named by 10 KB each, made a source of a
    1 MB name in a 2 MB section: a 3 MB list wrote a 3 MB digest (the name once a story)."""
    from digest.records import TITLE_CHARS
    from digest.sources.opml import read_opml

    depth = 200
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>L</title></head><body>'
        + "".join(f'<outline text="Folder{i} {"F" * 10_000}">' for i in range(depth))
        + f'<outline text="{"N" * 1_000_000}" type="rss" xmlUrl="https://feeds.example/a"/>'
        + "</outline>" * depth + "</body></opml>"
    ).encode()
    (feed,) = read_opml(opml, source="Blogroll")
    assert 0 < len(feed["name"]) <= TITLE_CHARS and feed["name"].startswith("NNN")
    assert 0 < len(feed["category"]) <= TITLE_CHARS and feed["category"].startswith("Folder0 F")


def test_a_pages_tag_of_many_thousand_attributes_is_extracted_in_linear_time(tmp_path: Path) -> None:
    """libxml2's HTML parser looks each attribute up among its tag's others: a full-text page
    (or a folder's .html) with a ``<p`` of 300,000 attributes, 2.7 MB under the fetch cap, held
    the run for many minutes; 40,000 took seconds.  The paragraph's text is read all the same."""
    from digest.text.extract import html_to_text

    page = tmp_path / "page.html"
    attrs = " ".join(f"a{i}=x" for i in range(40_000))
    page.write_text(
        "<html><head><title>Budget</title></head><body><article>"
        f"<p {attrs}>The council passed its budget on Friday after a long debate about roads.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    start = time.monotonic()
    text, title = html_to_text(page.read_text(encoding="utf-8"), url="https://council.example/b", page=True)
    took = time.monotonic() - start
    assert title == "Budget" and "passed its budget" in text
    assert took < 2, f"{took:.1f}s"


def test_a_files_name_or_an_outlines_title_drives_no_terminal(tmp_path: Path) -> None:
    """A folder's file named with a line break and ESC codes printed 'error: FAKE LINE' as a
    line of its own, its codes reaching the terminal; an OPML outline's title kept its ESC
    codes in the source's name (each line naming the source; XML 1.0 allows C1's CSI, U+009B)."""
    import os
    import subprocess
    import sys

    from digest.sources.opml import read_opml

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "bad\nerror: FAKE LINE \x1b[2J.md").write_bytes(b"\x00\x01 binary")
    (folder / "fine.md").write_text("# Fine\n\nThe council passed its budget on Friday.\n", encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        "clock: 2026-11-20T20:00:00Z\nsources:\n  - {name: Notes, path: notes}\n"
        "output_dir: out\ndata_dir: data\ntimezone: UTC\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(cfg)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert "\x1b" not in run.stderr
    assert not any(line.startswith("error: FAKE") for line in run.stderr.splitlines()), run.stderr
    assert "FAKE LINE" in run.stderr  # the file is still named

    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline text="Evil&#x9b;2J&#x90;q&#x9c; News" xmlUrl="https://feeds.example/a"/>'
        b"</body></opml>"
    )
    (feed,) = read_opml(opml, source="Blogroll")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in feed["name"]), repr(feed["name"])
    assert feed["name"].startswith("Evil") and feed["name"].endswith("News")


@pytest.mark.parametrize("timed", [False, True])
def test_a_logged_warning_naming_a_file_drives_no_terminal(timed: bool) -> None:
    """The run's own error lines were mended above; a warning logged naming the same file went
    through the log formatter as it was (the daemon's and ``digest run``'s alike)."""
    import subprocess
    import sys

    code = (f"import logging; from digest.cli.args import setup_logging; setup_logging(False, timed={timed!r}); "
            "logging.getLogger('digest.x').warning('notes/bad\\nerror: FAKE LINE \\x1b[2J.md: cannot read'); "
            "logging.getLogger('digest.x').warning('%s', 'feeds.yaml:3: one\\nfeeds.yaml:7: two'); "
            "exec('try:\\n raise OSError(\\'bad\\\\x1b[2J.md\\')\\nexcept OSError:\\n "
            "logging.getLogger(\\'digest.x\\').exception(\\'cannot read\\')')")
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
    assert "\x1b" not in err
    assert not any(line.startswith("error: FAKE") for line in err.splitlines())
    assert "\n  feeds.yaml:7: two" in err  # a message of several lines keeps them, indented
    assert "OSError: bad\ufffd[2J.md" in err  # and a traceback's message its lines, no codes
