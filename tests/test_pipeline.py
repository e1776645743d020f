"""The whole pipeline on fixtures written for this project: real SQLite, real HTTP on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from digest.app import App
from digest.output.sanitize import find_active_content
from tests.support.config import MakeApp
from tests.support.fixtures import NOW, local_sources
from tests.support.httpd import TestServer

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
#: The fixtures are dated November 2026; the engine is rebuilt from the articles
#: of the window before *now*, so tests that reopen use a window that keeps them.
WIDE = "dedup:\n  window_days: 36500\n"


def test_run_groups_copies_keeps_events_apart_and_reports_the_broken_source(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path, local_sources()) as app:
        report = app.run(now=NOW)
        assert [e.kind for e in report.errors] == ["not-a-feed"]
        assert str(report.errors[0]).startswith("Garbage: not a feed") and "garbage.xml" not in str(report.errors[0])
        assert "\n" not in str(report.errors[0])  # named as configured, not by its path
        assert report.new_articles == 4
        view = app.build_view(NOW.date())
        assert view.articles_read == 4
        quake = [s for s in view.stories if "Opunake" in s.lead.text]
        assert len(quake) == 1 and quake[0].outlets == 2
        assert len(view.stories) == 3 and view.duplicates_collapsed == 1
        # ordered by number of outlets first
        assert view.stories[0] is quake[0]
        # junk and script never reach the lead
        lead = quake[0].lead.text
        assert "Leave a Reply" not in lead and "Share this" not in lead and "alert(1)" not in lead
        html = app.render(day=NOW.date(), fmt="html")
        assert find_active_content(html) == []
        data = json.loads(app.render(day=NOW.date(), fmt="json"))
        assert len(data["stories"]) == 3
        # a second run stores nothing twice
        again = app.run(now=NOW)
        assert again.new_articles == 0


def test_store_survives_reopen_and_engine_is_rebuilt_from_fingerprints(tmp_path: Path, make_app: MakeApp) -> None:
    one = "  - name: Coast News\n    path: " + str(FEEDS / "coast.rss") + "\n"
    with make_app(tmp_path, one, WIDE) as app:
        app.run(now=datetime.now(UTC))
    both = one + "  - name: Valley Wire\n    path: " + str(FEEDS / "valley.atom") + "\n"
    with make_app(tmp_path, both, WIDE) as app:
        report = app.run(now=datetime.now(UTC))
        assert report.new_articles == 2
        states = {s.name: s for s in app.store.list_source_states()}
        assert states["Valley Wire"].failures == 0
        view = app.build_view(datetime.now(UTC).date())
        assert max(s.outlets for s in view.stories) == 2


def test_http_sources_conditional_get_and_a_failing_feed_next_to_a_good_one(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv:
        srv.set(
            "/coast.rss",
            (FEEDS / "coast.rss").read_bytes(),
            headers={"Content-Type": "application/rss+xml"},
            etag='"v1"',
        )
        srv.set("/missing.rss", b"nope", status=404)
        sources = (
            f"  - name: Coast News\n    url: {srv.url('/coast.rss')}\n"
            f"  - name: Gone Daily\n    url: {srv.url('/missing.rss')}\n"
        )
        extra = "fetch:\n  allow_hosts: ['127.0.0.1']\n"
        with make_app(tmp_path, sources, extra) as app:
            first = app.run(now=NOW)
            assert first.new_articles == 2
            assert [e.kind for e in first.errors] == ["http-404"]
            assert "Gone Daily" in str(first.errors[0])
            second = app.run(now=NOW)
            assert second.not_modified == 1 and second.new_articles == 0
            coast = [r for r in srv.requests if r.path.startswith("/coast.rss")]
            assert coast[-1].headers.get("If-None-Match") == '"v1"'
            gone = app.store.get_source_state("Gone Daily")
            assert gone is not None and gone.failures == 2 and gone.error_kind == "http-404"


def test_loopback_is_refused_without_allowlist(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv:
        srv.set("/coast.rss", (FEEDS / "coast.rss").read_bytes())
        with make_app(tmp_path, f"  - name: C\n    url: {srv.url('/coast.rss')}\n") as app:
            report = app.run(now=NOW)
        assert [e.kind for e in report.errors] == ["blocked-address"]
        assert srv.hits["/coast.rss"] == 0


def test_write_digest_files_and_json_shape(tmp_path: Path, make_app: MakeApp) -> None:
    with make_app(tmp_path, local_sources()) as app:
        app.run(now=NOW)
        paths = app.write_digest(day=NOW.date(), formats=("md", "html", "json"))
        assert [p.name for p in paths] == [f"digest-{NOW.date()}.{f}" for f in ("md", "html", "json")]
        data = json.loads(paths[2].read_text())
        story = data["stories"][0]
        assert set(story) >= {"title", "lead", "also"}
        assert set(story["lead"]) >= {"source", "url", "title", "text"}
        assert all(set(a) >= {"source", "url", "title"} for a in story["also"])
        md = paths[0].read_text()
        assert "Opunake" in md and "also reported by" in md.lower()


@pytest.mark.parametrize("bad", ["sources: [{name: x}]", "sources:\n  - name: x\n    path: /no/such/file\n"])
def test_bad_config_is_one_clear_line(tmp_path: Path, bad: str) -> None:
    """A missing path is one when the store opens (stop 39: one read before, a drive not
    mounted, is the source's failure, not the configuration's)."""
    from digest.app import open_app
    from digest.errors import ConfigError

    (tmp_path / "feeds.yaml").write_text(bad.rstrip() + f"\ndata_dir: {tmp_path / 'data'}\n")
    with pytest.raises(ConfigError) as exc, open_app(tmp_path / "feeds.yaml"):
        pass
    assert "\n" not in str(exc.value) and "feeds.yaml" in str(exc.value)


def test_file_times_do_not_close_the_dedup_window(tmp_path: Path, make_app: MakeApp) -> None:
    """A saved article dated only by its file time still joins a feed's story days apart."""
    import os

    folder = tmp_path / "saved"
    folder.mkdir()
    art = folder / "quake.txt"
    art.write_text(
        "Opunake harbour wall collapses after 6.1 quake off Taranaki\n"
        + (Path(__file__).parent / "fixtures" / "stories" / "quake_a2.txt").read_text().split("\n", 1)[1]
    )
    old = datetime(2026, 11, 2, tzinfo=UTC).timestamp()  # 15 days before the feed's items
    os.utime(art, (old, old))
    sources = f"  - name: Coast News\n    path: {FEEDS / 'coast.rss'}\n  - name: Saved\n    path: {folder}\n"
    with make_app(tmp_path, sources) as app:
        assert app.run(now=NOW).errors == []
        view = app.build_view(NOW.date())
    quake = [s for s in view.stories if "Opunake" in s.lead.text]
    assert len(quake) == 1 and quake[0].outlets == 2
    saved = next(v for v in [quake[0].lead, *quake[0].also] if v.source == "Saved")
    assert saved.published is not None and saved.published.date().isoformat() == "2026-11-02"


