"""No line begins with a lone " · ", in a real headless Chromium at 390 and 1280 px.

Stop 59 kept each " · time" (and the heading's " · day") in one inline block with its dot:
"Morning news ·" no longer ended a phone's line, but the block went down whole, and the next
line began "· Wednesday, 30 September 2026", "· Tue 1 Dec, 10:08 UTC" (38 lines of the
archive's day page at 390 px, 13 at 1280), as did a separator's "· same text as ...".  The dot
is now tied to what comes before it (a no-break space before it, a space after): a line broken
there ends with the dot and the next begins with the date.  Probed in the digest page, the
email, the archive's day page as decorated, and the pages a real ``digest serve`` (a SQLite
file on disk) gives: its day, story, index, month and search pages.  Stop 61: a time followed by
a copy note ("· same text as ..."), which began a line after the time's inline block.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.output.render import render_email_html, render_html
from digest.records import StoryView, VersionView
from digest.service.webday import decorate_day
from digest.store.base import NewArticle, open_store
from tests.support.archive import NOW, article, at, fill
from tests.support.browser import chromium_path
from tests.support.config import make_config
from tests.support.httpd import TestServer
from tests.support.web import site as open_site
from tests.test_browser import _probes, dated_view

pytestmark = pytest.mark.browser

#: Each "·" drawn on a line below the last character before it in its block (a line that
#: begins with the dot), and how many dots were looked at.
DOT_REPORT = """
    var out = [], looked = 0;
    function block(n) { var e = n.parentElement;
      while (e && getComputedStyle(e).display.indexOf('inline') === 0) e = e.parentElement; return e; }
    var walk = d.createTreeWalker(d.body, NodeFilter.SHOW_TEXT), node, prev = null, prevBlock = null;
    while ((node = walk.nextNode())) {
      if (!node.parentElement || !node.parentElement.getClientRects().length) continue;
      var b = block(node), s = node.data;
      if (b !== prevBlock) { prev = null; prevBlock = b; }
      for (var i = 0; i < s.length; i++) {
        if (/\\s/.test(s[i])) continue;
        if (s[i] === '\\u00b7' && prev) {
          looked++;
          var r = d.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
          var p = d.createRange(); p.setStart(prev[0], prev[1]); p.setEnd(prev[0], prev[1] + 1);
          var dot = r.getClientRects()[0], before = p.getClientRects();
          before = before[before.length - 1];
          if (dot && before && dot.top >= before.bottom - 1)
            out.push((b.textContent || '').replace(/\\s+/g, ' ').slice(0, 100));
        }
        prev = [node, i];
      }
    }
    return {begins: out, looked: looked};"""

#: The heading's title, its dot and its day: the top and bottom of each.
HEADING_REPORT = """
    var h = d.querySelector('h1'), walk = d.createTreeWalker(h, NodeFilter.SHOW_TEXT), node, dot = null;
    while ((node = walk.nextNode())) {
      var at = node.data.indexOf('\\u00b7');
      if (at >= 0) {
        var r = d.createRange(); r.setStart(node, at); r.setEnd(node, at + 1);
        var b = r.getBoundingClientRect(); dot = [b.top, b.bottom]; break;
      }
    }
    var t = d.createRange(); t.selectNodeContents(h.querySelector('span.time'));
    var first = t.getClientRects()[0], title = d.createRange();
    title.setStart(h.firstChild, 0); title.setEnd(h.firstChild, 1);
    var m = title.getBoundingClientRect();
    return {title: [m.top, m.bottom], dot: dot, day: [first.top, first.bottom], text: h.textContent};"""

WIDTHS = [390, 1280]
#: The versions' titles grow a word at a time (as ``dated_view``'s): at any width some line
#: ends near a time.
WORDS = "Zephyr S2 e-scooter recall what owners need to know before charging tonight".split()
SERVED = {"day": "/day/2026-03-14", "story": "/story/zephyr?day=2026-03-14", "index": "/",
          "month": "/month/2026-03", "search": "/search?q=scooter+recall"}


def copies_stories() -> list[StoryView]:
    """Stories whose versions each repeat the wire's text: each line ends with its time and a
    copy note, "Paper 3: title · Tue 1 Dec, 09:03 UTC · same text as Valley Wire" (the email's
    span.time was an inline block, and Chromium breaks after one even before a no-break space:
    "· adds nothing to Valley Wire" began a line of the bundled examples' email at 1280 px).
    Nine versions a story (a tenth folds the list); the titles half a character longer each (a
    character, then a comma), so at any width some line's time ends it, its note's dot just past
    it."""
    when = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    text = "The harbour ferry ran aground near the point; every passenger was brought ashore. " * 3
    sentence = " ".join(WORDS * 2)
    stories = []
    for n in range(16):
        lead = VersionView("Valley Wire", f"Ferry {n} runs aground", f"https://vw.example/f{n}", when, text,
                           key=f"w{n}")
        also = [VersionView(f"Paper {i}", sentence[: 16 + i // 2].strip() + "," * (i % 2), f"https://p{i}.example/f",
                            when + timedelta(minutes=i), text, key=f"p{i}")
                for i in range(9 * n, 9 * n + 9)]
        stories.append(StoryView(f"f{n}", f"Ferry {n}", lead, also))
    return stories


def _archive_pages(tmp: Path) -> dict[str, str]:
    """The pages of a real archive server over a SQLite file: ``fill``'s stories and one of 24
    versions (copies among them: "· same text as ...")."""
    cfg = make_config(tmp, database=str(tmp / "digest.sqlite3"), title="Morning news")
    versions = [NewArticle(article(f"z{i}", f"Outlet {i}", " ".join(WORDS[: 2 + i % len(WORDS)]) + " x" * (i // 6),
                                   f"https://o{i}.example/a", at(14, 6) + timedelta(minutes=i),
                                   "Calder Mobility is recalling scooters. " * 3), b"fp", "zephyr", 0.5)
                for i in range(24)]
    with open_store(cfg.database_url) as store:
        fill(store)
        store.add_articles(versions)
    with open_site(cfg, clock=lambda: NOW) as s:
        pages = {}
        for name, path in SERVED.items():
            r = s.get(path)
            assert r.status_code == 200, (path, r.status_code)
            pages[f"served-{name}"] = r.text
    return pages


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[int, str, str], Any]]:
    view = dated_view()
    heading = replace(view, title="Morning news", date="2026-09-30", stories=[*view.stories, *copies_stories()])
    pages = {"page": render_html(heading), "email": render_email_html(heading),
             "archive": decorate_day(render_html(heading), heading.stories),
             **_archive_pages(tmp_path_factory.mktemp("archive"))}
    keys, probes = [], []
    with TestServer() as srv:
        for kind, html in pages.items():
            srv.set(f"/{kind}.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
            for width in WIDTHS:
                for name, report in (("dots", DOT_REPORT), ("heading", HEADING_REPORT)):
                    if name == "heading" and kind.startswith("served-"):
                        continue
                    keys.append((width, kind, name))
                    probes.append((f"/{kind}.html", width, report))
        found = _probes(chromium_path(), srv, tmp_path_factory.mktemp("chromium"), probes)
    yield dict(zip(keys, found, strict=True))


@pytest.mark.parametrize("kind", ["page", "email", "archive", *(f"served-{n}" for n in SERVED)])
@pytest.mark.parametrize("width", WIDTHS)
def test_no_line_begins_with_a_dot(probed: dict[tuple[int, str, str], Any], width: int, kind: str) -> None:
    found = probed[width, kind, "dots"]
    least = {"served-index": 1, "served-month": 1, "served-search": 2, "served-story": 20}.get(kind, 24)
    assert found["looked"] >= least, found  # the dots were there to be looked at
    assert found["begins"] == [], f"{len(found['begins'])} lines begin with a dot: {found['begins'][:3]}"


@pytest.mark.parametrize("kind", ["page", "email", "archive"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_headings_dot_ends_the_titles_line(probed: dict[tuple[int, str, str], Any], width: int, kind: str) -> None:
    """At 390 px "Morning news · Wednesday, 30 September 2026" takes two lines: the dot ends
    the first, after "news", the day begins the second (neither "Morning news" alone with the
    day below, nor "· Wednesday" beginning a line)."""
    found = probed[width, kind, "heading"]
    assert " ".join(found["text"].split()) == "Morning news · Wednesday, 30 September 2026"
    (title_top, title_bottom), (dot_top, dot_bottom), (day_top, _day_bottom) = found["title"], found["dot"], found["day"]
    if width == 390:  # a phone's line is too short for it all: what the test is about
        assert day_top >= title_bottom, found
    assert dot_top < title_bottom and title_top < dot_bottom, f"the dot not on the title's line: {found}"
