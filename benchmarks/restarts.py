"""Restarts: cron runs (a new process each time, its engine rebuilt from the store) against
one process that adds every article to one engine.

Observations
------------
* A daemon keeps one engine and adds each article to it (``Engine.add``); ``digest run``
  from cron starts a new process each time, whose engine is rebuilt from the store
  (``digest.engines.rebuilt_engine``: ``Engine.restore`` of the stored articles in their
  stored stories) before it adds the new ones.  If restoring does not leave the engine as
  adding did, an hourly cron gives other stories than a daemon.
* The tuning streams (dated ECB+ dev, GVC val: ``benchmarks.dated``) are real reports of
  labelled events; the synthetic corpus of random-word near-copies
  (``tests/support/synthetic.py``) is where the difference was first seen.

How it works
------------
Each stream, with each seed, goes through a real ``App`` on a SQLite store in a temporary
folder, batch by batch as ``digest replay`` ingests it (one ``App.ingest`` per source and
arrival instant, the clock at the arrival):

* ``one process``: one engine for the whole stream (the daily renewal off), the reference;
* ``every N h``: the engine dropped whenever the arrival crosses an N-hour boundary, so the
  next batch's engine is rebuilt from the store by the product's own path, as a cron run
  every N hours would have it (``App.engine`` -> ``rebuilt_engine``).

The row ``batch path`` is ``digest.batch.dedupe_records`` (the engine alone, the tuning
path; its cleaning differs a little from ``App.ingest``'s, which sees a source's batch).
Figures are B-cubed P/R/F1 of the store's final stories against the gold events, worst
seed of ``--seeds``; the synthetic corpus (``--synthetic``) counts stories of one engine
against one restarted halfway, at the engine level.

    python -m benchmarks.restarts [--seeds 0,1,2] [--hours 1,6,24] [--jobs 2] [--synthetic]

Measured (stop 33, ``docs/evaluation.md``, "Restarts"): every 1, 6 and 24 h gives the daemon's
worst-seed figures on all three streams (ECB+ close F1 0.937 against one process's 0.944,
apart 0.966 and GVC 0.991 as one process); restoring the whole stream instead of two windows
gives one process's figures exactly: the gap is the rebuild's window (the idf), not restore.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from digest.batch import dedupe_records, entry_of
from digest.config import SourceConfig

from .common import bcubed
from .dated import STREAMS

#: The tuning splits, never a test split.
STREAM_SPLITS = (("ecb-close", "dev"), ("ecb-apart", "dev"), ("gvc", "val"))
#: The rows that are not a cron period, by their code in ``run_one``.
NAMES: dict[float | None, str] = {-1: "batch path", None: "one process", -2: "daemon"}


def _arrival(r: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(r["arrived"].replace("Z", "+00:00")).astimezone(UTC)


def through_app(records: list[dict[str, Any]], hours: float | None, *, renew: bool = False) -> dict[str, str]:
    """The store's final story per record id after ingesting ``records`` (in arrival order)
    as ``digest replay`` does, the engine rebuilt from the store at every ``hours`` boundary
    of arrival time (None: never, one process; ``renew``: as the daemon does, once a day
    after its first use, ``Clustering._renew_engine``)."""
    from digest.app import App, RunReport
    from digest.config import load_config
    from digest.store.base import open_store

    with tempfile.TemporaryDirectory(prefix="digest-restarts-") as tmp:
        work = Path(tmp)
        (work / "feeds.yaml").write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n")
        cfg = load_config(work / "feeds.yaml")
        store = open_store(cfg.database_url)
        app = App(cfg, store)
        app.extract_workers = 1
        if not renew:
            app._renew_engine = lambda now: None  # type: ignore[method-assign]  # only the restarts here
        bucket: int | None = None
        try:
            for (at, source), batch in groupby(records, key=lambda r: (_arrival(r), str(r["source"]))):
                if hours is not None:
                    b = int(at.timestamp() // (hours * 3600))
                    if bucket is not None and b != bucket:
                        app._engine = None  # a new process: the engine is rebuilt from the store
                    bucket = b
                src = SourceConfig(name=source, path=Path(source), priority=0.0)
                app.ingest(src, [entry_of(r) for r in batch], fetched=at, report=RunReport())
            final = {a.guid or a.key: a.story_id
                     for a in store.articles_since(datetime(1970, 1, 1, tzinfo=UTC), with_text=False)}
        finally:
            app.close()
    return final


def run_one(job: tuple[str, str, int, float | None]) -> tuple[str, int, float | None, tuple[float, float, float], int, float]:
    """B-cubed (P, R, F1), the number of stories and the seconds of one stream, seed and batching
    (hours None: one process; -1: the batch path; -2: the daemon, its engine renewed daily)."""
    name, split, seed, hours = job
    records = STREAMS[name](split, seed)
    gold = {r["id"]: r["event"] for r in records}
    t0 = time.perf_counter()
    if hours == -1:
        pred = {o["id"]: o["story"] for o in dedupe_records(records)}
    else:
        final = through_app(records, None if hours == -2 else hours, renew=hours == -2)
        pred = {i: final.get(i, f"lost:{i}") for i in gold}
    return name, seed, hours, bcubed(pred, gold), len(set(pred.values())), time.perf_counter() - t0


def synthetic(parts: int = 2) -> tuple[tuple[int, tuple[float, float, float]], tuple[int, tuple[float, float, float]]]:
    """The synthetic corpus: (stories, B-cubed) of one engine adding all 300 articles, and of
    an engine restored from the stories and fingerprints so far after each ``1/parts`` of them
    (as ``digest.engines.restore_row`` restores: stored fingerprint, stored story, in the
    store's order: publication time, then key) before adding the next part.  Gold: the base
    story each article was drawn from (its title's first 8 words)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from digest.dedup.engine import Engine
    from digest.dedup.fingerprint import Fingerprint
    from tests.support.synthetic import docs

    all_docs = docs()
    gold = {d.id: " ".join(d.title.split()[:8]) for d in all_docs}
    one = Engine()
    for d in all_docs:
        one.add(d)
    cut = [len(all_docs) * k // parts for k in range(parts + 1)]
    engine = Engine()
    done: list[Any] = []
    blobs: dict[str, bytes] = {}
    for k in range(parts):
        if done:
            stories = {d.id: engine.story_of(d.id) for d in done}
            engine = Engine()
            for d in sorted(done, key=lambda d: (d.published, d.id)):
                engine.restore(d, Fingerprint.from_bytes(blobs[d.id]), stories[d.id])
        for d in all_docs[cut[k] : cut[k + 1]]:
            fp = engine.fingerprint(d)
            blobs[d.id] = fp.to_bytes()
            engine.add(d, fp)
            done.append(d)

    def scored(e: Engine) -> tuple[int, tuple[float, float, float]]:
        return len(e.stories()), bcubed({d.id: e.story_of(d.id) for d in all_docs}, gold)

    return scored(one), scored(engine)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2", help="stream seeds (dates and delays drawn per seed)")
    ap.add_argument("--hours", default="1,6,24", help="cron periods to try (hours of arrival time)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--streams", default=",".join(n for n, _s in STREAM_SPLITS))
    ap.add_argument("--synthetic", action="store_true", help="also the synthetic corpus's story counts")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    periods: list[float | None] = [-1, None, -2, *(float(h) for h in args.hours.split(","))]
    streams = [(n, s) for n, s in STREAM_SPLITS if n in args.streams.split(",")]
    work = [(n, s, seed, h) for n, s in streams for h in periods for seed in seeds]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, work))
    print("B-cubed of the store's final stories, worst seed; 'one process' is the reference")
    print(f"{'stream':16} {'row':14} {'P':>6} {'R':>6} {'F1':>6}  {'stories':>7}  {'dF1':>6}  seconds")
    for name, split in streams:
        ref_f1 = None
        for h in periods:
            rows = [(b3, n, s) for nm, _seed, hh, b3, n, s in results if nm == name and hh == h]
            p, r, f = (min(b3[i] for b3, _n, _s in rows) for i in range(3))
            stories = f"{min(n for _b, n, _s in rows)}-{max(n for _b, n, _s in rows)}"
            secs = sum(s for _b, _n, s in rows) / len(rows)
            label = NAMES.get(h) or f"every {h:g} h"
            if h is None:
                ref_f1 = f
            delta = "" if ref_f1 is None or h in (None, -1) else f"{f - ref_f1:+.3f}"
            print(f"{name + ':' + split:16} {label:14} {p:6.3f} {r:6.3f} {f:6.3f}  {stories:>7}  {delta:>6}  {secs:.1f}")
    if args.synthetic:
        print("synthetic (300 articles, engine level; gold: the base story drawn)")
        for k in (2, 3):
            (n1, b1), (nk, bk) = synthetic(k)
            if k == 2:
                print(f"{'synthetic':16} {'one process':14} {b1[0]:6.3f} {b1[1]:6.3f} {b1[2]:6.3f}  {n1:>7}")
            print(f"{'synthetic':16} {f'restored x{k - 1}':14} {bk[0]:6.3f} {bk[1]:6.3f} {bk[2]:6.3f}  {nk:>7}  "
                  f"{bk[2] - b1[2]:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