def test_a_rolled_back_ingest_leaves_no_phantom_story_in_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: MakeApp
) -> None:
    """The store rolls back a failed source; the in-memory engine must not keep its articles."""
    one = "  - name: Coast News\n    path: " + str(FEEDS / "coast.rss") + "\n"
    both = one + "  - name: Valley Wire\n    path: " + str(FEEDS / "valley.atom") + "\n"
    with make_app(tmp_path, both, WIDE) as app:
        real_insert = app.store._insert  # type: ignore[attr-defined]
        calls = {"n": 0}

        def failing_insert(item, now):  # type: ignore[no-untyped-def]
            if item.article.source == "Valley Wire":
                calls["n"] += 1
                if calls["n"] == 2:
                    raise RuntimeError("disk full")
            return real_insert(item, now)

        monkeypatch.setattr(app.store, "_insert", failing_insert)
        report = app.run(now=NOW)
        assert [e.kind for e in report.errors] == ["internal"] and "Valley Wire" in str(report.errors[0])
        stored = {row.key for row in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))}
        assert len(stored) == 2  # Coast News only: Valley Wire's first article was rolled back too
        engine = app.engine  # rebuilt from the store, no phantom
        assert len(engine) == len(stored) and all(k in engine for k in stored)
        assert all(app.store.get_story(s) is not None for s in app.engine.stories())

        monkeypatch.setattr(app.store, "_insert", real_insert)
        assert app.run(now=NOW).new_articles == 2
        view = app.build_view(NOW.date())
        assert max(s.outlets for s in view.stories) == 2
        assert all(app.store.get_story(s) is not None for s in app.engine.stories())


