"""A whole ``digest run`` over 1,000 feeds served on loopback: wall time, failures, profile.

Observations
------------
* A large installation reads about a thousand feeds: 10 to 50 entries each,
  a few KB (summaries) to ~200 KB (full text).  Some servers are slow, a few
  never answer within the timeouts, some fail (500, 404), send garbage or
  hang up.  Each failing source must cost one line in the report and never
  stop the others.
* Where the time of a run goes decides what to make faster: waiting on the
  network, feedparser, cleaning, the dedup engine, SQLite or the templates.

How it works
------------
* Articles: ``benchmarks.speed.Generator`` turns ECB+ (``../shared``) into
  an endless seeded stream of stories of 1-5 versions (rewrites with other
  titles; other "worlds" rename people and places, so stories differ).  The
  versions are dealt out to the feeds at random, so one story's versions
  come from several outlets.  Every entry has its own link; half the feeds
  give a ``guid``.  40 % of the feeds carry the full text
  (``content:encoded``), the others a 50-word summary.  Entries are dated
  over the last hours, so today's digest holds them.
* Feeds: ``--feeds`` (1,000) RSS documents served by
  ``benchmarks.loopback.FeedServer`` on 127.0.0.1 (allowlisted in the
  configuration through ``fetch.allow_hosts``, as digest refuses loopback
  otherwise; ``fetch.per_host`` is raised to 16 because the one loopback
  host stands for a thousand).  4 % answer after a delay under the timeouts (0.3-2 s), and a
  few after longer than ``fetch.read_timeout`` (set to 5 s in the
  configuration); 1 % answer 500, 1 % 404, 1 % send garbage bytes, 1 % close
  the connection without an answer.
* The run: a ``feeds.yaml`` in a temporary folder, then ``open_app`` +
  ``App.run`` + ``App.write_digest`` (what ``digest run`` does), timed by
  the wall clock.  Checked: every failing source gave exactly one error
  line, no other source failed, and every entry of the good feeds was
  stored.  The bound (``--bound``, seconds, chosen from measurement with
  headroom) is printed and the exit status is 1 when the run exceeds it.
* Where the time goes, in the timed run itself: timers around each stage's
  entry points as the pipeline calls them (fetch ``digest.sources.prefetch`` and
  ``digest.sources.fetch.fetch``, parse ``parse_feed``, prepare
  ``bodies_of``/``prepare``/``recurring_lines``
  with extraction shown inside it, engine ``Engine`` methods, store every
  store call and transaction, render ``render``/``make_env``); only the
  outermost timer counts, so the stages add up to at most the wall time.
* Profile: a second run under cProfile over the first ``--profile-feeds``
  feeds (fresh store; cProfile slows Python code down, so it is a separate,
  smaller run): the top digest functions by cumulative time, grouped by
  stage (by module).

Measured (shared 2-core machine, 1,000 feeds, 30,215 entries of which 28,858
in the 956 good feeds, 44 failing feeds): 1,122 s wall; engine 770 s (69 %),
store 213 s (19 %), prepare 58 s, parse 22 s, fetch 22 s (the four feeds
that exceed the 5 s read timeout and the 40 slow ones, waited for side by
side), render 15 s.  Before the engine regrouped neighbourhoods (ae86d90,
with ``App.run`` still fetching one feed after the other) the same run took
362 s: engine 118 s, prepare 71 s, fetch 71 s, store 54 s.

    python -m benchmarks.feeds_run [--feeds 1000] [--bound S] [--profile-feeds 200]
                                   [--top 6] [--seed 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from digest.app import RunReport, open_app

from .common import load_ecb
from .loopback import FeedServer, Item, Route, rss
from .speed import Generator

#: Seconds the whole 1,000-feed run may take: measured 1,122 s on a shared 2-core
#: machine (engine 69 %, store 19 %), with half as much again as headroom.
BOUND = 1800.0
READ_TIMEOUT = 5.0

#: Failure kinds: share of feeds, and the error kind digest must report.
FAILURES: dict[str, tuple[float, str]] = {
    "http-500": (0.01, "http-500"),
    "http-404": (0.01, "http-404"),
    "garbage": (0.01, "not-a-feed"),
    "close": (0.01, "protocol"),
    "too-slow": (0.004, "timeout"),
}
SLOW_SHARE = 0.04

#: Stages for the profile summary: module path fragments.
STAGES: dict[str, tuple[str, ...]] = {
    "fetch": ("digest/sources/fetch.py", "digest/sources/netguard.py", "digest/sources/addresses.py"),
    "parse": ("digest/sources/feeds.py", "digest/sources/xmlscreen.py", "digest/sources/dates.py",
              "/feedparser/"),
    "prepare (extract, clean)": ("digest/text/",),
    "engine": ("digest/dedup/",),
    "store": ("digest/store/",),
    "render": ("digest/output/render.py", "digest/output/sanitize.py",
               "digest/output/templates.py"),
}


@dataclass
class Feed:
    name: str
    path: str
    kind: str  # "ok", "slow" or a FAILURES key
    items: list[Item] = field(default_factory=list)
    full: bool = False
    body: bytes = b""


def make_feeds(n: int, seed: int) -> list[Feed]:
    """``n`` feeds of 10-50 generated entries, with their kinds (seeded)."""
    rng = random.Random(seed)
    kinds = ["ok"] * n
    slots = list(range(n))
    rng.shuffle(slots)
    at = 0
    for kind, (share, _) in [*FAILURES.items(), ("slow", (SLOW_SHARE, ""))]:
        for i in slots[at : at + max(1, round(share * n))]:
            kinds[i] = kind
        at += max(1, round(share * n))
    feeds = [Feed(f"Outlet {i:04d}", f"/feeds/{i:04d}.xml", kinds[i], full=rng.random() < 0.4) for i in range(n)]
    deal = [i for i in range(n) for _ in range(rng.randint(10, 50))]
    rng.shuffle(deal)
    now = datetime.now(UTC).replace(microsecond=0)
    stream = Generator(load_ecb("all"), seed=seed).articles()
    for k, (f, (aid, title, text, _)) in enumerate(zip(deal, itertools.islice(stream, len(deal)), strict=True)):
        when = now - timedelta(seconds=(len(deal) - k) * 600 / max(1, len(deal)) * 6)
        slug = "-".join(title.lower().split()[:6])
        link = f"https://outlet{f:04d}.example/news/{aid}/{slug}"
        guid = f"outlet{f:04d}:{aid}" if f % 2 else ""
        feeds[f].items.append(Item(title, link, guid, when, text))
    for feed in feeds:
        feed.body = rss(feed.name, f"https://{feed.path}", feed.items,
                        full=feed.full, summary_words=50)
    return feeds


def serve(srv: FeedServer, feeds: list[Feed], seed: int) -> None:
    rng = random.Random(seed + 1)
    for feed in feeds:
        route = Route(body=feed.body, etag=f'"{feed.name}"')
        if feed.kind == "slow":
            route.delay = rng.uniform(0.3, 2.0)
        elif feed.kind == "too-slow":
            route.delay = READ_TIMEOUT + 3.0
        elif feed.kind == "http-500":
            route.status, route.body = 500, b"internal error"
        elif feed.kind == "http-404":
            route.status, route.body = 404, b"not found"
        elif feed.kind == "garbage":
            route.body = rng.randbytes(4096)
        elif feed.kind == "close":
            route.broken = "close"
        srv.routes[feed.path] = route


def write_config(root: Path, srv: FeedServer, feeds: list[Feed]) -> Path:
    lines = ["sources:"]
    for feed in feeds:
        lines.append(f"  - name: {feed.name}\n    url: {srv.url(feed.path)}")
    lines += [
        "output_dir: out",
        "data_dir: data",
        "fetch:",
        "  allow_hosts: ['127.0.0.1']",
        "  per_host: 16  # the feeds stand for 1,000 hosts, not one",
        "  connect_timeout: 5",
        f"  read_timeout: {READ_TIMEOUT:g}",
        "  deadline: 15",
    ]
    config = root / "feeds.yaml"
    config.write_text("\n".join(lines) + "\n")
    return config


def run(config: Path) -> tuple[RunReport, list[Path], float]:
    """What ``digest run`` does: run every source, then write today's digest."""
    t0 = time.perf_counter()
    with open_app(config) as app:
        report = app.run()
        paths = app.write_digest()
    return report, paths, time.perf_counter() - t0


