"""Try engine settings on the tuning splits only: dated ECB+ dev (close, apart) and GVC val.

Observations
------------
* Every tuned number of the time model was chosen on these streams, worst of
  three seeds, through the batch path (``digest.batch.dedupe_records``: the
  engine alone, no store, no digest), which is what the engine decides;
  ``benchmarks.timeline`` then reports the test splits through ``digest
  replay``.  This tool makes the tuning table of ``docs/evaluation.md`` one
  command again.
* It never reads a test split: tuning there would make the reported figures
  a fit.

How it works
------------
Each ``--set name=value`` overrides one field of ``digest.dedup.params.Params``
(its type taken from the default); every stream and seed runs in a worker
process (``--jobs``); the row printed is the worst seed's B-cubed P and F1 per
stream, with today's engine (the defaults) as the reference row of the same run.

    python -m benchmarks.tune [--set lead_factor=0.5 ...] [--seeds 0,1,2] [--jobs 2] [--mean]
                              [--streams ecb-sameday,ecb-close,ecb-apart,gvc,gvc-close]

``--mean`` adds a line per row, each stream's mean over the seeds (with 10 seeds a
worst seed alone moves with one topic).  ``ecb-sameday`` (dev only) puts a topic's
two events 0-24 h apart: dev ``close`` precision is over the issue's target, so a
cue's precision is measured there.  ``gvc-close`` (val only) packs GVC val's shootings into
two weeks, many starting 0-3 days after one another (stop 54: no wrong merge in 10 seeds).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed
from .dated import STREAMS
from .sparse import stream as sparse_stream

#: The tuning splits, never a test split.
TUNING = (("ecb-close", "dev"), ("ecb-apart", "dev"), ("gvc", "val"))
#: The split each stream is tuned on.
TUNING_SPLIT = {"ecb-close": "dev", "ecb-apart": "dev", "ecb-close-stated": "dev", "ecb-apart-stated": "dev",
                "ecb-sameday": "dev", "gvc": "val", "gvc-close": "val", "ecb-sameplace": "dev",
                "ecb-sameteam": "dev"}


def parse_settings(pairs: list[str]) -> dict[str, Any]:
    """``name=value`` pairs as ``Params`` overrides, each value of its field's type."""
    fields = {f.name: f for f in dataclasses.fields(Params)}
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in fields:
            raise SystemExit(f"--set {pair!r}: expected name=value, name one of {', '.join(sorted(fields))}")
        kind = type(getattr(Params(), name))
        try:
            out[name] = kind(value)
        except ValueError:
            raise SystemExit(f"--set {pair!r}: {name} takes a {kind.__name__}") from None
    return out


def run_one(job: tuple[str, str, int, dict[str, Any]]) -> tuple[str, int, tuple[float, float, float]]:
    """B-cubed (P, R, F1) of one stream and seed with the engine built from ``overrides``."""
    name, split, seed, overrides = job
    records = STREAMS[name](split, seed)
    result = dedupe_records(records, Engine(Params(**overrides)))
    pred = {o["id"]: o["story"] for o in result}
    gold = {r["id"]: r["event"] for r in records}
    return name, seed, bcubed(pred, gold)


def worst(
    overrides: dict[str, Any], seeds: list[int], jobs: int, streams: tuple[tuple[str, str], ...] = TUNING
) -> dict[str, tuple[float, float]]:
    """Per tuning stream, the worst seed's B-cubed precision and F1."""
    return {name: w for name, (w, _m) in worst_and_mean(overrides, seeds, jobs, streams).items()}


def worst_and_mean(
    overrides: dict[str, Any], seeds: list[int], jobs: int, streams: tuple[tuple[str, str], ...] = TUNING
) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """Per tuning stream, the worst seed's B-cubed (P, F1) and the mean over seeds."""
    work = [(name, split, seed, overrides) for name, split in streams for seed in seeds]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(run_one, work))
    out = {}
    for name, _split in streams:
        rows = [r for n, _seed, r in results if n == name]
        out[name] = (
            (min(r[0] for r in rows), min(r[2] for r in rows)),
            (sum(r[0] for r in rows) / len(rows), sum(r[2] for r in rows) / len(rows)),
        )
    return out


