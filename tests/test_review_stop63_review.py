"""The stop 63 review's findings on today's changes (docs/evaluation.md, "Stop 63: review of
today's changes"), each as a reader meets it: a note read by ``digest run`` (a real SQLite store
on disk), its HTML digest and the archive's story page over loopback HTTP."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from digest.cli import main
from digest.sources import textarticles
from tests.support.config import make_config

#: A note whose title is a link (its words are the title, never in the text) before two links of
#: its text; "here" is also in "There", the text's first word.
NOTE = """# Council news from [Halden](https://halden.example/)

There was a long vote on the harbour budget at the town hall on Tuesday night; the minutes are
[here](https://halden.example/minutes). The [mayor](https://halden.example/mayor) said the new
quay will be built by March, and that the old ferry shed will become a market hall.
"""


def _excerpt_links(tmp_path: Path, note: str) -> dict[str, list[tuple[str, str, str]]]:
    """The note's excerpt's links on the HTML digest and the story page: (the text before it,
    its words, its address) each."""
    from tests.support.web import site

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "council.md").write_text(note, encoding="utf-8")
    cfg = make_config(tmp_path, {"My notes": folder}, write=True, clock="2026-11-20T20:00:00Z",
                      timezone="UTC", backlog_days=0)
    assert main(["run", "--config", str(cfg.config_path), "--quiet"]) == 0
    pages = {"digest": (tmp_path / "out" / "digest-2026-11-20.html").read_text(encoding="utf-8")}
    with site(cfg) as s:
        day = lxml.html.document_fromstring(s.get("/day/2026-11-20").text)
        [story] = {str(h) for h in day.xpath("//a/@href") if str(h).startswith("/story/")}
        pages["story page"] = s.get(story).text
    out = {}
    for name, page in pages.items():
        [excerpt] = lxml.html.document_fromstring(page).find_class("excerpt")
        assert "There was a long vote" in " ".join(excerpt.text_content().split()), name
        out[name] = [(" ".join(((a.getprevious().tail if a.getprevious() is not None else excerpt.text) or "").split()),
                      a.text_content(), str(a.get("href"))) for a in excerpt.iter("a")]
    return out


def test_a_link_in_a_notes_title_does_not_leave_its_texts_links_unlinked(tmp_path: Path) -> None:
    """The title's link ("Halden") is not in the excerpt: the links were looked for in order and
    the first one not found ended the search, so neither "here" nor "mayor" was linked."""
    for name, links in _excerpt_links(tmp_path, NOTE).items():
        assert [link[1:] for link in links] == [("here", "https://halden.example/minutes"),
                                                ("mayor", "https://halden.example/mayor")], name


def test_a_notes_link_words_are_linked_as_words_not_inside_another(tmp_path: Path) -> None:
    """"here" was linked inside "There" (T<a>here</a>), the excerpt's first word, not where the
    note linked it."""
    note = NOTE.replace("[Halden](https://halden.example/)", "Halden")
    for name, links in _excerpt_links(tmp_path, note).items():
        assert [link[0].split()[:2] for link in links] == [["There", "was"], [".", "The"]], (name, links)


def test_a_notes_links_are_read_up_to_the_cap_not_all_of_them(monkeypatch: object) -> None:
    """A note of thousands of links (a bookmarks file): each was checked against every one kept
    before it, and all of them read though 50 are kept: 20,000 links took 70 s to read (one
    Markdown conversion of them, 12 s).  Read up to the cap (:data:`MAX_LINKS`) and no further."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    read: list[str] = []
    plain = textarticles.plain

    def counted(text: str | None, **kw: bool) -> str:
        read.append(text or "")
        return plain(text, **kw)

    monkeypatch.setattr(textarticles, "plain", counted)
    note = "# Bookmarks\n\n" + "\n\n".join(f"See [site {i}](https://x.example/{i}) now." for i in range(400))
    links = textarticles.markdown_links(note)
    assert links == tuple((f"site {i}", f"https://x.example/{i}") for i in range(textarticles.MAX_LINKS))
    assert len(read) <= textarticles.MAX_LINKS


def test_a_private_feeds_token_in_its_query_is_not_in_its_error_line(tmp_path: Path) -> None:
    """Stop 63 hid a token in a failing feed's path ("/feed/***/rss"), not one in its query, the
    commoner place ("HTTP 404 Not Found from http://host/feed?token=..."): shown in the digest,
    the email, the archive's pages and kept in the store.  Its value is ``***`` now, a query
    value that names no credential (``?limit=5``) as it was."""
    import sqlite3
    from contextlib import closing

    from tests.support.httpd import TestServer

    token = "b7e4c1d0a9f8e7d6c5b4"
    with TestServer() as srv:
        srv.set("/other", "nothing")
        private = srv.url(f"/feed?token={token}&limit=5")
        cfg = make_config(tmp_path, {"Private": private}, write=True, timezone="UTC",
                          clock="2026-11-20T20:00:00Z", backlog_days=0, fetch={"allow_hosts": ["127.0.0.1"]})
        assert main(["run", "--config", str(cfg.config_path), "--quiet"]) == 1  # the source failed
    md = (tmp_path / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8")
    [line] = [line for line in md.splitlines() if "**Private**" in line]
    with closing(sqlite3.connect(tmp_path / "data" / "digest.sqlite3")) as db:
        [(stored,)] = db.execute("SELECT last_error FROM sources WHERE name='Private'")
    assert "404" in line and "token=\\*\\*\\*&limit=5" in line, line
    assert "/feed?token=***&limit=5" in stored and token not in stored + md, stored


def test_a_saved_pages_time_found_by_htmldate_is_shown_as_its_time(tmp_path: Path) -> None:
    """A saved page whose time only htmldate finds (``<meta name="date" content="2026-11-20
    14:35:00">``) was recorded as a day stated alone and shown as "Fri 20 Nov", its time lost
    (before stop 63 it read "14:35 UTC"): every htmldate date was taken for a day.  A day it
    finds alone (00:00:00) is still the day."""
    import re

    folder = tmp_path / "pages"
    folder.mkdir()
    body = ("<p>The harbour board voted on Friday to rebuild the breakwater the storm broke in two places, "
            "and to close the north quay to ferries until the work is done in the spring.</p>")
    for name, stated in (("timed.html", "2026-11-20 14:35:00"), ("dated.html", "2026-11-19")):
        title = "Breakwater" if name == "timed.html" else "Lighthouse"
        (folder / name).write_text(f'<html><head><meta name="date" content="{stated}"><title>{title} news</title>'
                                   f"</head><body><article>{body.replace('harbour', title)}</article></body></html>",
                                   encoding="utf-8")
    cfg = make_config(tmp_path, {"Saved": folder}, write=True, clock="2026-11-20T20:00:00Z",
                      timezone="UTC", backlog_days=0)
    assert main(["run", "--config", str(cfg.config_path), "--quiet"]) == 0
    md = (tmp_path / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8").replace("\xa0", " ")
    when = {t: "".join(re.findall(r"\*\*Saved\*\*[^\n]*", md[md.index(f"{t} news"):])[:1])
            for t in ("Breakwater", "Lighthouse")}
    assert "14:35 UTC" in when["Breakwater"], when
    assert "Thu 19 Nov" in when["Lighthouse"] and "00:00" not in when["Lighthouse"], when
