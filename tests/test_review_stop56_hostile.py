"""Review (stop 56): a hostile feed end to end, every field of RSS, Atom and JSON Feed.

Real parts: feed files and a Markdown note written here, the App's whole run (SQLite on
disk), every renderer (HTML page, email HTML and text, Markdown, JSON) and the web archive on
a loopback server.  The payloads are the strongest of the stop's Chromium run (script, event
handlers, obfuscated ``javascript:``, ``data:text/html``, CSS ``url()``/``expression()``,
frames, forms, ``<base>``, a meta refresh, ``</title><script>``, an mXSS ``math/mglyph/style``
nest, a ``<noscript>`` attribute break, Jinja syntax, Markdown links and images, trackers,
CR/LF, bidi overrides and zero-width spaces), in titles, links, authors, summaries, content,
enclosures, categories and ``<source>`` outlet names.  What a browser would run or load is
judged without one (``benchmarks.output_checks``); the run in Chromium with a beacon server
found nothing run or loaded (docs/evaluation.md, stop 56).
"""

from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import lxml.html
import pytest

from benchmarks.output_checks import html_findings, json_findings, markdown_findings, tag_counts
from digest.cli import main
from digest.output.render import (
    make_env,
    render_email_html,
    render_html,
    render_json,
    render_markdown,
    render_text,
)
from digest.records import DigestView
from digest.service.web import make_server
from digest.sources.feeds import parse_feed
from digest.text.shown import contained_bidi, one_line
from tests.support.config import MakeApp, config_text
from tests.test_fulltext import story

#: Never contacted: where every payload would send a browser.
BEACON = "http://beacon.invalid:9"
PAYLOADS = [
    f'<script>fetch("{BEACON}/script")</script>',
    f"<img src=x onerror=\"fetch('{BEACON}/onerror')\">",
    f"<svg onload=\"fetch('{BEACON}/svg')\"><script>fetch('{BEACON}/svgscript')</script></svg>",
    f"<a href=\"jav&#x09;ascript:fetch('{BEACON}/js')\">a</a> <a href=\"  JaVaScRiPt:alert(1)\">b</a>",
    f"<a href=\"data:text/html,&lt;script&gt;fetch('{BEACON}/data')&lt;/script&gt;\">d</a> <a href=vbscript:x>v</a>",
    f"<style>body{{background:url({BEACON}/css)}} p{{width:expression(alert(1))}}</style>"
    f'<div style="background:url({BEACON}/cssattr)">s</div>',
    f'<iframe src="{BEACON}/iframe"></iframe><object data="{BEACON}/object"></object><embed src="{BEACON}/embed">',
    f'<form action="{BEACON}/form"><input autofocus onfocus="fetch(1)"></form>'
    f'<meta http-equiv="refresh" content="0;url={BEACON}/refresh"><base href="{BEACON}/base/">',
    f'</title><script>fetch("{BEACON}/title")</script>',
    f"<math><mtext><table><mglyph><style><img src=x onerror=\"fetch('{BEACON}/mxss')\"></style></mglyph></table></mtext></math>",
    f"<noscript><p title=\"</noscript><img src=x onerror=fetch('{BEACON}/noscript')>\"></noscript>",
    "{{ 7*7 }} {% raw %} {{ config }} {% endraw %}",
    f"[x](javascript:fetch('{BEACON}/md')) ![]({BEACON}/mdimg.gif)",
    f'<img src="{BEACON}/tracker.gif"><video poster="{BEACON}/poster"></video><link rel=stylesheet href="{BEACON}/l.css">',
    "\u202egnp.exe\u200b",
]
LINKS = [f"javascript:fetch('{BEACON}/link')", "file:///etc/passwd", " JaVa\tScript:alert(1)",
         "data:text/html,<script>alert(1)</script>", "https://news.example.org/{}"]
#: Distinct events (tests/fixtures/stories), so that every payload is shown in a story's lead.
EVENTS = ["burst_a1", "burst_b1", "council_a", "council_b", "derby", "fire_a1", "fire_b1", "quake_a1",
          "quake_b", "review_book", "review_manual", "rovers_a1", "rovers_b1"]
