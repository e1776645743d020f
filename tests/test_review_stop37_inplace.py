"""A feed entry updated in place (the same guid, its text changed: a toll raised, a suspect
named) is read again, as a revision of its article, once; what only churns (markup, a
timestamp, an advertisement, spaces) shows nothing.  Real parts: a loopback HTTP server
serving the feed, ``digest run`` through the CLI with the configuration's clock, SQLite on
disk; a kill mid-ingest in a real child process; an older store upgraded."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.dedup.params import REVISION_INTERVAL_HOURS
from digest.output.news import adds_nothing
from digest.records import Article
from digest.revisions import said
from digest.store import migrations
from digest.store.base import StoredArticle
from digest.text.identity import article_key
from tests.support.config import MakeApp, make_config
from tests.support.httpd import TestServer
from tests.support.services import need_postgres, pg_schema
from tests.test_timeline import TUE, digest_json, record, text_of, write_inputs

ROOT = Path(__file__).resolve().parents[1]
DAY1 = datetime(2026, 11, 10, 18, tzinfo=UTC)  # a Tuesday evening, like the fixtures' quake
Q_TITLE, Q_TEXT = text_of("quake_a1")
C_TITLE, C_TEXT = text_of("council_a")
REVISED_TITLE = "One dead as 6.1 quake shakes Taranaki coast"
#: A live page's updates: sentences of other stories, one more at each poll.
LIVE = [line for name in ("council_b", "derby", "rovers_a1", "quake_b", "rovers_b1") for line in text_of(name)[1].split("\n")]
DEATH = "A 71-year-old Opunake man was found dead in his home on Tuesday afternoon"


def revised_text() -> str:
    """Coast News's report as its site revised it in place: a death, a new lede and paragraph."""
    body = Q_TEXT.split("\n", 1)[1]
    return ("One person died and three were injured when a magnitude 6.1 earthquake struck off the Taranaki "
            "coast early on Tuesday, damaging the harbour wall at Opunake and cutting power to about 4,000 "
            f"homes, police and GeoNet said.\n{DEATH}; police said he had been struck by a falling "
            "bookcase.\n" + body)


def churned_text() -> str:
    """The report as a site serves it on another poll with nothing changed but its furniture: a
    timestamp line, an advertisement slot, spaces and line breaks."""
    paras = Q_TEXT.split("\n")
    return "\n".join(["Updated 11 November 2026, 7:02am", paras[0], "Advertisement", "  " + paras[1] + "  ",
                      *paras[2:]])


def _item(guid: str, title: str, text: str, published: datetime, attrs: str = "") -> str:
    html = "".join(f"<p{attrs}>{escape(p)}</p>" for p in text.split("\n"))
    return (f"<item><title>{escape(title)}</title><link>https://coast.example/{guid}</link>"
            f"<guid isPermaLink=\"false\">{guid}</guid><pubDate>{format_datetime(published)}</pubDate>"
            f"<content:encoded>{escape(html)}</content:encoded></item>")


def feed(quake: tuple[str, str] = (Q_TITLE, Q_TEXT), attrs: str = "") -> str:
    """Coast News's feed: the quake report (``quake``: its title and text) and a council story."""
    published = DAY1 - timedelta(hours=12)
    items = _item("quake-1", *quake, published, attrs) + _item("council-1", C_TITLE, C_TEXT, published)
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            "<channel><title>Coast News</title><link>https://coast.example/</link>" + items + "</channel></rss>")