def test_a_long_running_app_keeps_only_the_window_in_memory(tmp_path: Path, make_app: MakeApp) -> None:
    """The daemon's engine is rebuilt from the store once a day: old articles leave memory, not the store."""
    from datetime import timedelta

    from digest.app import RunReport
    from digest.records import Entry
    from digest.service.clustering import ENGINE_RENEW

    text = (FEEDS.parent / "stories" / "quake_a1.txt").read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    src_cfg = "  - name: Coast News\n    path: " + str(FEEDS / "coast.rss") + "\n"
    with make_app(tmp_path, src_cfg, "dedup:\n  window_days: 1\n") as app:
        src = app.cfg.sources[0]

        def ingest(n: int, when: datetime) -> None:
            entry = Entry(source=src.name, title=f"{title} ({n})", url=f"https://coast.example/{n}",
                          entry_id=f"e{n}", text=body, published=when)
            app.ingest(src, [entry], fetched=when, report=RunReport())

        t0 = NOW - timedelta(days=30)
        ingest(1, t0)
        old_key = app.store.articles_since(t0 - timedelta(days=1)).__next__().key
        ingest(2, t0 + ENGINE_RENEW / 2)
        assert old_key in app.engine and len(app.engine) == 2  # the same engine, within a day
        ingest(3, t0 + timedelta(days=5))
        assert old_key not in app.engine and len(app.engine) == 1  # rebuilt: only the window
        assert app.store.get_article(old_key) is not None  # nothing stored is lost
        ingest(4, t0 + timedelta(days=5, hours=1))
        keys = [a.key for a in app.store.articles_since(t0 + timedelta(days=4))]
        assert len(keys) == 2 and app.engine.story_of(keys[0]) == app.engine.story_of(keys[1])
        # quiet days after the engine was built: the next article meets an engine of its window.
        # The day counted from the engine's second use, so one built before a quiet week served
        # it whole (every article of the week before still in memory)
        quiet = t0 + timedelta(days=12)
        ingest(5, quiet)
        recent = next(iter(app.store.articles_since(quiet - timedelta(hours=1)))).key
        app.drop_engine()
        ingest(6, quiet + timedelta(hours=2))  # builds the engine: articles 5 and 6
        ingest(7, quiet + timedelta(days=6))
        assert recent not in app.engine and len(app.engine) == 1


def test_the_digest_names_the_sources_that_failed_and_since_when(tmp_path: Path, make_app: MakeApp) -> None:
    """A real failing feed on loopback: the digest's footer names it, with the time it began
    failing; when every source fails, the digest says so instead of "No new stories"."""
    with TestServer() as srv:
        srv.set("/coast.rss", (FEEDS / "coast.rss").read_bytes(), headers={"Content-Type": "application/rss+xml"})
        srv.set("/down.rss", b"down for maintenance", status=503)
        extra = "fetch:\n  allow_hosts: ['127.0.0.1']\n"
        sources = (
            f"  - name: Coast News\n    url: {srv.url('/coast.rss')}\n"
            f"  - name: Down <b>Daily</b>\n    url: {srv.url('/down.rss')}\n"
        )
        with make_app(tmp_path / "one", sources, extra) as app:
            app.run(now=NOW)
            app.run(now=NOW.replace(hour=15))
            view = app.build_view(NOW.date())
            assert [(f.name, f.since, f.failures) for f in view.failing] == [("Down <b>Daily</b>", NOW, 2)]
            assert "503" in view.failing[0].error and not view.failing[0].error.startswith("Down")
            assert view.stories and not view.all_failed
            md = app.render(day=NOW.date(), fmt="md")
            assert "A source failed:\n\n- **Down &lt;b>Daily&lt;/b>**, failing since Tue\u00a017\u00a0Nov,\u00a012:00\u00a0UTC (2 failed tries): " in md
            html = app.render(day=NOW.date(), fmt="html")
            assert find_active_content(html) == []
            label = lxml.html.document_fromstring(html).find_class("failing-label")[0]
            item = " ".join(label.getnext().text_content().split())
            assert item.startswith("Down <b>Daily</b>, failing since Tue 17 Nov, 12:00 UTC (2 failed tries): ")
            assert json.loads(app.render(day=NOW.date(), fmt="json"))["failing_sources"][0]["failures"] == 2
            # the day before it began failing: not named
            assert app.build_view(NOW.date().replace(day=16)).failing == []
        down = f"  - name: Down Daily\n    url: {srv.url('/down.rss')}\n  - name: Also Down\n    url: {srv.url('/gone.rss')}\n"
        with make_app(tmp_path / "all", down, extra) as app:
            app.run(now=NOW)
            view = app.build_view(NOW.date())
            assert view.all_failed and len(view.failing) == 2
            md = app.render(day=NOW.date(), fmt="md")
            assert "**Every source failed**: nothing could be read, so there are no stories." in md
            assert "No new stories" not in md and "Sources that failed:" in md
        with make_app(tmp_path / "ok", sources.splitlines(keepends=True)[0] + sources.splitlines(keepends=True)[1], extra) as app:
            app.run(now=NOW)
            assert app.build_view(NOW.date()).failing == []
            assert "failed" not in app.render(day=NOW.date(), fmt="md")