def merged_pairs(name: str, seed: int) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Seed ``seed`` of tuning stream ``name`` (on its tuning split), and every pair of its
    reports that the engine as it is (batch path) put in one story: (id, id, ``"same"`` when
    the two are of one event, else ``"sibling"``), story by story in the order made.  What
    a cue's ``--errors`` counts over (``benchmarks.edition_cue``, ``benchmarks.office_cue``)."""
    records = STREAMS[name](TUNING_SPLIT[name], seed)
    event = {r["id"]: r["event"] for r in records}
    stories: dict[Any, list[str]] = defaultdict(list)
    for o in dedupe_records(records, Engine(Params())):
        stories[o["story"]].append(o["id"])
    pairs = [(a, b, "same" if event[a] == event[b] else "sibling")
             for ids in stories.values() for a, b in combinations(ids, 2)]
    return records, pairs


def merged_tallies(
    spec: str, tally: Callable[[tuple[str, int]], Counter[str]], jobs: int
) -> Iterator[tuple[str, Counter[str]]]:
    """A cue's ``--errors STREAM:SEEDS,...``: per stream, ``"STREAM:SEEDS"`` and the sum of
    ``tally((stream, seed))`` over its seeds (``range(SEEDS)``, 1 when not given), each seed in
    a worker process (``jobs``).  ``tally`` counts over :func:`merged_pairs`."""
    for part in spec.split(","):
        name, _, seeds = part.partition(":")
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            total = sum(pool.map(tally, [(name, s) for s in range(int(seeds or 1))]), Counter())
        yield f"{name}:{seeds or 1}", total


def records_of(name: str, seed: int) -> list[dict[str, Any]]:
    """A tuning stream, or ``young-close`` / ``young-undated``: draw ``seed`` of
    ``benchmarks.sparse``'s young store (1-3 reports an event) of dev, dated close or undated."""
    if name.startswith("young-"):  # young-close, young-undated
        return sparse_stream(name[6:], "dev", seed)
    return STREAMS[name](TUNING_SPLIT[name], seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override one Params field (repeatable)")
    ap.add_argument("--seeds", default="0,1,2", help="stream seeds (dates and delays drawn per seed)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--mean", action="store_true", help="a second line per row: the mean over seeds")
    ap.add_argument("--streams", default=",".join(n for n, _s in TUNING),
                    help=f"comma-separated, of {', '.join(TUNING_SPLIT)} (each on its tuning split)")
    args = ap.parse_args(argv)
    names = [n for n in args.streams.split(",") if n]
    unknown = [n for n in names if n not in TUNING_SPLIT]
    if unknown:
        raise SystemExit(f"--streams: unknown {', '.join(unknown)} (one of {', '.join(TUNING_SPLIT)})")
    streams = tuple((n, TUNING_SPLIT[n]) for n in names)
    overrides = parse_settings(args.set)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{'row':34} " + " ".join(f"{f'{n}:{s}':>18}" for n, s in streams) + "   (B-cubed P / F1, worst seed)")
    rows: list[tuple[str, dict[str, Any]]] = [("today's engine", {})] + ([(" ".join(args.set), overrides)] if overrides else [])
    for label, over in rows:
        t0 = time.perf_counter()
        figs = worst_and_mean(over, seeds, args.jobs, streams)
        cells = " ".join(f"{p:8.3f} / {f:5.3f}" for p, f in (figs[n][0] for n, _s in streams))
        print(f"{label[:34]:34} {cells}   {time.perf_counter() - t0:.0f} s")
        if args.mean:
            cells = " ".join(f"{p:8.4f} / {f:6.4f}" for p, f in (figs[n][1] for n, _s in streams))
            print(f"{'  mean of the seeds':34} {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
