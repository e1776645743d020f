"""Stop 60, review of the day's changes: the digest's counts line ("1,284 articles read · 97
stories · 1,187 duplicates collapsed") kept a plain space before its dots after the stop tied
every other " · " to the word before it (``sep``, ``dated``, ``timed``): a phone's line began
with "·" there (Chromium: 239-250 px, a 390 px phone zoomed 150-160 %).  Its dots are ``dot`` now: a no-break space before in
HTML (page and email); the Markdown file as before.

Real parts: the renderer, headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.output.render import render, render_email_html, render_html
from digest.records import DigestView
from tests.support.browser import chromium_path
from tests.support.httpd import TestServer
from tests.test_browser import _probes, dated_view
from tests.test_heading_browser import DOT_REPORT

pytestmark = pytest.mark.browser

#: Every other width of a phone zoomed 130-175 % (390 px read as 300-222), then phones and a tablet.
WIDTHS = [*range(220, 300, 2), 320, 360, 390, 414, 768]


def _view() -> DigestView:
    view = dated_view()
    view.articles_read, view.duplicates_collapsed = 1284, 1187
    return view


def test_no_line_of_the_counts_begins_with_a_dot_and_the_markdown_is_as_it_was(tmp_path: Path) -> None:
    kinds = {"page": render_html(_view()), "email": render_email_html(_view())}
    with TestServer() as srv:
        for kind, html in kinds.items():
            srv.set(f"/{kind}.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
        probes = [(f"/{kind}.html", w, DOT_REPORT) for kind in kinds for w in WIDTHS]
        found = _probes(chromium_path(), srv, tmp_path, probes)
    begun = {(src, w): f["begins"] for (src, w, _), f in zip(probes, found, strict=True) if f["begins"]}
    assert all(f["looked"] for f in found)
    assert not begun, begun
    md = render(_view(), "md")  # the file: as it was, plain spaces round each dot
    # counts grouped in the locale since stop 65 ("**1284**" before)
    assert "**1,284** articles read · **1** story · **1,187** duplicates collapsed" in md, md[:400]
