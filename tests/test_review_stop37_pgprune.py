"""``digest prune`` on a PostgreSQL store, and engines built before a prune (stop 38 review).

A prune removes stories another process's engine may still hold in memory: a daemon's (on
SQLite or PostgreSQL) or a worker's.  Each batch now marks the store (``meta`` ``clustered``
and ``pruned``, ``digest.store.marks``), and those engines are rebuilt before they cluster.
On PostgreSQL the prune also keeps the shared log the workers catch up from in step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from digest.app import App
from digest.cli import main
from digest.config import Config
from digest.records import Article
from digest.retention import BATCH, KEPT_FROM, prune
from digest.service.daemon import Daemon
from digest.service.replay import replay
from digest.service.workers import WorkerApp
from digest.store.base import NewArticle, Store, open_store
from digest.store.marks import PRUNED
from tests.support.config import MakeConfig
from tests.support.services import pg_schema
from tests.test_review_stop37_yearlong import DAYS_RUN, NOW, START, _records

#: The days a prune keeps in these stores (their dedup window is one day): the fewest allowed.
KEEP = 5
#: The old story's text: copied word for word by the late outlet (so any engine holding the
#: story joins the copy to it).
OLD_TITLE = "Velmora harbour crane collapses onto ferry terminal"
OLD_TEXT = ("A harbour crane in Velmora collapsed onto the ferry terminal on Sunday morning, "
            "crushing two empty buses. Harbour master Tinaro Blask said nobody was hurt and the "
            "terminal would stay shut while engineers inspect the quay. The crane had been "
            "inspected in March, Blask told reporters at the gate.")
FRESH_TEXT = ("The Orrin valley orchard cooperative opened its new cider press on Thursday, "
              "doubling what its forty growers can sell. Chair Mela Dorsk said the press was paid "
              "for by a regional grant and two years of savings.")


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The store's ``database:`` value: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield str(tmp_path / "digest.sqlite3")
    else:
        with pg_schema() as url:
            yield url


def _rss(path: Path, items: list[tuple[str, str, str, datetime]]) -> None:
    """A feed file of (guid, title, text, published) items."""
    body = "".join(
        f"<item><guid>{escape(guid)}</guid><title>{escape(title)}</title>"
        f"<link>https://{path.stem}.example/{escape(guid)}</link><description>{escape(text)}</description>"
        f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for guid, title, text, when in items
    )
    path.write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                    f"<title>{path.stem}</title><link>https://{path.stem}.example/</link>"
                    f"<description>news</description>{body}</channel></rss>", encoding="utf-8")  # fmt: skip


def _rows(store: Store, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """``sql``'s rows as tuples, on either backend (``args`` for PostgreSQL's ``%s``)."""
    rows = store.db.execute(sql, args).fetchall()  # type: ignore[attr-defined]
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]


def _stories(url: str) -> dict[str, list[str]]:
    """Every story: its versions' keys, as the store holds them (articles, then story rows)."""
    with open_store(url) as store:
        out: dict[str, list[str]] = {}
        for sid, key in _rows(store, "SELECT story_id, key FROM articles ORDER BY story_id, key"):
            out.setdefault(sid, []).append(key)
        rows = {r[0] for r in _rows(store, "SELECT id FROM stories")}
    assert rows == set(out)  # no story row without a version, no version without its row
    return out


