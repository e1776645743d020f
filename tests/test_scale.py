"""Beyond one machine: PostgreSQL store + Redis index + several worker processes, on loopback.

Every test runs against the real servers (a throwaway schema and Redis key
prefix each) and skips with the reason when they are unreachable, or fails
when DIGEST_REQUIRE_SERVICES is set (``.ci/run`` sets it).  Workers are real
processes (multiprocessing, spawn) unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.app import App
from digest.config import Config, SourceConfig, load_config
from digest.dedup.engine import Engine
from digest.dedup.fingerprint import Fingerprint, fingerprint
from digest.dedup.index import MemoryIndex
from digest.dedup.index_redis import RedisIndex, open_index
from digest.errors import ConfigError, DigestError, StoreError
from digest.service.workers import WorkerApp, owner, partition, run_worker, slot_run
from digest.store.base import open_store
from tests.support.examples import DAY, copy_examples
from tests.support.services import need_redis_client, pg_schema, redis_prefix

pytestmark = pytest.mark.scale

NOW = datetime.combine(DAY, datetime.min.time(), UTC).replace(hour=20)
ALL_TIME = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def pg() -> Iterator[str]:
    with pg_schema() as url:
        yield url


@pytest.fixture
def rd() -> Iterator[str]:
    with redis_prefix() as url:
        yield url


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("examples"))


def stories(url: str) -> dict[str, frozenset[str]]:
    """story id -> its article keys, as stored."""
    with open_store(url) as s:
        return {st.id: frozenset(v.key for v in s.story_versions(st.id))
                for st in s.stories_first_seen_between(*ALL_TIME)}


def leads(url: str) -> dict[str, str]:
    with open_store(url) as s:
        return {st.id: st.lead_key for st in s.stories_first_seen_between(*ALL_TIME)}


def _config(path: Path, database: str, index: str | None) -> Config:
    cfg = load_config(path)
    cfg.database, cfg.index = database, index
    return cfg


def _worker(path: str, database: str, index: str | None, i: int, n: int, run: str | None,
            start: Any, out: Any) -> None:
    """A worker process: wait for the start signal, one pass, report."""
    cfg = _config(Path(path), database, index)
    with open_store(database) as store:
        start.wait(30)
        report = run_worker(cfg, store, index=i, of=n, run=run, now=NOW, stall=60)
    out.put((i, report.new_articles, [str(e) for e in report.errors]))


def run_processes(path: Path, database: str, index: str | None, n: int, run: str | None) -> list[tuple[Any, ...]]:
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(path), database, index, i, n, run, start, out))
             for i in range(n)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    return sorted(results)


# -- partition -------------------------------------------------------------------
def test_every_source_has_exactly_one_worker_and_adding_one_moves_no_other() -> None:
    srcs = [SourceConfig(name=f"feed {i}", url=f"https://f{i}.test/rss") for i in range(40)]
    parts = [partition(srcs, i, 3) for i in range(3)]
    names = [s.name for part in parts for s in part]
    assert sorted(names) == sorted(s.name for s in srcs) and len(names) == len(set(names))
    assert all(parts), "40 sources over 3 workers: nobody idle"
    assert [s.name for s in parts[0]] == [s.name for s in srcs if owner(s.name, 3) == 0]  # config order
    more = [*srcs, SourceConfig(name="new feed", url="https://new.test/rss")]
    assert all({s.name for s in partition(more, i, 3)} - {"new feed"} == {s.name for s in parts[i]}
               for i in range(3))
    with pytest.raises(DigestError, match=r"0 \.\. 2"):
        partition(srcs, 3, 3)
    with pytest.raises(DigestError, match="at least one"):
        partition(srcs, 0, 0)


def test_time_slots_name_runs_alike_on_every_machine() -> None:
    t = datetime(2026, 11, 20, 10, 7, 30, tzinfo=UTC).timestamp()
    name, nxt = slot_run(600, t)
    assert name == "slot-20261120T100000Z" and nxt == datetime(2026, 11, 20, 10, 10, tzinfo=UTC).timestamp()
    assert slot_run(600, t + 100)[0] == name and slot_run(600, nxt)[0] != name


# -- the Redis index ------------------------------------------------------------------
def test_redis_index_proposes_what_the_memory_index_proposes(rd: str) -> None:
    red = open_index(rd, 0.08)
    assert isinstance(red, RedisIndex)
    mem = MemoryIndex(0.08)
    eng = Engine()
    texts = {
        "a": ("Harbor ferry strike ends", "The ferry strike in Harbor ended on Monday after talks with the union."),
        "b": ("Ferry strike over in Harbor", "Harbor ferry workers ended their strike Monday after union talks."),
        "c": ("Council approves library fees", "Northgate council voted to raise library late fees next year."),
    }
    fps = {k: fingerprint(t, b, eng.idf) for k, (t, b) in texts.items()}
    for k, fp in fps.items():
        red.insert(k, fp)
        red.insert(k, fp)  # a worker replaying the log inserts again: no duplicate
        mem.insert(k, fp)
    for fp in fps.values():
        assert sorted(set(red.query(fp))) == sorted(mem.query(fp))
    assert "a" in sorted(red.query(fps["b"]))
    red.remove("a")
    red.remove("a")  # absent: no error
    assert "a" not in red and "a" not in set(red.query(fps["b"]))
    # a second handle on the same basename (another machine) sees the same index
    other = open_index(rd, 0.08)
    assert sorted(other.query(fps["c"])) == sorted(red.query(fps["c"])) and "c" in set(other.query(fps["c"]))
    # what one handle inserts and removes, the other sees
    other.insert("d", fps["a"])
    assert "d" in set(red.query(fps["a"])) and "d" in red
    red.remove("d")
    assert "d" not in set(other.query(fps["a"])) and "d" not in other
    assert red.clear() > 0 and "b" not in other


def test_index_url_is_validated_with_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    for bad, why in (("redis://127.0.0.1:6379/x", "database must be a number"),
                     ("http://127.0.0.1:6379/0", "expected redis://"),
                     ("redis://127.0.0.1:6379/0?base=x", r"unknown option base \("),
                     ("redis://127.0.0.1:6379/0?base=x&ttl=1", "unknown options base, ttl")):
        cfg.write_text(f"title: t\nindex: {bad!r}\n")
        with pytest.raises(ConfigError, match=rf"feeds.yaml:2: index: .*{why}"):
            load_config(cfg)


@pytest.mark.slow  # redis-py retries a refused connection with backoff: ~4 s
def test_an_unreachable_index_is_a_clear_error() -> None:
    need_redis_client()  # without the scale extra: skipped, naming it
    with pytest.raises(DigestError, match="cannot reach Redis"):
        open_index("redis://127.0.0.1:1/0", 0.08)  # nothing listens on port 1


def test_without_the_redis_client_the_index_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "redis", None)  # what a machine without the scale extra has
    with pytest.raises(DigestError, match=r"Redis client is not installed \(pip install 'digest\[scale\]'\)"):
        open_index("redis://127.0.0.1:1/0", 0.08)


# -- the shared log ---------------------------------------------------------------------
def test_the_log_replays_articles_and_merges_in_order(pg: str) -> None:
    from digest.records import Article

    def art(key: str) -> Article:
        return Article(key=key, source="S", title=key, text="x", fetched=NOW)

    with open_store(pg) as s:
        log = s  # PostgresStore is a SharedLog
        assert log.log_head() == 0  # type: ignore[attr-defined]
        s.add_article(art("a1"), b"1", "A")
        s.update_story("A")
        s.add_article(art("b1"), b"2", "B")
        s.update_story("B")
        with s.transaction():
            s.add_article(art("a2"), b"3", "A")
            s.merge_stories(keep="A", drop="B")
        entries = log.log_after(0)  # type: ignore[attr-defined]
        kinds = [(e.article.key, e.article.story_id) if e.article else ("merge", e.keep, e.drop) for e in entries]
        assert kinds == [("a1", "A"), ("b1", "A"), ("a2", "A"), ("merge", "A", "B")]
        s.move_article("b1", "b1")  # a regrouping splits b1 off: logged as a move
        last = log.log_after(entries[-1].seq)  # type: ignore[attr-defined]
        assert [(e.moved, e.keep, e.drop) for e in last] == [("b1", "b1", "A")]
        assert [e.seq for e in entries] == sorted(e.seq for e in entries)
        assert log.log_after(entries[1].seq)[0].article.key == "a2"  # type: ignore[attr-defined]
        with pytest.raises(StoreError, match="needs a transaction"):
            log.cluster_lock()  # type: ignore[attr-defined]


def test_the_logs_since_keeps_a_backlog_read_since_and_leaves_out_what_was_dated_and_read_before(pg: str) -> None:
    """``log_after(since=)`` is what a worker's engine is rebuilt from: as ``articles_since``, an
    article dated before ``since`` but read at or after it (a source's backlog) is in it."""
    from digest.records import Article

    def art(key: str, published: datetime | None, fetched: datetime) -> Article:
        return Article(key=key, source="S", title=key, text="x", published=published, fetched=fetched)

    since = NOW - timedelta(days=60)
    with open_store(pg) as s:
        s.add_article(art("old", since - timedelta(days=400), since - timedelta(days=1)), b"1", "A")
        s.add_article(art("backlog", since - timedelta(days=400), since + timedelta(days=1)), b"2", "B")
        s.add_article(art("recent", NOW - timedelta(hours=2), NOW), b"3", "C")
        s.add_article(art("undated", None, NOW), b"4", "D")
        got = [e.article.key for e in s.log_after(0, since=since) if e.article]  # type: ignore[attr-defined]
        assert got == ["backlog", "recent", "undated"]


def test_sqlite_refuses_workers_with_a_clear_reason(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/d.sqlite3") as s, pytest.raises(DigestError, match="PostgreSQL"):
        WorkerApp(Config(), s, index=0, of=2)


def test_a_run_is_bound_to_its_source_list(pg: str) -> None:
    with open_store(pg) as s:
        assert s.get_turn("r1", "abc").next == 0  # type: ignore[attr-defined]
        s.set_turn("r1", 3)  # type: ignore[attr-defined]
        s.set_turn("r1", 2)  # type: ignore[attr-defined]  never backwards
        assert s.get_turn("r1", "abc").next == 3  # type: ignore[attr-defined]
        with pytest.raises(StoreError, match="another list of sources"):
            s.get_turn("r1", "other")  # type: ignore[attr-defined]


# -- the race ------------------------------------------------------------------------------
def _event(r: int) -> str:
    """Round r's story: words of its own (rounds share none), long enough to fingerprint."""
    import random

    rng = random.Random(r)
    words = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(60)]
    return " ".join(w.capitalize() if i % 9 == 0 else w for i, w in enumerate(words)) + "."


def _entry(source: str, r: int):  # type: ignore[no-untyped-def]
    from digest.records import Entry

    text = _event(r)
    return Entry(source=source, title=" ".join(text.split()[:6]), url=f"https://{source.lower()}.test/{r}",
                 entry_id=f"{source}-{r}", content_html=f"<p>{text}</p>", published=NOW + timedelta(minutes=r))


def _race(pg: str, cfg: Config, new_app: Any, rounds: int) -> dict[str, str]:
    """Two threads (own connections) ingest copies of round r's story, released together."""
    from digest.app import RunReport

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with open_store(pg) as store:
                app = new_app(cfg, store)
                src = next(s for s in cfg.sources if s.name == name)
                for r in range(rounds):
                    barrier.wait(30)
                    app.ingest(src, [_entry(name, r)], fetched=NOW, report=RunReport())
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with open_store(pg) as s:
        return {v.url: sid for sid, keys in stories(pg).items() for k in keys
                if (v := s.get_article(k)) is not None and v.url}


def test_two_workers_with_copies_of_one_story_at_the_same_moment_make_one_story(pg: str, rd: str) -> None:
    cfg = Config(sources=[SourceConfig(name="A", url="https://a.test/rss"),
                          SourceConfig(name="B", url="https://b.test/rss")], database=pg, index=rd)
    rounds = 10
    story_of = _race(pg, cfg, lambda c, s: WorkerApp(c, s, index=0, of=1), rounds)
    assert len(story_of) == 2 * rounds
    for r in range(rounds):
        assert story_of[f"https://a.test/{r}"] == story_of[f"https://b.test/{r}"], f"round {r}: two stories"
    assert len(set(story_of.values())) == rounds, "different rounds are different stories"


def test_without_the_lock_and_catch_up_the_race_makes_two_stories(pg: str) -> None:
    """The control: single-process Apps clustering as before issue #21 (no lock, no check that
    another process stored since their engine was built) split the story."""
    cfg = Config(sources=[SourceConfig(name="A", url="https://a.test/rss"),
                          SourceConfig(name="B", url="https://b.test/rss")], database=pg)

    class Unchecked(App):
        @contextmanager
        def clustering(self, src: SourceConfig) -> Iterator[Engine]:
            with self.unit():
                yield self.engine

    def stale_app(c: Config, s: Any) -> App:
        app = Unchecked(c, s)
        assert len(app.engine) == 0  # built before the race: it never sees the other's article
        return app

    story_of = _race(pg, cfg, stale_app, 1)
    assert story_of["https://a.test/0"] != story_of["https://b.test/0"]


def test_plain_apps_racing_on_one_database_make_one_story(pg: str) -> None:
    """``App`` (``digest run``, the daemon) takes the clustering lock and rebuilds an engine that
    another process's writes made stale: copies stored at the same moment join one story."""
    cfg = Config(sources=[SourceConfig(name="A", url="https://a.test/rss"),
                          SourceConfig(name="B", url="https://b.test/rss")], database=pg)

    def app(c: Config, s: Any) -> App:
        made = App(c, s)
        assert len(made.engine) == 0  # built before the race
        return made

    rounds = 5
    story_of = _race(pg, cfg, app, rounds)
    for r in range(rounds):
        assert story_of[f"https://a.test/{r}"] == story_of[f"https://b.test/{r}"], f"round {r}: two stories"
    assert len(set(story_of.values())) == rounds


def test_a_long_running_worker_keeps_only_the_window_in_memory(pg: str) -> None:
    """A worker's engine is rebuilt from the shared log once a day, as the daemon's is: old
    articles leave memory, not the store, and the rebuilt engine still joins copies."""
    from digest.app import RunReport
    from digest.service.clustering import ENGINE_RENEW

    cfg = Config(sources=[SourceConfig(name="A", url="https://a.test/rss"),
                          SourceConfig(name="B", url="https://b.test/rss")], database=pg)
    cfg.dedup.window_days = 1
    t0 = NOW - timedelta(days=30)
    with open_store(pg) as store:
        app = WorkerApp(cfg, store, index=0, of=1)
        a, b = cfg.sources

        def ingest(src: SourceConfig, r: int, when: datetime) -> str:
            """Round r's story from ``src``, fetched and published at ``when``: its key."""
            entry = dataclasses.replace(_entry(src.name, r), published=when)
            app.ingest(src, [entry], fetched=when, report=RunReport())
            return next(v.key for v in store.articles_since(when) if v.url == entry.url)

        first = ingest(a, 0, t0)
        ingest(a, 1, t0 + ENGINE_RENEW / 2)
        assert first in app.engine and len(app.engine) == 2  # the same engine, within a day
        later = ingest(a, 2, t0 + timedelta(days=5))
        assert first not in app.engine and len(app.engine) == 1  # rebuilt: only the window
        assert store.get_article(first) is not None  # nothing stored is lost
        copy = ingest(b, 2, t0 + timedelta(days=5, hours=1))
        assert app.engine.story_of(copy) == app.engine.story_of(later)
        assert stories(pg)[app.engine.story_of(later)] == {later, copy}
        # quiet days after the engine was built: its day counts from the build, not its next use
        app.drop_engine()
        quiet = ingest(a, 3, t0 + timedelta(days=12))  # builds the engine
        ingest(a, 4, t0 + timedelta(days=18))
        assert quiet not in app.engine and len(app.engine) == 1


def test_a_workers_catch_up_stores_the_fingerprints_it_made_again(pg: str) -> None:
    """A fingerprint of another format (stored before a format change) is made again from the
    text when a worker restores it, and written back: the next worker reads it as stored."""
    from digest.dedup.params import FINGERPRINT_VERSION
    from digest.runreport import RunReport

    cfg = Config(sources=[SourceConfig(name="A", url="https://a.test/rss")], database=pg)
    src = cfg.sources[0]
    with open_store(pg) as store:
        first = WorkerApp(cfg, store, index=0, of=1)
        for r in (0, 1):
            first.ingest(src, [_entry("A", r)], fetched=NOW, report=RunReport())
        rows = list(store.articles_since(ALL_TIME[0]))
        want = {r.key: r.fingerprint for r in rows}
        stale, _current = rows
        store._run("UPDATE articles SET fingerprint=? WHERE key=?", (want[stale.key][1:], stale.key))  # type: ignore[attr-defined]
        assert Fingerprint.version_of(store.get_article(stale.key).fingerprint) == 0  # type: ignore[union-attr]
        second = WorkerApp(cfg, store, index=0, of=1)
        second._fetched = NOW
        engine = second.engine  # caught up from the shared log
        assert engine.fingerprint_of(stale.key) == Fingerprint.from_bytes(want[stale.key])
        blobs = {r.key: r.fingerprint for r in store.articles_since(ALL_TIME[0])}
    assert Fingerprint.version_of(blobs[stale.key]) == FINGERPRINT_VERSION
    assert blobs == want  # made again as it was made: the same bytes; the current one untouched


# -- N workers = one process -------------------------------------------------------------------
@pytest.mark.slow
def test_three_worker_processes_give_the_single_process_stories(examples: Path, rd: str) -> None:
    with pg_schema() as single, pg_schema() as multi:
        cfg = _config(examples, single, None)
        with App(cfg, open_store(single)) as app:
            report = app.run(now=NOW)
            assert report.errors == [] and report.new_articles > 20
        results = run_processes(examples, multi, rd, 3, run="examples-1")
        assert all(errs == [] for _, _, errs in results)
        assert sum(n for _, n, _ in results) == report.new_articles
        one, many = stories(single), stories(multi)
        assert sorted(map(sorted, one.values())) == sorted(map(sorted, many.values()))
        assert one == many, "same story ids (the id of the article that started each story)"
        assert leads(single) == leads(multi)
        assert len([p for p in (partition(cfg.sources, i, 3) for i in range(3)) if p]) >= 2, \
            "the examples' sources really are spread over several workers"


def test_a_dead_workers_turn_is_skipped_after_the_stall_time(
    examples: Path, pg: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Worker 1 of 2 never comes: worker 0 waits ``stall`` seconds per gap, then goes on."""
    cfg = _config(examples, pg, None)
    mine = partition([s for s in cfg.sources if s.enabled], 0, 2)
    assert mine and len(mine) < len(cfg.sources)
    with open_store(pg) as store:
        report = run_worker(cfg, store, index=0, of=2, run="lonely", now=NOW, stall=0.3)
        assert report.errors == [] and report.new_articles > 0
        turn = store.get_turn("lonely", WorkerApp(cfg, store, index=0, of=2).sources_id)  # type: ignore[attr-defined]
    enabled = [s.name for s in cfg.sources if s.enabled]
    assert turn.next == enabled.index(mine[-1].name) + 1
    assert "has not clustered" in caplog.text


@pytest.mark.slow
def test_digest_worker_command_two_processes(examples: Path, pg: str, rd: str, tmp_path: Path) -> None:
    """The CLI: two `digest worker` processes of one run store every example article once."""
    import os
    import subprocess
    import sys

    import yaml

    data = yaml.safe_load(examples.read_text())
    data.update(database=pg, index=rd)
    for s in data["sources"]:
        s["path"] = str((examples.parent / s["path"]).resolve())
    cfg_path = tmp_path / "feeds.yaml"
    cfg_path.write_text(yaml.safe_dump(data))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [subprocess.Popen([sys.executable, "-m", "digest", "worker", "-c", str(cfg_path), "--index", str(i),
                               "--of", "2", "--run", "cli-1"], env=env, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    got = stories(pg)
    n = sum(len(v) for v in got.values())
    assert n == sum(int(o.split(" entries, ")[1].split(" new articles")[0]) for o in outs) > 20
    assert len({k for v in got.values() for k in v}) == n