#: Each event's title and text, with its payloads (two for the first ones: more payloads than events).
ITEMS = [(title, " ".join(paras), [PAYLOADS[i], *PAYLOADS[i + len(EVENTS) :: len(EVENTS)]])
         for i, (title, paras) in enumerate(story(name) for name in EVENTS)]
DAY = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
#: Attributes whose URL a browser loads or submits to.
LOADS = {"src", "srcset", "poster", "data", "background", "action", "formaction", "style", "content"}


def _rss() -> str:
    items = []
    for i, (head, body, ps) in enumerate(ITEMS):
        p = " ".join(ps)
        title = f"{head} {p} \r\nBcc: victim@example.org"
        text = f"{body} {p}"
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{html.escape(LINKS[i % len(LINKS)].format(f'r{i}'))}</link>"
            f"<guid isPermaLink='false'>r{i}</guid><pubDate>Sun, 06 Dec 2026 {i + 1:02d}:00:00 GMT</pubDate>"
            f"<author>{html.escape(f'eve@example.org ({p})')}</author><category>{html.escape(p)}</category>"
            f"<description>{html.escape(text)}</description>"
            f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>"
            f"<enclosure url='{html.escape(LINKS[(i + 1) % len(LINKS)].format(f'e{i}'))}' type='text/html' length='1'/>"
            f"<enclosure url='{BEACON}/enc{i}.jpg' type='image/jpeg' length='1'/>"
            f"<source url='{BEACON}/src'>{html.escape(p)} \u202eNews\u200b</source></item>"
        )
    return ("<?xml version='1.0'?><rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
            f"<channel><title>{html.escape(PAYLOADS[0])}</title><link>javascript:alert(1)</link>{''.join(items)}"
            "</channel></rss>")


def _atom() -> str:
    entries = []
    for i, (head, body, ps) in enumerate(ITEMS):
        p = " ".join(ps)
        entries.append(
            f"<entry><title type='html'>{html.escape(f'{head} {p}')}</title>"
            f"<link rel='alternate' href='{html.escape(LINKS[(i + 2) % len(LINKS)].format(f'a{i}'))}'/><id>urn:a:{i}</id>"
            f"<updated>2026-12-06T{i + 1:02d}:20:00Z</updated><author><name>{html.escape(p)}</name></author>"
            f"<summary type='html'>{html.escape(f'{body} {p}')}</summary>"
            f"<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'><p>{html.escape(body)}</p><script>fetch('{BEACON}/atom')</script><img src='x' onerror=\"fetch('{BEACON}/a')\"/>"
            "</div></content></entry>"
        )
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title type='html'>{html.escape(PAYLOADS[1])}</title><id>urn:f</id>"
            f"<updated>2026-12-06T10:00:00Z</updated>{''.join(entries)}</feed>")


def _json_feed() -> str:
    items = [
        {"id": f"j{i}", "url": LINKS[(i + 3) % len(LINKS)].format(f"j{i}"), "external_url": "javascript:alert(1)",
         "title": f"{head} {p}", "content_html": f"<p>{html.escape(body)}</p>{p}",
         "summary": p, "image": f"{BEACON}/img{i}", "banner_image": f"{BEACON}/banner{i}",
         "authors": [{"name": p, "url": "javascript:alert(1)", "avatar": f"{BEACON}/avatar"}],
         "attachments": [{"url": f"{BEACON}/att{i}", "mime_type": "text/html"}],
         "date_published": f"2026-12-06T{i + 1:02d}:40:00Z", "tags": [p]}
        for i, (head, body, p) in enumerate((h, b, " ".join(ps)) for h, b, ps in ITEMS)
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": PAYLOADS[2],
                       "home_page_url": "javascript:alert(1)", "icon": f"{BEACON}/icon", "items": items})


def _note() -> str:
    return ("---\ntitle: \"Note <script>fetch('x')</script> {{ 7*7 }} \u202eevil\"\n"
            "date: 2026-12-06T09:00:00Z\n---\n\n"
            "The school choir won the national competition with a song about the estuary birds.\n\n"
            + "\n\n".join(PAYLOADS) + f"\n\n<div onclick=\"fetch('{BEACON}/div')\">raw</div>\n\n"
            f"[click](javascript:alert(1))\n\n![tracker]({BEACON}/mdtrack.gif)\n")


