"""The archive's search results in pages of 50, through ``digest serve`` on 127.0.0.1:
every matching story is reachable, each once, in rank order, with links between pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from digest.service.websearch import SEARCH_LIMIT, SEARCH_PAGES
from digest.store.base import NewArticle, open_store
from tests.support.archive import NOW, article, at
from tests.support.config import MakeConfig
from tests.support.web import Site, active, check_headers
from tests.support.web import site as open_site

STORIES = 2 * SEARCH_LIMIT + 7


@pytest.fixture
def many(tmp_path: Path, make_config: MakeConfig) -> Iterator[Site]:
    """An archive of ``STORIES`` stories that all mention a flood, one with an older digest."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="Floods")
    with open_store(cfg.database_url) as store:
        store.add_articles([
            NewArticle(article(f"a{i}", f"Outlet {i % 9}", f"Flood report {i}", None, at(14, i % 20),
                               "flood " * (1 + i % 40) + f"in district {i}."), b"fp", f"s{i}", 0.5)
            for i in range(STORIES)
        ])  # fmt: skip
    with open_site(cfg, clock=lambda: NOW) as s:
        yield s


def _page(site: Site, query: str) -> tuple[list[str], lxml.html.HtmlElement]:
    r = site.get("/search?" + query)
    assert r.status_code == 200, r.text[:300]
    check_headers(r)
    assert active(r.text) == []
    doc = lxml.html.document_fromstring(r.text)
    return [str(h) for h in doc.xpath("//ol[@class='results']/li/a[1]/@href")], doc


def _nav(doc: lxml.html.HtmlElement) -> dict[str, str]:
    return {str(a.get("rel")): str(a.get("href")) for a in doc.xpath("//nav[@class='pages']/a")}


def test_every_matching_story_is_reached_once_page_by_page(many: Site) -> None:
    seen: list[str] = []
    href = "q=flood"
    pages = 0
    while True:
        found, doc = _page(many, href)
        pages += 1
        ol = doc.xpath("//ol[@class='results']")[0]
        assert ol.get("start") == str(len(seen) + 1)  # numbered on from the page before
        counts = " ".join(doc.find_class("counts")[0].text_content().split())
        assert counts.startswith(f"Stories {len(seen) + 1}–{len(seen) + len(found)} for “flood”"), counts
        seen += found
        nav = _nav(doc)
        if pages > 1:
            assert nav["prev"] == f"/search?q=flood&page={pages - 1}"
        if "next" not in nav:
            break
        href = nav["next"].removeprefix("/search?")
    assert pages == 3 and len(seen) == STORIES and len(set(seen)) == STORIES
    # page one is what a search without pages gives, best first: the most "flood" first
    assert seen[0] == "/story/s39" and len(_page(many, "q=flood")[0]) == SEARCH_LIMIT


def test_pages_keep_since_and_odd_pages_are_refused(many: Site) -> None:
    _found, doc = _page(many, "q=flood&since=2026-03-14&page=2")
    assert _nav(doc) == {"prev": "/search?q=flood&since=2026-03-14&page=1",
                         "next": "/search?q=flood&since=2026-03-14&page=3"}
    for bad in ("0", "-1", "x", "1e3", str(SEARCH_PAGES + 1), "²", "9" * 40):
        r = many.get("/search", params={"q": "flood", "page": bad})
        assert r.status_code == 400, bad
        assert f"a number from 1 to {SEARCH_PAGES}" in r.text and active(r.text) == []
    found, doc = _page(many, "q=flood&page=4")  # past the last: said, not an error
    assert found == [] and "No more stories match." in doc.text_content()
    assert _nav(doc) == {}


def test_newest_first_is_said_and_kept_where_the_results_are_not_shown(many: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Newest first, the last page said "the best 100 can be read" (they are the latest); and the
    box lost the order on the pages without results (an empty query, a "-word" query, a bad
    "since" or "page"): the reader's next query came back best match first."""
    monkeypatch.setattr("digest.service.websearch.SEARCH_PAGES", 2)
    _found, doc = _page(many, "q=flood&sort=newest&page=2")
    counts = " ".join(doc.find_class("counts")[0].text_content().split())
    assert counts.endswith(f"the latest {2 * SEARCH_LIMIT} can be read"), counts
    _found, doc = _page(many, "q=flood&page=2")
    assert " ".join(doc.find_class("counts")[0].text_content().split()).endswith(f"the best {2 * SEARCH_LIMIT} can be read")
    for query, status in (("q=&sort=newest", 200), ("q=-flood&sort=newest", 200),
                          ("q=flood&sort=newest&since=yesterday", 400), ("q=flood&sort=newest&page=x", 400)):
        r = many.get("/search?" + query)
        assert r.status_code == status, query
        form = lxml.html.document_fromstring(r.text).find(".//form")
        assert form.find(".//input[@name='sort']").get("value") == "newest", query


def test_the_page_links_are_named_by_their_words_not_their_arrows(many: Site) -> None:
    """A screen reader read "left arrow Better matches", "More results right arrow" (stop 56
    review; the day and month links had their arrows left out of their names since stop 33):
    the arrows are hidden from it, the words are each link's name."""
    for query, names in (("q=flood&page=2", ["Better matches", "More results"]),
                         ("q=flood&sort=newest&page=2", ["Newer", "More results"])):
        _found, doc = _page(many, query)
        links = doc.xpath("//nav[@class='pages']/a")
        for a in links:
            assert [s.text for s in a.xpath(".//*[@aria-hidden='true']")] in (["←"], ["→"]), query
        heard = ["".join(t for t in a.xpath(".//text()[not(ancestor::*[@aria-hidden='true'])]")).strip()
                 for a in links]  # fmt: skip
        assert heard == names, query
