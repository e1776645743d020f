"""Stop 62's papercuts of a daily user: each test fails without its fix."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.html

from tests.support.web import Site


# -- 1. the archive's pages link to themselves nowhere ------------------------------
def _crawl(site: Site, start: list[str], limit: int = 60) -> dict[str, str]:
    """Every page of the archive reachable from ``start`` (its links, not the feed), by path."""
    pages: dict[str, str] = {}
    todo = list(start)
    while todo and len(pages) < limit:
        path = todo.pop(0)
        if path in pages:
            continue
        r = site.get(path)
        pages[path] = r.text
        for href in lxml.html.document_fromstring(r.text).xpath("//a/@href"):
            to = urljoin(path, str(href))
            parts = urlsplit(to)
            if not parts.scheme and not parts.fragment and parts.path != "/feed.atom" and to not in pages:
                todo.append(to)
    return pages


def test_no_archive_page_links_to_itself_and_every_other_page_links_to_the_index(shared_site: Site) -> None:
    pages = _crawl(shared_site, ["/", "/search?q=storm", "/day/2016-01-05", "/nosuch"])
    kinds = {urlsplit(p).path.split("/")[1] for p in pages}
    assert {"", "day", "story", "search", "nosuch"} <= kinds, sorted(pages)
    for path, page in pages.items():
        doc = lxml.html.document_fromstring(page)
        links = [urljoin(path, str(h)) for h in doc.xpath("//a/@href")]
        assert path not in links, path
        nav = doc.xpath("//nav[@aria-label='Archive']")[0]
        if path == "/":
            assert nav.xpath("string(*[@aria-current='page'])") == "All days"
        else:
            assert ("All days", "/") in [(a.text_content(), a.get("href")) for a in nav.iter("a")], path
