"""Review (stop 35), full text and the lead: pages fetched for summary-only feeds, cut
versions, through the real pipeline (a local HTTP server, a SQLite store on disk)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from digest.app import App
from digest.batch import dedupe_records
from digest.config import parse_config
from digest.records import Entry
from digest.store.base import open_store
from digest.text.prepare import prepare
from tests.support.httpd import TestServer, drip

STORIES = Path(__file__).parent / "fixtures" / "stories"


def story(name: str) -> tuple[str, list[str]]:
    title, _, body = (STORIES / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return title, [p for p in body.splitlines() if p.strip()]


def paragraphs(paras: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paras)


# -- a cut version is cut whatever the feed adds after the cut mark -----------------------------

#: What feeds put after an excerpt's cut mark: Yoast's (WordPress) footer, a source line.
FOOTERS = [
    '<p>The post <a href="https://t.example/q">Quake</a> appeared first on '
    '<a href="https://t.example">Taranaki Today</a>.</p>',
    "<p>Source: Taranaki Today</p>",
]


@pytest.mark.parametrize("footer", FOOTERS)
def test_an_excerpt_cut_before_a_feeds_footer_is_truncated_and_does_not_lead(footer: str) -> None:
    # The cut mark was looked for in the last line before cleaning only: the footer the
    # cleaner removes hid it, and a cut excerpt (135 words) led a full rewrite (104 words)
    t1, p1 = story("quake_a1")
    t2, p2 = story("quake_a2")
    cut = paragraphs(p1[:-1]) + f"<p>{escape(p1[-1][:-1])} [&#8230;]</p>" + footer
    article = prepare(Entry(source="Taranaki Today", title=t1, url="https://t.example/q", content_html=cut))
    assert article is not None and article.truncated and article.text.endswith("[…]")
    out = dedupe_records([
        {"id": "cut", "title": t1, "html": cut, "source": "Taranaki Today", "published": "2026-11-10T08:00:00Z"},
        {"id": "full", "title": t2, "text": "\n\n".join(p2), "source": "Wire", "published": "2026-11-10T09:00:00Z"},
    ])
    assert out[0]["story"] == out[1]["story"]
    assert [r["id"] for r in out if r["lead"]] == ["full"]


@pytest.mark.parametrize(
    "tail",
    [
        ' &#8230; <a class="more-link" href="https://t.example/q">Continue reading '
        '<span class="screen-reader-text">Magnitude 6.1 earthquake shakes Taranaki</span></a>',
        ' &#8230; <a class="more-link" href="https://t.example/q">Continue reading '
        '<span class="screen-reader-text">&#8220;Magnitude 6.1 earthquake shakes Taranaki&#8221;</span></a>',
    ],
)
def test_wordpress_continue_reading_with_the_title_marks_a_cut(tail: str) -> None:
    # WordPress themes write the more link as "Continue reading" and the post's title (for
    # screen readers): the text ended in the title, and no cut was seen
    title, paras = story("quake_a1")
    html = paragraphs(paras[:-1]) + f"<p>{escape(paras[-1][:-1])}{tail}</p>"
    article = prepare(Entry(source="T", title=title, url="https://t.example/q", content_html=html))
    assert article is not None and article.truncated


def test_a_full_text_ending_in_continue_reading_prose_is_not_cut() -> None:
    title, paras = story("quake_a1")
    html = paragraphs([*paras, "Ms Tukino said residents would continue reading the gauges every hour."])
    article = prepare(Entry(source="T", title=title, url="https://t.example/q", content_html=html))
    assert article is not None and not article.truncated


# -- full text: pages that are not the article, the feed's title, pages not read ---------------

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


def page(title: str, paras: list[str], *, h1: str | None = None) -> bytes:
    head = f"<h1>{escape(h1)}</h1>" if h1 else ""
    return (f"<html><head><title>{escape(title)}</title></head><body><nav>Home | World | Sport</nav>"
            f"<article>{head}{paragraphs(paras)}</article><footer>Copyright Example News.</footer>"
            "</body></html>").encode()


def feed(srv: TestServer, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (path, title, summary); an empty summary: no description."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{srv.url(path)}</link><guid>{path}</guid>"
        + (f"<description>{escape(summary)}</description>" if summary else "")
        + "<pubDate>Tue, 10 Nov 2026 08:00:00 GMT</pubDate></item>"
        for path, t, summary in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


def run(tmp_path: Path, srv: TestServer) -> dict[str, tuple[str, bool]]:
    """``digest run`` over the server's /feed.xml with full text: each stored title's (text, cut)."""
    text = (f"sources:\n  - name: Summaries\n    url: {srv.url('/feed.xml')}\n    full_text: true\n"
            "output_dir: out\ndata_dir: data\nfetch:\n  allow_hosts: ['127.0.0.1']\n")
    cfg = parse_config(text, path=tmp_path / "feeds.yaml")
    with App(cfg, open_store(cfg.database_url)) as app:
        report = app.run(now=NOW)
        assert not report.errors
        return {r.title: (r.text, r.truncated) for r in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))}


#: A consent wall as sites serve it, long enough to pass for an article by its length.
CONSENT = (
    "<html><head><title>Before you continue</title></head><body><h1>We value your privacy</h1><p>"
    + "We and our 842 partners store and access information on a device, such as cookies, and process "
    "personal data, such as unique identifiers and standard information sent by a device for "
    "personalised advertising and content, advertising and content measurement, audience research and "
    "services development. With your permission we and our partners may use precise geolocation data "
    "and identification through device scanning. You may click to consent to our and our partners' "
    "processing as described above. Alternatively you may access more detailed information and change "
    "your preferences before consenting or to refuse consenting.</p><button>Accept all</button></body></html>"
)


def test_a_title_only_entrys_consent_wall_is_not_its_text(tmp_path: Path) -> None:
    # With no summary there was nothing to check the page against: any page of 60 words
    # was the article, and a title-only entry's text became the consent wall's
    q_title, q_paras = story("quake_a1")
    c_title, _ = story("council_a")
    with TestServer() as srv:
        srv.set("/quake", page(q_title, q_paras), headers=HTML)
        srv.set("/council", CONSENT.encode(), headers=HTML)
        srv.set("/feed.xml", feed(srv, [("/quake", q_title, ""), ("/council", c_title, "")]), headers=RSS)
        texts = run(tmp_path, srv)
    assert "Anna Berg said more than 40 aftershocks" in texts[q_title][0]  # the article's page: used
    assert "partners" not in texts[c_title][0]


def test_a_link_redirected_to_the_front_page_keeps_its_summary(tmp_path: Path) -> None:
    # A front page lists the story's headline and teaser among others: it held the summary's
    # words, was longer, and replaced the summary with the site's list of headlines
    title, paras = story("quake_a1")
    summary = paras[0]
    others = [story(n) for n in ("council_a", "derby", "rovers_a1")]
    front = "".join(f"<h2><a href='/s{i}'>{escape(t)}</a></h2><p>{escape(p[0])}</p>"
                    for i, (t, p) in enumerate([(title, [summary]), *others]))
    with TestServer() as srv:
        srv.set("/", f"<html><head><title>Taranaki Today</title></head><body>{front}</body></html>",
                headers=HTML)
        srv.redirect("/quake", "/")
        srv.set("/feed.xml", feed(srv, [("/quake", title, summary)]), headers=RSS)
        texts = run(tmp_path, srv)
        assert srv.hits["/"] == 1
    text, _cut = texts[title]
    assert text == summary


@pytest.mark.parametrize("title", [
    "Opunake quake",
    "A magnitude 6.1 earthquake struck off the Taranaki coast early on Tuesday, damaging the harbour "
    "wall at Opunake and cutting power to about 4,000 homes, GeoNet said on its website",
])
def test_the_feeds_title_stays_when_its_page_is_used(tmp_path: Path, title: str) -> None:
    # The page's text went in as a plain-text article's, whose first line is second-guessed: a
    # short feed title gave way to the page's first headline-like line, and a long one (over 25
    # words) was put in front of the text as its first paragraph
    _, paras = story("quake_a1")
    with TestServer() as srv:
        srv.set("/quake", page("Quake | Taranaki Today", paras, h1="Trending: Council Votes To Close Hawera Pool"),
                headers=HTML)
        srv.set("/feed.xml", feed(srv, [("/quake", title, paras[0])]), headers=RSS)
        texts = run(tmp_path, srv)
    assert list(texts) == [title]
    text, cut = texts[title]
    assert not cut and "Anna Berg said more than 40 aftershocks" in text
    assert not text.startswith(title)


def test_a_page_not_read_is_one_line_naming_the_source_and_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A page not read said nothing at all (not even with --verbose): a full-text source whose
    # links all failed looked like one whose pages were all used
    title, paras = story("quake_a1")
    with TestServer() as srv:
        srv.set("/report.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8, headers={"Content-Type": "application/pdf"})
        # /gone is not served: 404
        srv.set("/feed.xml", feed(srv, [("/gone", title, paras[0]), ("/report.pdf", "The report", "Read it here.")]),
                headers=RSS)
        with caplog.at_level(logging.INFO, logger="digest"):
            texts = run(tmp_path, srv)
        gone, pdf = srv.url("/gone"), srv.url("/report.pdf")
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 2
    assert said[0].startswith(f"Summaries: full text of {gone} not read (HTTP 404")
    assert said[1] == (f"Summaries: full text of {pdf} not read (not a web page (application/pdf)); "
                       "the feed's summary is kept")
    assert texts[title][0] == paras[0]


def test_slow_pages_hold_a_run_up_for_a_few_fetch_deadlines_not_one_per_page(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Each page had its own deadline, and two at a time per host: a site dripping its pages
    # held the run up for one deadline per two new entries (40 entries, 60 s: 20 minutes)
    title, paras = story("quake_a1")
    items = [(f"/slow{i}", f"{title} ({i})", paras[0]) for i in range(8)]
    with TestServer() as srv:
        for path, _, _ in items:
            srv.handle(path, drip(b"<html><body>" + b"x" * 500, interval=0.05))
        srv.set("/feed.xml", feed(srv, items), headers=RSS)
        text = (f"sources:\n  - name: Summaries\n    url: {srv.url('/feed.xml')}\n    full_text: true\n"
                "output_dir: out\ndata_dir: data\nfetch:\n  allow_hosts: ['127.0.0.1']\n  deadline: 0.5\n")
        cfg = parse_config(text, path=tmp_path / "feeds.yaml")
        with App(cfg, open_store(cfg.database_url)) as app, caplog.at_level(logging.INFO, logger="digest"):
            started = time.monotonic()
            report = app.run(now=NOW)
            took = time.monotonic() - started
            stored = list(app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC)))
        asked = sum(srv.hits[path] for path, _, _ in items)
    assert not report.errors and len(stored) == 8 and all(a.text == paras[0] for a in stored)
    assert asked == 4  # two rounds of two pages (a budget of two deadlines), then no more
    assert took < 2.0  # four rounds, one a deadline each, took 2 s and more
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("deadline of 0.5s exceeded" in line for line in said)
    assert said[-1] == "Summaries: full text of 3 more pages not read; their feed summaries are kept"
    assert any(f"{srv.url('/slow4')} not read (not fetched: the 1s for this batch's pages ran out)" in line
               for line in said)
