"""The rendered digest in a real headless Chromium: what a person sees, and that nothing runs.

The page is served by the loopback test server (every request is logged, so
a stray image/font/script fetch shows up).  ``--dump-dom`` gives the DOM after
load; a control page (same hostile markup, unsanitized) proves that the probe
*would* notice a script that ran.  Screenshots go to ``tmp_path``, or to
``$DIGEST_SCREENSHOTS`` when set (to look at them), never into the repository.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from digest.output.render import render_email_html, render_html
from digest.records import DigestView, FailingSource, StoryView, VersionView
from tests.support.browser import FLAGS, chromium_path
from tests.support.httpd import TestServer
from tests.support.views import HOSTILE_TITLES, hostile_view

pytestmark = pytest.mark.browser

LIGHT = "--blink-settings=preferredColorScheme=1"
DARK = "--blink-settings=preferredColorScheme=0"  # makes prefers-color-scheme: dark match
PWN = "<img src=x onerror=\"document.title='pwned'\">"

# Test-only page: loads pages (digests) in same-origin iframes, ``f<i>`` the i-th of a given
# width, and reports, as a JSON list in #result, what the i-th report function (JavaScript
# over that page's document ``d``) returns once all have loaded (the digest's own CSP
# forbids scripts inside it, which is the point).  ``_probes`` fills it in.
PROBES = """<!doctype html><html><head><title>probes</title></head><body>
%s
<pre id="result">pending</pre>
<script>
var reports = [%s];
window.addEventListener('load', function () {
  document.getElementById('result').textContent = JSON.stringify(reports.map(function (report, i) {
    return report(document.getElementById('f' + i).contentDocument);
  }));
});
</script></body></html>"""

#: What the digest's document looks like after load.
LAYOUT_REPORT = """
    return {
      title: d.title,
      scrollWidth: d.documentElement.scrollWidth,
      clientWidth: d.documentElement.clientWidth,
      imgs: d.images.length,
      scripts: d.scripts.length,
      h2: Array.prototype.map.call(d.querySelectorAll('h2'), function (h) { return h.textContent; })
    };"""



#: How many lines a node's text takes: the tops of its text's rectangles (an inline-block
#: date is one box whatever its lines, so its own rectangles would not tell).
LINES_JS = """
    function lines(range) {
      var tops = {};
      Array.prototype.forEach.call(range.getClientRects(), function (r) {
        if (r.width > 0) { tops[Math.round(r.top)] = 1; }
      });
      return Object.keys(tops).length;
    }"""

#: The dates of a digest: how many lines each one takes.
DATES_REPORT = LINES_JS + """
    return Array.prototype.map.call(d.querySelectorAll('span.time'), function (s) {
      var r = d.createRange(); r.selectNodeContents(s);
      return [s.textContent, lines(r)];
    });"""

#: The page's width against the viewport's, and for each of ``WANTED`` (a JSON list of
#: strings, filled in), the lines each place it is written on takes, however it is marked up.
FIT_REPORT = LINES_JS + """
    var wanted = %s, found = [], walk = d.createTreeWalker(d.body, NodeFilter.SHOW_TEXT), node;
    while ((node = walk.nextNode())) {
      wanted.forEach(function (w) {
        var at = node.data.indexOf(w);
        if (at >= 0) {
          var r = d.createRange(); r.setStart(node, at); r.setEnd(node, at + w.length);
          found.push([w, lines(r)]);
        }
      });
    }
    return {scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth,
            found: found};"""


def dated_view() -> DigestView:
    """Versions whose titles grow a word at a time: at any width some date meets a line end."""
    at = datetime(2026, 12, 1, 10, 6, tzinfo=UTC)
    words = "Zephyr S2 e-scooter recall what owners need to know before charging tonight".split()
    also = [
        VersionView(f"Outlet {i}", " ".join(words[: 2 + i % len(words)]) + " x" * (i // 6),
                    f"https://o{i}.example/a", at + timedelta(minutes=i))
        for i in range(24)
    ]  # fmt: skip
    lead = VersionView("Valley Wire", "Calder recalls 14,300 scooters", "https://vw.example/a",
                       at - timedelta(days=1), "Calder Mobility is recalling scooters. " * 5)  # fmt: skip
    return DigestView("2026-12-01", [StoryView("s", "Calder", lead, also)], 25, 24,
                      generated=at)  # fmt: skip


#: The widths of the probes' iframes (a phone, a desktop) and the two renderings of a digest.
WIDTHS, KINDS = [390, 1280], ["page", "email"]


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        html = render_html(hostile_view())
        srv.set("/digest.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
        yield srv


def _probes(chromium: str, server: TestServer, tmp_path: Path, probes: list[tuple[str, int, str]],
            *flags: str) -> list[Any]:
    """What each ``(src, width, report)`` of ``probes`` returns: the page ``src`` of ``server``
    in an iframe ``width`` px wide, ``report`` run over its document once loaded.  One
    Chromium for them all, each page in an iframe of its own (a Chromium start costs a
    second or two of CPU, a page in it a few ms; the reports came out the same as from one
    start a page, pixel positions included)."""
    frames = "\n".join(f'<iframe id="f{i}" src="{src}" style="width:{width}px;height:800px;border:0"></iframe>'
                       for i, (src, width, _report) in enumerate(probes))
    reports = ",\n".join(f"function (d) {{ {report} }}" for _src, _width, report in probes)
    server.set("/probes.html", PROBES % (frames, reports), headers={"Content-Type": "text/html"})
    widest = max(width for _src, width, _report in probes)
    dom = _run(chromium, tmp_path, *flags, f"--window-size={widest + 40},900", "--dump-dom",
               server.url("/probes.html"))
    found = json.loads(lxml.html.document_fromstring(dom).get_element_by_id("result").text_content())
    assert len(found) == len(probes), found
    return found


def _run(chromium: str, tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _served(srv: TestServer) -> set[str]:
    return {r.path for r in srv.requests if r.path != "/favicon.ico"}


def test_dump_dom_what_a_person_sees(chromium: str, server: TestServer, tmp_path: Path) -> None:
    dom = _run(chromium, tmp_path, "--dump-dom", server.url("/digest.html"))
    root = lxml.html.document_fromstring(dom)
    assert root.findtext(".//title") == "My <digest> · 2024-05-01"
    assert "<title>pwned</title>" not in dom
    heads = [h.text_content() for h in root.iter("h2")]
    view = hostile_view()
    assert len(heads) == len(view.stories)
    assert heads[0] == "<script>alert('t')</script>Budget passes"
    assert heads[1] == HOSTILE_TITLES[1]  # the <img onerror> is shown as text
    assert heads[-1] == "Council approves budget"
    outward = {a.text_content(): a.get("href") for a in root.iter("a") if not a.get("href").startswith("#")}
    assert outward["Council approves budget"] == "https://ex.example/budget?a=1&b=2"
    assert outward["Budget approved"] == "https://other.example/b"
    assert all(h.startswith(("http://", "https://")) for h in outward.values())
    # the contents: one link to each story's heading
    ids = {h.get("id") for h in root.iter("h2")}
    contents = [a.get("href") for a in root.iter("a") if a.get("href").startswith("#")]
    assert len(contents) == len(view.stories) and {c[1:] for c in contents} == ids
    assert not list(root.iter("img")) and not list(root.iter("script"))
    assert _served(server) == {"/digest.html"}, "the page requested something else"


def test_control_page_shows_probe_works(chromium: str, tmp_path: Path) -> None:
    """Unsanitized, the same markup does change the title: the check above can fail."""
    with TestServer() as srv:
        srv.set("/c.html", f"<!doctype html><title>digest</title><p>{PWN}</p>",
                headers={"Content-Type": "text/html"})  # fmt: skip
        dom = _run(chromium, tmp_path, "--dump-dom", srv.url("/c.html"))
    assert "<title>pwned</title>" in dom


@pytest.fixture(scope="module")
def layout_probes(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Any]:
    """``LAYOUT_REPORT`` over the hostile digest in an iframe of each width, from one Chromium."""
    with TestServer() as srv:
        srv.set("/digest.html", render_html(hostile_view()), headers={"Content-Type": "text/html; charset=utf-8"})
        found = _probes(chromium, srv, tmp_path_factory.mktemp("chromium"),
                        [("/digest.html", width, LAYOUT_REPORT) for width in WIDTHS])
    return dict(zip(WIDTHS, found, strict=True))


@pytest.mark.parametrize("width", WIDTHS)
def test_layout_fits_and_nothing_runs(layout_probes: dict[int, Any], width: int) -> None:
    probe = layout_probes[width]
    assert probe["title"] == "My <digest> · 2024-05-01"
    assert probe["imgs"] == 0 and probe["scripts"] == 0
    assert probe["h2"][1] == HOSTILE_TITLES[1]
    # the 300-character word wraps instead of widening the page
    assert probe["scrollWidth"] <= probe["clientWidth"] <= width


def _probes_by_kind(chromium: str, tmp_path: Path, view: DigestView,
                    reports: dict[str, str]) -> dict[tuple[int, str, str], Any]:
    """For each width of ``WIDTHS``, kind of ``KINDS`` (the page, the email) and name of
    ``reports``: what that report returns over ``view`` so rendered in an iframe that wide;
    all from one Chromium (``_probes``)."""
    keys, probes = [], []
    with TestServer() as srv:
        for kind in KINDS:
            html = render_html(view) if kind == "page" else render_email_html(view)
            srv.set(f"/{kind}.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
            for width in WIDTHS:
                for name, report in reports.items():
                    keys.append((width, kind, name))
                    probes.append((f"/{kind}.html", width, report))
        found = _probes(chromium, srv, tmp_path, probes)
    return dict(zip(keys, found, strict=True))


@pytest.fixture(scope="module")
def dated_probes(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str, str], Any]:
    """``DATES_REPORT`` over ``dated_view()`` at each width, in the page and the email."""
    return _probes_by_kind(chromium, tmp_path_factory.mktemp("chromium"), dated_view(), {"dates": DATES_REPORT})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_date_is_broken_over_two_lines(
    dated_probes: dict[tuple[int, str, str], Any], width: int, kind: str
) -> None:
    """'2026-12-' at a line's end and '01 10:06 UTC' on the next, in the page and the email."""
    dates = dated_probes[width, kind, "dates"]
    # every date shown: the lead's, the 24 others', the generated line, the heading's day
    assert len(dates) == 1 + 24 + 1 + 1, dates
    assert [d for d in dates if d[1] != 1] == []
    texts = [" ".join(t.split()) for t, _ in dates]
    assert texts[0] == "Tuesday, 1 December 2026"
    assert "Mon 30 Nov, 10:06 UTC" in texts and "Tue 1 Dec, 10:29 UTC" in texts
    assert not any(re.search(r"\d{4}-\d\d-\d\d", t) for t in texts), "one format, no ISO dates"


