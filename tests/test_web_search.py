"""The archive's search page (``/search?q=&since=``) through a real server on 127.0.0.1:
ranked results with the story's day, lead title, outlet and outlet count; the box alone for
an empty query; hostile queries and hostile stories only ever as text."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from digest.store.base import NewArticle, open_store
from tests.support.archive import ODD_ID, article, at
from tests.support.web import Site, active, check_headers, search_box


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def results(site: Site, query: str) -> list[tuple[str, str, str, str]]:
    """(title, story link, meta line, day link) of each result, in order."""
    r = site.get("/search?" + query)
    assert r.status_code == 200, r.text
    check_headers(r)
    assert active(r.text) == []
    doc = lxml.html.document_fromstring(r.text)
    out = []
    for li in doc.xpath("//ol[@class='results']/li"):
        links = li.findall(".//a")
        out.append((text(links[0]), links[0].get("href"), text(li.find_class("meta")[0]), links[-1].get("href")))
    return out


def test_results_name_the_day_the_lead_its_outlet_and_the_outlets(shared_site: Site) -> None:
    assert results(shared_site, "q=quake") == [
        ("Quake shakes Opunake", "/story/quake", "Coast News · 3 outlets · Sat, 14 Mar 2026", "/day/2026-03-14")
    ]
    assert results(shared_site, "q=council+budget") == [
        ("Council passes budget", "/story/council", "Council Weekly · 1 outlet · Fri, 13 Mar 2026", "/day/2026-03-13")
    ]
    found = results(shared_site, "q=odd")
    assert [r[1] for r in found] == ["/story/" + quote("odd/id ?&#x", safe="")]
    assert shared_site.get(found[0][1]).status_code == 200  # the link works
    doc = lxml.html.document_fromstring(shared_site.get("/search?q=quake").text)
    assert "1 story for “quake”" in text(doc.find_class("counts")[0])
    assert search_box(doc).find(".//input[@name='q']").get("value") == "quake"


def test_since_leaves_out_earlier_stories(shared_site: Site) -> None:
    assert [r[1] for r in results(shared_site, "q=quake&since=2026-03-14")] == ["/story/quake"]
    assert results(shared_site, "q=quake&since=2026-03-15") == []
    assert [r[1] for r in results(shared_site, "q=council&since=2026-03-01")] == ["/story/council"]
    doc = lxml.html.document_fromstring(shared_site.get("/search?q=quake&since=2026-03-15").text)
    assert "No story matches." in text(doc) and "since Sun, 15 Mar 2026" in text(doc)
    for bad in ("yesterday", "2026-02-30", "9999-12-31x", "0001-01-01' OR 1=1"):
        r = shared_site.get("/search?q=quake&since=" + quote(bad))
        assert r.status_code == 400, bad
        check_headers(r)
        assert active(r.text) == [] and "YYYY-MM-DD" in r.text


@pytest.mark.parametrize("query", ["", "q=", "q=+++", "other=1", "q", "q=&since=yesterday"])
def test_an_empty_or_absent_query_shows_the_box_only(shared_site: Site, query: str) -> None:
    r = shared_site.get("/search?" + query if query else "/search")
    assert r.status_code == 200
    check_headers(r)
    doc = lxml.html.document_fromstring(r.text)
    search_box(doc)
    assert not doc.find_class("results") and not doc.find_class("counts")
    assert active(r.text) == []


HOSTILE_QUERIES = [
    '<script>alert("q")</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</title><svg onload=alert(1)>",
    'quake" NEAR("a" "b") OR title:* -',
    "{{ 7*7 }} {% raw %}",
    "javascript:alert(1)",
    "\u202equake\u0000\x07",
    "x" * 5000,
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_are_text(shared_site: Site, query: str) -> None:
    r = shared_site.get("/search", params={"q": query, "since": "2026-03-01"})
    assert r.status_code == 200
    check_headers(r)
    page = r.text
    assert active(page) == []
    assert "<script" not in page and "<img" not in page and "<svg" not in page and "49" not in page
    doc = lxml.html.document_fromstring(page)
    box = search_box(doc).find(".//input[@name='q']")
    typed = " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", query).split())
    assert box.get("value") == typed[:200]  # the query as typed (no control characters), cut at 200


def test_a_hostile_story_found_is_shown_as_text(shared_site: Site) -> None:
    found = results(shared_site, "q=quoted+tail")
    assert [r[1] for r in found] == ["/story/hostile"]
    title, _, meta, _ = found[0]
    assert title.startswith('<script>alert("t")</script> & "quoted"')
    assert meta.startswith("<img src=x onerror=alert(1)>Evil Outlet · 1 outlet")
    page = shared_site.get("/search?q=quoted+tail").text
    assert "&lt;script&gt;" in page and "<script>" not in page and "javascript:" not in page


def test_a_query_that_only_leaves_words_out_asks_for_a_word(shared_site: Site) -> None:
    r = shared_site.get("/search", params={"q": "-quake"})
    assert r.status_code == 200
    check_headers(r)
    doc = lxml.html.document_fromstring(r.text)
    assert search_box(doc).find(".//input[@name='q']").get("value") == "-quake"
    assert not doc.find_class("counts")  # not "0 stories for “-quake”"
    assert [p.text_content() for p in doc.find_class("lede")] == ["Give a word to look for: “-word” only leaves stories out."]


def test_results_can_be_ordered_newest_first_and_the_order_is_kept(site: Site, tmp_path: Path) -> None:
    """``sort=newest``: the story whose latest matching version arrived last first; the results
    link to the other order, and the box (a new query) and the page links keep the order."""
    with open_store(f"sqlite:///{tmp_path / 'digest.sqlite3'}") as store:  # the words most used, days before
        old = article("t1", "Text Times", "Text, text and text", None, at(12, 8), "Text on text.")
        store.add_articles([NewArticle(old, b"fp", "texts", 0.5)])
    best = [r[1] for r in results(site, "q=text")]
    newest = [r[1] for r in results(site, "q=text&sort=newest")]
    assert best[0] == "/story/texts", best
    assert newest == ["/story/" + quote(ODD_ID, safe=""), "/story/hostile", "/story/texts"]  # 14th 12:00, 11:00, 12th
    doc = lxml.html.document_fromstring(site.get("/search?q=text&sort=newest").text)
    order = doc.find_class("sort")[0]
    assert text(order.xpath(".//*[@aria-current='true']")[0]) == "Newest first"
    [other] = order.findall(".//a")
    assert text(other) == "Best match first" and "sort=" not in other.get("href")
    assert [r[1] for r in results(site, other.get("href").partition("?")[2])] == best
    assert search_box(doc).find(".//input[@name='sort']").get("value") == "newest"
    doc = lxml.html.document_fromstring(site.get("/search?q=text").text)
    assert search_box(doc).find(".//input[@name='sort']") is None
    assert "sort=newest" in doc.find_class("sort")[0].find(".//a").get("href")
