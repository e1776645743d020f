"""The stores: SQLite on real files, and PostgreSQL on loopback for the shared contract.

Tests taking ``url`` or ``store`` run against both backends (PostgreSQL in a
throwaway schema; skipped without the server unless DIGEST_REQUIRE_SERVICES
is set); the others are about the SQLite file itself.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from digest.errors import StoreError
from digest.records import Article
from digest.store import migrations
from digest.store.base import BACKENDS, NewArticle, SourceState, Store, open_store, register_backend
from digest.store.sqlite import SQLiteStore
from tests.support.fixtures import T0
from tests.support.services import pg_schema

ROOT = Path(__file__).resolve().parents[1]
LATEST = len(migrations.load("sqlite"))


def art(key: str, source: str = "A", *, fetched: datetime = T0, published: datetime | None = None,
        title: str = "t") -> Article:
    return Article(key=key, source=source, title=title, text=f"text of {key}", url=f"https://x.test/{key}",
                   published=published, fetched=fetched, junk=["Share this"], priority=1.5, truncated=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store URL of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'd.sqlite3'}"
    else:
        with pg_schema() as pg:
            yield pg


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    s = open_store(url)
    yield s
    s.close()


def _child(code: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, text=True)


# -- schema ------------------------------------------------------------------
def test_fresh_store_is_wal_migrated_and_reopens_idempotently(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "deep" / "er" / "d.sqlite3"
    caplog.set_level(logging.INFO, logger="digest.store")
    with open_store(f"sqlite:///{path}") as s:
        # a new store is one line, not one per migration
        assert [r.getMessage() for r in caplog.records] == [f"{path}: new store (schema version {LATEST})"]
        assert isinstance(s, Store)
        assert s.schema_version == LATEST
        assert s.add_article(art("k1"), b"\x00fp\xff", "s1")
        s.update_story("s1")
        s.set_meta("hello", "world")
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sources", "articles", "stories", "digests", "deliveries", "meta"} <= tables
    raw.close()
    with SQLiteStore(path) as s:
        assert s.schema_version == LATEST
        assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        got = s.get_article("k1")
        assert got is not None and got.fingerprint == b"\x00fp\xff" and got.junk == ["Share this"]
        assert got.truncated and got.priority == 1.5 and got.fetched == T0
        assert s.get_meta("hello") == "world" and s.get_meta("nope") is None


def test_newer_schema_and_non_database_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    SQLiteStore(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={LATEST + 5}")
    raw.close()
    with pytest.raises(StoreError, match=r"newer digest \(schema version \d+, this one knows up to"):
        SQLiteStore(path)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a digest store, nor any SQLite database"):
        SQLiteStore(junk)


def test_version_1_store_upgrades_keeping_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="digest.store")
    path = tmp_path / "d.sqlite3"
    v1 = migrations.load("sqlite")[:1]
    with SQLiteStore(path, migrations=v1) as s:
        assert s.schema_version == 1
        for key, src in (("a", "A"), ("b", "B"), ("c", "B")):
            s.db.execute(
                "INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) "
                "VALUES(?, ?, 't', 'x', '2024-05-01T06:00:00.000000Z', x'00', 's1')", (key, src))
        s.db.execute("INSERT INTO stories VALUES('s1', '2024-05-01T06:00:00.000000Z', "
                     "'2024-05-01T06:00:00.000000Z', 'a')")
    with SQLiteStore(path) as s:
        assert s.schema_version == LATEST
        assert any(f"schema migrated to version {LATEST}" in r.getMessage() for r in caplog.records)
        story = s.get_story("s1")
        assert story is not None and (story.n_versions, story.n_sources, story.lead_key) == (3, 2, "a")
        assert s.get_source_state("none") is None


def test_failed_migration_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    broken = [*migrations.load("sqlite"),
              migrations.Migration(LATEST + 1, "broken", "CREATE TABLE half(a);\nCREATE TABLE oops(;\n")]
    with pytest.raises(StoreError, match=rf"migration {LATEST + 1} \(broken\) failed"):
        SQLiteStore(path, migrations=broken)
    with SQLiteStore(path) as s:
        assert s.schema_version == LATEST
        assert s.db.execute("SELECT count(*) FROM sqlite_master WHERE name='half'").fetchone()[0] == 0


def test_statement_splitting_respects_literals() -> None:
    m = migrations.Migration(1, "x", "-- c\nINSERT INTO t VALUES('a;b');\n\nCREATE TABLE u(a);\n")
    assert m.statements() == ["INSERT INTO t VALUES('a;b');", "CREATE TABLE u(a);"]


# -- opening by URL --------------------------------------------------------------
def test_open_store_dispatches_by_scheme(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path}/a.db", f"sqlite:////{str(tmp_path).lstrip('/')}/a.db",
                str(tmp_path / "a.db")):
        with open_store(url) as s:
            assert isinstance(s, SQLiteStore) and s.path == tmp_path / "a.db"
    with pytest.raises(StoreError, match="needs an absolute path"):
        open_store("sqlite://relative.db")
    with pytest.raises(StoreError, match=r"unknown database kind 'mysql' \(known: .*sqlite"):
        open_store("mysql://h/db")
    with pytest.raises(StoreError) as err:
        open_store("postgresql://me:s3cret@127.0.0.1:1/digest")  # nothing listens on port 1
    # without psycopg: "not available"; with it: the connection error, password hidden
    assert "s3cret" not in str(err.value) and "me:***@" in str(err.value)
    assert "not available" in str(err.value) or "cannot connect" in str(err.value)
    seen: list[str] = []

    def fake(url: str) -> Store:
        seen.append(url)
        return SQLiteStore(tmp_path / "fake.db")

    register_backend("fake", fake)
    try:
        open_store("fake+driver://x").close()
    finally:
        del BACKENDS["fake"]
    assert seen == ["fake+driver://x"]


# -- sources -----------------------------------------------------------------
def test_source_state_round_trip_and_location_change_resets(store: Store) -> None:
    store.sync_sources([("B", "https://b.test/feed"), ("A", "/feeds/a.xml")])
    st = store.get_source_state("B")
    assert st is not None and st.failures == 0 and not st.paused
    st.etag, st.last_modified, st.permanent_url = '"e1"', "Wed, 01 May 2024", "https://b2.test/feed"
    st.failures, st.first_failure_at, st.last_error, st.error_kind = 3, T0, "B: timeout", "timeout"
    st.paused, st.paused_reason = True, "gone"
    st.next_poll_at, st.retry_after_until, st.last_ok_at = T0 + timedelta(hours=1), T0, T0
    store.save_source_state(st)
    assert store.get_source_state("B") == st
    store.sync_sources([("B", "https://b.test/feed")])  # unchanged location keeps state
    assert store.get_source_state("B") == st
    store.sync_sources([("B", "https://new.test/feed")])
    fresh = store.get_source_state("B")
    assert fresh is not None and fresh.location == "https://new.test/feed"
    assert (fresh.etag, fresh.permanent_url, fresh.failures, fresh.paused) == (None, None, 0, False)
    assert [s.name for s in store.list_source_states()] == ["A", "B"]
    store.save_source_state(SourceState("C", "/c"))
    assert "C: ok, last ok never" in str(store.get_source_state("C"))


# -- articles and stories ------------------------------------------------------
def test_duplicate_article_is_not_stored_twice(store: Store) -> None:
    assert store.add_article(art("k1", title="first"), b"1", "s1") is True
    assert store.add_article(art("k1", title="second"), b"2", "s2") is False
    got = store.get_article("k1")
    assert got is not None and (got.title, got.fingerprint, got.story_id) == ("first", b"1", "s1")
    res = store.add_articles([(art("k2"), b"x", "s3"), (art("k2"), b"y", "s3"), (art("k1"), b"z", "s3")])
    assert res == [True, False, False]
    assert store.has_articles(["k1", "k2", "k3", "k2"]) == {"k1", "k2"}
    assert store.has_article("k2") and not store.has_article("k3")
    store.add_article(art("k4", source="B"), b"4", "s4")
    assert store.has_articles(["k1", "k4", "k5"], source="A") == {"k1"}  # stored by that source
    assert store.has_articles(["k1", "k4"], source="B") == {"k4"}
    assert store.get_story("s3") is not None and store.get_story("s3").n_versions == 1  # type: ignore[union-attr]


def test_batch_is_all_or_nothing(store: Store) -> None:
    store.add_articles([NewArticle(art("old"), b"o", "s0", 0.5, {"why": "x"})])
    bad = [
        NewArticle(art("n1"), b"1", "s1", 0.9, {"ok": 1}),
        NewArticle(art("n2"), b"2", "s0", 0.8, {"ok": 2}),
        NewArticle(art("n3"), b"3", "s1", 0.7, {"not json": object()}),
    ]
    with pytest.raises(TypeError):
        store.add_articles(bad)
    assert store.has_articles(["n1", "n2", "n3"]) == set()
    assert store.get_story("s1") is None
    assert store.get_story("s0").n_versions == 1  # type: ignore[union-attr]
    # a failing step inside a caller's transaction undoes the earlier steps too
    with pytest.raises(RuntimeError), store.transaction():
        store.add_article(art("n4"), b"4", "s4")
        store.update_story("s4")
        raise RuntimeError("crash mid-run")
    assert not store.has_article("n4") and store.get_story("s4") is None
    # an inner block that fails and is caught undoes only itself
    with store.transaction():
        store.add_article(art("n5"), b"5", "s5")
        with pytest.raises(StoreError), store.transaction():
            store.add_article(art("n6"), b"6", "s6")
            store.update_story("s7")  # no versions: refused
        store.update_story("s5")
    assert store.has_articles(["n5", "n6"]) == {"n5"} and store.get_story("s5") is not None


def test_add_articles_sets_story_rows_leads_merges_and_scores(store: Store) -> None:
    day2 = T0 + timedelta(days=1)
    store.add_articles([
        NewArticle(art("a1", "A", fetched=day2), b"a", "sA", 0.4, {"len": 10}),
        NewArticle(art("a2", "B", fetched=T0), b"b", "sA", 0.9, {"len": 90}),
        NewArticle(art("b1", "C", fetched=day2), b"c", "sB", None, None),
    ])
    sa = store.get_story("sA")
    assert sa is not None and sa.first_seen == T0 and sa.lead_key == "a2"  # best score leads
    assert (sa.n_versions, sa.n_sources) == (2, 2)
    # a new article joins sB and merges sA into it; the engine names the lead
    store.add_articles([NewArticle(art("b2", "A", fetched=day2), b"d", "sB", 0.5, {})],
                       merges=[("sB", "sA")], leads={"sB": "a1"})
    assert store.get_story("sA") is None
    sb = store.get_story("sB")
    assert sb is not None and (sb.first_seen, sb.lead_key, sb.n_versions, sb.n_sources) == (T0, "a1", 4, 3)
    assert {v.key for v in store.story_versions("sB")} == {"a1", "a2", "b1", "b2"}
    assert store.update_scores("sB", {"b1": (0.7, {"len": 70}), "zz": (1.0, {})}) == 1
    b1 = store.get_article("b1")
    assert b1 is not None and (b1.score, b1.score_detail) == (0.7, {"len": 70})
    store.set_lead("sB", "b1")
    assert store.get_story("sB").lead_key == "b1"  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="not one of its versions"):
        store.set_lead("sB", "nope")
    # fingerprints made again at a rebuild are written back; an unknown key changes nothing
    assert store.save_fingerprints({"a1": b"\x01new", "zz": b"\x01x"}) == 1
    a1, a2 = store.get_article("a1"), store.get_article("a2")
    assert a1 is not None and a2 is not None and (a1.fingerprint, a2.fingerprint) == (b"\x01new", b"b")


def test_latest_fetched_between_is_the_newest_arrival_in_the_window(store: Store) -> None:
    """The archive's page of a day built on request says when its latest article arrived."""
    start, end = T0, T0 + timedelta(days=1)
    assert store.latest_fetched_between(start, end) is None
    store.add_articles([
        (art("before", fetched=start - timedelta(seconds=1)), b"", "s1"),
        (art("in1", fetched=start), b"", "s1"),
        (art("in2", fetched=start + timedelta(hours=5)), b"", "s2"),
        (art("at-end", fetched=end), b"", "s3"),  # [start, end): the next day's
    ])
    assert store.latest_fetched_between(start, end) == start + timedelta(hours=5)
    assert store.latest_fetched_between(start, start + timedelta(hours=1)) == start
    assert store.latest_fetched_between(end, end + timedelta(days=1)) == end