class Reader:
    """A daily reader's install: Coast News on a loopback server, ``digest run`` at each clock."""

    def __init__(self, tmp: Path, srv: TestServer, **settings: Any) -> None:
        self.tmp, self.srv, self.settings = tmp, srv, settings
        self.db = tmp / "data" / "digest.sqlite3"
        #: other outlets' feeds (name: body), served and read beside Coast News's
        self.others: dict[str, str] = {}

    def config(self, at: datetime, body: str) -> Path:
        """Serve ``body`` (and :attr:`others`); the configuration with the clock at ``at``."""
        self.srv.set("/coast.rss", body)
        feeds = {"Coast News": self.srv.url("/coast.rss")}
        for i, (name, other) in enumerate(self.others.items()):
            self.srv.set(f"/other{i}.rss", other)
            feeds[name] = self.srv.url(f"/other{i}.rss")
        cfg = make_config(self.tmp, feeds, write=True, timezone="UTC",
                          clock=at.isoformat(), fetch={"allow_hosts": ["127.0.0.1"]}, **self.settings).config_path
        assert cfg is not None
        return cfg

    def run(self, at: datetime, body: str) -> dict[str, Any]:
        """Serve ``body``, run ``digest run`` with the clock at ``at``; that day's JSON digest."""
        cfg = self.config(at, body)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        out = self.tmp / f"{at.date()}.json"
        assert main(["build", "--config", str(cfg), "--format", "json", "--date", str(at.date()),
                     "-o", str(out)]) == 0
        return dict(json.loads(out.read_text(encoding="utf-8")))

    def articles(self) -> list[tuple[str, str]]:
        """(key, title) of each stored article, in arrival order."""
        return [(k, t) for k, t, _ in self.rows()]

    def rows(self) -> list[tuple[str, str, str | None]]:
        """(key, title, content hash) of each stored article, in arrival order (SQLite itself)."""
        with sqlite3.connect(self.db) as con:
            rows = con.execute("SELECT key, title, content_hash FROM articles ORDER BY fetched, key").fetchall()
        con.close()
        return [(k, t, h) for k, t, h in rows]


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


def quake_of(doc: dict[str, Any]) -> dict[str, Any]:
    [story] = [s for s in doc["stories"] if "Taranaki" in s["title"] or "Taranaki" in s["lead"]["title"]]
    return story


def test_an_entry_updated_in_place_is_read_again_and_shown_developing_once(
    reader: Reader, capsys: pytest.CaptureFixture[str]
) -> None:
    """The site revised its quake report under the same guid the next morning (a death, a new
    lede, a new headline).  It was never read again: the stored text and lead stayed the first
    version's, and the second day's digest said "No new stories".  Now the revision is read as
    the outlet's new version of its article: the story is developing on the day it arrived,
    the revision leads with the new text, and it is new on that day only."""
    first = reader.run(DAY1, feed())
    assert quake_of(first)["status"] == "new"
    assert len(reader.articles()) == 2

    second = reader.run(DAY1 + timedelta(hours=14), feed((REVISED_TITLE, revised_text())))
    quake = quake_of(second)
    assert quake["status"] == "developing"
    assert quake["title"] == quake["lead"]["title"] == REVISED_TITLE
    assert DEATH in quake["lead"]["text"]
    assert quake["whats_new"].startswith(DEATH)  # the headline is the story's heading now
    assert [s["title"] for s in second["stories"]] == [quake["title"]]  # the council story is not news again
    assert quake["also"] == []  # the entry's first text is not listed beside it: its page says the new one
    assert (second["counts"]["articles_read"], second["counts"]["duplicates_collapsed"]) == (1, 0)
    assert len(reader.articles()) == 3

    # ``digest explain`` by the entry's id (as the JSON digest shows it) names its latest version
    capsys.readouterr()
    assert main(["explain", "quake-1", "--json", "--config", str(reader.config(DAY1 + timedelta(hours=14), ""))]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["lead"].endswith("~r001") and len(explained["versions"]) == 2

    # polled again, unchanged, the next day: nothing is read or shown again
    third = reader.run(DAY1 + timedelta(days=1, hours=14), feed((REVISED_TITLE, revised_text())))
    assert third["stories"] == []
    assert len(reader.articles()) == 3


@pytest.mark.parametrize("second", ["unchanged", "churn", "markup", "stamp"])
def test_an_entry_polled_again_unchanged_or_only_churned_shows_nothing(reader: Reader, second: str) -> None:
    """What is no news shows nothing and stores nothing: the same feed again, the report with
    a timestamp line, an advertisement slot and spaces added, its markup changed, or a time
    stamp of six words ending in a full stop above it (it was a passage of its own, new:
    ``furniture.BOILERPLATE`` now knows a line that is only a time stamp)."""
    opening = "The shaking woke the whole coast?\n" if second == "stamp" else ""  # a short first sentence
    reader.run(DAY1, feed((Q_TITLE, opening + Q_TEXT)))
    quake = {"unchanged": (Q_TITLE, Q_TEXT), "churn": (Q_TITLE, churned_text()), "markup": (Q_TITLE, Q_TEXT),
             "stamp": (Q_TITLE, "Updated November 11, 2026 7:02 a.m.\n" + opening + Q_TEXT)}[second]
    attrs = ' class="story-body__p" data-ad-slot="7"' if second == "markup" else ""
    doc = reader.run(DAY1 + timedelta(hours=14), feed(quake, attrs))
    assert doc["stories"] == []
    assert len(reader.articles()) == 2


def test_a_churned_entry_has_its_hash_recorded_and_is_not_cleaned_again(reader: Reader) -> None:
    """An immaterial change is recorded as the entry's content (its first article's hash), so
    the same churned text polled again is known before any cleaning; no article is added."""
    reader.run(DAY1, feed())
    before = {k: h for k, _, h in reader.rows()}
    reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, churned_text())))
    after = {k: h for k, _, h in reader.rows()}
    assert after.keys() == before.keys()
    [changed] = [k for k in after if after[k] != before[k]]
    assert after[changed] is not None and before[changed] is not None


