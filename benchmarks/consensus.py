"""Would stories kept only where perturbed runs agree part two events of one kind?

Observations
------------
* The close-sibling errors left (issue #19) are near ties: a report whose links to its own
  event and to its sibling differ by a few hundredths (``benchmarks.sibling_merges``: "to
  host 0.37, to own 0.35").  Which way a tie falls turns on a few words, so a stray should
  land in its host in some perturbed runs and not in others, while a report of the story's
  own event lands there in (nearly) every run.
* More than twenty cues read from the text have been tried as pair penalties (dates,
  numbers, names, places, ...; docs/evaluation.md) and each cost recall where it fired.  This
  is a design of another kind (consensus clustering, "bagging" the engine): no cue, the
  engine's own links, kept only where they are stable.

How it works
------------
Per stream and seed: the stream through ``digest.batch.dedupe_records`` as it is, then ``k``
times with each text's words (not its title's) dropped at random with chance ``--drop``
(seeded per run).  The co-association of two reports is the share of the ``k + 1`` runs that
put them in one story; the consensus stories are average linkage on ``1 - co-association``,
cut where the average co-association falls under ``--agree``.  Printed per stream: the worst
seed's and the mean B-cubed P / F1 and the strays summed over the seeds, for the engine as it
is and for the consensus.  Tuning splits only (``benchmarks.tune.records_of``).

    python -m benchmarks.consensus [--streams ecb-sameplace:10,...] [--runs 4] [--drop 0.1] [--agree 0.5]
"""

from __future__ import annotations

import argparse
import random
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .close_cues import strays
from .common import bcubed
from .tune import records_of


def perturbed(records: list[dict[str, Any]], drop: float, jitter: float, rng: random.Random) -> list[dict[str, Any]]:
    """``records`` with each text's words dropped at random with chance ``drop`` (titles kept;
    a text keeps at least its first word), and each report's publication and arrival moved
    by one draw in +-``jitter`` hours, then put back in arrival order."""
    out = []
    for r in records:
        words = r["text"].split(" ")
        kept = words[:1] + [w for w in words[1:] if rng.random() >= drop] if drop else words
        row = {**r, "text": " ".join(kept)}
        if jitter and r.get("published"):
            shift = timedelta(hours=rng.uniform(-jitter, jitter))
            for key in ("published", "arrived"):
                at = datetime.fromisoformat(r[key].replace("Z", "+00:00")) + shift
                row[key] = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        out.append(row)
    if jitter:
        out.sort(key=lambda r: (r.get("arrived") or "", r["id"]))
    return out


def consensus(runs: list[dict[str, Any]], ids: list[str], agree: float) -> dict[str, int]:
    """Average linkage on the runs' co-association, cut at ``agree`` (mean share of runs)."""
    n = len(ids)
    co = np.zeros((n, n))
    for run in runs:
        story = np.array([hash(run[i]) for i in ids])
        co += story[:, None] == story[None, :]
    co /= len(runs)
    dist = 1.0 - co
    np.fill_diagonal(dist, 0.0)
    labels = fcluster(linkage(squareform(dist, checks=False), "average"), t=1.0 - agree, criterion="distance")
    return {i: int(c) for i, c in zip(ids, labels, strict=True)}


def run_one(
    job: tuple[str, int, int, float, float, tuple[float, ...]],
) -> tuple[str, int, list[tuple[float, float, float]], list[int]]:
    name, seed, k, drop, jitter, agrees = job
    records = records_of(name, seed)
    ids = [r["id"] for r in records]
    gold = {r["id"]: r["event"] for r in records}
    runs = []
    for j in range(k + 1):
        rows = records if j == 0 else perturbed(records, drop, jitter, random.Random(f"consensus/{name}/{seed}/{j}"))
        runs.append({o["id"]: o["story"] for o in dedupe_records(rows, Engine(Params()))})
    scores, lost = [bcubed(runs[0], gold)], [strays(runs[0], gold)]
    for a in agrees:
        pred = consensus(runs, ids, a)
        scores.append(bcubed(pred, gold))
        lost.append(strays(pred, gold))
    return name, seed, scores, lost


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--streams", default="ecb-sameplace:10,ecb-sameday:10,ecb-close:10,ecb-apart:10,gvc:10,gvc-close:10")
    ap.add_argument("--runs", type=int, default=4, help="perturbed runs beside the engine's own")
    ap.add_argument("--drop", type=float, default=0.1, help="chance a text's word is dropped in a perturbed run")
    ap.add_argument("--jitter", type=float, default=0.0,
                    help="hours: each report's publication and arrival moved by up to this much in a perturbed run")
    ap.add_argument("--agree", default="0.5", help="comma-separated cuts: the mean share of runs that must agree")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    agrees = tuple(float(a) for a in args.agree.split(","))
    plan = [(n, int(k)) for n, _s, k in (x.partition(":") for x in args.streams.split(","))]
    work = [(n, s, args.runs, args.drop, args.jitter, agrees) for n, k in plan for s in range(k)]
    with ProcessPoolExecutor(max_workers=args.jobs, max_tasks_per_child=1) as pool:
        results = list(pool.map(run_one, work))
    labels = ["engine"] + [f"agree {a}" for a in agrees]
    print(f"consensus of the engine and {args.runs} runs, words dropped at {args.drop}, times moved by up to {args.jitter} h:"
          " worst P / F1, mean P / F1, strays")
    for n, k in plan:
        rows = [(sc, lo) for name, _s, sc, lo in results if name == n]
        cells = []
        for x, label in enumerate(labels):
            p = [sc[x][0] for sc, _lo in rows]
            f = [sc[x][2] for sc, _lo in rows]
            cells.append(f"{label} {min(p):.3f} / {min(f):.3f}, {sum(p) / k:.4f} / {sum(f) / k:.4f}, {sum(lo[x] for _sc, lo in rows)}")
        print(f"{n}:{k}: " + " | ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
