"""Review (stop 34): the archive's search page through ``digest serve`` on 127.0.0.1."""

from __future__ import annotations

import lxml.html
import pytest

from tests.support.web import Site, active, check_headers

ODD = [
    "NEAR(quake coast, 2)",
    "quake*",
    "((quake",
    'quake"',
    "AND OR NOT",
    "🌀",
    "东京",
    "Ōpunake",
    "é",
    "-",
    '""',
    "q" * 300,
    "quake " * 100,
    "%",
    "\\",
    "\u200b",
    "quake\ufeff",
]


@pytest.mark.parametrize("query", ODD)
def test_odd_queries_answer_a_page_never_an_error(shared_site: Site, query: str) -> None:
    r = shared_site.get("/search", params={"q": query})
    assert r.status_code == 200, r.text[:300]
    check_headers(r)
    assert active(r.text) == []
    lxml.html.document_fromstring(r.text)


def test_two_queries_that_differ_only_after_the_cut_of_the_raw_text_share_no_page(
    shared_site: Site,
) -> None:
    # the page cache was keyed on the raw query's first 200 characters, the search on the
    # first 200 after control characters were dropped: with 20 of them in front, a query
    # was answered with the page of another that differs only in its last word
    head = "\x01" * 20 + "quake" + " -" * 90
    finds = shared_site.get("/search", params={"q": head + " -zzzzz"})
    assert finds.status_code == 200 and "/story/quake" in finds.text
    leaves_out = shared_site.get("/search", params={"q": head + " -quake"})
    assert leaves_out.status_code == 200
    assert "/story/quake" not in leaves_out.text and "No story matches." in leaves_out.text
