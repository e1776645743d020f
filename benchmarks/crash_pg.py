"""The kill -9 campaign on the scale-out store: ``python -m benchmarks.crash_campaign --store postgresql``.

* workers (``clock:`` 11 h a round): each round, sets started side by side and each killed at its
  own random delay: 2-3 of ``digest worker --index I --of 3 --run NAME`` (one run name a set,
  ``--stall 2``), alone or beside ``run``, ``send`` or ``build``; two ``send`` of one day; ``run``
  + ``send``; late rounds ``prune`` with workers.  Then all three workers to the end (half the
  time under the last killed set's run name, as a cron retry would), odd rounds ``send`` of the
  day before; at the end every past day sent again, every day built.
* serve: ``digest serve`` on the store under three loopback readers (``/``, ``/day/D``,
  ``/feed.atom``), killed at random, a worker or ``run`` beside it half the time, started again on
  the same port: it must answer within 20 s, and no reader may get a 5xx.

PostgreSQL at ``DIGEST_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``), a
fresh schema a part (dropped unless ``--keep``); Redis at ``DIGEST_TEST_REDIS`` as the index when
it answers.  The checks are the SQLite campaign's (``check_store``, ``check_mail``,
``check_days``), plus after every kill: no advisory lock of the schema held once every command
has ended (a lock a dead client left), no ``locks`` row naming a live holder then.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .crash_world import (
    Campaign,
    all_days,
    capture,
    check_days,
    check_mail,
    check_store,
    config,
    end_round,
    keep_all,
    pg_rows,
    publish,
    reference_corpus,
    rounds,
    send_past_days,
)
from .kill_fuzz_world import START, STEP, World, _free_port, services

PG_URL = os.environ.get("DIGEST_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("DIGEST_TEST_REDIS", "127.0.0.1:6379")
N = 3  # workers sharing the sources


def new_schema(keep: bool, made: list[str]) -> str:
    import psycopg

    name = f"crash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
    if not keep:
        made.append(name)
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={name}')}"


def drop(made: list[str]) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as admin:
        for name in made:
            admin.execute(f"DROP SCHEMA {name} CASCADE")


def redis_index() -> str | None:
    try:
        import redis

        host, port = REDIS.rsplit(":", 1)
        redis.Redis(host=host, port=int(port), socket_connect_timeout=2).ping()
    except Exception:
        return None
    return f"redis://{host}:{port}/0?basename=crash_{uuid.uuid4().hex[:10]}"


def lock_keys(url: str) -> dict[int, str]:
    """The advisory lock keys of this store's schema (``digest.store.pg_locks``): key -> name."""
    import hashlib

    schema = url.rsplit("search_path%3D", 1)[-1]
    try:
        names = {r[0] for r in pg_rows(url, "SELECT name FROM locks")} | {"migrate", "cluster"}
    except Exception:
        names = {"migrate", "cluster"}
    return {int.from_bytes(hashlib.blake2b(f"{schema}:{n}".encode(), digest_size=8).digest(), "big", signed=True): n
            for n in names}


def held_here(url: str) -> list[tuple[str, int, str, str]]:
    """This schema's advisory locks held now: (name, backend pid, its state, its query)."""
    keys = lock_keys(url)
    rows = pg_rows(url, "SELECT l.classid, l.objid, a.pid, a.state, left(a.query, 80) FROM pg_locks l "
                        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                        "AND l.objsubid = 1")
    out = []
    for hi, lo, pid, state, query in rows:
        key = int.from_bytes(((int(hi) << 32) | int(lo)).to_bytes(8, "big"), "big", signed=True)
        if key in keys:
            out.append((keys[key], pid, state, query))
    return out


def pg_checks(c: Campaign, url: str, label: str) -> None:
    """With no command running: no advisory lock of the schema held (a dead client's backend
    may take a moment to notice); every article's story there."""
    if held_here(url):
        time.sleep(2)
        left = held_here(url)
        if left:
            c.problems.append(f"{label}: advisory locks of the store held with no command running: {left[:3]}")
    try:
        orphan = pg_rows(url, "SELECT count(*) FROM articles a LEFT JOIN stories s ON s.id = a.story_id "
                              "WHERE s.id IS NULL")[0][0]
    except Exception:
        return
    if orphan:
        c.problems.append(f"{label}: {orphan} articles whose story is not stored")


def workers(c: Campaign, run: str, some: int, stall: int = 2) -> list[list[str]]:
    picks = c.rng.sample(range(N), some)
    return [["worker", "--index", str(i), "--of", str(N), "--run", run, "--stall", str(stall)] for i in picks]


