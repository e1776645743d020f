"""Full text for summary-only feeds, through the real pipeline and a local HTTP server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from digest.app import App
from digest.config import parse_config
from digest.store.base import open_store
from tests.support.httpd import TestServer

STORIES = Path(__file__).parent / "fixtures" / "stories"
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def story(name: str) -> tuple[str, list[str]]:
    title, _, body = (STORIES / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return title, [p for p in body.splitlines() if p.strip()]


def page(title: str, paragraphs: list[str]) -> bytes:
    paras = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>{escape(title)}</title></head><body><nav>Home | World | Sport</nav>"
            f"<article><h1>{escape(title)}</h1>{paras}</article>"
            "<footer>Copyright Example News. All rights reserved.</footer></body></html>").encode()


def feed(srv: TestServer, items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{srv.url(path)}</link><guid>{path}</guid>"
        f"<description>{escape(summary)} …</description><pubDate>Tue, 10 Nov 2026 08:00:00 GMT</pubDate></item>"
        for path, t, summary in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


def make_app(tmp_path: Path, srv: TestServer, full_text: bool) -> App:
    text = (f"sources:\n  - name: Summaries\n    url: {srv.url('/feed.xml')}\n    full_text: {str(full_text).lower()}\n"
            "output_dir: out\ndata_dir: data\nfetch:\n  allow_hosts: ['127.0.0.1']\n")
    cfg = parse_config(text, path=tmp_path / "feeds.yaml")
    return App(cfg, open_store(cfg.database_url))


def serve(srv: TestServer) -> None:
    q_title, q_paras = story("quake_a1")
    c_title, c_paras = story("council_a")
    srv.set("/quake", page(q_title, q_paras), headers={"Content-Type": "text/html; charset=utf-8"})
    srv.set("/council", b"<html><body><p>Please accept cookies to continue.</p></body></html>",
            headers={"Content-Type": "text/html"})
    # /gone is not served: 404
    srv.set("/feed.xml", feed(srv, [
        ("/quake", q_title, q_paras[0][:120]),
        ("/council", c_title, c_paras[0][:120]),
        ("/gone", "A story whose page is gone", "Only this summary is left of the story whose page is gone"),
    ]), headers={"Content-Type": "application/rss+xml"})


def stored_texts(app: App) -> dict[str, tuple[str, bool]]:
    rows = app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))
    return {r.title: (r.text, r.truncated) for r in rows}


def test_a_summary_only_entry_gets_its_pages_full_text_once(tmp_path: Path) -> None:
    with TestServer() as srv:
        serve(srv)
        with make_app(tmp_path, srv, full_text=True) as app:
            report = app.run(now=NOW)
            assert report.new_articles == 3 and not report.errors
            texts = stored_texts(app)
            q_title, q_paras = story("quake_a1")
            quake, cut = texts[q_title]
            assert not cut and "Anna Berg said more than 40 aftershocks" in quake  # the last paragraph
            assert "Copyright" not in quake and "Home | World" not in quake  # extracted, not the page
            council, cut = texts[story("council_a")[0]]
            assert "cookies" not in council and cut  # a cookie wall is not the article: summary kept
            assert texts["A story whose page is gone"][0].startswith("Only this summary")
            assert srv.hits["/quake"] == srv.hits["/council"] == srv.hits["/gone"] == 1
            srv.set("/feed.xml", feed(srv, [("/quake", q_title, q_paras[0][:120])]),
                    headers={"Content-Type": "application/rss+xml"})
            app.run(now=NOW)
            assert srv.hits["/quake"] == 1  # a page is fetched once per article, never again


def test_without_full_text_no_page_is_fetched(tmp_path: Path) -> None:
    with TestServer() as srv:
        serve(srv)
        with make_app(tmp_path, srv, full_text=False) as app:
            app.run(now=NOW)
            assert srv.hits["/quake"] == 0
            quake, cut = stored_texts(app)[story("quake_a1")[0]]
            assert cut and "aftershocks" not in quake


@pytest.mark.parametrize(
    ("headers", "encode"),
    [
        ({"Content-Type": "text/html"}, lambda html: html.encode("cp1252")),  # <meta charset> only
        ({}, lambda html: html.encode("cp1252")),  # no Content-Type at all
        # a BOM wins over the header (as browsers read it)
        ({"Content-Type": "text/html; charset=iso-8859-1"}, lambda html: b"\xef\xbb\xbf" + html.encode()),
    ],
)
def test_a_page_is_decoded_by_its_bom_or_meta_charset_when_the_header_names_none(
    tmp_path: Path, headers: dict[str, str], encode: Callable[[str], bytes]
) -> None:
    # Decoded as UTF-8 whenever the header named no charset: a Windows-1252 page's quotes and
    # accents were stored as U+FFFD, and such a page still passed for the article
    title, paras = story("quake_a1")
    paras = [p.replace(" said", " said \u2019caf\u00e9\u2019") for p in paras]
    html = page(title, paras).decode().replace("<head>", '<head><meta charset="windows-1252">')
    with TestServer() as srv:
        srv.set("/quake", encode(html), headers=headers)
        srv.set("/feed.xml", feed(srv, [("/quake", title, paras[0][:120])]),
                headers={"Content-Type": "application/rss+xml"})
        with make_app(tmp_path, srv, full_text=True) as app:
            app.run(now=NOW)
            text, cut = stored_texts(app)[title]
    assert not cut and "aftershocks" in text
    assert "\ufffd" not in text and "said \u2019caf\u00e9\u2019" in text


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "text/html"}])
def test_a_link_to_a_pdf_or_an_image_keeps_the_summary(tmp_path: Path, headers: dict[str, str]) -> None:
    # Served without a Content-Type (or mislabelled text/html), a PDF whose text is not
    # compressed passed for the article: the summary was replaced by "%PDF-1.4 ..." and the
    # binary data after its text
    title, paras = story("quake_a1")
    pdf = b"%PDF-1.4\n" + "\n".join(paras).encode() + b"\n%%EOF\n" + bytes(range(1, 256)) * 8
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    with TestServer() as srv:
        srv.set("/quake.pdf", pdf, headers=headers)
        srv.set("/photo", png, headers=headers)
        srv.set("/feed.xml", feed(srv, [("/quake.pdf", title, paras[0][:120]),
                                        ("/photo", "Photo of the harbour", "The harbour wall after the quake")]),
                headers={"Content-Type": "application/rss+xml"})
        with make_app(tmp_path, srv, full_text=True) as app:
            app.run(now=NOW)
            texts = stored_texts(app)
    assert srv.hits["/quake.pdf"] == 1
    text, cut = texts[title]
    assert cut and "PDF" not in text and "aftershocks" not in text  # the summary, as the feed gave it
    assert texts["Photo of the harbour"][0].startswith("The harbour wall after the quake")
