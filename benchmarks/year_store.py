"""The read-side commands on a store a year old, against the same on a store a week old.

How it works
------------
* Two stores on disk (SQLite, or ``--pg``: PostgreSQL schemas), each filled in this process
  by :func:`fill` straight through the store's API, not the engine (a year of replay takes
  hours: ``benchmarks.archive_year``): ``--days`` (365) days and 7 days of ``--per-day``
  (150) articles (ECB+ and GVC texts, sentences reshuffled, in stories of 1-5 versions, a
  fifth of them going on the next day), from ``--sources`` (40) sources polled each half
  hour, ``--failing`` (4) of them failing now.  Every ended day is sealed, its digest
  recorded (md and html) and mailed (a delivery row, sent), as the daemon leaves them; the
  last day is written, not yet mailed.  ``timezone: Europe/London``, the clock the morning
  after the last day.
* Then each command runs in a process of its own (``python -m digest ...``, the start of
  the interpreter included: what a user at the prompt or cron waits for), on each store:
  ``status``, ``status --json``, ``sources``, ``build`` of the last day and of the week
  ending with it (``digests:`` with a weekly one), ``send`` (the last day, with its look at
  the earlier days owed, to aiosmtpd on loopback), ``serve`` (its first answer, then the
  index, a month, a day, a story and a search over loopback HTTP, each the first request:
  rendered, not from the cache), then the index after each of 3 daemon rounds (:func:`a_round`:
  the sources' states saved, 4 articles of today, one going on with a story of the day before;
  the median) and last ``prune --keep-days 90``.
* Before the prune, in this process (stop 62, :func:`in_process`): the index after a round
  rendered as before (every day counted afresh: a new ``Pages``) and now (the server's
  ``Pages``, its counts kept with their reads), and the email's fit to its size budget on the
  last day as before (the halving, ``benchmarks.mail_fit``) and now: seconds, renderings,
  and each the same page or mail both ways (else it exits).  ``python -m digest
  --version`` is the floor (the interpreter and the imports).
* Stop 63, in this process too (:func:`first_pages`): the index and the last month's page as
  a server just started renders them, before (every day counted by its view) and now (the
  day counts a server before kept in the store, checked by their reads), each the same page
  both ways (else it exits); and, served, the index of a server started again.
* Prints each command's seconds on both stores and their ratio: a ratio near 1 is a command
  that does not grow with the store's age.  ``--json FILE`` writes them; ``--store DIR``
  (an empty folder) keeps the year's folder; ``--fill-only`` fills and stops (to profile a
  command on it).

Measured (stop 61, docs/evaluation.md "Stop 61: a year-old store (benchmark)"): every command
within 10-30% of the week's but the index (31 day views, ~2 s) and the first prune of the
year (4-8 s, once; the daily one 0.8 s).  Stop 62 ("Stop 62: a year-old store, faster"): the
index after a round, see there.

    python -m benchmarks.year_store [--days 365] [--per-day 150] [--sources 40] [--pg] [--store DIR]
        [--fill-only] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from digest.config import Config, load_config
from digest.dedup.fingerprint import fingerprint
from digest.output.days import seal
from digest.output.mailer import default_target
from digest.output.mailsize import EMAIL_HTML_BUDGET
from digest.records import Article
from digest.service.maildays import DAEMON_SINCE, mark_mail_start
from digest.store.base import NewArticle, SourceState, open_store, ts

from .search_speed import texts

ROOT = Path(__file__).resolve().parent.parent
READER = "reader@example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(folder: Path, *, last: date, sources: int, smtp: int, url: str | None) -> Path:
    """feeds.yaml in ``folder``: ``sources`` feeds (never fetched here), the daily digest and a
    weekly one, mail to ``smtp`` on loopback, the clock the morning after ``last``."""
    data: dict[str, Any] = {
        "sources": [{"name": f"Outlet {i:02d}", "url": f"http://127.0.0.1:9/feed{i}.xml"} for i in range(sources)],
        "data_dir": str(folder / "data"), "output_dir": str(folder / "out"), "timezone": "Europe/London",
        "clock": (datetime.combine(last, datetime.min.time(), UTC) + timedelta(days=1, hours=7)).isoformat(),
        "email": {"host": "127.0.0.1", "port": smtp, "security": "none", "from": "digest@example.org",
                  "to": [READER]},
    }  # fmt: skip
    if url:
        data["database"] = url
    path = folder / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def fill(cfg: Config, first: date, days: int, per_day: int, sources: int, failing: int, seed: int = 1) -> int:
    """Fill the store of ``cfg`` with ``days`` days from ``first`` (see the module doc); the
    articles stored."""
    rng = random.Random(seed)
    base = texts()
    prints: dict[int, bytes] = {}
    target = default_target(cfg.email) if cfg.email else "email:" + READER
    n = 0
    carried: list[str] = []  # stories going on the next day
    with open_store(cfg.database_url) as store:
        mark_mail_start(store, None, datetime.combine(first, datetime.min.time(), UTC))
        store.set_meta(DAEMON_SINCE, ts(datetime.combine(first, datetime.min.time(), UTC)) or "")
        for d in range(days):
            day = first + timedelta(days=d)
            midnight = datetime.combine(day, datetime.min.time(), UTC)
            slots: dict[int, list[NewArticle]] = {}
            stories: list[str] = list(carried)
            carried = []
            count = 0
            while count < per_day:
                story = stories.pop() if stories else f"s{day:%Y%m%d}-{count}"
                versions = 1 if story in carried else rng.randint(1, 5)
                for _ in range(min(versions, per_day - count)):
                    i = rng.randrange(len(base))
                    title, text = base[i]
                    if i not in prints:
                        prints[i] = fingerprint(title, text).to_bytes()
                    parts = text.split(" . ")
                    rng.shuffle(parts)
                    slot = rng.randrange(48)
                    at = midnight + timedelta(minutes=30 * slot)
                    art = Article(key=f"k{n}", source=f"Outlet {rng.randrange(sources - failing):02d}",
                                  title=f"{title} #{n}", text=" . ".join(parts), url=f"https://news.example/{n}",
                                  fetched=at, published=at - timedelta(minutes=rng.randrange(30)))
                    slots.setdefault(slot, []).append(NewArticle(art, prints[i], story, rng.random()))
                    n += 1
                    count += 1
                if rng.random() < 0.2:
                    carried.append(story)
            for slot in sorted(slots):
                store.add_articles(slots[slot], first_seen=midnight + timedelta(minutes=30 * slot))
            end = midnight + timedelta(days=1)
            seal(store, cfg, day, end + timedelta(hours=7))
            stories_of_day = len({a.story_id for batch in slots.values() for a in batch})
            for fmt in ("md", "html"):
                store.record_digest(day.isoformat(), fmt, str(cfg.output_dir / f"digest-{day}.{fmt}"),
                                    stories_of_day, articles_read=count, built_at=end + timedelta(hours=7))
            if d < days - 1:
                store.claim_delivery(day.isoformat(), target)
                store.mark_sent(day.isoformat(), target, f"<{day}@example.org>")
        now = datetime.combine(first + timedelta(days=days), datetime.min.time(), UTC) + timedelta(hours=6, minutes=30)
        for i in range(sources):
            name = f"Outlet {i:02d}"
            bad = i >= sources - failing
            state = SourceState(name=name, location=f"http://127.0.0.1:9/feed{i}.xml", last_fetch_at=now,
                                last_ok_at=now - timedelta(days=3 if bad else 0), next_poll_at=now + timedelta(minutes=30))
            if bad:
                state.failures, state.last_error, state.error_kind = 144, "HTTP 503", "http"
                state.first_failure_at = now - timedelta(days=3)
            store.save_source_state(state)
    return n


def a_round(cfg: Config, n: int, per_round: int = 4) -> None:
    """What a round of the daemon writes, ``n`` rounds after the clock's morning: every source's
    state (polled again), and ``per_round`` articles read today, the first a version of a story
    of the day before (a story going on), the others new stories."""
    rng = random.Random(n)
    base = texts()
    at = cfg.now() + timedelta(minutes=1 + n)
    with open_store(cfg.database_url) as store:
        for state in store.list_source_states():
            state.last_fetch_at, state.next_poll_at = at, at + timedelta(minutes=30)
            store.save_source_state(state)
        yesterday = store.stories_fetched_between(at - timedelta(days=1, hours=7), at - timedelta(hours=7))
        batch = []
        for i in range(per_round):
            title, text = base[rng.randrange(len(base))]
            key = f"round{n}-{i}"
            art = Article(key=key, source=f"Outlet {rng.randrange(30):02d}", title=f"{title} ({key})", text=text,
                          url=f"https://news.example/{key}", fetched=at, published=at - timedelta(minutes=5))
            story = rng.choice(yesterday) if i == 0 and yesterday else key
            batch.append(NewArticle(art, fingerprint(title, text).to_bytes(), story, rng.random()))
        store.add_articles(batch, first_seen=at)


def started(cfg: Config, *, kept: bool) -> Any:
    """A server's ``Pages`` just made; not ``kept``: as before stop 63, its day counts neither read
    from the store's ``day_counts`` nor written there (every day counted by its view)."""
    from digest.service.webpages import Pages

    pages = Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)
    if not kept:
        pages.counts.load = lambda *a, **k: None  # type: ignore[method-assign]
        pages.counts.save = lambda *a, **k: None  # type: ignore[method-assign]
    return pages


