"""The whole pipeline on fixtures written for this project: real SQLite, real HTTP on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.config import parse_config
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
    from digest.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        parse_config(bad, path=tmp_path / "feeds.yaml")
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
        real_add = app.store.add_article
        calls = {"n": 0}

        def failing_add(article, *a, **k):  # type: ignore[no-untyped-def]
            if article.source == "Valley Wire":
                calls["n"] += 1
                if calls["n"] == 2:
                    raise RuntimeError("disk full")
            return real_add(article, *a, **k)

        monkeypatch.setattr(app.store, "add_article", failing_add)
        report = app.run(now=NOW)
        assert [e.kind for e in report.errors] == ["internal"] and "Valley Wire" in str(report.errors[0])
        stored = {row.key for row in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))}
        assert len(stored) == 2  # Coast News only: Valley Wire's first article was rolled back too
        assert set(app.engine._docs) == stored  # rebuilt from the store, no phantom
        assert all(app.store.get_story(s) is not None for s in app.engine.stories())

        monkeypatch.setattr(app.store, "add_article", real_add)
        assert app.run(now=NOW).new_articles == 2
        view = app.build_view(NOW.date())
        assert max(s.outlets for s in view.stories) == 2
        assert all(app.store.get_story(s) is not None for s in app.engine.stories())


def test_a_long_running_app_keeps_only_the_window_in_memory(tmp_path: Path, make_app: MakeApp) -> None:
    """The daemon's engine is rebuilt from the store once a day: old articles leave memory, not the store."""
    from datetime import timedelta

    from digest.app import ENGINE_RENEW, RunReport
    from digest.records import Entry

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
            assert "A source failed:\n\n- **Down &lt;b&gt;Daily&lt;/b&gt;**, failing since Tue\u00a017\u00a0Nov,\u00a012:00\u00a0UTC (2 failed tries): " in md
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