def _png_info(path: Path) -> tuple[int, int, tuple[int, int, int]]:
    """Width, height and top-left RGB of a PNG (first pixel needs no unfiltering)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompressobj().decompress(idat, 8)
    return width, height, (raw[1], raw[2], raw[3])


@pytest.mark.parametrize(("scheme", "flag"), [("light", LIGHT), ("dark", DARK)])
@pytest.mark.parametrize(("device", "size"), [("phone", (390, 844)), ("desktop", (1280, 900))])
def test_screenshots(
    chromium: str,
    server: TestServer,
    tmp_path: Path,
    scheme: str,
    flag: str,
    device: str,
    size: tuple[int, int],
) -> None:
    out_dir = Path(os.environ.get("DIGEST_SCREENSHOTS") or tmp_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"digest-{device}-{scheme}.png"
    png.unlink(missing_ok=True)
    _run(chromium, tmp_path, flag, f"--window-size={size[0]},{size[1]}",
         f"--screenshot={png}", server.url("/digest.html"))  # fmt: skip
    width, height, (r, g, b) = _png_info(png)
    assert (width, height) == size
    if scheme == "light":
        assert min(r, g, b) > 230, (r, g, b)
    else:
        assert max(r, g, b) < 40, (r, g, b)
    assert _served(server) == {"/digest.html"}


#: The section and story headings of a digest, where they are, and whether each contents
#: link reaches its target.
SECTIONS_REPORT = """
    var heads = Array.prototype.map.call(d.querySelectorAll('h2.section, h3.story'), function (h) {
      return [h.tagName, h.textContent, h.getBoundingClientRect().top, h.offsetHeight > 0];
    });
    var links = Array.prototype.map.call(d.querySelectorAll('a[href^="#"]'), function (a) {
      return [a.getAttribute('href'), !!d.getElementById(a.getAttribute('href').slice(1))];
    });
    return {heads: heads, links: links,
            scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth};"""


def _sectioned_view(tmp_path: Path) -> DigestView:
    """Five stories of two sources whose categories are the morning digest's two sections."""
    from digest.config import parse_config
    from digest.output.digests import arrange, categories, plan_named

    cfg = parse_config(
        "sources:\n  - {name: Wire, url: 'https://w.example/f', category: World}\n"
        "  - {name: Desk, url: 'https://d.example/f', category: Business}\n"
        "digests:\n  - {name: morning, sections: [World, Business]}\n", path=tmp_path / "feeds.yaml")
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    stories = [StoryView(f"s{i}", f"Story {i}", VersionView(src, f"Story {i} headline", f"https://x.example/{i}", at,
                                                             "Body text. " * 20), [])
               for i, src in enumerate(["Desk", "Wire", "Desk", "Wire", "Wire"])]
    sections, _ = arrange(stories, plan_named(cfg, "morning"), categories(cfg))
    return DigestView("2026-12-01", [s for sec in sections for s in sec.stories], 5, 0, sections=sections)


