"""The digest's heading in a real headless Chromium: its " · day" is not split at the dot.

At 390 px (and in the page's column at 1280) "Morning news · Wednesday, 30 September 2026"
takes two lines; the line broke
after the dot ("Morning news ·", the day alone below it: a line may break before the date's
inline block, no-break space or not).  The digest page, the email and the archive's day page
(the page with ``digest serve``'s additions) are each probed, as ``test_browser`` probes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from digest.output.render import render_email_html, render_html
from digest.service.webday import decorate_day
from tests.support.browser import chromium_path
from tests.support.httpd import TestServer
from tests.test_browser import _probes, dated_view

pytestmark = pytest.mark.browser

#: Where the heading's dot and its day are drawn, and how many lines the heading takes.
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

KINDS = ["page", "email", "archive"]
WIDTHS = [390, 1280]


@pytest.fixture(scope="module")
def heading_probes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], Any]:
    view = replace(dated_view(), title="Morning news", date="2026-09-30")
    pages = {"page": render_html(view), "email": render_email_html(view),
             "archive": decorate_day(render_html(view), view.stories)}
    keys, probes = [], []
    with TestServer() as srv:
        for kind, html in pages.items():
            srv.set(f"/{kind}.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
            for width in WIDTHS:
                keys.append((width, kind))
                probes.append((f"/{kind}.html", width, HEADING_REPORT))
        found = _probes(chromium_path(), srv, tmp_path_factory.mktemp("chromium"), probes)
    return dict(zip(keys, found, strict=True))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_headings_dot_stays_with_its_day(heading_probes: dict[tuple[int, str], Any], width: int, kind: str) -> None:
    found = heading_probes[width, kind]
    assert " ".join(found["text"].split()) == "Morning news · Wednesday, 30 September 2026"
    (_title_top, title_bottom), (dot_top, dot_bottom), (day_top, day_bottom) = found["title"], found["dot"], found["day"]
    if width == 390:  # a phone's line is too short for it all: what the test is about
        assert day_top >= title_bottom, found
    assert dot_top < day_bottom and day_top < dot_bottom, f"the dot on a line apart from its day: {found}"


#: Each version's or story's " · time" on a line (``render.timed``): where its dot and the
#: time's first line are drawn.
DOT_REPORT = """
    var out = [];
    d.querySelectorAll('li span.time, p.meta span.time').forEach(function (t) {
      var box = t.closest('li, p'), walk = d.createTreeWalker(box, NodeFilter.SHOW_TEXT), node, dot = null;
      while ((node = walk.nextNode())) {
        if (t.contains(node)) break;
        var at = node.data.lastIndexOf('\\u00b7');
        if (at >= 0) dot = [node, at];
      }
      if (!dot) return;
      var r = d.createRange(); r.setStart(dot[0], dot[1]); r.setEnd(dot[0], dot[1] + 1);
      var b = r.getBoundingClientRect(), f = t.getClientRects()[0];
      out.push({dot: [b.top, b.bottom], time: [f.top, f.bottom], text: box.textContent.slice(0, 80)});
    });
    return out;"""


@pytest.mark.parametrize("width", WIDTHS)
def test_a_versions_dot_stays_with_its_time(tmp_path: Path, width: int) -> None:
    """The versions' titles of ``dated_view`` grow a word at a time, so at any width some
    line ends at a title: "Zephyr S2 e-scooter recall ·" ended a phone's line in the email,
    its time alone on the next (the time's own block went down, its dot did not)."""
    view = dated_view()
    with TestServer() as srv:
        for kind, html in (("page", render_html(view)), ("email", render_email_html(view))):
            srv.set(f"/{kind}.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
        found = _probes(chromium_path(), srv, tmp_path, [("/page.html", width, DOT_REPORT),
                                                         ("/email.html", width, DOT_REPORT)])
    for lines in found:
        assert len(lines) >= 24, lines  # every version's time was found
        apart = [x for x in lines if not (x["dot"][0] < x["time"][1] and x["time"][0] < x["dot"][1])]
        assert not apart, f"a dot on a line apart from its time: {apart[:3]}"