def all_workers(c: Campaign, cfg: Path, run: str) -> None:
    """The three workers of ``run`` side by side, to the end."""
    out: list[Any] = []
    ts = [threading.Thread(target=lambda a=a: out.append(c.complete(cfg, a)))
          for a in [["worker", "--index", str(i), "--of", str(N), "--run", run, "--stall", "60"] for i in range(N)]]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def part_workers(c: Campaign, count: int, per_round: int, seed: int, url: str, index: str | None) -> None:
    folder = c.base / "pg-workers"
    ref_folder = c.base / "pg-ref"
    world = World(seed)
    days: set[date] = set()
    owed: set[str] = set()
    extra: dict[str, Any] = {"database": url, **({"index": index} if index else {})}
    with services() as (site, port, mail, smtp):
        mailed = capture(mail)
        for rd in rounds(c, world, site, port, smtp, ref_folder, count, days):  # reference: SQLite
            r, now, tz, prev = rd.r, rd.now, rd.tz, rd.prev
            last_run = f"r{r}fix"
            for k in range(per_round):
                if k and c.rng.random() < 0.5:
                    keep_all(world, now + timedelta(minutes=k))
                    publish(world, site, port, r)
                cfg = config(folder, port, smtp, now + timedelta(minutes=k), tz, **extra)
                run = f"r{r}k{k}"
                ws = workers(c, run, c.rng.choice((2, 3)))
                menu = [ws, [*ws, ["run", "--quiet"]], [*ws, ["send", "--date", prev]],
                        [*ws, ["build", "--date", prev]], [["send", "--date", prev]] * 2,
                        [["run", "--quiet"], ["send", "--date", prev]]]
                if r >= count - 3:
                    menu += [[*ws[:1], ["prune", "--keep-days", "5"]]]
                cmds = c.rng.choice(menu)
                if any(a[0] == "worker" for a in cmds):
                    last_run = run
                c.killed(cfg, cmds, 0.3, 5.0)
                pg_checks(c, url, f"workers round {r} after a kill")
            cfg = config(folder, port, smtp, now + timedelta(minutes=per_round), tz, **extra)
            t0 = time.monotonic()
            all_workers(c, cfg, last_run if c.rng.random() < 0.5 else f"r{r}fix")
            c.notes.append(f"workers round {r}: recovery pass {time.monotonic() - t0:.1f} s")
            end_round(c, cfg, rd, count, owed)
        check_store(c, url, world.served, reference_corpus(ref_folder), "workers")
        send_past_days(c, cfg, days, owed)
        check_mail(c, mail, owed, "workers mail")
        check_days(c, cfg, url, all_days(days), "workers days", mailed)


class Readers:
    """Three loopback readers of ``digest serve``: status counts; a 5xx is a problem."""

    def __init__(self, port: int, paths: list[str]) -> None:
        self.port, self.paths = port, paths
        self.codes: Counter[str] = Counter()
        self.bad: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.read, args=(i,), daemon=True) for i in range(3)]
        for t in self.threads:
            t.start()

    def read(self, i: int) -> None:
        n = i
        while not self.stop.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as resp:
                    resp.read()
                    self.codes[str(resp.status)] += 1
            except urllib.error.HTTPError as exc:
                self.codes[str(exc.code)] += 1
                if exc.code >= 500:
                    self.bad.append(f"{path}: {exc.code}")
            except (OSError, urllib.error.URLError):
                self.codes["refused/reset"] += 1
                time.sleep(0.05)

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def answers(port: int, within: float) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < within:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                if resp.status == 200:
                    return time.monotonic() - t0
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    return None


def part_serve(c: Campaign, kills: int, seed: int, url: str, index: str | None) -> None:
    folder = c.base / "pg-serve"
    world = World(seed + 1)
    extra: dict[str, Any] = {"database": url, **({"index": index} if index else {})}
    with services() as (site, port, _mail, smtp):
        now = START
        cfg = config(folder, port, smtp, now, "UTC", **extra)
        for r in range(2):  # two days stored and sent: pages to read
            world.step(now + r * STEP * 2)
            publish(world, site, port, r)
            cfg = config(folder, port, smtp, now + r * STEP * 2, "UTC", **extra)
            all_workers(c, cfg, f"s{r}")
        days = sorted({(START + r * STEP * 2).date() for r in range(2)})
        http = _free_port()
        readers = Readers(http, ["/", *[f"/day/{d}" for d in days], "/feed.atom", "/day/1999-01-01"])
        slow: list[float] = []
        for k in range(kills):
            cmds = [["serve", "--port", str(http)]]
            if c.rng.random() < 0.5:
                keep_all(world, now + timedelta(minutes=k))
                publish(world, site, port, 1)
                cmds.append(c.rng.choice([["run", "--quiet"], *workers(c, f"sv{k}", 1)]))
            c.killed(cfg, cmds, 0.3, 4.0)
            pg_checks(c, url, f"serve after kill {k}")
            proc, out = c.start(cfg, ["serve", "--port", str(http)])
            took = answers(http, 20)
            if took is None:
                c.problems.append(f"serve: no answer 20 s after a restart following kill {k} ({out})")
            else:
                slow.append(took)
            time.sleep(c.rng.uniform(0.2, 1.0))
            proc.terminate()
            proc.wait(30)
            text = c.output(out, "serve (restarted)")
            if "Address already in use" in text:
                c.problems.append(f"serve: port in use on restart after kill {k}")
        readers.close()
        all_workers(c, cfg, "s-end")  # what a killed worker or run beside serve left unread
        if readers.bad:
            c.problems.append(f"serve: {len(readers.bad)} 5xx answers: {readers.bad[:4]}")
        c.notes.append(f"serve: readers' answers {dict(readers.codes)}; restarts answered in "
                       f"{min(slow, default=0):.1f}-{max(slow, default=0):.1f} s")
        check_store(c, url, world.served, None, "serve")


def run_pg(c: Campaign, rounds: int, kills: int, seed: int, keep: bool) -> None:
    made: list[str] = []
    c.notes.append(f"index: {'Redis' if redis_index() else 'each worker in memory'}")
    try:
        part_workers(c, rounds, max(1, round(kills * 0.75 / rounds)), seed, new_schema(keep, made), redis_index())
        part_serve(c, max(1, round(kills * 0.25)), seed, new_schema(keep, made), redis_index())
    finally:
        drop(made)
