"""The web archive in a real headless Chromium: what a person sees, and that the links work.

Chromium loads the index, follows the day link it finds in the DOM, then
every story permalink on the day page; one screenshot of the day page goes
to ``tmp_path`` (or ``$DIGEST_SCREENSHOTS`` to look at it), never into the
repository.  Skipped when Chromium is missing, unless
``DIGEST_REQUIRE_BROWSER`` is set (CI), where that is a failure.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin
from urllib.request import urlopen

import lxml.html
import pytest

from digest.service.web import make_server
from digest.store.base import open_store
from tests.support.archive import NOW, fill
from tests.support.browser import FLAGS, chromium_path
from tests.support.config import MakeConfig

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture
def base_url(tmp_path: Path, make_config: MakeConfig) -> Iterator[str]:
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="Test archive")
    with open_store(cfg.database_url) as store:
        fill(store)
    server = make_server(cfg, clock=lambda: NOW, port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def run(chromium: str, tmp_path: Path, *args: str) -> str:
    proc = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def dom(chromium: str, tmp_path: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(run(chromium, tmp_path, "--dump-dom", url))


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


@pytest.mark.slow
def test_index_day_and_permalinks_as_a_person_follows_them(
    chromium: str, base_url: str, tmp_path: Path
) -> None:
    index = dom(chromium, tmp_path, base_url)
    assert text(index.find(".//h1")) == "Test archive"
    days = [a for a in index.iter("a") if (a.get("href") or "").startswith("/day/")]
    assert [text(a) for a in days][:2] == ["Saturday, 14 March 2026", "Friday, 13 March 2026"]

    day_url = urljoin(base_url, days[0].get("href"))
    day = dom(chromium, tmp_path, day_url)
    heads = [text(h) for h in day.iter("h2")]
    assert heads[0] == "Quake shakes Opunake"
    assert "A story with an odd id" in heads
    assert any(h.startswith('<script>alert("t")</script> & "quoted"') for h in heads)
    assert not list(day.iter("script")) and not list(day.iter("img"))
    assert "Also reported by:" in text(day) and "Valley Wire" in text(day)
    permalinks = [a.get("href") for a in day.iter("a") if a.get("class") == "permalink"]
    assert len(permalinks) == len(heads) == 3

    seen_titles = []
    for href in permalinks:
        story = dom(chromium, tmp_path, urljoin(day_url, href))
        seen_titles.append(text(story.find(".//h1")))
        versions = story.xpath("//ul[@class='versions']/li")
        assert versions, href
        back = [a.get("href") for a in story.iter("a")]
        assert "/day/2026-03-14" in back
        if seen_titles[-1] == "Quake shakes Opunake":
            rows = [text(v) for v in versions]
            assert len(rows) == 3, rows
            # each row says what its version is: Hill Post's is a cut of the lead's text (stop 38)
            for row, head in zip(rows, ["Coast News (lead): ", "Valley Wire: ",
                                        "Hill Post (copy: adds nothing to the earlier versions): "], strict=True):
                assert row.startswith(head), (row, head)
    assert sorted(seen_titles) == sorted(heads)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_day_page_screenshot(chromium: str, base_url: str, tmp_path: Path) -> None:
    out_dir = Path(os.environ.get("DIGEST_SCREENSHOTS") or tmp_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / "web-day.png"
    png.unlink(missing_ok=True)
    run(chromium, tmp_path, "--window-size=1000,1300", f"--screenshot={png}",
        urljoin(base_url, "/day/2026-03-14"))  # fmt: skip
    assert _png_size(png) == (1000, 1300)
    assert png.stat().st_size > 20_000  # a page with text, not a blank


def test_a_day_without_a_digest_leads_a_person_to_the_nearest_day(chromium: str, base_url: str, tmp_path: Path) -> None:
    """A link to a day the archive has no digest for (stop 53): Chromium shows the archive's
    page saying so, at a desktop and a phone width, and its link to the next day with one opens
    that day's digest."""
    out_dir = Path(os.environ.get("DIGEST_SCREENSHOTS") or tmp_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    url = urljoin(base_url, "/day/2016-01-05")
    for width in (1280, 390):
        png = out_dir / f"web-no-day-{width}.png"
        png.unlink(missing_ok=True)
        run(chromium, tmp_path, f"--window-size={width},1300", f"--screenshot={png}", url)
        assert _png_size(png) == (width, 1300)
    page = dom(chromium, tmp_path, url)
    assert text(page.find(".//h1")) == "Tuesday, 5 January 2016"
    assert "No digest for 2016-01-05" in text(page)
    [later] = page.xpath("//nav[@class='days']/a[@rel='next']")
    day = dom(chromium, tmp_path, urljoin(url, later.get("href")))
    assert text(day.find(".//h1")).endswith("Friday, 2 January 2026")


@pytest.mark.slow  # seconds by design (CI runs it: --run-slow)
def test_search_page_as_a_person_sees_it(chromium: str, base_url: str, tmp_path: Path) -> None:
    """The box on the day page, then the results page at a desktop and a phone width."""
    day = dom(chromium, tmp_path, urljoin(base_url, "/day/2026-03-14"))
    forms = list(day.iter("form"))
    assert [(f.get("action"), f.get("method")) for f in forms] == [("/search", "get")]
    assert [i.get("name") for i in forms[0].iter("input")] == ["q"]
    url = urljoin(base_url, "/search?q=opunake+quake")
    page = dom(chromium, tmp_path, url)
    assert [text(li) for li in page.xpath("//ol[@class='results']/li")] == [
        "Quake shakes Opunake Coast News · 3 outlets · Sat, 14 Mar 2026"
    ]
    assert page.find(".//input[@name='q']").get("value") == "opunake quake"
    assert not list(page.iter("script"))
    out_dir = Path(os.environ.get("DIGEST_SCREENSHOTS") or tmp_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (390, 844)):
        png = out_dir / f"web-search-{width}.png"
        png.unlink(missing_ok=True)
        run(chromium, tmp_path, f"--window-size={width},{height}", f"--screenshot={png}", url)
        assert _png_size(png) == (width, height)
        assert png.stat().st_size > 10_000  # a page with text, not a blank


def test_a_right_to_left_outlet_keeps_its_search_result_and_versions_in_order(
    chromium: str, tmp_path: Path, make_config: MakeConfig
) -> None:
    """An Arabic outlet's search result read "2 · الجزيرة outlets": the count after the
    outlet's name joined its right-to-left run, left of it; on the story page, a Hebrew
    outlet's line put its title left of its name.  The outlet and the title are isolated
    (``dir="auto"``) now, as in the digest."""
    from digest.service.webpages import story_href
    from digest.store.base import NewArticle
    from tests.support.archive import article, at
    from tests.support.httpd import TestServer
    from tests.test_browser import BIDI_REPORT, _probes

    quake = "A magnitude 5.1 earthquake shook the coast near Opunake on Saturday morning. " * 4
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="Archive")
    with open_store(cfg.database_url) as store:
        store.add_articles([
            NewArticle(article("a1", "الجزيرة", "زلزال يضرب الساحل", "https://aj.example/a", at(14, 8), quake), b"fp", "ar", 0.9),
            NewArticle(article("a2", "הארץ", "רעידת אדמה פגעה בחוף", "https://h.example/a", at(14, 9), quake[:200]), b"fp", "ar", 0.5),
        ], leads={"ar": "a1"})  # fmt: skip
    server = make_server(cfg, clock=lambda: NOW, port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        pages = {path: urlopen(base + path, timeout=30).read().decode()
                 for path in ("/search?q=opunake", story_href("ar"))}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    with TestServer() as srv:
        srv.set("/search.html", pages["/search?q=opunake"], headers={"Content-Type": "text/html; charset=utf-8"})
        srv.set("/story.html", pages[story_href("ar")], headers={"Content-Type": "text/html; charset=utf-8"})
        found, story = _probes(chromium, srv, tmp_path, [
            ("/search.html", 390, BIDI_REPORT % json.dumps(["الجزيرة", "· 2 outlets"])),
            ("/story.html", 390, BIDI_REPORT % json.dumps(["הארץ", "רעידת אדמה פגעה"]))])  # fmt: skip

    def before(a: list[float], b: list[float]) -> bool:  # a left of b, or b on a later line
        return b[2] > a[2] + 2 or a[1] <= b[0] + 1

    def whole(parts: list[list[float]]) -> list[float]:
        return [min(p[0] for p in parts), max(p[1] for p in parts), min(p[2] for p in parts)]

    count = found["· 2 outlets"]
    assert before(whole(found["الجزيرة"]), count[0]) and before(count[0], count[1]), found
    assert before(whole(story["הארץ"]), whole(story["רעידת אדמה פגעה"])), story
