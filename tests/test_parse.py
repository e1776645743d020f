"""parse_feed on small hand-written feeds (tests/fixtures/parse)."""

from __future__ import annotations

import http.server
import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.errors import ParseError
from digest.records import AUTHOR_CHARS, TITLE_CHARS, Entry
from digest.sources.feeds import MAX_ENTRIES, parse_feed, plain, screen_entities
from digest.text.shown import shorten

FIX = Path(__file__).parent / "fixtures" / "parse"
FETCHED = datetime(2024, 6, 1, 12, tzinfo=UTC)


def parse(name: str, **kw: object) -> list[Entry]:
    return parse_feed((FIX / name).read_bytes(), source=name, fetched=FETCHED, **kw)  # type: ignore[arg-type]


def fields(e: Entry) -> str:
    return " ".join(
        str(v)
        for v in (e.title, e.url, e.entry_id, e.content_html, e.summary_html, e.text, e.author)
    )


def test_rss20_content_summary_title_link_date() -> None:
    first, second, third = parse("rss20.xml", url="https://gazette.example/feed.xml")
    assert first.title == "Council & mayor agree on budget"
    assert first.entry_id == "gazette-1001"
    assert first.url == "https://gazette.example/2024/03/budget?utm_source=rss&id=7"
    assert first.content_html is not None and "<b>budget</b>" in first.content_html
    assert first.summary_html == "Short summary of the budget."
    assert first.published == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)
    assert first.author == "Ann Writer"
    # relative link resolved against the feed URL; the id is left alone
    assert second.url == "https://gazette.example/2024/03/relative"
    assert second.entry_id == "gazette-1002"
    assert second.content_html is None and second.summary_html == "<p>Only a summary here.</p>"
    # javascript: links never come out
    assert third.url is None and third.summary_html == "Body text."


def test_rss10_rdf() -> None:
    (e,) = parse("rss10.rdf")
    assert (e.title, e.url) == ("Bridge reopens", "https://rdf.example/a")
    assert e.published == datetime(2023, 9, 11, 8, 15, tzinfo=UTC)


def test_atom10_types() -> None:
    storm, text_only = parse("atom.xml")
    # type="text" title: literal angle brackets stay, nothing stripped
    assert storm.title == "Storm <warning> issued"
    assert storm.published == datetime(2024, 5, 2, 2, 0, tzinfo=UTC)  # published wins over updated
    assert storm.content_html == "<p>Winds of <em>90 km/h</em> expected.</p>"
    # a plain-text summary is escaped so summary_html stays HTML
    assert storm.summary_html == "Plain summary with 5 &lt; 6 &amp; more."
    assert storm.author == "Bo Reporter"
    assert storm.url == "https://valley.example/storm"  # alternate, not the enclosure
    # type="html" title: tags stripped; text content goes to text, not html
    assert text_only.title == "Text only"
    assert text_only.content_html is None
    assert text_only.text == "Plain text content <not a tag>."
    assert text_only.summary_html is None  # feedparser's copy of the content is dropped
    assert text_only.published == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)


def test_atom03() -> None:
    (e,) = parse("atom03.xml")
    assert e.title == "Atom 0.3 entry" and e.url == "https://old.example/1"
    assert e.published == datetime(2004, 1, 1, tzinfo=UTC)


def test_json_feed() -> None:
    one, two, ext = parse("feed.json")
    assert one.entry_id == "j1" and one.url == "https://json.example/one"
    assert one.title == "First <b>item</b>"  # JSON Feed titles are plain text
    assert one.content_html == "<p>Hello <b>world</b></p>"
    assert one.summary_html == "Hi &amp; bye"
    assert one.published == datetime(2024, 2, 3, 2, 5, 6, tzinfo=UTC)
    assert one.author == "Desk"
    assert two.entry_id == "2" and two.url == "https://json.example/two"
    assert two.text == "Text only item." and two.author == "Cy"
    assert two.published == datetime(2024, 2, 4, tzinfo=UTC)
    # javascript: url falls back to external_url; duplicate id and empty item dropped
    assert ext.url == "https://elsewhere.example/x"


