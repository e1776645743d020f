"""Numbers that never change as an event develops, built as a cue: does it cost the tuning splits?

Observations
------------
* ``benchmarks.invariant_numbers`` counted the cue before building it: a quake's
  magnitude, a person's age, a game's score and a sum of money, stated by both
  reports of a pair with no value shared, part sibling events far more often than
  reports of one event on ECB+ dev (and GVC val); yet none of the sibling pairs the
  dev close stories merge is flagged, so on dev it can only cost.  It was dropped
  for that reason.  This tool builds it as the regrouping's link penalty and
  measures that cost, which the count alone cannot tell (a link cut inside a
  story may or may not part it: average linkage reads the whole group).
* It reads only the tuning splits.

How it works
------------
Each article's values per kind are read from its title and text
(``invariant_numbers.invariants``; the kinds of ``--kinds``).  In a worker
process, the regrouping's similarity (``regrouping._region_similarity``) is
wrapped: a pair whose two articles state a kind and share no value of it has its
link multiplied by ``--factor``.  Streams: ECB+ dev close and apart, GVC val (3
seeds each) and undated ECB+ dev (3 shuffled orders, no publication time);
worst seed's B-cubed P / F1 per stream, today's engine first in the same run.

    python -m benchmarks.invariant_cue [--factor 0.5,0.2] [--kinds magnitude,age,score,money]
"""

from __future__ import annotations

import argparse
import random
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from digest.batch import dedupe_records
from digest.dedup import regrouping
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed, load_ecb
from .dated import STREAMS
from .invariant_numbers import invariants

UNDATED = "ecb-undated"
RUNS = (("ecb-close", "dev"), ("ecb-apart", "dev"), ("gvc", "val"), (UNDATED, "dev"))
#: The regrouping's own similarity, which every patch wraps (a worker runs several jobs).
_PLAIN = regrouping._region_similarity


def _records(name: str, split: str, seed: int) -> list[dict[str, Any]]:
    if name != UNDATED:
        return STREAMS[name](split, seed)
    rows = load_ecb(split)
    random.Random(seed).shuffle(rows)
    return [{"id": r["id"], "title": r["title"], "text": r["text"], "event": r["event"]} for r in rows]


def _penalised(marks: dict[str, dict[str, frozenset[str]]], factor: float) -> Any:
    """``_region_similarity`` with the conflicting pairs' links times ``factor``."""
    def similarity(state: Any, nums: np.ndarray) -> np.ndarray:
        sim = _PLAIN(state, nums)
        rows = [marks.get(state.ids[int(n)], {}) for n in nums]
        for i in range(len(rows)):
            if not rows[i]:
                continue
            for j in range(i + 1, len(rows)):
                b = rows[j]
                if b and any(k in b and not (v & b[k]) for k, v in rows[i].items()):
                    sim[i, j] *= factor
                    sim[j, i] *= factor
        return sim

    return similarity


def run_one(job: tuple[str, str, int, float, tuple[str, ...]]) -> tuple[str, int, float, tuple[float, float, float]]:
    name, split, seed, factor, kinds = job
    records = _records(name, split, seed)
    if factor < 1.0:
        marks = {}
        for r in records:
            m = {k: v for k, v in invariants(r).items() if k in kinds}
            if m:
                marks[str(r["id"])] = m
        regrouping._region_similarity = _penalised(marks, factor)  # type: ignore[assignment]
    result = dedupe_records(records, Engine(Params()))
    pred = {o["id"]: o["story"] for o in result}
    gold = {r["id"]: r["event"] for r in records}
    return name, seed, factor, bcubed(pred, gold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--factor", default="0.5,0.2", help="link factors to try (comma-separated)")
    ap.add_argument("--kinds", default="magnitude,age,score,money")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    seeds = [int(s) for s in args.seeds.split(",")]
    factors = [1.0] + [float(f) for f in args.factor.split(",") if f]
    print(f"{'row':28} " + " ".join(f"{f'{n}:{s}':>18}" for n, s in RUNS) + "   (B-cubed P / F1, worst seed)")
    for factor in factors:
        t0 = time.perf_counter()
        work = [(n, s, seed, factor, kinds) for n, s in RUNS for seed in seeds]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:  # a fresh worker per row: the patch stays in it
            results = list(pool.map(run_one, work))
        cells = []
        for n, _s in RUNS:
            rows = [r for name, _seed, _f, r in results if name == n]
            cells.append(f"{min(r[0] for r in rows):8.3f} / {min(r[2] for r in rows):5.3f}")
        label = "today's engine" if factor == 1.0 else f"x{factor} on {'+'.join(kinds)}"
        print(f"{label[:28]:28} {' '.join(cells)}   {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
