"""Stop 62's papercuts of a daily user: each test fails without its fix."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from digest.cli import main
from digest.config import load_config
from digest.output.linkify import link_excerpts, link_urls
from digest.output.sanitize import find_active_content
from tests.support.daemon import smtpd
from tests.support.httpd import TestServer
from tests.support.web import Site, active, site


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


# -- 4. a note's bare URLs are links in the HTML outputs ----------------------------
NOTE = """# Harbour works close the east quay for a week

The council says the east quay closes from Monday; details at https://council.example/quay_works
and the map <https://maps.example/quay?x=1&y=2>. Do not click javascript:alert(1), nor
data:text/html;base64,PHNjcmlwdD4= nor www.ferries.example.
"""


def _links(page: str, cls: str = "excerpt") -> list[tuple[str, str, str]]:
    doc = lxml.html.document_fromstring(page)
    return [(a.get("href"), a.text_content(), a.get("rel")) for a in doc.xpath(f"//p[@class='{cls}']//a")]


def test_a_notes_bare_urls_are_links_in_the_page_the_email_and_the_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``.md`` note's ``https://...`` and ``<https://...>`` reached every HTML output as text
    (a GFM viewer of the ``.md`` digest linked them).  Now links, http(s) only, with nh3's rel;
    ``javascript:``, ``data:`` and a bare ``www.`` stay text, and so does a URL in a feed's text
    (a loopback feed: its words make no link); the ``.md`` and text parts as they were."""
    (tmp_path / "notes").mkdir()
    note = tmp_path / "notes" / "harbour.md"
    note.write_text(NOTE, encoding="utf-8")
    at = datetime(2026, 11, 20, 10, tzinfo=UTC).timestamp()
    os.utime(note, (at, at))
    item = ("<item><title>Tram line extension approved</title><link>https://wire.example/tram</link>"
            "<pubDate>Fri, 20 Nov 2026 09:00:00 +0000</pubDate><description>The plan is at "
            "https://evil.example/plan for all to read, the council said of the tram line.</description></item>")
    with smtpd() as (inbox, port), TestServer() as srv:
        srv.set("/rss", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{item}</channel></rss>'
                .encode(), headers={"Content-Type": "application/rss+xml"})
        cfg = tmp_path / "feeds.yaml"
        cfg.write_text(
            "clock: 2026-11-20T20:00:00Z\ntimezone: UTC\noutput_dir: out\nfetch: {allow_hosts: [127.0.0.1]}\n"
            f"sources:\n  - name: Notes\n    path: notes\n  - name: Wire\n    url: {srv.url('/rss')}\n"
            f"email: {{host: 127.0.0.1, port: {port}, security: none, from: d@example.org, to: [me@example.org]}}\n",
            encoding="utf-8")
        assert main(["run", "--config", str(cfg)]) == 0
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("2026-11-20T20", "2026-11-21T08"), encoding="utf-8")
        assert main(["send", "--config", str(cfg), "--date", "2026-11-20"]) == 0
        (mail,) = inbox.messages
    capsys.readouterr()
    want = [("https://council.example/quay_works", "https://council.example/quay_works", "noopener noreferrer nofollow"),
            ("https://maps.example/quay?x=1&y=2", "https://maps.example/quay?x=1&y=2", "noopener noreferrer nofollow")]
    html_part = mail.get_body(("html",)).get_content()
    text_part = mail.get_body(("plain",)).get_content()
    pages = {"file": (tmp_path / "out" / "digest-2026-11-20.html").read_text(encoding="utf-8"), "email": html_part}
    with site(load_config(cfg)) as s:
        pages["day"] = s.get("/day/2026-11-20").text
        stories = [s.get(str(h)).text for h in lxml.html.document_fromstring(pages["day"]).xpath("//a/@href")
                   if "/story/" in h]
        assert len(stories) == 2
        pages["story"] = "".join(p for p in stories if "Harbour works" in p)
        pages["feed's story"] = "".join(p for p in stories if "Harbour works" not in p)
    for where, page in pages.items():
        assert _links(page) == ([] if where == "feed's story" else want), where
        hrefs = " ".join(lxml.html.document_fromstring(page).xpath("//a/@href"))
        assert (where == "story" or "https://evil.example/plan" in page) and "evil.example" not in hrefs, where
        assert where == "feed's story" or ("javascript:alert(1)" in page and "www.ferries.example" in page), where
        assert active(page) == [], where
    md = (tmp_path / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8")
    assert "https://council.example/quay\\_works" in md and "<https://" not in md  # written as before
    assert "https://council.example/quay_works" in text_part and "<a " not in text_part


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("javascript:alert(1) vbscript:x data:text/html,hi JaVaScRiPt:https://a.example", []),
        ("java\tscript://x.example/ jav&#x61;script:alert(1)", []),
        ("xhttps://a.example/ and a.example/https://b.example/", []),
        ("http:// and https:/// and https://", []),
        ('https://a.example/"onmouseover="alert(1)', ["https://a.example/"]),
        ("https://a.example/<script>alert(1)</script>", ["https://a.example/"]),
        ("see (https://en.example/wiki/Foo_(bar)) and https://a.example/x.", ["https://en.example/wiki/Foo_%28bar%29", "https://a.example/x"]),
        ("https://a.example/it's, HTTPS://B.EXAMPLE/Q?a=1&b=2!", ["https://a.example/it%27s", "https://B.EXAMPLE/Q?a=1&b=2"]),
        ("https://a.example/cut… https://a.example/whole …", ["https://a.example/whole"]),
    ],
)
def test_only_http_urls_become_links_and_the_rest_stays_escaped_text(text: str, links: list[str]) -> None:
    out = link_urls(text)
    doc = lxml.html.fragment_fromstring(out, create_parent="p")
    assert [a.get("href") for a in doc.iter("a")] == [h.replace("HTTPS://", "https://") for h in links]
    assert doc.text_content() == text  # every character shown, none read as markup
    assert find_active_content(out) == []


def test_urls_in_code_in_links_outside_an_excerpt_or_in_a_feeds_are_left_as_they_are() -> None:
    feeds = ('<p class="meta">https://a.example/meta</p>\n<pre><code>https://a.example/block</code></pre>\n'
             '<p class="excerpt" dir="auto">a feed\'s https://a.example/feed</p>\n')
    body = feeds + ('<p class="excerpt" data-note="1" dir="auto">in <code>https://a.example/code</code>, '
                    '<a href="https://b.example/">https://a.example/in-a-link</a> &amp; https://a.example/ok</p>')
    shown = body.replace(' data-note="1"', "")
    assert link_excerpts(body) == shown.replace(
        "https://a.example/ok", '<a href="https://a.example/ok" rel="noopener noreferrer nofollow">https://a.example/ok</a>')
    assert link_excerpts(body.replace("https://a.example/ok", "nothing")) == shown.replace("https://a.example/ok", "nothing")