def test_a_feed_changing_at_every_poll_makes_a_revision_per_interval(reader: Reader) -> None:
    """A live page: the item gains a sentence at every poll, every half hour for ten hours.
    Each change is material; read at every poll it would store twenty versions of one item.
    ``REVISION_INTERVAL_HOURS`` (4) reads it again only four hours after its latest version:
    two revisions, each with the text as it was then (the latest, not the first change)."""
    assert REVISION_INTERVAL_HOURS == 4
    reader.run(DAY1 - timedelta(hours=12), feed())
    for step in range(1, 21):
        text = Q_TEXT + "".join(f"\nUpdate {i}: {LIVE[i - 1]}" for i in range(1, step + 1))
        doc = reader.run(DAY1 - timedelta(hours=12) + timedelta(minutes=30 * step), feed((Q_TITLE, text)))
    # one day: the story is new, listed once as its latest text; the two earlier versions are
    # counted as duplicates collapsed (4 articles read = 2 stories + 2 duplicates)
    quake = quake_of(doc)
    assert (quake["status"], quake["also"]) == ("new", [])
    assert "Update 16:" in quake["lead"]["text"]
    assert (doc["counts"]["articles_read"], doc["counts"]["stories"], doc["counts"]["duplicates_collapsed"]) == (4, 2, 2)
    keys = [k for k, _ in reader.articles()]
    revisions = [k for k in keys if "~r" in k]
    assert [k[-5:] for k in revisions] == ["~r001", "~r002"]
    with sqlite3.connect(reader.db) as con:
        texts = [t for (t,) in con.execute("SELECT text FROM articles WHERE revision_of IS NOT NULL ORDER BY key")]
    con.close()
    assert "Update 8:" in texts[0] and "Update 9:" not in texts[0]  # read at 4 h: its eighth change
    assert "Update 16:" in texts[1] and "Update 17:" not in texts[1]


