"""An aggregator's item names its own outlet (RSS ``<source>``, Atom ``<source>``): a Google
News feed's items are Reuters', the AP's and the BBC's, and the digest says so.

The configured source stays what it was for everything else (the entry's identity, its
priority, the filters' ``sources``, its fetch state); the outlet is what a reader is shown,
and what "N outlets" counts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest

from digest.output.render import render_text
from digest.records import Article
from digest.sources.feeds import parse_feed
from digest.sources.fields import OUTLET_CHARS, without_outlet
from tests.support.config import MakeApp, make_config
from tests.support.stores import store_before
from tests.support.web import site

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)

FLOOD = (
    "Floodwater breached the river wall at Marrowby on Friday morning, forcing the evacuation "
    "of 340 homes in the town's lower streets, the county fire service said. Pumps from three "
    "counties were sent, and the railway line to Castleton was closed until further notice."
)
COUNCIL = (
    "Halden's council voted 8-3 on Thursday to build a walking and cycling bridge over the "
    "Mere river between Old Market and the railway station, at a cost of 6.8 million euros."
)


def _item(title: str, text: str, slug: str, source: str | None) -> str:
    src = f'<source url="https://{slug}.example/">{source}</source>' if source is not None else ""
    return (f"<item><title>{title}</title><link>https://news.agg.example/{slug}</link>"
            f"<guid>https://news.agg.example/{slug}</guid><pubDate>Fri, 20 Nov 2026 09:00:00 +0000</pubDate>"
            f"<description>{text}</description>{src}</item>")


def _rss(title: str, items: list[str]) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"{''.join(items)}</channel></rss>").encode()


GOOGLE = _rss("Top stories - Google News", [
    _item("Marrowby flood forces 340 homes to evacuate - Reuters", FLOOD, "reuters", "Reuters"),
    _item("Flood at Marrowby: 340 homes evacuated | AP News", FLOOD[:230], "ap", "AP News"),
    _item("Marrowby river wall breached, homes evacuated \u2014 BBC", FLOOD[:200], "bbc", "BBC"),
    _item("Council approves cycle bridge - Reuters", COUNCIL, "reuters-bridge", "Reuters"),
])  # fmt: skip


@pytest.mark.parametrize(
    ("title", "outlet", "shown"),
    [
        ("Storm hits coast - Reuters", "Reuters", "Storm hits coast"),
        ("Storm hits coast | Reuters", "reuters", "Storm hits coast"),
        ("Storm hits coast \u2013 The Times", "The Times", "Storm hits coast"),
        ("Reuters", "Reuters", "Reuters"),  # the name alone stays a title
        ("Storm hits Reuters", "Reuters", "Storm hits Reuters"),  # no separator: a word of it
        ("Storm hits coast - AP", "Reuters", "Storm hits coast - AP"),
        ("Storm hits coast - Reuters", None, "Storm hits coast - Reuters"),
    ],
)
def test_the_outlet_an_aggregator_appends_to_a_title_is_dropped(title: str, outlet: str | None, shown: str) -> None:
    assert without_outlet(title, outlet) == shown


def test_each_item_names_its_outlet_and_a_feed_naming_itself_names_none() -> None:
    entries = parse_feed(GOOGLE, source="Google News", fetched=NOW)
    assert [(e.outlet, e.title) for e in entries] == [
        ("Reuters", "Marrowby flood forces 340 homes to evacuate"),
        ("AP News", "Flood at Marrowby: 340 homes evacuated"),
        ("BBC", "Marrowby river wall breached, homes evacuated"),
        ("Reuters", "Council approves cycle bridge"),
    ]
    mirror = _rss("Harbor Herald", [_item("Own story - Harbor Herald", COUNCIL, "h", "Harbor Herald"),
                                    _item("Long", COUNCIL, "l", "x" * (OUTLET_CHARS + 1)),
                                    _item("Blank", COUNCIL, "b", " "), _item("None", COUNCIL, "n", None)])
    assert [(e.outlet, e.title) for e in parse_feed(mirror, source="Herald", fetched=NOW)] == [
        (None, "Own story - Harbor Herald"), (None, "Long"), (None, "Blank"), (None, "None")]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Planet Halden</title><entry><id>p1</id>'
            b"<title>Notes on the bridge</title><updated>2026-11-20T09:00:00Z</updated><content>x</content>"
            b'<source><title>Jane &lt;b&gt;Brandt</title><link href="https://jane.example/"/></source></entry></feed>')
    assert [e.outlet for e in parse_feed(atom, source="Planet", fetched=NOW)] == ["Jane Brandt"]  # made plain


def _sources(tmp_path: Path) -> dict[str, Path]:
    google = tmp_path / "google.rss"
    google.write_bytes(GOOGLE)
    direct = tmp_path / "reuters.rss"  # Reuters' own feed, configured under the name the user chose
    direct.write_bytes(_rss("Reuters", [_item("Floods force Marrowby evacuation", FLOOD, "reuters-own", None)]))
    return {"Google News": google, "Reuters (direct)": direct}


def test_the_digest_shows_each_versions_outlet_and_counts_outlets(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path, _sources(tmp_path), timezone="UTC") as app:
        app.run(now=NOW)
        view = app.build_view(NOW.date())
        html = app.render(day=NOW.date(), fmt="html")
        data = json.loads(app.render(day=NOW.date(), fmt="json"))
        text = render_text(view)
        markdown = app.render(day=NOW.date(), fmt="md")
    flood = next(s for s in view.stories if "Marrowby" in s.title)
    names = sorted(v.outlet_name for v in [flood.lead, *flood.also])
    assert names == ["AP News", "BBC", "Reuters", "Reuters (direct)"]
    assert flood.outlets == 4  # four outlets, though two sources carried them
    doc = lxml.html.document_fromstring(html)
    shown = " ".join(doc.text_content().split())
    assert "Google News" not in shown and "AP News" in shown and "BBC" in shown
    assert "Also reported by: AP News: Flood at Marrowby" in shown and "- Reuters" not in shown
    assert sorted(s["outlets"] for s in data["stories"]) == [1, 4]
    assert "**AP News**" in markdown and "Google News" not in markdown
    versions = [v for s in data["stories"] for v in [s["lead"], *s["also"]]]
    assert {(v["source"], v["outlet"]) for v in versions} == {
        ("Google News", "Reuters"), ("Google News", "AP News"), ("Google News", "BBC"),
        ("Reuters (direct)", "Reuters (direct)"),
    }
    assert "AP News" in text and "Google News" not in text


def test_the_archive_and_its_feed_show_the_outlet(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path, _sources(tmp_path), timezone="UTC") as app:
        app.run(now=NOW)
        flood = next(s for s in app.build_view(NOW.date()).stories if "Marrowby" in s.title)
    cfg = make_config(tmp_path, _sources(tmp_path), timezone="UTC")
    with site(cfg) as s:
        page = lxml.html.document_fromstring(s.get(f"/story/{flood.story_id}").text)
        found = lxml.html.document_fromstring(s.get("/search", params={"q": "bridge"}).text)
        feed = feedparser.parse(s.get("/feed.atom").content)
    outlets = [el.text_content() for el in page.xpath("//li/strong")]
    assert sorted(outlets) == ["AP News", "BBC", "Reuters", "Reuters (direct)"]
    assert "4 outlets" in " ".join(page.text_content().split())
    assert [el.text_content() for el in found.xpath("//p[@class='meta']/strong")] == ["Reuters"]
    authors = {e.title: e.author for e in feed.entries}
    assert authors["Council approves cycle bridge"] == "Reuters"


def test_a_replayed_record_may_name_its_outlet(tmp_path: Path, make_app: MakeApp) -> None:
    from digest.batch import entry_of

    entry = entry_of({"id": "1", "title": "t", "text": "x", "source": "Wire", "outlet": "  The\nTimes "})
    assert (entry.source, entry.outlet) == ("Wire", "The Times")
    assert entry_of({"id": "2", "title": "t", "text": "x", "source": "Wire", "outlet": " "}).outlet is None


def test_a_store_written_before_gains_the_column_and_its_articles_no_outlet(tmp_path: Path) -> None:
    store = store_before(tmp_path / "old.sqlite3", "outlet", NOW)
    store.add_article(Article(key="k2", source="s", title="t", text="y", fetched=NOW, outlet="Reuters"), b"\0" * 8, "story1")
    assert [(a.key, a.outlet, a.outlet_name) for a in store.story_versions("story1")] == [
        ("k1", None, "s"), ("k2", "Reuters", "Reuters")]
    store.close()


def test_a_hostile_outlet_name_is_only_ever_text(tmp_path: Path, make_app: MakeApp) -> None:
    from tests.support.web import active

    evil = "&lt;img src=x onerror=alert(1)&gt;Evil &amp;lt;script&amp;gt;"
    path = tmp_path / "agg.rss"
    path.write_bytes(_rss("Aggregator", [_item("Floods force evacuation", FLOOD, "e", evil)]))
    with make_app(tmp_path, {"Aggregator": path}, timezone="UTC") as app:
        app.run(now=NOW)
        html = app.render(day=NOW.date(), fmt="html")
    assert active(html) == []
    assert "onerror" not in html or "&lt;img" in html