def _prune_process(config: Path, *extra: str) -> subprocess.Popen[str]:
    """``digest prune`` as its own process (another process than the daemon's or the test's)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen([sys.executable, "-m", "digest", "prune", "--config", str(config), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip


def _clocked(cfg: Config, tmp_path: Path, now: datetime) -> Path:
    """A copy of ``cfg``'s file read at ``now`` (``clock:``), on the same store: how the test
    runs a command on a day of its choosing beside a daemon, which refuses a clock."""
    assert cfg.config_path is not None
    path = tmp_path / "clocked.yaml"
    path.write_text(f"{cfg.config_path.read_text(encoding='utf-8')}clock: {now.isoformat()}\n", encoding="utf-8")
    return path


# -- engines built before a prune --------------------------------------------------------
#: The daemon's first poll (the old story arrives), and its poll after the prune: ten quiet
#: days later, when a late outlet's copy of the old story arrives, dated as the story (a new
#: feed's backlog, or an outlet that files late under the day of the event).
T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
T1 = T0 + timedelta(days=10, hours=2)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_a_daemon_whose_engine_was_built_before_a_prune_does_not_revive_a_pruned_story(
    make_config: MakeConfig, tmp_path: Path, backend: str
) -> None:
    """A daemon builds its engine at its first poll with news and keeps it through quiet days;
    ``digest prune`` (another process) then removes the old story the engine still holds.  A
    late outlet's copy of it, dated as it, arrived: the daemon clustered it into the pruned
    story, whose row came back under its old id with the copy alone (and on PostgreSQL the
    prune was refused).  Now the prune marks the store, and the daemon rebuilds its engine
    from what the store kept: the copy is a story of its own; the pruned key is still read."""
    coast, late = tmp_path / "coast.rss", tmp_path / "late.rss"
    _rss(coast, [("crane", OLD_TITLE, OLD_TEXT, T0 - timedelta(hours=1))])
    _rss(late, [])
    with _database(backend, tmp_path) as database:
        cfg = make_config(tmp_path, {"Coast News": coast, "Late Wire": late}, write=True, timezone="UTC",
                          database=database, extra="dedup:\n  window_days: 1\n")  # fmt: skip
        now = [T0]
        with App(cfg, open_store(cfg.database_url)) as app:
            daemon = Daemon(app, clock=lambda: now[0])
            assert daemon.poll_due().new_articles == 1  # the engine is built: it holds the story
            [(old, _)] = _stories(cfg.database_url).items()

            proc = _prune_process(_clocked(cfg, tmp_path, T1), "--keep-days", str(KEEP))
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert out.startswith("removed 1 story (1 article)")
            assert _stories(cfg.database_url) == {}

            _rss(late, [("crane-late", OLD_TITLE, OLD_TEXT, T0 - timedelta(minutes=30))])
            now[0] = T1 + timedelta(minutes=5)
            report = daemon.poll_due()
        assert report.new_articles == 1 and not report.errors  # Coast News's entry: read, not new
        stories = _stories(cfg.database_url)
        assert old not in stories  # not revived
        assert list(stories.values()) == [[next(iter(stories))]]  # the copy, a story of its own
        with open_store(cfg.database_url) as store:
            assert store.get_meta(PRUNED) is not None


@pytest.mark.scale
def test_a_worker_whose_engine_was_built_before_a_prune_rebuilds_it_and_a_new_one_catches_up(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    """Workers share a PostgreSQL store and catch up from its log.  A worker whose engine
    holds a story a prune removed rebuilds it (meta ``pruned``) instead of clustering a late
    copy into it; a worker started after the prune catches up from a log without the removed
    articles, their moves and the merges into them, and clusters alike."""
    coast, late = tmp_path / "coast.rss", tmp_path / "late.rss"
    _rss(coast, [("crane", OLD_TITLE, OLD_TEXT, T0 - timedelta(hours=1))])
    _rss(late, [])
    with pg_schema() as url:
        cfg = make_config(tmp_path, {"Coast News": coast, "Late Wire": late}, write=True, timezone="UTC",
                          database=url, extra="dedup:\n  window_days: 1\n")  # fmt: skip
        with open_store(url) as store:
            worker = WorkerApp(cfg, store, index=0, of=1)
            assert worker.run(now=T0).new_articles == 1
            [(old, [old_key])] = _stories(url).items()
            with store.transaction():  # a move of the old article, as another worker logged it
                store.db.execute("INSERT INTO merges(kept, dropped, article) VALUES(%s, %s, %s)",  # type: ignore[attr-defined]
                                 (old, "elsewhere", old_key))  # fmt: skip
            proc = _prune_process(_clocked(cfg, tmp_path, T1), "--keep-days", str(KEEP))
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert _rows(store, "SELECT kept, dropped, article FROM merges") == []  # the log kept in step

            _rss(late, [("crane-late", OLD_TITLE, OLD_TEXT, T0 - timedelta(minutes=30)),
                        ("orchard", "Orrin cider press opens", FRESH_TEXT, T1 - timedelta(hours=1))])  # fmt: skip
            report = worker.run(now=T1 + timedelta(minutes=5))
            assert report.new_articles == 2 and not report.errors
            stories = _stories(url)
            assert old not in stories and sorted(map(len, stories.values())) == [1, 1]  # the copy on its own

            _rss(coast, [("crane", OLD_TITLE, OLD_TEXT, T0 - timedelta(hours=1)),
                         ("orchard", "Cider press opens in Orrin", FRESH_TEXT, T1)])  # fmt: skip
        with open_store(url) as store:  # a worker started now: its engine from the log alone
            report = WorkerApp(cfg, store, index=0, of=1).run(now=T1 + timedelta(minutes=10))
        assert report.new_articles == 1 and not report.errors
        after = _stories(url)
        assert old not in after and set(after) == set(stories)  # the other outlet's copy joined its story
        assert sorted(map(len, after.values())) == [1, 2]


# -- pruning a PostgreSQL store ------------------------------------------------------------
@pytest.mark.scale
def test_prune_on_postgresql_removes_old_stories_whole_and_keeps_their_keys_and_the_days_kept(
    make_config: MakeConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest prune`` on PostgreSQL was refused in one line.  Now, as on SQLite: the stories
    whose every version is older than the days kept go whole, a developing story stays whole,
    the pruned days' digests leave the archive, and an entry pruned, read again, is not new.
    The two backends remove the same stories."""
    feed = tmp_path / "history.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    first_kept = (START + timedelta(days=DAYS_RUN - KEEP)).date()
    cut = datetime.combine(first_kept, datetime.min.time(), UTC)
    removed: dict[str, set[str]] = {}
    for backend in ("sqlite", "postgresql"):
        where = tmp_path / backend
        with _database(backend, where) as database:
            cfg = make_config(where, write=True, timezone="UTC", clock=NOW.isoformat(), database=database,
                              extra="dedup:\n  window_days: 1\n")  # fmt: skip
            config = str(cfg.config_path)
            assert main(["replay", "--config", config, str(feed)]) == 0
            with open_store(cfg.database_url) as store:
                times = {sid: sorted(f if isinstance(f, datetime) else datetime.fromisoformat(f) for f in fs)
                         for sid, fs in _grouped(_rows(store, "SELECT story_id, fetched FROM articles")).items()}  # fmt: skip
                days = {r[0] for r in _rows(store, "SELECT date FROM digests")}
            before = _stories(cfg.database_url)
            old = {sid for sid, ts in times.items() if ts[-1] < cut}
            developing = [sid for sid, ts in times.items() if ts[0] < cut <= ts[-1]]  # kept whole
            assert old and developing and any(d < first_kept.isoformat() for d in days)
            capsys.readouterr()
            assert main(["prune", "--config", config, "--keep-days", str(KEEP)]) == 0
            assert capsys.readouterr().out.startswith(f"removed {len(old):,} stories ")

            after = _stories(cfg.database_url)
            assert after == {sid: keys for sid, keys in before.items() if sid not in old}  # whole, or not at all
            gone = [k for sid in old for k in before[sid]]
            with open_store(cfg.database_url) as store:
                assert store.has_articles(gone) == set(gone)  # the keys are kept
                assert {r[0] for r in _rows(store, "SELECT date FROM digests")} == {
                    d for d in days if d >= first_kept.isoformat()}
                assert store.get_meta(KEPT_FROM) == first_kept.isoformat()
            removed[backend] = old

            again = [r for r in _records() if str(r["id"]).startswith("d0")]  # a feed keeping its items
            for r in again:
                r["arrived"] = (NOW - timedelta(hours=1)).timestamp()
            with App(cfg, open_store(cfg.database_url)) as app:
                report = replay(app, again)
            assert report.articles == len(again) and report.new_articles == 0
            assert _stories(cfg.database_url) == after
            assert main(["prune", "--config", config, "--keep-days", str(KEEP)]) == 0
            assert capsys.readouterr().out.startswith("nothing to prune")
    assert removed["postgresql"] == removed["sqlite"]


