"""The language a source states reaches the pages as ``lang`` on that source's words.

The pages' own words are English (``<html lang="en">``); a story from a German feed is read
by a screen reader with the German voice only when its heading, excerpt and links say so
(WCAG 3.1.2, language of parts).  Tags come from feeds, so they are hostile: only letters,
digits and hyphens pass.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest

from digest.output.render import render_email_html
from digest.records import Article
from digest.sources.feeds import parse_feed
from digest.sources.fields import language_tag
from digest.sources.localfiles import read_file
from tests.support.config import MakeApp, make_config
from tests.support.stores import store_before
from tests.support.web import site

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)

STORY = (
    "The passenger ferry Aurora ran aground on a sandbar near Kestrel Point early on Friday, "
    "and all 212 passengers and 14 crew were brought ashore safely, the Coastguard said. The "
    "vessel, operated by Bluewater Lines, left Port Halden at 5.50am and struck the bar about "
    "forty minutes later in heavy fog. Tugs will try to refloat her on the evening tide."
)
BRIDGE = (
    "Halden's council voted 8-3 on Thursday to build a walking and cycling bridge over the "
    "Mere river between Old Market and the railway station, at a cost of 6.8 million euros. "
    "Mayor Lotte Brandt said the bridge would open in spring 2028."
)
SEAGRASS = (
    "Seagrass meadows in Kestrel Bay store twice as much carbon as earlier surveys assumed, a "
    "study by the Halden marine institute finds; the researchers cored forty sites last summer."
)
GERMAN = (
    "Die Passagierfähre Aurora ist am Freitagmorgen vor Kestrel Point auf eine Sandbank "
    "gelaufen. Alle 212 Passagiere und 14 Besatzungsmitglieder wurden nach Angaben der "
    "Küstenwache sicher an Land gebracht. Schlepper sollen das Schiff am Abend freiziehen."
)


def rss(language: str | None, items: list[tuple[str, str, str]]) -> bytes:
    lang = f"<language>{language}</language>" if language is not None else ""
    body = "".join(
        f"<item><title>{title}</title><link>https://{slug}.example/a</link><guid>https://{slug}.example/a</guid>"
        f"<pubDate>Fri, 20 Nov 2026 09:00:00 +0000</pubDate><description>{text}</description></item>"
        for slug, title, text in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{lang}'
            f"{body}</channel></rss>").encode()


@pytest.mark.parametrize(
    ("given", "tag"),
    [
        ("de", "de"), ("en-us", "en-US"), ("pt_BR", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"),
        (" fr ", "fr"), ("English", None), ("*", None), ("", None), ('en" onmouseover="x', None),
        ("de-DE-" + "x" * 40, None), ("d", None), (None, None), (7, None),
    ],
)
def test_language_tags_are_checked_and_written_in_their_usual_case(given: object, tag: str | None) -> None:
    assert language_tag(given) == tag


def test_each_feed_format_states_its_language() -> None:
    got = parse_feed(rss("de-de", [("a", "Fähre", GERMAN)]), source="s")
    assert [e.lang for e in got] == ["de-DE"]
    assert [e.lang for e in parse_feed(rss("English", [("a", "Ferry", STORY)]), source="s")] == [None]
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>t</title>'
        b'<id>urn:f</id><updated>2026-11-20T09:00:00Z</updated>'
        b'<entry xml:lang="es"><id>urn:1</id><title>Hola</title><updated>2026-11-20T09:00:00Z</updated>'
        b'<content type="html">uno</content></entry>'
        b'<entry><id>urn:2</id><title>Bonjour</title><updated>2026-11-20T09:00:00Z</updated>'
        b"<summary>deux</summary></entry></feed>"
    )
    assert [e.lang for e in parse_feed(atom, source="s")] == ["es", "fr"]
    jsonfeed = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "t", "language": "it",
        "items": [{"id": "1", "content_text": "uno", "language": "pt-br"}, {"id": "2", "content_text": "due"}],
    }).encode()
    assert [e.lang for e in parse_feed(jsonfeed, source="s")] == ["pt-BR", "it"]


def test_local_articles_state_theirs_in_the_page_or_the_front_matter(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(f'<!doctype html><html lang="nl"><head><title>Veerboot</title></head><body><p>{STORY}</p></body></html>')
    note = tmp_path / "note.md"
    note.write_text(f"---\ntitle: Ferry\nlang: es_ES\n---\n\n{STORY}\n")
    plain = tmp_path / "plain.md"
    plain.write_text(f"# Ferry\n\n{STORY}\n")
    assert [e.lang for e in read_file(page, source="s", now=NOW)] == ["nl"]
    assert [e.lang for e in read_file(note, source="s", now=NOW)] == ["es-ES"]
    assert [e.lang for e in read_file(plain, source="s", now=NOW)] == [None]


def _feeds(tmp_path: Path) -> dict[str, Path]:
    feeds = {
        "Anzeiger": rss("de", [("anzeiger", "Fähre Aurora auf Grund gelaufen", GERMAN)]),
        "Herald": rss("en-gb", [("herald", "Ferry Aurora runs aground near Kestrel Point", STORY),
                                 ("herald-bridge", "Council approves cycle bridge", BRIDGE),
                                 ("herald-seagrass", "Seagrass stores more carbon", SEAGRASS)]),
        # a shorter copy of the Herald's story in a feed that says it is Dutch: its link reads as Dutch
        "Courant": rss("nl", [("courant", "Ferry Aurora aground near Kestrel Point", STORY.rsplit(" Tugs", 1)[0])]),
    }
    paths = {}
    for name, data in feeds.items():
        path = tmp_path / f"{name}.rss"
        path.write_bytes(data)
        paths[name] = path
    return paths


def test_the_digest_marks_each_story_and_version_in_another_language(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path, _feeds(tmp_path), timezone="UTC") as app:
        app.run(now=NOW)
        html = app.render(day=NOW.date(), fmt="html")
        data = json.loads(app.render(day=NOW.date(), fmt="json"))
        markdown = app.render(day=NOW.date(), fmt="md")
        email = render_email_html(app.build_view(NOW.date()))
    mail = lxml.html.document_fromstring(email)
    assert [h.get("lang") for h in mail.xpath("//h2[contains(., 'Fähre')]")] == ["de"]
    doc = lxml.html.document_fromstring(html)
    assert doc.get("lang") == "en"
    headings = {h.text_content().strip(): h.get("lang") for h in doc.xpath("//h2[contains(@class, 'story')]")}
    assert headings == {
        "Fähre Aurora auf Grund gelaufen": "de",
        "Ferry Aurora runs aground near Kestrel Point": None,  # en-GB reads as the page does
        "Council approves cycle bridge": None,
        "Seagrass stores more carbon": None,
    }
    excerpts = {p.text_content()[:10]: p.get("lang") for p in doc.xpath("//p[contains(@class, 'excerpt')]")}
    assert excerpts == {GERMAN[:10]: "de", STORY[:10]: None, BRIDGE[:10]: None, SEAGRASS[:10]: None}
    also = doc.xpath("//a[contains(., 'Ferry Aurora aground near Kestrel Point')]")
    assert [a.get("lang") for a in also] == ["nl"]
    toc = doc.xpath("//a[starts-with(@href, '#')][contains(., 'Fähre')]")
    assert [a.get("lang") for a in toc] == ["de"]
    # the JSON states every version's language as stated (en-GB too); Markdown carries no markup
    langs = {v["source"]: v["lang"] for s in data["stories"] for v in [s["lead"], *s["also"]]}
    assert langs == {"Anzeiger": "de", "Herald": "en-GB", "Courant": "nl"}
    assert "lang" not in markdown


def test_the_language_is_kept_by_the_store_and_shown_on_the_story_page(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path, _feeds(tmp_path), timezone="UTC") as app:
        app.run(now=NOW)
        story = next(s for s in app.build_view(NOW.date()).stories if s.lead.source == "Anzeiger")
    cfg = make_config(tmp_path, _feeds(tmp_path), timezone="UTC")
    with site(cfg) as s:
        page = lxml.html.document_fromstring(s.get(f"/story/{story.story_id}").text)
        feed = feedparser.parse(s.get("/feed.atom").content)
    assert page.xpath("//h1")[0].get("lang") == "de"
    assert [p.get("lang") for p in page.xpath("//p[contains(@class, 'excerpt')]")] == ["de"]
    # each Atom entry says its lead's language as stated
    assert not feed.bozo
    langs = {e.title: e.title_detail.language for e in feed.entries}
    assert langs["Fähre Aurora auf Grund gelaufen"] == "de"
    assert langs["Council approves cycle bridge"] == "en-GB"


def test_search_results_and_the_feed_say_their_language(tmp_path: Path, make_app: MakeApp,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with make_app(tmp_path, _feeds(tmp_path), timezone="UTC") as app:
        app.run(now=NOW)
    cfg = make_config(tmp_path, _feeds(tmp_path), timezone="UTC", write=True)
    with site(cfg) as s:
        found = lxml.html.document_fromstring(s.get("/search", params={"q": "Aurora"}).text)
        feed = s.get("/feed.atom").content
    titles = {a.text_content(): a.get("lang") for a in found.xpath("//ol[@class='results']/li/a[1]")}
    assert titles["Fähre Aurora auf Grund gelaufen"] == "de"
    assert titles["Ferry Aurora runs aground near Kestrel Point"] is None  # en-GB reads as the page
    # the feed's own words (its title, "also reported by") are the pages' English
    assert feedparser.parse(feed).feed.get("language") == "en"
    assert b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">' in feed
    from digest.cli import main

    assert main(["search", "--config", str(cfg.config_path), "--json", "Aurora"]) == 0
    rows = {r["title"]: r["lang"] for r in json.loads(capsys.readouterr().out)}
    assert rows["Fähre Aurora auf Grund gelaufen"] == "de"
    assert rows["Ferry Aurora runs aground near Kestrel Point"] == "en-GB"


def test_a_store_written_before_gains_the_column_and_its_articles_no_language(tmp_path: Path) -> None:
    from digest.store import migrations

    assert next(i for i, m in enumerate(migrations.load("sqlite")) if "lang" in m.name) == 7
    store = store_before(tmp_path / "old.sqlite3", "lang", NOW)
    store.add_article(Article(key="k2", source="s", title="t", text="y", fetched=NOW, lang="de"), b"\0" * 8, "story1")
    assert [(a.key, a.lang) for a in store.story_versions("story1")] == [("k1", None), ("k2", "de")]
    store.close()


def test_what_is_new_in_a_developing_story_reads_in_its_versions_language(
    tmp_path: Path, make_app: MakeApp
) -> None:
    from datetime import timedelta

    herald = tmp_path / "herald.rss"
    courant = tmp_path / "courant.rss"
    herald.write_bytes(rss("en", [("herald", "Ferry Aurora runs aground near Kestrel Point", STORY)]))
    courant.write_bytes(rss("nl", []))
    sources = {"Herald": herald, "Courant": courant}
    with make_app(tmp_path, sources, timezone="UTC") as app:
        app.run(now=NOW)
        later = NOW + timedelta(days=1)
        follow = STORY.replace("Tugs will try", "Tugs tried and failed") + " Salvage crews arrive on Sunday."
        courant.write_bytes(rss("nl", [("courant", "Aurora still stuck as tugs fail to refloat ferry", follow)]))
        app.run(now=later)
        view = app.build_view(later.date())
        html = app.render(day=later.date(), fmt="html")
    assert [(s.status, s.whats_new_lang) for s in view.stories] == [("developing", "nl")]
    doc = lxml.html.document_fromstring(html)
    line = doc.xpath("//p[contains(@class, 'developing')]//span[@dir='auto']")
    assert [(s.get("lang"), s.text_content()) for s in line] == [
        ("nl", "Aurora still stuck as tugs fail to refloat ferry")
    ]