@contextmanager
def _down_on_its_day(tmp_path: Path, make_app: MakeApp) -> Iterator[tuple[TestServer, App]]:
    """Coast News reads and Down Daily answers 503 twice on ``NOW``'s day, whose digest is
    written (as `digest run` does after reading); the server and the app, open."""
    with TestServer() as srv:
        srv.set("/coast.rss", (FEEDS / "coast.rss").read_bytes(), headers={"Content-Type": "application/rss+xml"})
        srv.set("/down.rss", b"down for maintenance", status=503)
        sources = f"  - name: Coast News\n    url: {srv.url('/coast.rss')}\n  - name: Down Daily\n    url: {srv.url('/down.rss')}\n"
        with make_app(tmp_path, sources, "fetch:\n  allow_hosts: ['127.0.0.1']\n") as app:
            app.run(now=NOW)
            app.run(now=NOW.replace(hour=15))
            app.write_digests(day=NOW.date())  # as `digest run` does after reading
            yield srv, app


def test_a_past_days_page_still_names_the_feed_that_failed_that_day_once_it_reads_again(
    tmp_path: Path, make_app: MakeApp,
) -> None:
    """The store keeps only a source's current run of failures: once the feed read again, the
    archive's page of the day it failed (a rebuild of that day) stopped naming it, though the
    day's email and files had.  What the day's digest named is recorded when it is written."""
    with _down_on_its_day(tmp_path, make_app) as (srv, app):
        srv.set("/down.rss", (FEEDS / "coast.rss").read_bytes(), headers={"Content-Type": "application/rss+xml"})
        nxt = NOW + timedelta(days=1)
        app.run(now=nxt)
        app.write_digests(day=nxt.date())
        assert app.build_view(nxt.date()).failing == []  # it reads again: not named on its new day
        view = app.build_view(NOW.date())
        assert [(f.name, f.since, f.failures) for f in view.failing] == [("Down Daily", NOW, 2)]
        assert "503" in view.failing[0].error
        assert "A source failed:" in app.render(day=NOW.date(), fmt="md")
        # and the day before it failed names nothing
        assert app.build_view(NOW.date() - timedelta(days=1)).failing == []


# -- identity is scoped to the source (issue #21) -------------------------------------------------
REAL = (
    "Central bank holds its rate at 4.25 percent",
    "The Reserve Bank of Harbourland held its official cash rate at 4.25 percent on Monday, as "
    "economists had expected. Governor Anna Kowalczyk said inflation of 2.9 percent was moving back "
    "towards the target band and that the bank would watch the housing market closely. Mortgage "
    "lenders Westshore and Pacific Mutual said their fixed rates would stay where they are. The next "
    "decision is due on 14 December, when the bank also publishes new forecasts.",
)
FAKE = (
    "FAKE: Central bank collapses overnight",
    "Savers queued outside every branch in the capital after the central bank was said to have run "
    "out of money in the night. Cash machines were empty by dawn, a post shared thousands of times "
    "claimed, and soldiers guarded the doors of the treasury. Share it before they delete it, the post "
    "ended. No official confirmed any of it.",
)
VICTIM = "https://gazette.example/news/rates"


def feed(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (title, text, link) items without guids, dated on NOW's day."""
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    parts = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<pubDate>{format_datetime(NOW)}</pubDate><description>{escape(x)}</description></item>"
        for t, x, link in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
            f"<link>https://f.example/</link>{parts}</channel></rss>").encode()