@pytest.fixture(scope="module")
def sections_probes(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Any]:
    """``SECTIONS_REPORT`` over the sectioned digest in an iframe of each width, from one Chromium."""
    tmp_path = tmp_path_factory.mktemp("chromium")
    with TestServer() as srv:
        srv.set("/sections.html", render_html(_sectioned_view(tmp_path)),
                headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
        found = _probes(chromium, srv, tmp_path, [("/sections.html", width, SECTIONS_REPORT) for width in WIDTHS])
    return dict(zip(WIDTHS, found, strict=True))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_sectioned_digest_shows_each_story_under_its_section(sections_probes: dict[int, Any], width: int) -> None:
    probe = sections_probes[width]
    heads = [(tag, text) for tag, text, _top, shown in probe["heads"] if shown]
    assert heads == [("H2", "World"), ("H3", "Story 1 headline"), ("H3", "Story 3 headline"), ("H3", "Story 4 headline"),
                     ("H2", "Business"), ("H3", "Story 0 headline"), ("H3", "Story 2 headline")]
    tops = [top for *_x, top, _shown in probe["heads"]]
    assert tops == sorted(tops)  # on the page in that order
    assert len(probe["links"]) == 5 and all(ok for _href, ok in probe["links"])  # contents reach each story
    assert probe["scrollWidth"] <= probe["clientWidth"] <= width


#: A weekly digest's count per day: whether each count is on its date's line (": 1" went to the
#: start of the next line at 1280 px).
COUNTS_REPORT = """
    var walk = d.createTreeWalker(d.querySelector('p.per-day'), NodeFilter.SHOW_TEXT), node, out = [];
    function rect(n, from, to) { var r = d.createRange(); r.setStart(n, from); r.setEnd(n, to);
                                 return r.getBoundingClientRect(); }
    while ((node = walk.nextNode())) {  // each ":" and the count after it, against the text before
      var at = node.data.indexOf(':'), prev = node;
      if (at < 0) { continue; }
      var b = rect(node, at, Math.min(node.data.length, at + 3)), a;
      if (at > 0) { a = rect(node, at - 1, at); }
      else { while (prev && !prev.previousSibling) { prev = prev.parentNode; }
             a = prev.previousSibling.getBoundingClientRect(); }
      out.push([node.data.slice(Math.max(at - 4, 0), at + 3), b.top >= a.top - 2 && b.bottom <= a.bottom + 2]);
    }
    return out;"""


def _long_dates_view(weekly: bool) -> DigestView:
    """A digest whose dates are long: a Wednesday in September (the longest day in en_GB),
    or the week to it, with its count per day."""
    at = datetime(2026, 9, 30, 10, 6, tzinfo=UTC)
    lead = VersionView("Valley Wire", "Calder recalls 14,300 scooters", "https://vw.example/a", at,
                       "Calder Mobility is recalling scooters. " * 5)  # fmt: skip
    also = [VersionView("Harbor Herald", "Scooter recall", "https://hh.example/a", at)]
    view = DigestView("2026-09-30", [StoryView("s", "Calder", lead, also)], 2, 1, generated=at)
    if weekly:
        view.first_day = "2026-09-24"
        view.per_day = [(f"2026-09-{d}", d % 3) for d in range(24, 31)]
    return view


PHONE_WIDTHS, DIGESTS = [320, 360, 390, 1280], ["daily", "weekly"]


def _wanted_dates(view: DigestView) -> list[str]:
    """The heading's days and each day of the count per day, as the digest writes them."""
    from digest.output.dates import format_day, format_days

    return [format_days(view.first_day or view.date, view.date)] + [format_day(d) for d, _n in view.per_day]


@pytest.fixture(scope="module")
def long_dates_probes(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str, str, str], Any]:
    """For each (width, digest, kind): ``FIT_REPORT`` over the long-dates digest in an
    iframe that wide, and for a weekly one ``COUNTS_REPORT`` too; all from one Chromium."""
    probes, keys = [], []
    with TestServer() as srv:
        for digest in DIGESTS:
            view = _long_dates_view(digest == "weekly")
            for kind in KINDS:
                html = render_html(view) if kind == "page" else render_email_html(view)
                srv.set(f"/long-{digest}-{kind}.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
                for width in PHONE_WIDTHS:
                    reports = [("fit", FIT_REPORT % json.dumps(_wanted_dates(view)))]
                    reports += [("counts", COUNTS_REPORT)] if view.per_day else []
                    for name, report in reports:
                        probes.append((f"/long-{digest}-{kind}.html", width, report))
                        keys.append((width, digest, kind, name))
        found = _probes(chromium, srv, tmp_path_factory.mktemp("chromium"), probes)
    return dict(zip(keys, found, strict=True))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("digest", DIGESTS)
@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_a_phone_wide_digest_does_not_scroll_sideways_and_keeps_each_date_whole(
    long_dates_probes: dict[tuple[int, str, str, str], Any], width: int, digest: str, kind: str
) -> None:
    """The heading's day ran off a 360 px screen (a date that never wraps), and a weekly
    digest's count per day broke its dates over lines ("Sunday, 15 / November 2026"), and put
    a day's count at the start of the next line (": 1").  At 320 px the page's heading broke
    "Wednesday, 30 / September 2026" (stop 61)."""
    view = _long_dates_view(digest == "weekly")
    wanted = _wanted_dates(view)
    probe = long_dates_probes[width, digest, kind, "fit"]
    assert probe["scrollWidth"] <= probe["clientWidth"] <= width
    assert sorted({w for w, _n in probe["found"]}) == sorted(wanted), probe["found"]
    assert [f for f in probe["found"] if f[1] != 1] == []
    if view.per_day:
        counts = long_dates_probes[width, digest, kind, "counts"]
        assert len(counts) == len(view.per_day) and all(same for _n, same in counts), counts


def _rtl_view() -> DigestView:
    """Four stories (so the digest opens with its contents), one an Arabic report with a
    Hebrew and an untitled-link-less version among its others."""
    at = datetime(2026, 11, 20, 9, tzinfo=UTC)
    arabic = "زلزال بقوة 6.1 درجة يضرب الساحل الشمالي"
    lead = VersionView("الجزيرة", arabic, "https://aj.example/a", at, "ضرب زلزال الساحل الشمالي صباح الجمعة. " * 5)
    also = [VersionView("הארץ", "רעידת אדמה פגעה בחוף", "https://haaretz.example/x", at),
            VersionView("כאן", "רעידת אדמה בצפון", None, at),
            VersionView("Reuters", "Quake hits northern coast", "https://r.example/x", at)]
    stories = [StoryView("ar", arabic, lead, also, first_seen=at)]
    stories += [StoryView(f"s{i}", f"Story {i}", VersionView("Wire", f"Story {i} headline", f"https://w.example/{i}", at,
                                                             "Text. " * 20), []) for i in range(3)]
    return DigestView("2026-11-20", stories, 7, 3, generated=at)


#: Where, left to right, each part of the lines holding a right-to-left title lies: the
#: contents' line (title, then its count of outlets) and the "also reported by" lines
#: (outlet, then title, then date).
BIDI_REPORT = """
    function box(node, at, n) {
      var r = d.createRange();
      r.setStart(node, at); r.setEnd(node, at + n);
      var rects = Array.prototype.filter.call(r.getClientRects(), function (x) { return x.width > 0; });
      return [Math.min.apply(null, rects.map(function (x) { return x.left; })),
              Math.max.apply(null, rects.map(function (x) { return x.right; })),
              Math.min.apply(null, rects.map(function (x) { return x.top; }))];
    }
    var found = {}, walk = d.createTreeWalker(d.body, NodeFilter.SHOW_TEXT), node;
    while ((node = walk.nextNode())) {
      %s.forEach(function (w) {  // each word of w on its own: where it is drawn
        var at = node.data.indexOf(w);
        if (at >= 0 && !(w in found)) {
          found[w] = w.split(/[ \u00a0]/).map(function (part) {
            var b = box(node, at, part.length); at += part.length + 1; return b;
          });
        }
      });
    }
    return found;"""


EXCERPT_DIRECTIONS = """
    return Array.prototype.map.call(d.querySelectorAll('p.excerpt'), function (p) {
      return d.defaultView.getComputedStyle(p).direction;
    });"""


#: The parts of ``_rtl_view()``'s lines that ``BIDI_REPORT`` finds.
RTL_WANTED = ["زلزال بقوة 6.1", "· 4\u00a0outlets", "הארץ", "רעידת אדמה פגעה", "כאן", "רעידת אדמה בצפון"]


@pytest.fixture(scope="module")
def rtl_probes(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str, str], Any]:
    """``BIDI_REPORT`` and ``EXCERPT_DIRECTIONS`` over ``_rtl_view()`` at each width, in the
    page and the email."""
    reports = {"boxes": BIDI_REPORT % json.dumps(RTL_WANTED), "directions": EXCERPT_DIRECTIONS}
    return _probes_by_kind(chromium, tmp_path_factory.mktemp("chromium"), _rtl_view(), reports)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_right_to_left_title_keeps_its_line_in_order(
    rtl_probes: dict[tuple[int, str, str], Any], width: int, kind: str
) -> None:
    """An Arabic title in the contents read "4 · زلزال ... outlets": the count's "· 4", neutral
    and a digit after right-to-left text, joined the title's run and was drawn left of it,
    away from its word.  An "also reported by" line of a Hebrew outlet put the title left of
    the outlet's name.  Feed text is now isolated (``dir="auto"``): the count follows the title,
    the title its outlet, in the page and in the email; an Arabic excerpt is a right-to-left
    paragraph (its full stop was drawn at the right, by its first word)."""
    boxes = rtl_probes[width, kind, "boxes"]
    assert sorted(boxes) == sorted(RTL_WANTED), boxes

    def before(a: list[float], b: list[float]) -> bool:  # a left of b, or b on a later line
        return b[2] > a[2] + 2 or a[1] <= b[0] + 1

    def whole(w: str) -> list[float]:  # the box of all of w's words
        parts = boxes[w]
        return [min(p[0] for p in parts), max(p[1] for p in parts), min(p[2] for p in parts)]

    dot, four, outlets = boxes["· 4\u00a0outlets"]
    assert before(whole("زلزال بقوة 6.1"), dot) and before(dot, four) and before(four, outlets), boxes
    assert before(whole("הארץ"), whole("רעידת אדמה פגעה")), boxes
    assert before(whole("כאן"), whole("רעידת אדמה בצפון")), boxes
    # the Arabic excerpt is a right-to-left paragraph (its full stop at its end, on the left)
    directions = rtl_probes[width, kind, "directions"]
    assert directions == ["rtl", "ltr", "ltr", "ltr"]