def test_json_not_a_feed_and_bad_json() -> None:
    with pytest.raises(ParseError, match=r"^s: not a feed: JSON without an 'items' list$"):
        parse_feed(b'{"a": 1}', source="s")
    with pytest.raises(ParseError, match=r"^s: broken feed: feed ended early \(JSON not well-formed at line 1\)"):
        parse_feed(b'{"items": [', source="s")  # cut off (digest.sources.cutoff.json_cut)
    with pytest.raises(ParseError, match=r"^s: cannot parse: document nested too deeply$"):
        parse_feed(b'{"items": ' + b"[" * 200_000, source="s")  # cut and too deep: one line
    with pytest.raises(ParseError, match=r"nested too deeply|invalid JSON"):
        parse_feed(b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", source="s")
    assert (
        parse_feed(b'{"version": "https://jsonfeed.org/version/1", "title": "t"}', source="s") == []
    )


def test_malformed_feed_still_yields_entries() -> None:
    titles = [e.title for e in parse("broken.rss")]
    assert titles == ["Survivor one", "Survivor two"]


@pytest.mark.parametrize(
    ("data", "kind", "words"),
    [
        (b"", "empty", "empty document"),
        (b"  \n\t ", "empty", "empty document"),
        ((FIX / "garbage.rss").read_bytes(), "not-a-feed", "not a feed"),
        ((FIX / "notafeed.xml").read_bytes(), "not-a-feed", "not a feed"),
        (
            b"<html><head><title>x</title></head><body><p>page</p></body></html>",
            "not-a-feed",
            "not a feed",
        ),
        (b"<foo><bar/></foo>", "not-a-feed", "not a feed"),
        (b"/etc/passwd", "not-a-feed", "not a feed"),  # bytes are never a path
        (b'<rss version="2.0"><channel><item><title>', "parse", "broken feed"),
    ],
)
def test_not_a_feed_is_one_line_error(data: bytes, kind: str, words: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(data, source="my-feed")
    msg = str(info.value)
    assert msg.startswith("my-feed: ") and words in msg
    assert "\n" not in msg and info.value.kind == kind
    assert "root:" not in msg


def test_empty_valid_feed() -> None:
    assert (
        parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', source="s")
        == []
    )
    assert (
        parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>', source="s")
        == []
    )


def test_dates_out_of_range_become_none() -> None:
    got = {
        e.title: e.published
        for e in parse_feed(
            (FIX / "dates.rss").read_bytes(),
            source="d",
            fetched=datetime(2024, 3, 1, 0, tzinfo=UTC),
        )
    }
    assert got["ok"] == datetime(2024, 1, 7, 12, tzinfo=UTC)
    assert got["year zero"] is None  # feedparser reads it as 2000
    assert got["year 9999"] is None
    assert got["epoch"] is None
    assert got["garbage"] is None
    assert got["overflow"] is None
    assert got["tomorrow"] == datetime(2024, 3, 1, 12, tzinfo=UTC)  # within two days
    assert got["next week"] is None
    assert got["updated only"] == datetime(2024, 1, 5, 5, tzinfo=UTC)
    assert all(d is None or d.tzinfo is UTC for d in got.values())


def test_duplicate_ids_first_wins_and_textless_entries_dropped() -> None:
    entries = parse("dupes.rss")
    assert [(e.entry_id, e.title, e.summary_html) for e in entries] == [
        ("same", "first copy", "one"),
        ("no-title", "", "Body without a title or link."),
    ]
    assert all(e.url is None for e in entries)  # a guid like "same" is not a link


@pytest.mark.parametrize(
    ("name", "title", "summary"),
    [("cp1251.rss", "Привет, мир", "Текст"), ("latin1.rss", "Crème brûlée", "© 2024")],
)
def test_declared_encodings(name: str, title: str, summary: str) -> None:
    (e,) = parse(name)
    assert (e.title, e.summary_html) == (title, summary)


def test_thousands_of_entries_and_huge_entry_are_linear() -> None:
    items = "".join(
        f"<item><guid>g{i}</guid><title>T {i}</title><description>body {i}</description></item>"
        for i in range(5000)
    )
    big = "<p>" + "word " * 400_000 + "</p>"
    doc = f'<rss version="2.0"><channel><title>x</title>{items}<item><guid>big</guid><description><![CDATA[{big}]]></description></item></channel></rss>'
    start = time.perf_counter()
    entries = parse_feed(doc.encode(), source="s")
    assert time.perf_counter() - start < 30
    assert len(entries) == 5001 and entries[-1].summary_html is not None
    assert len(entries[-1].summary_html) > 1_900_000


def _rss_items(n: int, *, dated: bool = True) -> bytes:
    """``n`` items, oldest first (some CMSs list that way), one minute apart."""
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><guid>g{i}</guid><title>T {i}</title><description>b {i}</description>"
        + (f"<pubDate>{format_datetime(t0 + timedelta(minutes=i))}</pubDate>" if dated else "")
        + "</item>"
        for i in range(n)
    )
    return f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


@pytest.mark.slow  # seconds by design: runs in CI (--run-slow), not in the README's quick run
def test_a_feed_over_the_cap_keeps_its_newest_entries_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    n = MAX_ENTRIES + 2000
    with caplog.at_level(logging.WARNING):
        entries = parse_feed(_rss_items(n), source="Big Wire", fetched=FETCHED)
    assert [e.entry_id for e in entries] == [f"g{i}" for i in range(2000, n)]  # document order
    (warning,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    line = warning.getMessage()
    assert "Big Wire" in line and f"{n:,}" in line and f"{MAX_ENTRIES:,} newest" in line
    assert "\n" not in line


def test_a_json_feed_over_the_cap_keeps_the_newest_or_the_first_undated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """5,000 entries over the cap (a feed of 100,000 kept its first 20,000 silently, and an
    oldest-first feed lost exactly its new ones): the newest, one of them early on."""
    n = MAX_ENTRIES + 5000
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    dated = [
        {"id": str(i), "title": f"T {i}", "content_text": "b",
         "date_published": (t0 + timedelta(seconds=i)).isoformat()}
        for i in range(n)
    ]
    dated[5]["date_published"] = (t0 + timedelta(days=120)).isoformat()  # the newest, early on
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "j", "items": dated}
    with caplog.at_level(logging.WARNING):
        entries = parse_feed(json.dumps(doc).encode(), source="Json Wire", fetched=FETCHED)
    assert len(entries) == MAX_ENTRIES
    assert [e.entry_id for e in entries] == ["5", *(str(i) for i in range(n - MAX_ENTRIES + 1, n))]
    undated = [{k: v for k, v in item.items() if k != "date_published"} for item in dated]
    entries = parse_feed(json.dumps({**doc, "items": undated}).encode(), source="Json Wire", fetched=FETCHED)
    assert [e.entry_id for e in entries] == [str(i) for i in range(MAX_ENTRIES)]
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 2 and all("Json Wire" in x and f"{n:,} entries" in x for x in lines)
    assert "first" in lines[1]  # no dates: the first in document order


def test_a_feed_at_the_cap_is_read_whole_and_silently(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        entries = parse_feed(_rss_items(50, dated=False), source="s", fetched=FETCHED)
    assert len(entries) == 50 and not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_titles_and_authors_are_capped_at_a_word_boundary() -> None:
    words = " ".join(f"word{i}" for i in range(150_000))  # ~1.1 MB
    rss = (
        '<rss version="2.0"><channel><title>x</title><item><guid>a</guid>'
        f"<title>{words}</title><author>x@example.org ({words})</author>"
        "<description>Body.</description></item></channel></rss>"
    ).encode()
    jsonfeed = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "j",
        "items": [{"id": "a", "title": words, "content_text": "Body.", "authors": [{"name": words}]}],
    }).encode()
    for doc in (rss, jsonfeed):
        (e,) = parse_feed(doc, source="s", fetched=FETCHED)
        assert e.author is not None
        for value, limit in ((e.title, TITLE_CHARS), (e.author, AUTHOR_CHARS)):
            assert len(value) <= limit and value.endswith("…"), value[-40:]
            kept = value[:-1].rstrip()
            assert kept.split()[-1] in words.split()[:60]  # whole words only
            assert len(kept) > limit * 0.8
    assert shorten("short title", 300) == "short title"
    assert shorten("x" * 400, 300) == "x" * 299 + "…"  # no space: cut where it must