def index_after_rounds(cfg: Config, rounds: int) -> list[tuple[float, float, bool]]:
    """In this process: after each of ``rounds`` daemon rounds (:func:`a_round`), the index
    rendered by the server's ``Pages`` kept since the first (now: its day counts kept with
    their reads, stop 62) and by a new one (every day counted afresh, as each change made
    the index before stop 62): (seconds before, seconds now, the same page)."""

    kept = started(cfg, kept=True)
    with open_store(cfg.database_url) as store:
        kept.index(store, "/", ("round", 0))
    out = []
    for n in range(1, rounds + 1):
        a_round(cfg, n)
        with open_store(cfg.database_url) as store:
            t0 = time.perf_counter()
            before = started(cfg, kept=False).index(store, "/", ("round", n))
            t1 = time.perf_counter()
            now = kept.index(store, "/", ("round", n))
            t2 = time.perf_counter()
        out.append((t1 - t0, t2 - t1, before.body == now.body))
    return out


def first_pages(cfg: Config, last: date, tries: int = 2) -> dict[str, tuple[float, float, bool]]:
    """In this process: the index and the last month's page as a server just started renders
    them, before stop 63 (a ``Pages`` whose day counts are neither read from the store nor
    written to it: every day counted by its view) and now (a new ``Pages``: the counts the
    store keeps, written by the servers before, each checked by its reads), each way ``tries``
    times in turn, the least: page -> (seconds before, seconds now, the same page)."""
    renders = {"index": lambda p, s: p.index(s, "/"), "month": lambda p, s: p.month(s, last.year, last.month, "/")}
    out = {}
    for name, render in renders.items():
        with open_store(cfg.database_url) as store:  # a server before (``serve``'s): its counts kept
            render(started(cfg, kept=True), store)
        seconds: dict[bool, list[float]] = {False: [], True: []}
        bodies: dict[bool, bytes] = {}
        for _ in range(tries):
            for kept in (False, True):
                pages = started(cfg, kept=kept)
                with open_store(cfg.database_url) as store:
                    t0 = time.perf_counter()
                    bodies[kept] = render(pages, store).body
                    seconds[kept].append(time.perf_counter() - t0)
        out[name] = (min(seconds[False]), min(seconds[True]), bodies[False] == bodies[True])
    return out