@pytest.mark.slow  # seconds by design (a `digest run` process killed mid-ingest): CI runs it (--run-slow), the README's run not
def test_a_run_killed_mid_ingest_leaves_the_revision_to_read_once(reader: Reader) -> None:
    """``digest run`` killed (``kill -9``) after it wrote the revision, before its commit: the
    store keeps neither the revision nor the entry's new hash, and the next run reads the
    revision, once."""
    reader.run(DAY1, feed())
    before = reader.rows()
    at = DAY1 + timedelta(hours=14)
    cfg = reader.config(at, feed((REVISED_TITLE, revised_text())))
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, signal, sys
        from digest.cli import main
        from digest.store.sqlite import SQLiteStore
        written = SQLiteStore.add_articles
        def add_and_die(self, *args, **kwargs):
            written(self, *args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)  # inside the source's transaction
        SQLiteStore.add_articles = add_and_die
        sys.exit(main(["run", "--config", {str(cfg)!r}, "--quiet"]))
    """)], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert child.returncode == -9, child.stderr
    assert reader.rows() == before

    doc = reader.run(at, feed((REVISED_TITLE, revised_text())))
    assert quake_of(doc)["status"] == "developing"
    assert len(reader.articles()) == 3
    reader.run(at + timedelta(hours=5), feed((REVISED_TITLE, revised_text())))
    assert len(reader.articles()) == 3


def test_a_store_written_before_content_hashes_upgrades_and_reads_updates(reader: Reader) -> None:
    """A store of schema version 9 (before this stop: no content hashes) is migrated when
    opened; the first poll records its entries' hashes and shows nothing again; an update
    after that is read."""
    reader.run(DAY1, feed())
    with sqlite3.connect(reader.db) as con:  # the same store as the digest before wrote it
        con.execute("DROP INDEX articles_revision_of")
        con.execute("ALTER TABLE articles DROP COLUMN revision_of")
        con.execute("ALTER TABLE articles DROP COLUMN content_hash")
        con.execute("DROP TABLE IF EXISTS pruned")  # a later version's (11)
        con.execute("DROP INDEX IF EXISTS articles_source_url")  # and 13's
        con.execute("DROP TRIGGER IF EXISTS articles_fts_spaced_delete")  # and 15's
        con.execute("DROP TABLE IF EXISTS articles_fts_spaced")
        con.execute("ALTER TABLE articles DROP COLUMN published_day")  # and 17's
        con.execute("ALTER TABLE articles DROP COLUMN links")  # and 18's
        con.execute("DROP TABLE IF EXISTS day_counts")  # and 19's
        con.execute("PRAGMA user_version=9")
    con.close()
    assert len(migrations.load("sqlite")) >= 10

    unchanged = reader.run(DAY1 + timedelta(hours=14), feed())
    assert unchanged["stories"] == []
    assert all(h is not None for _, _, h in reader.rows())
    with sqlite3.connect(reader.db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(migrations.load("sqlite"))
    con.close()
    doc = reader.run(DAY1 + timedelta(days=1, hours=14), feed((REVISED_TITLE, revised_text())))
    assert quake_of(doc)["status"] == "developing"
    assert quake_of(doc)["lead"]["title"] == REVISED_TITLE


def test_replay_reads_a_repeated_id_arriving_later_as_the_entry_updated_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backfill of a live-updated item holds its id twice: ``digest replay`` refused the
    second line ("duplicate id"), and two replays into one store showed nothing of it.  Now the
    repeat arriving the next day is the entry updated in place, read as a poll reads it; the
    same id repeated at the same arrival is still a bad line."""
    first = record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6))
    update = {**first, "title": REVISED_TITLE, "text": revised_text(), "arrived": (TUE + timedelta(days=1, hours=9)).isoformat()}
    again = {**first, "title": "Another text at the same arrival"}
    data, cfg = write_inputs(tmp_path, [first, update, again])
    assert main(["replay", str(data), "--config", str(cfg)]) == 1
    assert "week.jsonl:3: duplicate id 'quake-1' (of 'Coast News', arriving at the same time)" in capsys.readouterr().err
    assert digest_json(tmp_path, "2026-11-10")["stories"][0]["lead"]["title"] == Q_TITLE
    [quake] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert quake["status"] == "developing"
    assert quake["lead"]["title"] == REVISED_TITLE and DEATH in quake["lead"]["text"]