# --- XML security ----------------------------------------------------------


@pytest.fixture()
def listener() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "NETWORK-SECRET">')

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_port, hits
    srv.shutdown()
    srv.server_close()


def _body(ref: str) -> str:
    return (
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><guid>x</guid><title>A {ref}</title><description>D {ref}</description></item>"
        "</channel></rss>"
    )


def test_billion_laughs_fixture_is_fast_and_small() -> None:
    start = time.perf_counter()
    (e,) = parse("billion_laughs.xml")
    assert time.perf_counter() - start < 2
    assert "lollol" not in fields(e) and len(fields(e)) < 500


def test_xxe_fixture_reads_no_file() -> None:
    passwd = Path("/etc/passwd").read_text(errors="replace")
    first_line = passwd.splitlines()[0] if passwd else "root:"
    (e,) = parse("xxe_passwd.xml")
    assert first_line not in fields(e) and "root:" not in fields(e)


@pytest.mark.parametrize("comment", ["", "<!-- <x -->\n"])
@pytest.mark.parametrize("one_line", [False, True])
def test_entity_attacks(
    tmp_path: Path, listener: tuple[int, list[str]], comment: str, one_line: bool
) -> None:
    port, hits = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("FILE-SECRET-42")
    nl = "" if one_line else "\n"
    lol = nl.join(
        ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    )
    attacks = {
        "lol": (lol, "&l9;"),
        "file": (f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">', "&xxe;"),
        "http": (f'<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/ge">', "&xxe;"),
        "param": (f'<!ENTITY % pe SYSTEM "http://127.0.0.1:{port}/pe">{nl}%pe;', "&leak;"),
        "quadratic": ('<!ENTITY a "' + "A" * 100_000 + '">', "&a;" * 20_000),
    }
    for name, (decls, ref) in attacks.items():
        doc = f'<?xml version="1.0"?>\n<!DOCTYPE rss [{nl}{comment}{decls}{nl}]>\n{_body(ref)}'
        start = time.perf_counter()
        try:
            entries = parse_feed(doc.encode(), source=name)
        except ParseError:
            entries = []
        assert time.perf_counter() - start < 3, name
        text = " ".join(fields(e) for e in entries)
        assert "FILE-SECRET" not in text and "NETWORK-SECRET" not in text, name
        assert len(text) < 200_000, name  # 20,000 x 100 kB would be 2 GB
    assert hits == []


def test_external_dtd_is_not_fetched(listener: tuple[int, list[str]]) -> None:
    port, hits = listener
    doc = f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/x.dtd">\n{_body("&amp;")}'
    (e,) = parse_feed(doc.encode(), source="s")
    assert e.title == "A &"
    assert hits == []


def test_utf16_document_is_screened_too() -> None:
    doc = (
        '<?xml version="1.0" encoding="utf-16"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
        + "A" * 50_000
        + '">\n]>\n'
        + _body("&a;" * 5000)
    )
    data = doc.encode("utf-16")
    screened = screen_entities(data)
    assert b"AAAA" not in screened and b"A\x00A\x00A\x00" not in screened
    start = time.perf_counter()
    entries = parse_feed(data, source="s")
    assert time.perf_counter() - start < 3
    assert sum(len(fields(e)) for e in entries) < 100_000


def test_screen_keeps_safe_entities_and_plain_documents() -> None:
    plain_doc = (FIX / "rss20.xml").read_bytes()
    assert screen_entities(plain_doc) is plain_doc
    doc = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n<!ENTITY co "Acme">\n]>\n'
        + _body("&co;&nbsp;&co;").encode()
    )
    assert screen_entities(doc) == doc
    (e,) = parse_feed(doc, source="s")
    assert e.title == "A Acme Acme"  # nbsp folded with the whitespace


