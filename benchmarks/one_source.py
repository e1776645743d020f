"""A small source that is mostly one story: are its reports of that story one story?

Observations
------------
* A source's own words (``digest.dedup.sourceterms``) are the terms in half or more of its
  latest articles: between two of its articles they are no evidence, which keeps a site's
  template from making one story of its posts (``benchmarks.feed_merges``).  A small source
  that is mostly one developing story (a local paper in the week of a fire near its town, a
  topic's feed) holds that story's names in half its articles too: between its own reports
  they were no evidence either, and its follow-ups became stories of their own.
* Real corpora carry no outlet (ECB+) or a few reports an incident (GVC): this benchmark
  makes the source from real reports, ECB+ events of 4 or more.

How it works
------------
For each ECB+ event of the split with ``m`` or more reports (and each seed): a source carrying
``m`` of its reports and ``k`` reports of other topics, shuffled, is read as one poll of a new
engine (``Engine.expect`` first, as ``App.ingest`` reads a poll).  Per mix ``(m, k)``: the
share of events whose ``m`` reports end in one story, and B-cubed P / F1 over all the
source's articles (the others labelled by their own events).  Rows: today's engine; the
engine of stop 50 (``source_titled`` 0: no headline test); the source's own words off
(``source_share`` 0: what a source's template costs them nothing).  ECB+ titles are each
report's first sentence, longer than a headline: a headline names fewer of a story's words.

    python -m benchmarks.one_source [--split dev|test] [--seeds N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from digest.dedup.doc import Doc
from digest.dedup.engine import Engine, Params

from .common import bcubed, load_ecb

#: (reports of the event, reports of other topics) in the source: the event is 4/4 to 1/2 of it.
MIXES = ((4, 0), (6, 1), (4, 2), (5, 3), (5, 5), (6, 6))
ROWS: dict[str, dict[str, Any]] = {
    "today's engine": {},
    "no headline test (stop 50)": {"source_titled": 0},
    "no own words": {"source_share": 0.0},
}


def run_mix(params: Params, rows: list[dict[str, Any]], m: int, k: int, seed: int) -> tuple[int, int, list[float]]:
    """(events whose ``m`` reports are one story, events tried, [P, F1] summed over them)."""
    rng = random.Random(seed)
    by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_event[r["event"]].append(r)
    joined = tried = 0
    sums = [0.0, 0.0]
    for event in sorted(e for e, rs in by_event.items() if len(rs) >= m):
        mine = rng.sample(by_event[event], m)
        topic = mine[0]["topic"]
        others = rng.sample([r for r in rows if r["topic"] != topic], k)
        items = mine + others
        rng.shuffle(items)
        engine = Engine(params)
        docs = [Doc(id=r["id"], title=r["title"], text=r["text"], source="Local") for r in items]
        engine.expect(docs)
        for d in docs:
            engine.add(d)
        tried += 1
        joined += len({engine.story_of(r["id"]) for r in mine}) == 1
        p, _r, f1 = bcubed({r["id"]: engine.story_of(r["id"]) for r in items}, {r["id"]: r["event"] for r in items})
        sums[0] += p
        sums[1] += f1
    return joined, tried, sums


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", default="test", choices=("dev", "test"), help="ECB+ split (dev to tune)")
    ap.add_argument("--seeds", type=int, default=3, help="draws of each mix")
    ap.add_argument("--json", help="write the figure (one_source_joined, today's engine) to this file")
    args = ap.parse_args(argv)
    rows = load_ecb(args.split)
    print(f"ECB+ {args.split}: a source of m reports of one event and k of other topics, one poll of a new "
          f"engine, {args.seeds} seeds; events joined whole, B-cubed P / F1 over the source's articles")
    print(f"{'row':28}" + "".join(f"{f'{m}+{k}':>20}" for m, k in MIXES) + f"{'all':>20}")
    figures: dict[str, float] = {}
    for name, overrides in ROWS.items():
        t0 = time.perf_counter()
        params = replace(Params(), **overrides)
        cells, total_j, total_t, total_p, total_f = [], 0, 0, 0.0, 0.0
        for m, k in MIXES:
            j = t = 0
            p = f = 0.0
            for seed in range(args.seeds):
                dj, dt, (dp, df) = run_mix(params, rows, m, k, seed)
                j, t, p, f = j + dj, t + dt, p + dp, f + df
            cells.append(f"{j / t:.2f} {p / t:.3f}/{f / t:.3f}")
            total_j, total_t, total_p, total_f = total_j + j, total_t + t, total_p + p, total_f + f
        joined = total_j / total_t
        cells.append(f"{joined:.2f} {total_p / total_t:.3f}/{total_f / total_t:.3f}")
        print(f"{name:28}" + "".join(f"{c:>20}" for c in cells) + f"   {time.perf_counter() - t0:.0f} s")
        if not overrides:
            figures = {"one_source_joined": round(joined, 4), "one_source_b3_precision": round(total_p / total_t, 4)}
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