def two_feeds(srv: TestServer, first: list[tuple[str, str, str]], second: list[tuple[str, str, str]]) -> str:
    srv.set("/first.rss", feed(first), headers={"Content-Type": "application/rss+xml"})
    srv.set("/second.rss", feed(second), headers={"Content-Type": "application/rss+xml"})
    return (f"  - name: Rumour Mill\n    url: {srv.url('/first.rss')}\n"
            f"  - name: Harbour Gazette\n    url: {srv.url('/second.rss')}\n")


LOOPBACK = "fetch:\n  allow_hosts: ['127.0.0.1']\n"


def test_a_source_cannot_replace_another_sources_article_by_using_its_link(tmp_path: Path, make_app: MakeApp) -> None:
    """A source listed first publishes an item linking the victim's URL (with a tracking tag):
    the victim's real article is stored and leads its own story; the fake is the liar's own."""
    with TestServer() as srv:
        sources = two_feeds(srv, [(*FAKE, VICTIM + "?utm_source=rumour")], [(*REAL, VICTIM)])
        with make_app(tmp_path, sources, LOOPBACK) as app:
            report = app.run(now=NOW)
            assert report.errors == [] and report.new_articles == 2
            view = app.build_view(NOW.date())
            again = app.run(now=NOW)
    assert again.new_articles == 0  # each is known the next time
    by_source = {s.lead.source: s for s in view.stories}
    assert set(by_source) == {"Rumour Mill", "Harbour Gazette"} and len(view.stories) == 2
    real = by_source["Harbour Gazette"]
    assert real.lead.title == REAL[0] and real.lead.url == VICTIM and real.also == []
    assert by_source["Rumour Mill"].lead.title.startswith("FAKE")


def test_the_same_link_from_two_sources_is_two_versions_of_one_story(tmp_path: Path, make_app: MakeApp) -> None:
    """Identity is per source (issue #21); two feeds carrying one page word for word (an
    outlet and a copier) are two outlets: the copy never stands for the outlet's own."""
    with TestServer() as srv:
        sources = two_feeds(srv, [(*REAL, VICTIM + "?utm_medium=rss")], [(*REAL, VICTIM)])
        with make_app(tmp_path, sources, LOOPBACK) as app:
            assert app.run(now=NOW).new_articles == 2
            assert app.run(now=NOW).new_articles == 0
            view = app.build_view(NOW.date())
    assert len(view.stories) == 1 and view.stories[0].outlets == 2


def _pre_21_key(source: str, entry_id: str | None, url: str | None, title: str, text: str) -> str:
    """``article_key`` as digest computed it before issue #21 (link keys shared by all sources)."""
    import hashlib
    import re

    from digest.text.identity import canonical_url

    def h(kind: str, *parts: str) -> str:
        return kind + hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]

    if entry_id and entry_id.strip():
        return h("i", source, entry_id.strip())
    if url and re.match(r"^https?://", url.strip(), re.I):
        return h("u", canonical_url(url))
    return h("c", source, re.sub(r"\s+", " ", f"{title}\n{text}".lower()).strip())


def test_a_store_written_with_the_old_keys_keeps_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: MakeApp) -> None:
    """After the upgrade the articles stored under the old link keys are known (nothing is stored
    again), except where another source had taken the link: the victim's article is stored then."""
    import digest.articles
    import digest.text.prepare

    other = ("Ferry runs aground near Kestrel Point",
             "The ferry Aurora ran aground on a sandbar near Kestrel Point in thick fog on Monday morning. "
             "All 212 passengers and 14 crew were safe and were taken ashore by lifeboats from Halden. "
             "The operator said the hull was not breached and that the vessel would be towed off at high "
             "tide. The maritime authority has opened an inquiry into the ship's course.",
             "https://gazette.example/news/ferry")
    with TestServer() as srv:
        sources = two_feeds(srv, [(*FAKE, VICTIM + "?utm_source=rumour")], [(*REAL, VICTIM), other])
        with monkeypatch.context() as old:
            old.setattr(digest.articles, "article_key", _pre_21_key)
            old.setattr(digest.text.prepare, "article_key", _pre_21_key)
            with make_app(tmp_path, sources, LOOPBACK + WIDE) as app:
                before = app.run(now=NOW)
        assert before.new_articles == 2  # the fake took the victim's key; the ferry report is stored
        with make_app(tmp_path, sources, LOOPBACK + WIDE) as app:
            keys = {r.key for r in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))}
            assert _pre_21_key("Harbour Gazette", None, other[2], "", "") in keys
            after = app.run(now=NOW)
            assert after.errors == [] and after.new_articles == 1  # the victim's, at last; nothing again
            assert app.run(now=NOW).new_articles == 0
            rows = list(app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC)))
            view = app.build_view(NOW.date())
    assert sorted((r.source, r.title) for r in rows) == sorted(
        [("Rumour Mill", FAKE[0]), ("Harbour Gazette", other[0]), ("Harbour Gazette", REAL[0])]
    )
    assert {s.lead.title for s in view.stories} == {FAKE[0], other[0], REAL[0]}