_LEAKY = (
    # a browser (and lxml) reads '<!<title>' as a bogus comment and the script as a script;
    # feedparser's resolve_relative_uris wrote the content out again as '&lt;!<title>...',
    # an open <title> holding the script as its text: the article's title and text
    "<html><body><!<title><script>SECRET1X</script>"
    "<p>The harbour board approved the new ferry timetable on Tuesday evening.</p></body></html>"
)


def test_feed_html_is_handed_over_as_written_and_its_scripts_never_become_text() -> None:
    from html import escape

    from digest.text.prepare import prepare

    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>'
        '<entry><id>urn:e</id><title type="html"></title><link href="https://ok.example/x"/>'
        f'<content type="html">{escape(_LEAKY)}</content></entry></feed>'
    )
    rss = (
        '<rss version="2.0"><channel><title>t</title><item><guid>g</guid>'
        f"<description>{escape(_LEAKY)}</description></item></channel></rss>"
    )
    for doc in (atom, rss):
        (e,) = parse_feed(doc.encode(), source="s", url="https://ok.example/feed", fetched=FETCHED)
        assert _LEAKY in (e.content_html, e.summary_html)
        article = prepare(e, fetched=FETCHED)
        assert article is not None
        assert "SECRET" not in article.text and "SECRET" not in article.title
        assert "The harbour board approved the new ferry timetable" in article.text