def _grouped(rows: list[tuple[Any, ...]]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for k, v in rows:
        out.setdefault(k, []).append(v)
    return out


# -- a prune killed mid-run ------------------------------------------------------------------
#: Stories of the store a prune is killed in (two versions each): BATCH stories a batch.
MANY = 24 * BATCH


def _fill(url: str, stories: int, *, old_days: int = 40) -> None:
    """``stories`` stories of two versions, one every few minutes over the ``old_days`` days
    before :data:`NOW`, and one digest a day."""
    with open_store(url) as store:
        span = timedelta(days=old_days).total_seconds()
        for i0 in range(0, stories, 1000):
            with store.transaction():
                items = []
                for i in range(i0, min(stories, i0 + 1000)):
                    when = NOW - timedelta(days=old_days) + timedelta(seconds=span * i / stories)
                    for v in range(2):
                        key = f"s{i:06d}v{v}"
                        art = Article(key=key, source=f"Outlet {v}", title=f"Story {i}", text=f"Story {i}, version {v}.",
                                      url=f"https://o{v}.example/{i}", published=when, fetched=when + timedelta(minutes=v))  # fmt: skip
                        items.append(NewArticle(art, b"fp", f"s{i:06d}v0", 0.5))
                store.add_articles(items)
        for d in range(old_days + 1):
            store.record_digest((NOW - timedelta(days=d)).date().isoformat(), "html", None, 1)


@pytest.mark.scale
@pytest.mark.slow
def test_a_prune_killed_mid_run_on_postgresql_leaves_the_store_consistent_and_the_next_one_finishes(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    """A real ``digest prune`` of thousands of stories, killed with SIGKILL between its
    batches: each story is whole or gone with its key kept, the first day kept was noted
    before anything went, no digest of a kept day is gone; the next prune finishes."""
    with pg_schema() as url:
        cfg = make_config(tmp_path, write=True, timezone="UTC", database=url, extra="dedup:\n  window_days: 1\n")
        _fill(url, MANY)
        before = _stories(url)
        first_kept = (NOW - timedelta(days=KEEP - 1)).date()
        cut = datetime.combine(first_kept, datetime.min.time(), UTC)
        with open_store(url) as store:
            old = {r[0] for r in _rows(store, "SELECT story_id FROM articles GROUP BY story_id HAVING max(fetched) < %s",
                                       (cut,))}  # fmt: skip
        assert len(old) > 8 * BATCH
        proc = _prune_process(_clocked(cfg, tmp_path, NOW), "--keep-days", str(KEEP))
        with open_store(url) as store:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                n = _rows(store, "SELECT count(*) FROM articles")[0][0]
                if n < 2 * len(before):  # a batch went: kill it now
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.002)
            proc.wait(timeout=60)
            assert proc.returncode == -signal.SIGKILL, "the prune ended before it could be killed"
            assert store.get_meta(KEPT_FROM) == first_kept.isoformat()  # noted first
        left = _stories(url)
        assert old - set(left) and old & set(left)  # killed between its first batch and its last
        assert all(left[sid] == before[sid] for sid in left)  # every story left is whole
        with open_store(url) as store:
            gone = [k for sid in set(before) - set(left) for k in before[sid]]
            assert set(before) - set(left) <= old and store.has_articles(gone) == set(gone)
            kept_days = {r[0] for r in _rows(store, "SELECT date FROM digests")}
            assert {(first_kept + timedelta(days=i)).isoformat() for i in range(KEEP)} <= kept_days
        proc = _prune_process(_clocked(cfg, tmp_path, NOW), "--keep-days", str(KEEP))
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.startswith(f"removed {len(old & set(left)):,} stories ")  # grouped as English (stop 65)
        assert set(_stories(url)) == set(before) - old
        with open_store(url) as store:
            assert min(r[0] for r in _rows(store, "SELECT date FROM digests")) == first_kept.isoformat()


@pytest.mark.scale
def test_each_batch_of_a_postgresql_prune_holds_the_write_lock_briefly(make_config: MakeConfig, tmp_path: Path) -> None:
    """How long a daemon's poll round or a worker may wait for a prune: each batch's
    transaction (the clustering lock held) over a store of a few thousand stories, printed
    (``docs/evaluation.md``, stop 38); each under a second here."""
    with pg_schema() as url:
        cfg = make_config(tmp_path, timezone="UTC", database=url, extra="dedup:\n  window_days: 1\n")
        _fill(url, 6 * BATCH)
        with open_store(url) as store:
            report = prune(store, cfg, KEEP, NOW)
        held = sorted(report.held)
        print(f"\nprune on PostgreSQL: {report.stories} stories ({report.articles} articles) in {len(held)} batches "
              f"of {BATCH}; the write lock held {held[len(held) // 2] * 1000:.0f} ms at the median, "
              f"{held[-1] * 1000:.0f} ms at most")  # fmt: skip
        assert report.stories > 4 * BATCH and len(held) == -(-report.stories // BATCH)
        assert held[-1] < 1.0