def test_one_page_read_through_two_sources_is_listed_once(tmp_path: Path) -> None:
    """A source renamed ("Town Times" → "Town Times News") read its feed again: each entry was
    new to the new name, stored again, and its story listed the same link twice as two
    outlets, or came back as "developing" the next day with nothing new (since stop 47 its
    entries are known under the name they were read by).  Two sources on one
    feed: each story listed its one page twice.  Now a page read twice through one channel
    (link, title and text) is listed once, the repeats counted as collapsed duplicates, and a
    story with nothing new but a repeat is not shown."""
    from digest.app import open_app

    items = [(*REAL, "https://town.example/rates"), (*FAKE, "https://town.example/fake")]
    (tmp_path / "town.rss").write_bytes(feed(items))
    cfg_path = tmp_path / "feeds.yaml"
    cfg_path.write_text("timezone: UTC\nsources:\n  - name: Town Times\n    path: town.rss\n")
    day1, day2 = NOW, NOW + timedelta(days=1)
    with open_app(cfg_path) as app:
        app.run(now=day1)
        first = app.build_view(day1.date())
    assert len(first.stories) == 2 and all(not s.also for s in first.stories)
    cfg_path.write_text(cfg_path.read_text().replace("Town Times", "Town Times News"))
    with open_app(cfg_path) as app:
        # known under the name they were read by (stop 47: stored again under the new one)
        assert app.run(now=day2).new_articles == 0
        second = app.build_view(day2.date())
        assert second.stories == [] and second.articles_read == 0
        # the archive's day 1 names the outlet as it is called now, as search and the story pages
        # do: one outlet, one name (stop 46: a story of both days listed it under both)
        assert [s.lead.source for s in app.build_view(day1.date()).stories] == ["Town Times News"] * 2

    both = tmp_path / "both"
    both.mkdir()
    (both / "town.rss").write_bytes(feed(items))
    (both / "feeds.yaml").write_text(
        "timezone: UTC\nsources:\n  - name: Town feed\n    path: town.rss\n  - name: Town page\n    path: town.rss\n")
    with open_app(both / "feeds.yaml") as app:
        app.run(now=day1)
        view = app.build_view(day1.date())
        assert len(view.stories) == 2 and all(not s.also and s.outlets == 1 for s in view.stories)
        assert view.articles_read == 4 and view.duplicates_collapsed == 2
        md = app.write_digest(day=day1.date(), formats=("md",))[0].read_text()
    assert md.count("https://town.example/rates") == 1


def test_a_past_days_page_names_a_feed_still_failing_as_that_days_digest_did(
    tmp_path: Path, make_app: MakeApp,
) -> None:
    """A feed that kept failing after its day: the archive's page of that day said today's
    count of tries and today's error ("(3 failed tries): HTTP 500") where the day's digest
    had said "(2 failed tries): ... 503".  The day's page says what the day's digest said; the
    later day's, what holds now."""
    with _down_on_its_day(tmp_path, make_app) as (srv, app):
        srv.set("/down.rss", b"broken", status=500)
        nxt = NOW + timedelta(days=1)
        app.run(now=nxt)
        app.write_digests(day=nxt.date())
        later = app.build_view(nxt.date()).failing
        assert [(f.name, f.since, f.failures) for f in later] == [("Down Daily", NOW, 3)]
        assert "500" in later[0].error
        view = app.build_view(NOW.date())
        assert [(f.name, f.since, f.failures) for f in view.failing] == [("Down Daily", NOW, 2)]
        assert "503" in view.failing[0].error and "500" not in view.failing[0].error
        assert "(2 failed tries)" in app.render(day=NOW.date(), fmt="md")