# --- properties --------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_give_entries_or_parse_error(data: bytes) -> None:
    try:
        entries = parse_feed(data, source="fuzz")
    except ParseError as exc:
        assert str(exc).startswith("fuzz: ") and "\n" not in str(exc)
    else:
        assert all(isinstance(e, Entry) for e in entries)


_ITEM = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=100, deadline=None)
@given(title=_ITEM, body=_ITEM, date=st.text(max_size=30))
def test_hostile_fields_inside_valid_feed(title: str, body: str, date: str) -> None:
    from xml.sax.saxutils import escape

    doc = (
        '<rss version="2.0"><channel><title>t</title><item>'
        f"<title>{escape(title)}</title><description>{escape(body)}</description>"
        f"<pubDate>{escape(date)}</pubDate></item></channel></rss>"
    )
    try:
        entries = parse_feed(doc.encode("utf-8", "surrogatepass"), source="p", fetched=FETCHED)
    except ParseError:
        return
    for e in entries:
        assert "\n" not in e.title and e.title == e.title.strip()
        assert e.published is None or (e.published.tzinfo is UTC and e.published.year >= 1995)


def test_plain_strips_markup_but_not_comparisons() -> None:
    assert plain("<p>a</p><script>evil()</script>  b &amp; c") == "a b & c"
    assert plain("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2"
    assert plain("<b>x</b>", is_html=False) == "<b>x</b>"
    assert plain(None) == ""


@pytest.mark.parametrize(
    ("channel", "ttl"),
    [
        ("<ttl>60</ttl>", 3600.0),
        ("<ttl> 15 </ttl>", 900.0),
        ("<ttl>soon</ttl>", None),
        ("<ttl>\u00b2</ttl>", None),  # isdigit() but no int: the whole feed was "cannot parse"
        ("<ttl>0</ttl>", None),
        ("<ttl>999999999</ttl>", None),
        ("", None),
    ],
)
def test_rss_ttl_is_the_feeds_refresh_hint(channel: str, ttl: float | None) -> None:
    doc = (
        f"<rss version='2.0'><channel><title>t</title>{channel}<item><title>A</title>"
        "<link>https://a.example/1</link><description>Body.</description></item></channel></rss>"
    ).encode()
    entries = parse_feed(doc, source="s")
    assert len(entries) == 1 and entries.ttl == ttl


@pytest.mark.parametrize(
    ("period", "freq", "ttl"),
    [("hourly", "2", 1800.0), ("daily", "", 86400.0), ("often", "1", None), ("hourly", "\u00b2", None)],
)
def test_rss1_syndication_module_update_period(period: str, freq: str, ttl: float | None) -> None:
    sy = f"<sy:updatePeriod>{period}</sy:updatePeriod>" + (
        f"<sy:updateFrequency>{freq}</sy:updateFrequency>" if freq else ""
    )
    doc = (
        "<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
        " xmlns='http://purl.org/rss/1.0/' xmlns:sy='http://purl.org/rss/1.0/modules/syndication/'>"
        f"<channel rdf:about='https://a.example/'><title>t</title>{sy}</channel>"
        "<item rdf:about='https://a.example/1'><title>A</title><link>https://a.example/1</link>"
        "<description>Body.</description></item></rdf:RDF>"
    ).encode()
    entries = parse_feed(doc, source="s")
    assert len(entries) == 1 and entries.ttl == ttl


def test_atom_and_json_feeds_have_no_ttl() -> None:
    atom = b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>urn:a</id><title>A</title></entry></feed>"
    js = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "A"}]}'
    assert parse_feed(atom, source="s").ttl is None
    assert parse_feed(js, source="s").ttl is None