#: The colour of each kind of text a digest writes in its warning colour, and the page's.
WARNING_COLOURS = """
    var bg = d.defaultView.getComputedStyle(d.body).backgroundColor, out = {};
    ['p.meta em', 'li em', 'p.failing-label', 'p.all-failed'].forEach(function (sel) {
      var el = d.querySelector(sel);
      out[sel] = el && d.defaultView.getComputedStyle(el).color;
    });
    return {background: bg, colours: out};"""


def _contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two CSS ``rgb(r, g, b)`` colours."""

    def luminance(rgb: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("flag", [LIGHT, DARK])
def test_warning_text_is_readable_in_light_and_dark(chromium: str, server: TestServer, tmp_path: Path, flag: str) -> None:
    """In dark mode, a developing story's "new" marks, "Sources that failed:" and "Every source
    failed" were #a8480f on #15171a: 3.1:1, under WCAG's 4.5:1 for text of their size.  They
    take a lighter orange there now."""
    at = datetime(2026, 11, 20, 9, tzinfo=UTC)
    lead = VersionView("Dev Wire", "Storm Corrin: toll rises", "https://dw.example/s", at, "Storm text. " * 10, new=True)
    also = [VersionView("Old Post", "Storm Corrin nears", "https://op.example/s", at, new=True)]
    story = StoryView("dev", "Storm", lead, also, status="developing", whats_new="Toll rises")
    failing = [FailingSource("Broken Feed", at, 3, "HTTP 500")]
    pages = {"/warn.html": DigestView("2026-11-20", [story], 2, 1, failing=failing),
             "/none.html": DigestView("2026-11-20", [], 0, 0, failing=failing, sources=1)}
    for path, view in pages.items():
        server.set(path, render_html(view), headers={"Content-Type": "text/html; charset=utf-8"})
    found: dict[str, float] = {}
    for probe in _probes(chromium, server, tmp_path, [(path, 600, WARNING_COLOURS) for path in pages], flag):
        found |= {sel: _contrast(c, probe["background"]) for sel, c in probe["colours"].items() if c}
    assert sorted(found) == ["li em", "p.all-failed", "p.failing-label", "p.meta em"]
    assert {sel: round(r, 2) for sel, r in found.items() if r < 4.5} == {}