def run(cfg_path: Path, *args: str, timeout: float = 600) -> tuple[float, str]:
    """Seconds of ``python -m digest ARGS --config cfg_path`` in a new process, and its output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "digest", *args, "--config", str(cfg_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"digest {' '.join(args)}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return seconds, proc.stdout + proc.stderr


def fetch(port: int, path: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as resp:
        body = resp.read()
    return time.perf_counter() - t0, len(body)


@contextmanager
def serving(cfg_path: Path) -> Iterator[tuple[int, float]]:
    """``digest serve`` in a process of its own: its port, and the seconds until ``/healthz``
    answered."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--config", str(cfg_path), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while True:
            try:
                fetch(port, "/healthz")
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 60:
                    raise SystemExit("digest serve did not start") from None
                time.sleep(0.05)
        yield port, time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)


def serve(cfg_path: Path, pages: dict[str, str], rounds: int = 3, slot: float = 0.0) -> dict[str, float]:
    """``digest serve`` in a process: seconds until ``/healthz`` answers, then each page's first
    request (rendered: the cache is empty); then the index after each of ``rounds`` daemon
    rounds (:func:`a_round`), the median (``slot``: seconds waited after a round, PostgreSQL's
    change marker being a 2-second slot); then the first index of a server started again (stop
    63: the day counts the first kept in the store)."""
    out: dict[str, float] = {}
    with serving(cfg_path) as (port, started):
        out["serve: /healthz after start"] = started
        for name, path in pages.items():
            out[f"serve: {name}"] = fetch(port, path)[0]
        cfg = load_config(cfg_path)
        after = []
        for n in range(1, rounds + 1):
            a_round(cfg, 100 + n)
            time.sleep(slot)
            after.append(fetch(port, "/")[0])
        out["serve: the index after a round"] = sorted(after)[len(after) // 2]
    with serving(cfg_path) as (port, _):
        out["serve: the index (a server started again)"] = fetch(port, "/")[0]
    return out


def measure(folder: Path, cfg_path: Path, last: date) -> dict[str, float]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    cfg = load_config(cfg_path)
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "digest", "--version"], cwd=ROOT, capture_output=True, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    out["python -m digest --version (floor)"] = time.perf_counter() - t0
    for args in (("status",), ("status", "--json"), ("sources",)):
        out["digest " + " ".join(args)] = min(run(cfg_path, *args)[0] for _ in range(2))
    out["digest build --date (a day)"] = run(cfg_path, "build", "--date", last.isoformat(), "-o",
                                             str(folder / "day.html"))[0]
    weekly = cfg_path.with_name("weekly.yaml")  # the same store, a weekly digest beside the daily one
    weekly.write_text(cfg_path.read_text(encoding="utf-8") + yaml.safe_dump({"digests": [
        {"name": "daily", "every": "day"}, {"name": "week", "every": "week", "weekday": "monday"}]}), encoding="utf-8")
    out["digest build --digest week"] = run(weekly, "build", "--digest", "week", "--date", last.isoformat(), "-o",
                                            str(folder / "week.html"))[0]
    ctl = Controller(Sink(), hostname="127.0.0.1", port=cfg.email.port if cfg.email else 0, ready_timeout=10)
    ctl.start()
    try:
        seconds, text = run(cfg_path, "send")
        if "sent to" not in text:
            raise SystemExit(f"digest send did not mail: {text[-1000:]}")
        out["digest send"] = seconds
    finally:
        ctl.stop()
    with open_store(cfg.database_url) as store:
        story = store.stories_first_seen_between(
            datetime.combine(last, datetime.min.time(), UTC), datetime.combine(last, datetime.max.time(), UTC))[0]
    pages = {"index": "/", "a month": f"/month/{last:%Y-%m}", "a day": f"/day/{last}",
             "a story": f"/story/{story.id}", "search": "/search?q=police+shooting"}  # fmt: skip
    out.update(serve(cfg_path, pages, slot=0.0 if cfg.database_url.startswith("sqlite") else 2.1))
    out.update(in_process(cfg, last))
    out["digest prune --keep-days 90"] = run(cfg_path, "prune", "--keep-days", "90")[0]
    out["digest prune --keep-days 90 (again: the daily one)"] = run(cfg_path, "prune", "--keep-days", "90")[0]
    return out