@dataclass
class Outputs:
    """Every output of one run over the hostile feeds."""

    pages: dict[str, str] = field(default_factory=dict)  # HTML: name -> page
    baselines: dict[str, dict[str, int]] = field(default_factory=dict)
    md: str = ""
    text: str = ""
    json: str = ""
    titles: list[str] = field(default_factory=list)  # the web pages' <title>s


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, make_app: MakeApp) -> Outputs:
    tmp = tmp_path_factory.mktemp("hostile56")
    (tmp / "h.rss").write_text(_rss(), encoding="utf-8")
    (tmp / "h.atom").write_text(_atom(), encoding="utf-8")
    (tmp / "h.json").write_text(_json_feed(), encoding="utf-8")
    (tmp / "notes").mkdir()
    (tmp / "notes" / "hostile.md").write_text(_note(), encoding="utf-8")
    sources = {"Eve <script>x</script> \u202eevil": tmp / "h.rss", "Atom {{ 7*7 }}": tmp / "h.atom",
               "JSON [x](javascript:alert(1))": tmp / "h.json", "Notes": tmp / "notes"}
    out = Outputs()
    with make_app(tmp, sources) as app:
        app.run(now=DAY)
        view = app.build_view(DAY.date())
        assert len(view.stories) >= len(EVENTS) - 2  # the events are told apart
        env = make_env(app.cfg.templates)
        empty = DigestView(view.date, [], 0, 0)
        out.pages["html"] = render_html(view, env=env)
        out.baselines["html"] = tag_counts(render_html(empty, env=env))
        out.pages["email"] = render_email_html(view, env=env)
        out.baselines["email"] = tag_counts(render_email_html(empty, env=env))
        out.md = render_markdown(view, env=env)
        out.text = render_text(view, env=env)
        out.json = render_json(view)
        server = make_server(app.cfg, "127.0.0.1", 0, clock=lambda: DAY)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=30) as client:
                out.baselines["site"] = tag_counts(client.get("/no-such-page").text)
                paths = ["/", f"/day/{view.date}", *("/story/" + quote(s.story_id, safe="") for s in view.stories),
                         *("/search?q=" + quote(q) for q in ("story", PAYLOADS[0], PAYLOADS[1], "evil"))]
                for path in paths:
                    r = client.get(path)
                    assert r.status_code == 200, path
                    out.pages[f"web {path}"] = r.text
                    out.titles.append(lxml.html.fromstring(r.text).findtext(".//title") or "")
        finally:
            server.shutdown()
            server.server_close()
    return out


def test_no_page_runs_loads_or_submits_anything(outputs: Outputs) -> None:
    for name, page in outputs.pages.items():
        kind = "site" if name.startswith("web") else name
        base = outputs.baselines["html" if name.startswith("web /day/") else kind]  # the day's saved page
        assert html_findings(page, base, site_links=kind == "site") == [], name
        assert "beacon.invalid" not in " ".join(
            v for el in lxml.html.fromstring(page).iter() for k, v in el.attrib.items() if k in LOADS
        ), name  # nothing of the attacker's is loaded (a link to it is a link, a title text)
    assert markdown_findings(outputs.md) == []
    assert json_findings(outputs.json) == []


def test_template_syntax_from_a_feed_is_shown_not_evaluated(outputs: Outputs) -> None:
    text = lxml.html.fromstring(outputs.pages["html"]).text_content()
    assert "{{ 7*7 }}" in text and "{% raw %}" in text
    assert "{{ 7*7 }}" in outputs.text


def test_a_title_with_crlf_is_one_line(outputs: Outputs) -> None:
    assert not re.search(r"^\s*Bcc:", outputs.text + outputs.md, re.M)
    assert "\r" not in outputs.text + outputs.md


#: Bidi controls that open a run, and the one that closes each.
_CLOSES = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
           "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}


def _spills(line: str) -> bool:
    """Whether a bidi run opened in ``line`` reaches its end: no closer after the last opener
    of its kind (an override's U+202E turns the rest of the line around)."""
    return any(line.rfind(opener) > line.rfind(closer) for opener, closer in _CLOSES.items())