def test_articles_since_is_index_backed_and_dates_by_published_else_fetched(store: Store) -> None:
    old, recent = T0 - timedelta(days=30), T0 + timedelta(hours=1)
    store.add_articles([
        (art("old-pub", published=old, fetched=recent), b"1", "s1"),  # published long ago
        (art("undated", fetched=recent), b"2", "s2"),
        (art("new-pub", published=T0 + timedelta(minutes=5), fetched=recent), b"3", "s3"),
        (art("ancient", fetched=old), b"4", "s4"),
    ])
    got = list(store.articles_since(T0))
    # "old-pub", read since though dated long before, is a backlog the engine compares too: first
    assert [a.key for a in got] == ["old-pub", "new-pub", "undated"]
    assert got[1].fingerprint == b"3" and got[1].story_id == "s3" and got[1].text
    assert [a.key for a in store.articles_since(T0, until=(T0, T0 + timedelta(days=1)))] == []  # none read by T0
    assert [a.key for a in store.articles_since(T0 - timedelta(days=31))] == ["ancient", "old-pub", "new-pub",
                                                                               "undated"]
    assert all(a.text == "" for a in store.articles_since(T0, with_text=False))
    if not isinstance(store, SQLiteStore):
        db = store.db  # type: ignore[attr-defined]
        db.execute("SET enable_seqscan = off")  # a tiny table: ask for the index path
        db.execute("SET enable_bitmapscan = off")
        plan = " ".join(r["QUERY PLAN"] for r in db.execute(
            "EXPLAIN SELECT key FROM articles WHERE coalesce(published, fetched) >= now() "
            "ORDER BY coalesce(published, fetched), key"))
        assert "articles_window" in plan and "Sort" not in plan, plan
        plan = " ".join(r["QUERY PLAN"] for r in db.execute(  # the backlog: by when it was read
            "EXPLAIN SELECT key FROM articles WHERE fetched >= now() "
            "AND coalesce(published, fetched, fetched) < now()"))
        assert "articles_fetched" in plan, plan
        return
    plan = " ".join(str(r[3]) for r in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT key FROM articles WHERE coalesce(published, fetched) >= ? "
        "ORDER BY coalesce(published, fetched), key", ("x",)))
    assert "USING INDEX articles_window" in plan and "TEMP B-TREE" not in plan
    for sql, index in (
        ("SELECT * FROM stories WHERE first_seen >= ? AND first_seen < ?", "stories_first_seen"),
        ("SELECT count(*) FROM articles WHERE fetched >= ? AND fetched < ?", "articles_fetched"),
        ("SELECT key FROM articles WHERE fetched >= ? AND coalesce(published, fetched, fetched) < ?", "articles_fetched"),
        ("SELECT key FROM articles WHERE story_id=?", "articles_story"),
    ):
        args = ("x", "y")[: sql.count("?")]
        plan = " ".join(str(r[3]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        assert index in plan, (sql, plan)


def test_articles_are_found_by_their_entry_id_through_an_index(store: Store) -> None:
    from dataclasses import replace

    store.add_articles([
        (replace(art("ka"), guid="md-904"), b"1", "s1"),
        (replace(art("kb", "B"), guid="md-904"), b"2", "s2"),  # feed ids are unique within a feed only
        (replace(art("kc"), guid="md-905"), b"3", "s3"),
        (art("kd"), b"4", "s4"),
    ])
    assert store.keys_of_guid("md-904") == ["ka", "kb"]
    assert store.keys_of_guid("md-905") == ["kc"]
    assert store.keys_of_guid("kd") == [] and store.keys_of_guid("md-90") == []
    sql = "SELECT key FROM articles WHERE guid='md-904'"
    if isinstance(store, SQLiteStore):
        plan = " ".join(str(r[3]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {sql}"))
    else:
        db = store.db  # type: ignore[attr-defined]
        db.execute("SET enable_seqscan = off")  # a tiny table: ask for the index path
        plan = " ".join(r["QUERY PLAN"] for r in db.execute(f"EXPLAIN {sql}"))
    assert "articles_guid" in plan, plan


def test_a_days_stories_with_versions_and_counts(store: Store) -> None:
    start, end = T0, T0 + timedelta(days=1)
    store.add_articles([
        (art("y1", fetched=start - timedelta(minutes=1)), b"", "yesterday"),
        (art("d1", "A", fetched=start), b"", "s1", 0.9, {}),
        (art("d2", "B", fetched=start + timedelta(hours=2)), b"", "s1", 0.2, {}),
        (art("d3", "A", fetched=start + timedelta(hours=3)), b"", "s1", 0.1, {}),
        (art("d4", "C", fetched=end - timedelta(seconds=1)), b"", "s2", 0.5, {}),
        (art("t1", "C", fetched=end), b"", "tomorrow"),
    ])
    # a late version of yesterday's story is read today but stays in yesterday's story
    store.add_articles([(art("y2", "B", fetched=start + timedelta(hours=1)), b"", "yesterday")])
    stories = store.stories_first_seen_between(start, end)
    assert [s.id for s in stories] == ["s1", "s2"]
    assert stories[0].lead_key == "d1" and [v.key for v in store.story_versions("s1")] == ["d1", "d2", "d3"]
    assert store.count_articles_fetched_between(start, end) == 5
    counts = store.day_counts(start, end)
    assert (counts.articles_read, counts.stories, counts.duplicates) == (5, 2, 2)


# -- digests and deliveries ------------------------------------------------------
def test_digests_listed_newest_first(store: Store) -> None:
    store.record_digest("2024-05-01", "md", "/o/1.md", 3, articles_read=10, duplicates=2)
    store.record_digest("2024-05-02", "html", "/o/2.html", 5)
    store.record_digest("2024-05-01", "md", "/o/1b.md", 4, articles_read=11, duplicates=1)
    assert store.list_digest_dates() == [("2024-05-02", 5), ("2024-05-01", 4)]
    rec = store.get_digest("2024-05-01", "md")
    assert rec is not None and (rec.path, rec.stories, rec.articles_read, rec.duplicates) == ("/o/1b.md", 4, 11, 1)
    assert store.get_digest("2024-05-01", "html") is None


def test_a_delivery_is_never_claimed_twice(url: str) -> None:
    with open_store(url) as a, open_store(url) as b:
        assert a.claim_delivery("2024-05-01", "me@x.test")
        assert not b.claim_delivery("2024-05-01", "me@x.test")  # fresh pending claim
        a.set_message_id("2024-05-01", "me@x.test", "<m1@digest>")
        # the sender died: after the timeout the claim may be taken over, same Message-ID kept
        assert b.claim_delivery("2024-05-01", "me@x.test", stale_after=0)
        d = b.get_delivery("2024-05-01", "me@x.test")
        assert d is not None and (d.status, d.attempts, d.message_id) == ("pending", 2, "<m1@digest>")
        b.mark_sent("2024-05-01", "me@x.test", "<m1@digest>")
        b.mark_failed("2024-05-01", "me@x.test", "late error")  # never downgrades 'sent'
        for s in (a, b):
            assert not s.claim_delivery("2024-05-01", "me@x.test", stale_after=0)
        assert a.delivery_status("2024-05-01", "me@x.test") == "sent"
        # a failed attempt may be retried, other targets and days are independent
        assert a.claim_delivery("2024-05-01", "you@x.test")
        a.mark_failed("2024-05-01", "you@x.test", "SMTP 451")
        assert a.get_delivery("2024-05-01", "you@x.test").last_error == "SMTP 451"  # type: ignore[union-attr]
        assert b.claim_delivery("2024-05-01", "you@x.test")
        assert a.claim_delivery("2024-05-02", "me@x.test")
        with pytest.raises(StoreError, match="not claimed"):
            a.set_message_id("2024-05-03", "me@x.test", "<m2@digest>")
        # every target tried on a day, whatever its state: 'sent' and 'pending' on 1 May
        assert [(d.target, d.status) for d in b.deliveries_on("2024-05-01")] == [
            ("me@x.test", "sent"), ("you@x.test", "pending")]
        assert [d.target for d in b.deliveries_on("2024-05-02")] == ["me@x.test"]
        assert b.deliveries_on("2024-05-04") == []


# -- processes -----------------------------------------------------------------
def test_exclusive_lock_refuses_another_process_until_it_is_killed(url: str) -> None:
    open_store(url).close()
    child = _child(f"""
        import time
        from digest.store.base import open_store
        s = open_store({url!r})
        with s.exclusive("daemon"):
            print("locked", flush=True)
            time.sleep(60)
    """)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with open_store(url) as s:
            busy = rf"another digest daemon is already running \(pid {child.pid}\)"
            with pytest.raises(StoreError, match=busy), s.exclusive("daemon"):
                pass
            assert s.acquire_lock("other")  # a different name is free
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            # a server drops the lock when it notices the closed connection (promptly, not synchronously)
            deadline = time.monotonic() + 5
            while not s.acquire_lock("daemon") and time.monotonic() < deadline:
                time.sleep(0.02)
            s.release_lock("daemon")
            with s.exclusive("daemon"):
                assert s.lock_holder("daemon") == str(os.getpid())  # type: ignore[attr-defined]
            assert s.acquire_lock("daemon")
            s.release_lock("daemon")
    finally:
        child.kill()
        child.wait()


@pytest.mark.slow  # seconds by design (a writer process killed with kill -9): CI runs it (--run-slow), the README's run not
def test_kill_9_mid_writes_leaves_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    SQLiteStore(path).close()
    for round_ in range(5):
        child = _child(f"""
            from datetime import UTC, datetime
            from digest.records import Article
            from digest.store.sqlite import SQLiteStore
            s = SQLiteStore({str(path)!r})
            now = datetime.now(UTC)
            for n in range(100000):
                sid = "r{round_}-" + str(n)
                items = [(Article(key=f"{{sid}}-{{i}}", source=f"S{{i % 3}}", title="t", text="x" * 4000,
                                  fetched=now), bytes(200), sid, i / 20, {{"i": i}}) for i in range(20)]
                s.add_articles(items)
                print(n, flush=True)
        """)
        assert child.stdout is not None
        for _ in range(3 + 2 * round_):
            assert child.stdout.readline()
        time.sleep(0.005 + 0.01 * round_)  # land somewhere inside a later batch
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        with SQLiteStore(path) as s:
            assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows = s.db.execute(
                "SELECT s.id, s.n_versions, count(a.key) FROM stories s "
                "LEFT JOIN articles a ON a.story_id = s.id GROUP BY s.id").fetchall()
            assert rows and all(n == c == 20 for _, n, c in rows)
            orphans = s.db.execute(
                "SELECT count(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)").fetchone()[0]
            assert orphans == 0
            assert sum(1 for r in rows if r[0].startswith(f"r{round_}-")) >= 3 + 2 * round_


def test_moving_an_article_splits_a_story_and_drops_an_emptied_one(store: Store) -> None:
    early = T0 - timedelta(hours=5)
    store.add_article(art("a1", fetched=early), b"1", "S")
    store.add_article(art("a2", "B"), b"2", "S")
    store.update_story("S", first_seen=early)
    store.move_article("a2", "a2")  # split off: a new story, first seen when a2 arrived
    moved = store.get_story("a2")
    assert moved is not None and moved.first_seen == T0 and moved.lead_key == "a2"
    assert moved.n_versions == 1 and store.get_story("S").n_versions == 1  # type: ignore[union-attr]
    assert [a.key for a in store.story_versions("S")] == ["a1"]
    assert [a.key for a in store.story_versions("a2")] == ["a2"]
    store.move_article("a1", "a2")  # S is empty now: gone
    assert store.get_story("S") is None
    assert sorted(a.key for a in store.story_versions("a2")) == ["a1", "a2"]
    store.move_article("a1", "a2")  # already there: nothing changes
    with pytest.raises(StoreError, match="nope: not stored"):
        store.move_article("nope", "a2")


def test_a_batch_with_moves_stores_what_the_per_article_writes_store(store: Store) -> None:
    """``add_articles`` with each item's moves, the last lead and scores of each touched story and
    ``first_seen`` leaves the rows that writing each article's changes as it came leaves (``App.ingest``)."""
    early = T0 - timedelta(hours=5)
    # (new article, its story, moves, touched stories with lead and scores, stories gone)
    steps = [
        ("x1", "X1", (), {"X1": ("x1", {"x1": 0.5})}, ()),
        ("x2", "X1", (), {"X1": ("x2", {"x1": 0.4, "x2": 0.9})}, ()),
        ("x3", "x3", (("x1", "x3"),), {"X1": ("x2", {"x2": 0.8}), "x3": ("x3", {"x1": 0.3, "x3": 0.7})}, ()),
        ("x4", "x3", (("x2", "x3"),), {"x3": ("x2", {"x1": 0.2, "x2": 0.6, "x3": 0.5, "x4": 0.1})}, ("X1",)),
        ("x5", "P", (), {"P": ("p0", {"p0": 0.9, "x5": 0.2})}, ()),
        ("x6", "x6", (("p0", "x6"),), {"P": ("x5", {"x5": 0.3}), "x6": ("x6", {"p0": 0.5, "x6": 0.4})}, ()),
    ]

    def run(p: str, *, batch: bool) -> None:
        store.add_article(art(p + "p0", "B", fetched=early), b"0", p + "P")
        store.update_story(p + "P", first_seen=early)
        items: list[NewArticle] = []
        saves: dict[str, tuple[str, dict[str, tuple[float, dict[str, float]]]]] = {}
        for key, sid, moves, touched, gone in steps:
            moved = tuple((p + k, p + s) for k, s in moves)
            rows = {p + s: (p + lead, {p + k: (v, {"v": v}) for k, v in sc.items()}) for s, (lead, sc) in touched.items()}
            if batch:
                items.append(NewArticle(art(p + key, key[-1]), key.encode(), p + sid, moves=moved))
                for s in gone:
                    saves.pop(p + s, None)
                saves.update(rows)
                continue
            store.add_article(art(p + key, key[-1]), key.encode(), p + sid)
            for k, s in moved:
                store.move_article(k, s)
            for s, (lead, sc) in rows.items():
                store.save_story(s, lead_key=lead, first_seen=T0, scores=sc)
        if batch:
            assert all(store.add_articles(items, leads={s: lead for s, (lead, _) in saves.items()},
                                          scores={s: sc for s, (_, sc) in saves.items()}, first_seen=T0))

    def rows(p: str) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for st in store.stories_first_seen_between(early - timedelta(days=1), T0 + timedelta(days=1)):
            if st.id.startswith(p):
                out.append((st.id[1:], st.first_seen, st.lead_key[1:], st.n_versions, st.n_sources))
                out += [(a.key[1:], a.story_id[1:], a.score, a.score_detail) for a in store.story_versions(st.id)]
        return out

    run("s", batch=False)
    run("b", batch=True)
    assert rows("b") == rows("s")
    assert sorted(r[0] for r in rows("b") if len(r) == 5) == ["P", "x3", "x6"]  # X1 is gone
    first = {s: store.get_story("b" + s).first_seen for s in ("P", "x3", "x6")}  # type: ignore[union-attr]
    # x6 split off P with P's first version (p0): first seen when p0 arrived; P, left with x5
    assert first == {"P": T0, "x3": T0, "x6": early}


def test_add_meta_keeps_the_first_writers_value(store: Store, url: str) -> None:
    """A day's kept hours and its seal are written once, by whichever process comes first: a
    second writer (a daemon on the old zone, a run on the new one) leaves the first value, where
    set_meta replaces it; on both backends, and from another connection too."""
    store.add_meta("begins:2026-12-03", "2026-12-03T00:00:00+00:00")
    store.add_meta("begins:2026-12-03", "2026-12-02T15:00:00+00:00")
    assert store.get_meta("begins:2026-12-03") == "2026-12-03T00:00:00+00:00"
    other = open_store(url)
    try:
        other.add_meta("begins:2026-12-03", "2026-12-02T15:00:00+00:00")
        other.add_meta("sealed:2026-12-02", "x")
    finally:
        other.close()
    assert store.get_meta("begins:2026-12-03") == "2026-12-03T00:00:00+00:00"
    assert store.get_meta("sealed:2026-12-02") == "x"
    store.set_meta("begins:2026-12-03", "y")
    assert store.get_meta("begins:2026-12-03") == "y"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_lock_held_sees_another_process_lock_without_taking_it(tmp_path: Path, backend: str) -> None:
    """``Store.lock_held`` (a hand ``digest send`` asks whether a daemon runs, stop 61): False when
    nobody holds the lock, True while another store (another process's) holds it, and asking
    takes nothing: the holder's release leaves it free for a daemon starting."""
    from contextlib import ExitStack

    from digest.store.base import open_store

    with ExitStack() as stack:
        if backend == "postgresql":
            from tests.support.services import pg_schema

            url = stack.enter_context(pg_schema())
        else:
            url = f"sqlite:///{tmp_path / 'digest.sqlite3'}"
        daemon, sender = stack.enter_context(open_store(url)), stack.enter_context(open_store(url))
        assert not sender.lock_held("daemon")
        assert daemon.acquire_lock("daemon")
        assert sender.lock_held("daemon") and daemon.lock_held("daemon")
        daemon.release_lock("daemon")
        assert not sender.lock_held("daemon")
        assert daemon.acquire_lock("daemon")  # the look took nothing
        daemon.release_lock("daemon")
