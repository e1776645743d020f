"""What a daily reader sees on a phone, with a keyboard or a screen reader (stop 56 review):
text that grows with the reader's own text size, the search box's hint readable in the dark
scheme, and the long day's email's list of titles a finger can tell apart.  The review's
screenshots and axe audit are in docs/evaluation.md ("Stop 56: a phone and a keyboard")."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.output.mailfit import Fit
from digest.output.render import render_email_html, render_html
from digest.records import DigestView, StoryView, VersionView
from tests.support.browser import chromium_path
from tests.support.httpd import TestServer
from tests.support.views import hostile_view
from tests.support.web import Site
from tests.test_browser import DARK, LIGHT, _contrast, _probes

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _font_sizes(css: str) -> list[str]:
    """Every size a ``font`` or ``font-size`` declaration of ``css`` gives."""
    return [m.group(1).strip() for m in re.finditer(r"font(?:-size)?\s*:\s*([^;}\"]+)", css)]


def test_the_pages_text_grows_with_the_readers_own_text_size(site: Site) -> None:
    """The body's 17px (16px on a phone) held the stories' text where every other size is in
    rem: with a browser's text size at 24px ("Very large") headings grew to 38px and dates to
    22px while the excerpts stayed 17px, smaller than the lines about them (Chromium,
    ``Page.setFontSizes``).  No size of the page's CSS is in px."""
    pages = {"digest": render_html(hostile_view()), "day": site.get("/day/2026-03-14").text,
             "search": site.get("/search?q=quake").text}  # fmt: skip
    for name, page in pages.items():
        doc = lxml.html.document_fromstring(page)
        css = "\n".join(s.text_content() for s in doc.iter("style"))
        css += "\n".join(str(v) for v in doc.xpath("//@style"))
        sizes = _font_sizes(css)
        assert any(s.startswith("1.0625rem") for s in sizes), (name, sizes)  # the body's, 17px at 16px
        assert not [s for s in sizes if re.search(r"\d\s*px", s)], (name, sizes)


def test_the_long_days_email_lists_its_titles_a_fingers_width_apart() -> None:
    """A day too long for one email lists its last stories by title only, each a link alone on
    its line: 14px at line-height 1.5 put them 21px apart, and axe's target-size found 49 of
    81 such links on a phone (WCAG 2.5.8: 24px).  The list's lines are 24px apart or more."""
    stories = [StoryView(f"s{i}", f"Story number {i}",
                         VersionView("Wire", f"Story number {i}", f"https://w.example/{i}", AT, "Text. " * 30),
                         [VersionView("Coast", f"Story {i} again", f"https://c.example/{i}", AT, "Text. " * 9)])
               for i in range(12)]  # fmt: skip
    view = DigestView("2026-11-20", stories, 12, 0)
    ids = [s.story_id for s in stories]
    html = render_email_html(view, tz=UTC, fit=Fit(frozenset(ids[:3]), frozenset(ids[3:])))
    doc = lxml.html.document_fromstring(html)
    (label,) = doc.find_class("more-label")
    listing = label.getnext()
    assert listing.tag == "ul" and len(listing.findall("li/a")) == 9
    style = dict(p.split(":", 1) for p in listing.get("style").split(";") if p)
    pitch = float(style["font-size"].removesuffix("px")) * float(style["line-height"])
    assert pitch >= 24, style
    # the other lists keep their lines (their links sit in a line of text: an outlet, a time)
    others = [ul for ul in doc.iter("ul") if ul is not listing]
    assert others and all("line-height:1.5" in ul.get("style") for ul in others)


#: The archive's search box: its hint's colour and opacity, and the field's background.
HINT_REPORT = """
    var w = d.defaultView, q = d.querySelector('input[type=search]'), p = w.getComputedStyle(q, '::placeholder');
    return {hint: q.placeholder, value: q.value, color: p.color, opacity: p.opacity,
            field: w.getComputedStyle(q).backgroundColor};"""


@pytest.mark.browser
@pytest.mark.parametrize("flag", [LIGHT, DARK])
def test_the_search_boxs_hint_is_readable_in_either_scheme(site: Site, tmp_path: Path, flag: str) -> None:
    """The hint "Search the archive" is the box's only visible label.  Chromium's own grey
    (rgb(117, 117, 117)) was 4.6:1 on the light field but 2.4:1 on the dark one
    (rgb(59, 59, 59)); it is the page's muted colour now, 4.5:1 or more on either."""
    chromium = chromium_path()
    with TestServer() as srv:
        srv.set("/index.html", site.get("/").text, headers={"Content-Type": "text/html; charset=utf-8"})
        (found,) = _probes(chromium, srv, tmp_path, [("/index.html", 390, HINT_REPORT)], flag)
    assert found["hint"] == "Search the archive" and found["value"] == "", found
    assert float(found["opacity"]) == 1, found
    assert _contrast(found["color"], found["field"]) >= 4.5, found
