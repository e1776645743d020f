"""A young store: ECB+ with one to three reports an event, as a new user's few feeds carry.

Observations
------------
* The other ECB+ benchmarks feed every report of an event (up to 30), so an
  article's neighbours are mostly its own event's and shared neighbours tell
  the two events of a topic apart.  A new install, or a handful of feeds,
  carries one to three reports of an event: an article's only neighbour may
  be the other event's report, and shared neighbours are then 1 whatever the
  pair.  Measured here before the names cap (``Params.names_sparse``): mean
  B-cubed precision 0.79 on ECB+ dev, where the full split gives 0.98.
* Time does not help: in the dated stream with a topic's two events 1-3 days
  apart (``benchmarks.dated``) precision is the same as undated.

How it works
------------
Per draw, each event of the split keeps 1-3 of its reports (drawn uniformly);
``undated`` feeds them shuffled, without dates; ``close`` keeps the dated close
stream's arrival order.  Each draw goes through the batch path
(``digest.batch.dedupe_records``: the engine alone) in a worker process; the
figures are the mean and worst B-cubed P and F1 over the draws, with the
engine without the profile cap (``profile_size=0``) and without it and the
names cap (``names_sparse=0`` too) as the reference rows of the same run.  Tune on ``--split dev``; the gate reads ``test``.

    python -m benchmarks.sparse [--split test|dev] [--draws 8] [--jobs 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed, load_ecb
from .dated import STREAMS

KINDS = ("undated", "close")
#: The reference rows: today's engine without the profile cap, and without it and the names cap
#: (``profile_size=0`` turns the young cap off too: both are for regions of ``profile_size`` or fewer).
REFERENCES = {
    "without the profile cap": {"profile_size": 0},
    "without profile, names": {"profile_size": 0, "names_sparse": 0.0},
}


def thin(rows: list[dict[str, Any]], most: int, rng: random.Random) -> list[dict[str, Any]]:
    """``rows`` with 1..``most`` reports of each event (uniform), in their order."""
    by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_event[str(r["event"])].append(r)
    keep: set[str] = set()
    for _event, rs in sorted(by_event.items()):
        keep |= {str(r["id"]) for r in rng.sample(rs, min(rng.randint(1, most), len(rs)))}
    return [r for r in rows if str(r["id"]) in keep]


def stream(kind: str, split: str, draw: int) -> list[dict[str, Any]]:
    """Draw ``draw`` of a thinned stream: ``undated`` shuffled, ``close`` in arrival order."""
    rng = random.Random(100 + draw)
    if kind == "undated":
        rows = thin(load_ecb(split), 3, rng)
        rng.shuffle(rows)
        return [{"id": r["id"], "title": r["title"], "text": r["text"], "event": r["event"]} for r in rows]
    return thin(STREAMS["ecb-close"](split, draw % 3), 3, rng)


def run_one(job: tuple[str, str, int, dict[str, Any]]) -> tuple[str, tuple[float, float, float]]:
    kind, split, draw, overrides = job
    rows = stream(kind, split, draw)
    out = dedupe_records(rows, Engine(Params(**overrides)))
    return kind, bcubed({o["id"]: o["story"] for o in out}, {r["id"]: r["event"] for r in rows})


def measure(split: str, draws: int, jobs: int, overrides: dict[str, Any]) -> dict[str, float]:
    """Mean and worst B-cubed P and F1 per kind over the draws."""
    work = [(kind, split, d, overrides) for kind in KINDS for d in range(draws)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(run_one, work))
    figs: dict[str, float] = {}
    for kind in KINDS:
        rows = [r for k, r in results if k == kind]
        figs[f"{kind}_mean_p"] = sum(r[0] for r in rows) / len(rows)
        figs[f"{kind}_mean_f1"] = sum(r[2] for r in rows) / len(rows)
        figs[f"{kind}_worst_p"] = min(r[0] for r in rows)
        figs[f"{kind}_worst_f1"] = min(r[2] for r in rows)
    return figs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", choices=("test", "dev"), default="test")
    ap.add_argument("--draws", type=int, default=8, help="thinned draws per stream")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args(argv)
    print(f"ECB+ {args.split}, 1-3 reports an event, {args.draws} draws (B-cubed P / F1: mean, worst)")
    rows = {}
    for label, over in (("today's engine", {}), *REFERENCES.items()):
        t0 = time.perf_counter()
        figs = rows[label] = measure(args.split, args.draws, args.jobs, over)
        cells = "   ".join(
            f"{k} {figs[f'{k}_mean_p']:.3f} / {figs[f'{k}_mean_f1']:.3f}, worst {figs[f'{k}_worst_p']:.3f} / {figs[f'{k}_worst_f1']:.3f}"
            for k in KINDS
        )
        print(f"  {label:24} {cells}   {time.perf_counter() - t0:.0f} s")
    today = rows["today's engine"]
    for label in REFERENCES:
        ref = rows[label]
        gain = ", ".join(f"{k} {today[f'{k}_mean_p'] - ref[f'{k}_mean_p']:+.3f}" for k in KINDS)
        print(f"  precision gain (mean) over the engine {label}: {gain}")
    if args.json:
        figures = {f"sparse_{k}_mean_b3_{m}": today[f"{k}_mean_{s}"] for k in KINDS for m, s in (("precision", "p"), ("f1", "f1"))}
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"figures": figures, "detail": {"split": args.split, "draws": args.draws, "rows": rows}}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
