"""A report whose nearest neighbours sit in another story, moved there: simulated on the final stories.

Observations
------------
* Stop 53's error analysis (``benchmarks.sibling_merges``): some strays of the
  dev close and same-day streams have their best cosine in their own event,
  while average linkage keeps them with the sibling.  Counted and simulated
  here before anything is built: the engine's neighbour list of each report
  (``Params.neighbours`` nearest, by cosine, as the state holds them at the
  end) gives its own story a share of the list's cosine mass; a report whose
  share is under ``s`` and below the share of one other story is moved to it.
* Tuning splits only.

How it works
------------
Each stream and seed runs through ``digest.batch.dedupe_records``; the moves
are applied to the final stories (never fed back to the engine).  Per stream
and ``s``: worst and mean B-cubed P / F1 over the seeds.

    python -m benchmarks.neighbour_vote [--streams ecb-sameday:10,ecb-close:3,ecb-apart:3,gvc:3]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed
from .dated import STREAMS
from .tune import TUNING_SPLIT

SHARES = (0.3, 0.4, 0.5)


def moved(engine: Engine, story: dict[str, Any], share: float) -> dict[str, Any]:
    """``story`` with each report whose neighbour list leans to another story moved there."""
    st = engine.state
    size = Counter(story.values())
    out = dict(story)
    for num, i in enumerate(st.ids):
        if i not in story or size[story[i]] < 2:
            continue
        nb = [(st.ids[n], float(w)) for n, w in zip(st.nb.nums[num], st.nb.sims[num], strict=True) if n >= 0 and w > 0]
        total = sum(w for _j, w in nb)
        if not total:
            continue
        own = sum(w for j, w in nb if story.get(j) == story[i]) / total
        other: dict[Any, float] = defaultdict(float)
        for j, w in nb:
            if story.get(j) != story[i]:
                other[story.get(j)] += w
        if other:
            best, weight = max(other.items(), key=lambda kv: kv[1])
            if weight / total > own and own < share:
                out[i] = best
    return out


def run_one(job: tuple[str, int]) -> tuple[str, dict[float, tuple[float, float, float]]]:
    name, seed = job
    records = STREAMS[name](TUNING_SPLIT[name], seed)
    engine = Engine(Params())
    story = {o["id"]: o["story"] for o in dedupe_records(records, engine)}
    gold = {r["id"]: r["event"] for r in records}
    out = {0.0: bcubed(story, gold)}
    for s in SHARES:
        out[s] = bcubed(moved(engine, story, s), gold)
    return name, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--streams", default="ecb-sameday:10,ecb-close:3,ecb-apart:3,gvc:3")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    plan = [(n, int(k)) for n, _s, k in (x.partition(":") for x in args.streams.split(","))]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, [(n, s) for n, k in plan for s in range(k)]))
    for s in (0.0, *SHARES):
        cells = []
        for n, k in plan:
            rows = [o[s] for name, o in results if name == n]
            cells.append(f"{n}:{k} worst {min(r[0] for r in rows):.3f} / {min(r[2] for r in rows):.3f}"
                         f" mean {sum(r[0] for r in rows) / k:.4f} / {sum(r[2] for r in rows) / k:.4f}")
        print(f"{'today' if s == 0 else f'moved under {s}'}: " + " | ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