def test_an_entry_updated_in_place_is_shown_with_the_time_it_was_read_again(tmp_path: Path) -> None:
    """The revision keeps its entry's first publication time: Wednesday's digest showed the
    updated lead as "Coast News · Tue 10 Nov, 06:00 GMT · new", Tuesday's time on news read
    on Wednesday.  It now says when it was read again, in every output; Tuesday's digest and
    the other outlets keep their publication times, and the JSON its times as they are."""
    first = record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6))
    wire = record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9))
    update = {**first, "title": REVISED_TITLE, "text": revised_text(), "arrived": (TUE + timedelta(days=1, hours=9)).isoformat()}
    data, cfg = write_inputs(tmp_path, [first, wire, update])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    out = tmp_path / "out"
    def read(name: str) -> str:  # no-break spaces as spaces
        return (out / name).read_text(encoding="utf-8").replace("\u00a0", " ")

    tue, wed = read("digest-2026-11-10.md"), read("digest-2026-11-11.md")
    assert "**Coast News** · Tue 10 Nov, 06:00 GMT" in tue and "updated" not in tue
    assert "**Coast News** · updated Wed 11 Nov, 09:00 GMT · *new*" in wed
    assert "Opunake harbour wall collapses after 6.1 quake off Taranaki · Tue 10 Nov, 09:00 GMT" in wed
    import lxml.html

    page = lxml.html.document_fromstring(read("digest-2026-11-11.html")).text_content().replace("\u00a0", " ")
    assert "Coast News · updated Wed 11 Nov, 09:00 GMT · new" in page
    from digest.config import load_config
    from tests.support.web import site

    with site(load_config(cfg)) as s:  # the archive's story page: the revision's row says it too
        story = s.get(lxml.html.document_fromstring(s.get("/day/2026-11-11").text).xpath(
            "//a[starts-with(@href, '/story/')]/@href")[0]).text
    rows = [" ".join(li.text_content().split()) for li in lxml.html.document_fromstring(story).xpath(
        "//ul[@class='versions']/li")]
    assert any(r.startswith("Coast News (lead; revision") and "updated Wed 11 Nov, 09:00 GMT" in r for r in rows), rows
    assert any(r.startswith("Coast News (earlier text") and "Tue 10 Nov, 06:00 GMT" in r for r in rows), rows
    [quake] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert quake["lead"]["published"].startswith("2026-11-10T06:00") and quake["lead"]["arrived"].startswith("2026-11-11T09:00")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_both_stores_keep_an_entrys_hash_and_its_revisions(tmp_path: Path, make_app: MakeApp, backend: str) -> None:
    """SQLite and PostgreSQL (loopback, a throwaway schema) alike: the entry's hash as last
    polled on its first article, the revision under its own key naming the first, and the day's
    view showing the story developing."""
    where = nullcontext(f"sqlite:///{tmp_path / 'd.sqlite3'}") if backend == "sqlite" else pg_schema()
    with TestServer() as srv, where as url:
        srv.set("/coast.rss", feed())
        with make_app(tmp_path, {"Coast News": srv.url("/coast.rss")}, database=url, timezone="UTC",
                      fetch={"allow_hosts": ["127.0.0.1"]}) as app:
            assert app.run(now=DAY1).new_articles == 2
            key = article_key("Coast News", "quake-1", None, "", "")
            [first] = app.store.entry_revisions(key)
            assert first.content_hash is not None and first.revision_of is None
            srv.set("/coast.rss", feed((REVISED_TITLE, revised_text())))
            assert app.run(now=DAY1 + timedelta(hours=14)).new_articles == 1
            old, new = app.store.entry_revisions(key)
            assert (old.key, new.key, new.revision_of) == (key, f"{key}~r001", key)
            assert new.content_hash != first.content_hash
            assert app.store.content_hashes([key, "nothing"]) == {key: new.content_hash}
            assert app.run(now=DAY1 + timedelta(hours=20)).new_articles == 0
            view = app.build_view(date(2026, 11, 11))
            [quake] = view.stories
            assert (quake.status, quake.lead.title) == ("developing", REVISED_TITLE)


