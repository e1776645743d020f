"""Review of stop 61's times set ``white-space: nowrap`` (not inline blocks), in a real headless
Chromium: a long locale's day did not fit a 320 px phone.  A weekly digest's count per day
(``mn``: "2026 оны есдүгээр сарын 24, пүрэв гараг: 0") ran off the page, the email and the
archive's day page, and the archive's story page's "Digest of <day>" off its screen: the page
scrolled sideways (it did not before stop 61, each was an inline block broken when wider than
the line).  Each is an inline block again (the per-day one holding its dot: no line begins with
"·"), at 320, 390 and 1280 px."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from digest.output.render import render_email_html, render_html
from digest.service.webday import decorate_day
from digest.store.base import open_store
from tests.support.archive import NOW, fill
from tests.support.browser import chromium_path
from tests.support.config import make_config
from tests.support.httpd import TestServer
from tests.support.web import site as open_site
from tests.test_browser import _long_dates_view, _probes
from tests.test_heading_browser import DOT_REPORT, copies_stories

pytestmark = pytest.mark.browser

WIDE = """return {scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth};"""
WIDTHS, LOCALE = [320, 390, 1280], "mn"
KINDS = ["page", "email", "archive", "served-story"]


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str, str], Any]:
    view = _long_dates_view(weekly=True)
    view = replace(view, stories=[*view.stories, *copies_stories()[:2]])
    pages = {"page": render_html(view, locale=LOCALE), "email": render_email_html(view, locale=LOCALE),
             "archive": decorate_day(render_html(view, locale=LOCALE), view.stories)}
    tmp = tmp_path_factory.mktemp("archive")
    cfg = make_config(tmp, database=str(tmp / "digest.sqlite3"), locale=LOCALE)
    with open_store(cfg.database_url) as store:
        fill(store)
    with open_site(cfg, clock=lambda: NOW) as s:
        r = s.get("/story/quake?day=2026-03-14")
        assert r.status_code == 200 and "сарын 14" in r.text
        pages["served-story"] = r.text
    keys, probes = [], []
    with TestServer() as srv:
        for kind, html in pages.items():
            srv.set(f"/{kind}.html", html, headers={"Content-Type": "text/html; charset=utf-8"})
            for width in WIDTHS:
                for name, report in (("wide", WIDE), ("dots", DOT_REPORT)):
                    keys.append((width, kind, name))
                    probes.append((f"/{kind}.html", width, report))
        found = _probes(chromium_path(), srv, tmp_path_factory.mktemp("chromium"), probes)
    return dict(zip(keys, found, strict=True))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_locales_days_do_not_scroll_a_phone_sideways(probed: dict[tuple[int, str, str], Any], width: int,
                                                             kind: str) -> None:
    wide = probed[width, kind, "wide"]
    assert wide["scrollWidth"] <= wide["clientWidth"] <= width, wide


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_line_of_a_long_locales_digest_begins_with_a_dot(probed: dict[tuple[int, str, str], Any], width: int,
                                                             kind: str) -> None:
    found = probed[width, kind, "dots"]
    assert found["looked"] >= (1 if kind == "served-story" else 20), found
    assert found["begins"] == [], found["begins"][:3]