def check(report: RunReport, feeds: list[Feed]) -> list[str]:
    """Problems with the run's outcome (empty when it is as expected)."""
    problems = []
    by_name: dict[str, list[str]] = {}
    for err in report.errors:
        by_name.setdefault(err.source, []).append(err.kind)
        if "\n" in str(err):
            problems.append(f"{err.source}: error message spans several lines")
    for feed in feeds:
        got = by_name.get(feed.name, [])
        want = FAILURES[feed.kind][1] if feed.kind in FAILURES else None
        if want is None and got:
            problems.append(f"{feed.name} ({feed.kind}) failed: {got}")
        elif want is not None and got != [want] and not (feed.kind == "close" and len(got) == 1):
            problems.append(f"{feed.name} ({feed.kind}): expected one {want} error, got {got}")
    expected = sum(len(f.items) for f in feeds if f.kind in ("ok", "slow"))
    if report.new_articles != expected:
        problems.append(f"{report.new_articles} articles stored, expected {expected}")
    return problems


class StageClock:
    """Wall time per stage of a run, from timers put around the stages' entry points.

    Only the outermost timed call counts (a store call made inside an engine
    call stays engine time), except ``extract``, counted inside ``prepare``.
    """

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.active: str | None = None
        self._undo: list[tuple[object, str, object]] = []

    def timed(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        nested = stage == "extract"

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self.active is not None and not nested:
                return fn(*args, **kwargs)
            outer, t0 = self.active, time.perf_counter()
            self.active = self.active or stage
            try:
                return fn(*args, **kwargs)
            finally:
                self.active = outer
                self.seconds[stage] += time.perf_counter() - t0
                self.calls[stage] += 1

        return wrapper

    def patch(self, owner: object, name: str, stage: str) -> None:
        old = getattr(owner, name)
        self._undo.append((owner, name, old))
        setattr(owner, name, self.timed(stage, old))

    def __enter__(self) -> StageClock:
        import digest.app
        import digest.dedup.engine
        import digest.output.render
        import digest.revisions
        import digest.sources.feeds
        import digest.sources.fetch
        import digest.text.clean
        import digest.text.extract
        import digest.text.prepare

        self.patch(digest.sources.fetch, "fetch", "fetch")
        self.patch(digest.app, "prefetch", "fetch")  # fetch_many over a group of sources (digest.sources.prefetch)
        self.patch(digest.sources.feeds, "parse_feed", "parse")
        for name in ("bodies_of", "prepare"):
            self.patch(digest.app, name, "prepare")
        for name in ("bodies_of", "recurring_lines"):  # a poll's recurring lines (digest.revisions)
            self.patch(digest.revisions, name, "prepare")
        self.patch(digest.text.prepare, "html_to_text", "extract")
        self.patch(digest.text.prepare, "extract_many", "extract")
        for name in ("fingerprint", "add", "restore", "scores", "lead"):
            self.patch(digest.dedup.engine.Engine, name, "engine")
        self.patch(digest.app, "open_store", "store")
        self.patch(digest.app, "load_config", "other")
        self.patch(digest.output.render, "render", "render")
        self.patch(digest.output.render, "make_env", "render")
        clock = self
        real_open = digest.app.open_store

        def open_timed(url: str) -> Any:
            return _TimedStore(real_open(url), clock)

        self._undo.append((digest.app, "open_store", real_open))
        digest.app.open_store = open_timed  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, old in reversed(self._undo):
            setattr(owner, name, old)
        self._undo.clear()


class _TimedStore:
    """A store whose every call (and transaction enter/exit, i.e. the commit) is store time."""

    def __init__(self, inner: Any, clock: StageClock) -> None:
        self._inner, self._clock = inner, clock

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name in ("transaction", "exclusive"):
            return lambda *a, **k: _TimedContext(value(*a, **k), self._clock)
        return self._clock.timed("store", value) if callable(value) else value


class _TimedContext:
    def __init__(self, inner: Any, clock: StageClock) -> None:
        self._enter = clock.timed("store", inner.__enter__)
        self._exit = clock.timed("store", inner.__exit__)

    def __enter__(self) -> Any:
        return self._enter()

    def __exit__(self, *exc: Any) -> Any:
        return self._exit(*exc)


def stage_of(filename: str) -> str:
    path = filename.replace(os.sep, "/")
    for stage, parts in STAGES.items():
        if any(p in path for p in parts):
            return stage
    return "pipeline" if "/digest/" in path else "other"


def profile(config: Path, top: int) -> None:
    """A run under cProfile: its top digest functions by cumulative time, grouped by stage."""
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    report, _, _ = run(config)
    prof.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    print(f"\ncProfile of a run over {report.sources} of the feeds (fresh store, {report.new_articles:,} "
          f"articles, {wall:.1f}s under the profiler): top digest functions by cumulative time")
    groups: dict[str, list[tuple[float, int, str]]] = {}
    for (fn, line, name), (_, nc, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/digest/" in fn.replace(os.sep, "/"):
            groups.setdefault(stage_of(fn), []).append((ct, nc, f"{Path(fn).name}:{line}({name})"))
    for stage in [*STAGES, "pipeline"]:
        rows = sorted(groups.get(stage, []), reverse=True)[:top]
        if rows:
            print(f"  {stage}:")
        for ct, nc, label in rows:
            print(f"    {ct:8.2f}s {100 * ct / wall:5.1f}% {nc:8d} calls  {label}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--bound", type=float, default=0.0,
                    help=f"seconds the run may take (default {BOUND:g} for 1,000 feeds, scaled)")
    ap.add_argument("--profile-feeds", type=int, default=200,
                    help="feeds in the profiled run (0: no profile)")
    ap.add_argument("--top", type=int, default=6, help="functions shown per stage")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="keep the configuration, store and digest here")
    args = ap.parse_args(argv)
    bound = args.bound or BOUND * args.feeds / 1000
    t0 = time.perf_counter()
    feeds = make_feeds(args.feeds, args.seed)
    sizes = sorted(len(f.body) for f in feeds)
    kinds = Counter(f.kind for f in feeds)
    print(f"{len(feeds)} feeds, {sum(len(f.items) for f in feeds):,} entries, "
          f"{sum(f.full for f in feeds)} with full text; sizes {sizes[0] / 1024:.0f} KB to "
          f"{sizes[-1] / 1024:.0f} KB (median {sizes[len(sizes) // 2] / 1024:.0f} KB); "
          + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
          + f" (generated in {time.perf_counter() - t0:.1f}s)")
    with tempfile.TemporaryDirectory(prefix="digest-feeds-") as tmp, FeedServer() as srv:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        serve(srv, feeds, args.seed)
        config = write_config(root, srv, feeds)
        with StageClock() as clock:
            report, paths, wall = run(config)
        print(f"\ndigest run: {wall:.1f}s wall, {report.summary()}")
        print("where the time went (timers around each stage's entry points):")
        for stage in ("fetch", "parse", "prepare", "extract", "engine", "store", "render"):
            secs = clock.seconds[stage]
            label = "  of which extract" if stage == "extract" else stage
            print(f"  {label:22} {secs:8.1f}s {100 * secs / wall:5.1f}%  ({clock.calls[stage]:,} calls)")
        rest = wall - sum(v for k, v in clock.seconds.items() if k != "extract")
        print(f"  {'other':22} {rest:8.1f}s {100 * rest / wall:5.1f}%  (config, run loop, logging)")
        for path in paths:
            print(f"  wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
        print(f"failures reported ({len(report.errors)}, one line each):")
        shown = Counter[str]()
        for err in report.errors:
            shown[err.kind] += 1
            if shown[err.kind] <= 2:
                print(f"  {err}")
        print("  by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(shown.items())))
        problems = check(report, feeds)
        for p in problems:
            print(f"PROBLEM: {p}")
        if args.profile_feeds:
            sample = feeds[: args.profile_feeds]
            proot = root / "profiled"
            proot.mkdir(exist_ok=True)
            profile(write_config(proot, srv, sample), args.top)
    ok = wall <= bound and not problems
    print(f"\nbound: finishes within {bound:.0f} s: {wall:.1f}s, {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