def test_a_feeds_bidi_override_stays_within_its_field_in_every_plain_output(outputs: Outputs) -> None:
    """An unclosed U+202E in a feed's title (or an outlet's name) turned the rest of its line
    around in the email's text part, the Markdown file and the pages' ``<title>``: "Eve
    \u202eevil · Sun 6 Dec, 00:00 UTC" read "Eve CTU 00:00 ,ceD 6 nuS · live"."""
    lines = [*outputs.md.splitlines(), *outputs.text.splitlines(), *outputs.titles]
    assert any("\u202e" in line for line in lines)  # the titles are shown, with their override
    assert [line for line in lines if _spills(line)] == []


def test_an_items_source_names_an_outlet_without_invisible_characters() -> None:
    """RSS ``<source>`` names the outlet of an item; a feed's title naming a source already lost its
    bidi controls and zero-width spaces (``fields.visible_name``), an item's outlet kept them."""
    feed = ("<rss version='2.0'><channel><title>Aggregator</title><item><title>Storm hits coast</title>"
            "<link>https://news.example.org/1</link><description>The storm hit the coast.</description>"
            "<source url='https://reuters.example/'>\u202eReu\u200bters\u2066</source></item></channel></rss>")
    (entry,) = parse_feed(feed.encode(), source="agg")
    assert entry.outlet == "Reuters"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Eve \u202eevil", "Eve \u202eevil\u202c"),  # an override closed at the field's end
        ("a \u2067\u05e9\u05dc\u05d5\u05dd\u2069 b", "a \u2067\u05e9\u05dc\u05d5\u05dd\u2069 b"),  # balanced: kept
        ("x\u202c y\u2069", "x y"),  # closers of nothing dropped: they would close a run of ours
        ("\u2066a\u202eb\u2069c", "\u2066a\u202eb\u2069c"),  # a PDI closes the override inside it
        ("\u202ea\u2066b\u202cc", "\u202ea\u2066bc\u2069\u202c"),  # a PDF reaches no open isolate
        ("plain", "plain"),
    ],
)
def test_contained_bidi(given: str, shown: str) -> None:
    assert contained_bidi(given) == shown
    assert one_line(given) == shown


#: What acts on a terminal printed as it is: C1 controls (U+009B CSI, U+009D OSC, U+009C ST).
_C1 = re.compile("[\x7f-\x9f]")


def test_search_and_explain_print_a_feeds_title_driving_no_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed's title is stored with its C1 controls (only C0 ones are dropped as it is read);
    ``digest search`` and ``digest explain`` printed it as it was: U+009B ``2J`` cleared the
    screen, U+009D set the window's title, a U+202E turned the rest of the line around (the
    outlet and the link after it).  Their JSON keeps the values, written as escapes."""
    title = "Ferry title \x9b2J\x9b31m red \x9d0;PWNED\x9c \u202eevil"
    (tmp_path / "t.json").write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "T",
        "items": [{"id": "t1", "url": "https://example.com/t1", "title": title, "date_published": "2026-12-06T10:00:00Z",
                   "content_text": "The ferry company said its new boat would carry four hundred passengers."}],
    }), encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(config_text({"T \u202eevil": tmp_path / "t.json"}, "clock: 2026-12-06T20:00:00Z\n"), encoding="utf-8")
    assert main(["run", "--config", str(config), "-q"]) == 0
    capsys.readouterr()
    assert main(["search", "--config", str(config), "ferry"]) == 0
    shown = capsys.readouterr().out
    assert "Ferry title" in shown and "https://example.com/t1" in shown
    assert main(["search", "--json", "--config", str(config), "ferry"]) == 0
    as_json = capsys.readouterr().out
    (row,) = json.loads(as_json)
    assert row["title"] == title  # the same value, escaped
    assert main(["explain", "--config", str(config), row["story_id"]]) == 0
    explained = capsys.readouterr().out
    assert "title: Ferry title" in explained
    assert main(["explain", "--json", "--config", str(config), row["story_id"]]) == 0
    explained_json = capsys.readouterr().out
    for out in (shown, as_json, explained, explained_json):
        assert not _C1.search(out), out
        assert [line for line in out.splitlines() if _spills(line)] == [], out