def test_a_line_an_earlier_version_held_as_site_furniture_is_no_news() -> None:
    """A line cut as furniture at the first read (a short lede at the text's edge) and kept at
    the next (a line added above moved the edge) was in the entry before: the copy test reads
    it among what the earlier versions said (GVC, an ad slot added: 1 of 152 read as revised
    without it, ``benchmarks.inplace``)."""
    lede = "Grief counselors will be on hand Wednesday morning at the elementary school after the death."
    first = StoredArticle(key="k", source="S", url=None, title=Q_TITLE, text=Q_TEXT, published=None, fetched=DAY1,
                          author=None, truncated=False, priority=0.0, junk=[lede], fingerprint=b"", story_id="k",
                          score=None, score_detail=None)
    later = Article(key="k", source="S", title=Q_TITLE, text=lede + "\n" + Q_TEXT)
    assert not adds_nothing(later, [first])
    assert adds_nothing(later, said([first]))


@pytest.mark.parametrize(("title", "news"), [
    ("Taranaki quake: harbour wall collapses at Opunake", False),  # the text's words: an A/B headline
    ("Opunake harbour closed for months after Taranaki quake", True),  # "closed", "months": not read
])
def test_a_headline_changed_alone_is_news_when_it_says_a_word_not_read(reader: Reader, title: str, news: bool) -> None:
    """The text unchanged, the headline rewritten: news when it says a word the reader has not
    read (the copy test's headline rule); a site's other headline of the same words is not."""
    reader.run(DAY1, feed())
    doc = reader.run(DAY1 + timedelta(hours=14), feed((title, Q_TEXT)))
    if news:
        quake = quake_of(doc)
        assert (quake["status"], quake["title"]) == ("developing", title)
    else:
        assert doc["stories"] == []
    assert len(reader.articles()) == 2 + news


@pytest.mark.scale
def test_a_postgresql_store_of_version_12_upgrades_keeping_its_articles(tmp_path: Path) -> None:
    """PostgreSQL's own migration (13, and 14 and 15 after it): a store of version 12 holding an article is upgraded
    when opened; the article reads back with no hash (recorded at the next poll) and no
    revision of anything."""
    need_postgres()  # before the import: without the scale extra (psycopg) this skips, as the others do
    from digest.store.postgres import PostgresStore

    with pg_schema() as url:
        with PostgresStore(url, migrations=migrations.load("postgresql")[:12]) as old:
            assert old.schema_version == 12
            with old.transaction():  # as the digest before wrote it (no content_hash column)
                old.db.execute("INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) "
                               "VALUES ('k', 'S', %s, %s, %s, '\\x00', 'k')", (Q_TITLE, Q_TEXT, DAY1))
        with PostgresStore(url) as new:
            assert new.schema_version == len(migrations.load("postgresql"))
            [row] = new.entry_revisions("k")
            assert (row.key, row.content_hash, row.revision_of) == ("k", None, None)
            assert new.set_content_hashes({"k": "h"}) == 1
            assert new.content_hashes(["k"]) == {"k": "h"}


@pytest.mark.parametrize(("text", "line"), [
    ("This article has been removed.", "Coast News removed its report"),
    ("Coast News has retracted this article. Its account of the harbour damage could not be verified.",
     "Coast News retracted its report"),
], ids=["removed", "retracted"])
def test_an_entry_replaced_in_place_by_its_outlets_notice_is_read(reader: Reader, text: str, line: str) -> None:
    """A site takes its report back by replacing the entry's text with a notice under the same
    guid and headline.  The notice adds no passage and no headline word, so the copy test read
    it as churn: nothing was shown and the report kept leading.  A notice
    (``digest.text.notices``) is read as the entry's revision whatever the copy test says."""
    reader.run(DAY1, feed())
    doc = reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, text)))
    quake = quake_of(doc)
    assert quake["status"] == "developing"
    assert quake["whats_new"] == line
    assert len(reader.articles()) == 3