#: The figures :func:`in_process` adds, each before stop 62 (63: the first two) and now.
IN_PROCESS = ("index of a server started (s)", "month of a server started (s)", "index after a round (s)",
              "email fit (s)", "email fit (renderings)")


def in_process(cfg: Config, last: date, rounds: int = 3) -> dict[str, float]:
    """Stop 62's two, before and now in this process: the index after a daemon round
    (:func:`index_after_rounds`, the median of ``rounds``) and the email's fit to its size
    budget on the last day (``benchmarks.mail_fit``); each said the same both ways or exits."""
    from .mail_fit import compare, day_view

    first = first_pages(cfg, last)
    index = index_after_rounds(cfg, rounds)
    mail = compare(cfg, day_view(cfg, last), [EMAIL_HTML_BUDGET])[0]
    if not all(same for *_, same in [*index, *first.values()]) or not mail["same"]:
        raise SystemExit(f"stop 62/63: not the same page or mail before and now: {first} {index} {mail}")
    out: dict[str, float] = {}
    for i, when in enumerate(("before", "now")):
        out[f"{IN_PROCESS[0]}, {when}"] = first["index"][i]
        out[f"{IN_PROCESS[1]}, {when}"] = first["month"][i]
        out[f"{IN_PROCESS[2]}, {when}"] = sorted(r[i] for r in index)[len(index) // 2]
        out[f"{IN_PROCESS[3]}, {when}"] = mail[f"{when} s"]
        out[f"{IN_PROCESS[4]}, {when}"] = mail[f"{when} renderings"]
    return out


def prepare(folder: Path, days: int, args: argparse.Namespace, url: str | None) -> tuple[Path, date]:
    last = date(2026, 11, 30)
    first = last - timedelta(days=days - 1)
    cfg_path = write_config(folder, last=last, sources=args.sources, smtp=free_port(), url=url)
    t0 = time.perf_counter()
    n = fill(load_config(cfg_path), first, days, args.per_day, args.sources, args.failing)
    print(f"{days} days: {n:,} articles stored in {time.perf_counter() - t0:.0f} s", flush=True)
    return cfg_path, last


@contextmanager
def _schemas(pg: bool) -> Iterator[None]:
    try:
        yield
    finally:
        if pg:
            drop_schemas()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--per-day", type=int, default=150)
    ap.add_argument("--sources", type=int, default=40)
    ap.add_argument("--failing", type=int, default=4)
    ap.add_argument("--store", type=Path, help="keep the year's folder here (an empty folder: it is filled)")
    ap.add_argument("--fill-only", action="store_true", help="fill the stores, measure nothing (to profile)")
    ap.add_argument("--pg", action="store_true", help="PostgreSQL (DIGEST_TEST_PG_URL or 127.0.0.1 test)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="digest-year-store-") as tmp, _schemas(args.pg):
        for label, days, folder in (("week", 7, Path(tmp) / "week"), ("year", args.days, args.store or Path(tmp) / "year")):
            folder.mkdir(parents=True, exist_ok=True)
            url = None
            if args.pg:
                url = pg_url(label)
            cfg_path, last = prepare(folder, days, args, url)
            if args.fill_only:
                continue
            figures[label] = measure(folder, cfg_path, last)
            print(f"{label}: measured", flush=True)
    if args.fill_only:
        return 0
    width = max(len(k) for k in figures["year"])
    print(f"{'command':<{width}}  {'week':>8}  {args.days:>5} days  ratio")
    for k, year in figures["year"].items():
        week = figures["week"][k]
        print(f"{k:<{width}}  {week:8.2f}  {year:10.2f}  {year / week:5.1f}")
    print(f"\nstops 62-63, in one process ({args.days} days / week): before, now, now/before")
    for name in IN_PROCESS:
        for label in ("year", "week"):
            before, now = figures[label][f"{name}, before"], figures[label][f"{name}, now"]
            print(f"{name + ' (' + label + ')':<{width}}  {before:8.2f}  {now:10.2f}  {now / before:5.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


PG_URL = os.environ.get("DIGEST_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def pg_url(label: str) -> str:
    """A fresh schema of the test database for ``label`` (as the tests' PostgreSQL fixture,
    ``tests/support/services.py``); :func:`drop_schemas` drops it."""
    import psycopg

    name = f"year_store_{label}_{os.getpid()}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.execute(f'CREATE SCHEMA "{name}"')
    _SCHEMAS.append(name)
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={name}')}"


_SCHEMAS: list[str] = []


def drop_schemas() -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as admin:
        for name in _SCHEMAS:
            admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


if __name__ == "__main__":
    raise SystemExit(main())
