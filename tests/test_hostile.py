"""Hostile feeds through the whole pipeline: nothing active comes out, nothing crashes.

The fixtures under ``tests/fixtures/hostile/`` were written for this project:
entity bombs, an external entity naming ``/etc/passwd``, base64 Atom content
carrying ``<script>``, every kind of active HTML in RSS items, a hostile web
page, Markdown and text articles with raw HTML, a JSON Feed with
``javascript:``/``data:`` URLs, empty and broken documents, duplicate ids,
entries without links or titles, impossible dates.  Large feeds (50,000
entries, a 5 MB entry) are generated here.

They go through a real :class:`digest.app.App` (SQLite on disk) and
every output: HTML, email HTML, Markdown (and Markdown converted without a
sanitizer), JSON, and the web archive's pages and Atom feed on a loopback
server.  The checks are those of ``benchmarks/output_checks.py``, and the
first tests show that they do fire on active content.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import lxml.html
import markdown
import pytest

from benchmarks.output_checks import (
    PASSWD,
    atom_findings,
    html_findings,
    json_findings,
    markdown_findings,
    tag_counts,
)
from digest.app import RunReport
from digest.config import SourceConfig
from digest.errors import SourceError
from digest.output.render import (
    make_env,
    render_email_html,
    render_html,
    render_json,
    render_markdown,
)
from digest.records import DigestView, Entry
from digest.service.web import make_server
from digest.sources.feeds import MAX_ENTRIES, parse_feed
from digest.sources.localfiles import read_path
from tests.support.config import MakeApp

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
#: Text that only exists inside script/iframe/duplicate entries: never shown, not even escaped.
NEVER_SHOWN = (
    "SCRIPT_BODY_MARKER",
    "MD_SCRIPT_MARKER",
    "JSON_SCRIPT_MARKER",
    "DUPLICATE_SECOND_VERSION",
)
ATTACKER_HOSTS = ("evil.example", "tracker.example")
URL_ATTRS = ("href", "src", "srcset", "action", "formaction", "background", "poster", "data")


def _empty(day: str) -> DigestView:
    return DigestView(day, [], 0, 0)


@dataclass
class Outputs:
    """Every output of one run over the hostile fixtures."""

    report: RunReport
    day: str
    db: Path
    pages: dict[str, str] = field(default_factory=dict)  # name -> HTML
    site_pages: dict[str, str] = field(default_factory=dict)  # web archive pages
    md: str = ""
    json: str = ""
    atom: str = ""
    site: str = ""
    baselines: dict[str, dict[str, int]] = field(default_factory=dict)
    stored: list[tuple[str, str, str | None]] = field(default_factory=list)  # source, title, url

    def everything(self) -> Iterator[tuple[str, str]]:
        yield from self.pages.items()
        yield from self.site_pages.items()
        yield "md", self.md
        yield "json", self.json
        yield "atom", self.atom


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, make_app: MakeApp) -> Outputs:
    tmp = tmp_path_factory.mktemp("hostile")
    sources = {p.stem: p for p in sorted(FIXTURES.iterdir())}
    now = datetime.now(UTC)
    app = make_app(tmp, sources, "excerpt_chars: 100000\n")
    with app:
        report = app.run(now=now)
        day = now.date()
        out = Outputs(report, day.isoformat(), tmp / "data" / "digest.sqlite3")
        env = make_env(app.cfg.templates)
        view = app.build_view(day)
        out.pages["html"] = render_html(view, env=env, excerpt_chars=100000)
        out.pages["email"] = render_email_html(view, env=env, excerpt_chars=100000)
        out.md = render_markdown(view, env=env, excerpt_chars=100000)
        out.json = render_json(view)
        out.baselines["html"] = tag_counts(render_html(_empty(out.day), env=env))
        out.baselines["email"] = tag_counts(render_email_html(_empty(out.day), env=env))
        out.stored = [
            (r.source, r.title, r.url)
            for r in app.store.articles_since(datetime(1970, 1, 1, tzinfo=UTC))
        ]
        server = make_server(app.cfg, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        out.site = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with httpx.Client(base_url=out.site, timeout=30) as client:
                out.baselines["site"] = tag_counts(client.get("/no-such-page").text)
                out.site_pages["web /"] = client.get("/").text
                out.site_pages["web day"] = client.get(f"/day/{out.day}").text
                for s in view.stories:
                    r = client.get("/story/" + quote(s.story_id, safe=""))
                    assert r.status_code == 200
                    out.site_pages[f"web story {s.story_id}"] = r.text
                feed = client.get("/feed.atom")
                assert feed.status_code == 200
                out.atom = feed.text
        finally:
            server.shutdown()
            server.server_close()
    return out


# -- the checks fire -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "needle"),
    [
        ("<p>x</p><script>alert(1)</script>", "<script>"),
        ('<iframe src="https://a.example/"></iframe>', "<iframe>"),
        ('<img src="https://t.example/p.gif" width="1" height="1">', "<img>"),
        ("<p onclick=alert(1)>x</p>", "onclick"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="/relative">x</a>', "not http/https"),
        ('<meta http-equiv="refresh" content="0;url=https://a.example/">', "refresh"),
        ('<base href="https://a.example/">', "<base>"),
        ('<form action="https://a.example/"><input></form>', "<form>"),
        ("<html><head><style>p{}</style></head><body></body></html>", "extra <style>"),
        ("<p>root:x:0:0:root:/root:/bin/bash</p>", "passwd"),
    ],
)
def test_html_check_fires(page: str, needle: str) -> None:
    assert any(needle in p for p in html_findings(page, {"style": 0, "meta": 0}))


def test_markdown_json_atom_checks_fire() -> None:
    assert markdown_findings("[x](javascript:alert(1))")
    assert markdown_findings("<script>alert(1)</script>")
    assert markdown_findings("![p](https://t.example/p.gif)")
    assert markdown_findings("[x](https://ok.example/)") == []
    assert json_findings('{"stories": [{"lead": {"url": "javascript:alert(1)"}}]}')
    assert json_findings('{"url": null, "x": {"url": "https://ok.example/"}}') == []
    assert json_findings("{not json")
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="javascript:x"/>'
        '<content type="html">&lt;script&gt;x&lt;/script&gt;</content></entry></feed>'
    )
    assert len(atom_findings(atom, "http://127.0.0.1")) == 2


# -- hostile fixtures through every output ---------------------------------------------


def test_the_fixtures_were_read(outputs: Outputs) -> None:
    sources = {s for s, _, _ in outputs.stored}
    for name in ("active_items", "atom03_base64", "atom10_base64", "hostile_page", "raw_html",
                 "script_text", "json_feed", "duplicate_ids", "odd_dates", "billion_laughs"):  # fmt: skip
        assert name in sources, name
    titles = " ".join(t for _, t, _ in outputs.stored)
    assert "Pier lights approved" in titles and "Quarry reopens" in titles
    assert len(outputs.site_pages) >= 5 and "<entry" in outputs.atom


def test_digest_html_and_email_are_inert(outputs: Outputs) -> None:
    assert html_findings(outputs.pages["html"], outputs.baselines["html"]) == []
    assert html_findings(outputs.pages["email"], outputs.baselines["email"]) == []


def test_markdown_is_inert_even_without_a_sanitizer(outputs: Outputs) -> None:
    assert markdown_findings(outputs.md) == []
    links = lxml.html.document_fromstring(markdown.markdown(outputs.md)).xpath("//a/@href")
    # the contents link to the stories' headings (#their-title), the rest leave over http(s)
    assert links and all(h.startswith(("http://", "https://")) or re.fullmatch(r"#[\w-]+", h) for h in links)


def test_json_parses_with_http_or_null_urls(outputs: Outputs) -> None:
    assert json_findings(outputs.json) == []
    doc = json.loads(outputs.json)
    urls = [s["lead"]["url"] for s in doc["stories"]] + [
        v["url"] for s in doc["stories"] for v in s["also"]
    ]
    assert None in urls  # javascript:/data:/missing links became null
    assert all(u is None or u.startswith(("http://", "https://")) for u in urls)


def test_web_pages_and_atom_feed_are_inert(outputs: Outputs) -> None:
    for name, page in outputs.site_pages.items():
        base = outputs.baselines["html"] if name == "web day" else outputs.baselines["site"]
        assert html_findings(page, base, site_links=True) == [], name
    assert atom_findings(outputs.atom, outputs.site) == []


def test_no_link_or_resource_points_at_the_attackers(outputs: Outputs) -> None:
    for name, page in [
        *outputs.pages.items(),
        *outputs.site_pages.items(),
        ("md", markdown.markdown(outputs.md)),
    ]:
        root = lxml.html.document_fromstring(page)
        for el in root.iter():
            for attr in URL_ATTRS:
                value = el.get(attr) if isinstance(el.tag, str) else None
                assert not (value and any(h in value for h in ATTACKER_HOSTS)), (
                    name,
                    el.tag,
                    value,
                )
    for name, text in outputs.everything():
        for marker in NEVER_SHOWN:
            assert marker not in text, (name, marker)


def test_external_entities_read_no_file(outputs: Outputs) -> None:
    for name, text in outputs.everything():
        assert PASSWD not in text, name
    assert PASSWD.encode() not in outputs.db.read_bytes()
    # the entry itself is kept, without the entity's contents
    assert any(s == "xxe_passwd" and "Account list" in t for s, t, _ in outputs.stored)


def test_broken_documents_are_one_line_errors_and_others_go_on(outputs: Outputs) -> None:
    errors = {e.source: e for e in outputs.report.errors}  # each file its own source, named by its stem
    assert set(errors) == {"empty_file", "garbage"}
    assert errors["empty_file"].kind == "empty"
    assert errors["garbage"].kind == "not-a-feed"
    for name, e in errors.items():  # named as configured, never by the path
        assert "\n" not in str(e) and str(e).startswith(f"{name}: ") and str(FIXTURES) not in str(e)
    # a valid feed without items is no error and no article
    assert not any(s == "empty_feed" for s, _, _ in outputs.stored)
    assert outputs.report.new_articles == len(outputs.stored) > 20


def test_duplicate_ids_missing_links_and_titles(outputs: Outputs) -> None:
    echo = [(t, u) for s, t, u in outputs.stored if s == "duplicate_ids"]
    titles = [t for t, _ in echo]
    assert "Orchard harvest starts early this year" in titles  # the first of two equal ids
    assert not any("DUPLICATE" in t for t in titles)
    no_link = [u for t, u in echo if t.startswith("Entry without an id or link")]
    assert no_link == [None]
    assert any(t.startswith("An untitled entry: the town museum") for t in titles)
    assert len(echo) == 3  # the second of the equal ids and the empty entry are dropped
    assert "Entry without an id or link" in outputs.md  # shown, without a link


def test_odd_dates_fall_back_to_the_fetch_time(outputs: Outputs) -> None:
    doc = json.loads(outputs.json)
    years = set()
    for s in doc["stories"]:
        for v in [s["lead"], *s["also"]]:
            if v["published"]:
                years.add(int(v["published"][:4]))
        years.add(int(s["first_seen"][:4]))
    now = datetime.now(UTC).year
    assert years and all(2000 <= y <= now for y in years), years
    odd = [v for s in doc["stories"] for v in [s["lead"], *s["also"]] if v["source"] == "odd_dates"]
    assert len(odd) == 6
    # a local feed file's undated entries take the file's time (digest.sources.localfiles): the
    # day the checkout wrote it, not always the day the test runs
    made = datetime.fromtimestamp((FIXTURES / "odd_dates.rss").stat().st_mtime, UTC)
    day = min(made, datetime.now(UTC)).date().isoformat()
    assert all(v["published"][:10] == day for v in odd), ([v["published"] for v in odd], day)
    for name, text in [("md", outputs.md), ("html", outputs.pages["html"])]:
        assert not re.search(r"\b(1970|2099|9999|0000)-\d\d", text), name


@pytest.mark.parametrize(
    "link", ["\x01https://a.example/x", "\x08https://a.example/x", "https://a.example/\x01x"]
)
def test_feed_links_never_keep_control_characters(link: str) -> None:
    """parse keeps only clean absolute http(s) links (found by tests/test_properties.py).

    Python's ``urlsplit`` ignores leading C0 controls when it reads the
    scheme, so ``"\x01https://..."`` passes as an http(s) link and is stored
    with the control character.  (``safe_url`` drops it again on output.)
    """
    rss = (
        "<rss version='2.0'><channel><title>t</title><item><title>Control link</title>"
        f"<link>{link}</link><description>Body text.</description></item></channel></rss>"
    ).encode()
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "title": "x", "url": link}],
    }
    for data in (rss, json.dumps(doc).encode()):
        (entry,) = parse_feed(data, source="ctl")
        assert entry.url is None or not re.search(r"[\x00-\x1f\x7f]", entry.url), repr(entry.url)


# -- raw entries: the digest's own steps without feedparser's sanitizer ------------------

RAW_ENTRIES = [
    Entry("raw", title="<script>alert('t')</script>Raw title about the canal locks", url="javascript:alert(1)",
          entry_id="r1", content_html="<p>The canal locks reopen.</p><script>SCRIPT_BODY_MARKER()</script>"
          "<img src=https://tracker.example/x.gif onerror=alert(1)><a href='javascript:alert(2)'>x</a>"),
    Entry("raw", title="Title with [link](javascript:alert(1)) about the ski lift", url=" java\tscript:alert(1)",
          entry_id="r2", summary_html="<style>@import 'https://evil.example/a.css'</style><p>The ski lift"
          " runs again.</p><base href=https://evil.example/><meta http-equiv=refresh content=0>"),
    Entry("raw", title="Data URL story about the night bus", url="data:text/html,<script>alert(1)</script>",
          entry_id="r3", text="The night bus <iframe src=https://evil.example/></iframe> returns on Friday."),
    Entry("raw", title="Quote-breaking URL about the zoo", url='https://ok.example/a"><script>alert(1)</script>',
          entry_id="r4", text="The zoo welcomes two red pandas from a park abroad this spring."),
]  # fmt: skip


def test_raw_hostile_entries_are_inert_in_every_format(tmp_path: Path, make_app: MakeApp) -> None:
    now = datetime.now(UTC)
    with make_app(tmp_path, {}) as app:
        report = RunReport()
        app.ingest(SourceConfig(name="raw", path=tmp_path), RAW_ENTRIES, fetched=now, report=report)
        assert report.new_articles == 4
        view = app.build_view(now.date())
        env = make_env(app.cfg.templates)
        base = tag_counts(render_html(_empty(view.date), env=env))
        html = render_html(view, env=env)
        assert html_findings(html, base) == []
        assert (
            html_findings(
                render_email_html(view, env=env),
                tag_counts(render_email_html(_empty(view.date), env=env)),
            )
            == []
        )
        md = render_markdown(view, env=env)
        assert markdown_findings(md) == []
        assert json_findings(render_json(view)) == []
        assert "SCRIPT_BODY_MARKER" not in html + md
        assert "Raw title about the canal locks" in html  # escaped text, not dropped
        assert "ok.example" in html and '"><script>' not in html


# -- size attacks ------------------------------------------------------------------------


def _items(n: int, body: str = "") -> str:
    return "".join(
        f"<item><guid isPermaLink='false'>g{i}</guid><title>Item {i} on topic {i % 89}</title>"
        f"<description>Note {i} about subject {i * 7919 % 10007}.{body}</description></item>"
        for i in range(n)
    )


@pytest.mark.slow
def test_fifty_thousand_entries_are_capped_and_linear(tmp_path: Path, make_app: MakeApp) -> None:
    feed = tmp_path / "big.rss"
    feed.write_text(
        f"<rss version='2.0'><channel><title>big</title>{_items(50_000)}</channel></rss>"
    )
    t0 = time.monotonic()
    entries = list(read_path(feed, source="big"))
    assert time.monotonic() - t0 < 60
    assert len(entries) == MAX_ENTRIES and all(isinstance(e, Entry) for e in entries)
    # the pipeline stores a slice of them in one transaction and renders the day
    now = datetime.now(UTC)
    with make_app(tmp_path, {}) as app:
        report = RunReport()
        t0 = time.monotonic()
        app.ingest(SourceConfig(name="big", path=feed), entries[:1500], fetched=now, report=report)  # type: ignore[arg-type]
        assert report.new_articles == 1500
        assert time.monotonic() - t0 < 60
        data = json.loads(app.render(fmt="json"))
        assert data["counts"]["articles_read"] == 1500


@pytest.mark.slow
def test_many_similar_entries_cost_linear_time(tmp_path: Path, make_app: MakeApp) -> None:
    """A feed of thousands of near-identical entries must not stall the worker.

    Before issue 7: 2,000 such entries took 8 s, 4,000 took 81 s (the engine
    verified every LSH candidate story for each new article).  Now the index
    proposes at most the most recent ``BUCKET_CAP`` articles of a band and the
    engine verifies at most ``MAX_CANDIDATES`` stories, so each batch here
    must cost about what the first one did.
    """
    feed = tmp_path / "similar.rss"
    feed.write_text(f"<rss version='2.0'><channel><title>s</title>{_items(2400)}</channel></rss>")
    entries = [e for e in read_path(feed, source="similar") if isinstance(e, Entry)]
    now = datetime.now(UTC)
    times = []
    with make_app(tmp_path, {}) as app:
        for i in range(0, 2400, 600):
            t0 = time.monotonic()
            report = RunReport()
            app.ingest(
                SourceConfig(name="similar", path=feed),
                entries[i : i + 600],
                fetched=now,
                report=report,
            )
            times.append(time.monotonic() - t0)
            assert report.new_articles == 600
    assert times[-1] < 3 * times[0] + 1.0, [round(t, 1) for t in times]


@pytest.mark.slow
def test_five_megabyte_entry(tmp_path: Path, make_app: MakeApp) -> None:
    word = "harbour "
    huge = "<p>" + (word * (5 * 1024 * 1024 // len(word))) + "</p><script>alert(1)</script>"
    feed = tmp_path / "huge.rss"
    feed.write_text(
        "<rss version='2.0'><channel><title>huge</title><item><title>Huge entry about the harbour</title>"
        f"<link>https://huge.example/a</link><description><![CDATA[{huge}]]></description></item>"
        f"{_items(3)}</channel></rss>"
    )
    assert feed.stat().st_size > 5 * 1024 * 1024
    now = datetime.now(UTC)
    with make_app(tmp_path, {"huge": feed}) as app:
        t0 = time.monotonic()
        report = app.run(now=now)
        assert report.errors == [] and report.new_articles == 4
        html = app.render(fmt="html")
        assert time.monotonic() - t0 < 90
        assert len(html) < 100_000  # the excerpt is cut
        assert html_findings(html, tag_counts(render_html(_empty(now.date().isoformat())))) == []
        assert "Huge entry about the harbour" in html


def test_one_source_failing_inside_never_stops_the_others(tmp_path: Path, make_app: MakeApp) -> None:
    """A folder of every fixture as one source: per-file errors, the rest stored."""
    with make_app(tmp_path, {"folder": FIXTURES}) as app:
        report = app.run(now=datetime.now(UTC))
        # the source's name, then the file inside the folder
        assert sorted(str(e) for e in report.errors) == [
            "folder: empty_file.xml: empty document",
            f"folder: garbage.xml: {report.errors[-1].problem.partition(': ')[2]}",
        ]
        assert all(isinstance(e, SourceError) and "\n" not in str(e) for e in report.errors)
        assert report.new_articles > 20
