"""Where a young store's precision is lost: the pairs its stories hold, and what each signal says.

Observations
------------
* ``benchmarks.sparse`` gives the B-cubed figures; this counts the pairs
  behind them.  Per draw of the thinned ECB+ streams (undated and close, as
  there), the engine runs through the batch path and every pair of one topic
  is read back with the signals the sparse caps use: cosine, names cosine,
  words cosine, whether each article is crowded or names things, the
  shared-neighbour link and the cap (``Engine.pair_link``).
* Merged pairs of two events are the errors; merged pairs of one event the
  right merges; pairs of one event left apart the misses.

How it works
------------
Each draw is run in a worker process; pairs are written as rows (one dict
each) and summarised: counts per class, medians of each signal, and the AUC of
same-event over sibling pairs among the merged ones for each signal.

    python -m benchmarks.sparse_errors [--split dev] [--draws 8] [--set name=value ...] [--rows FILE]
"""

from __future__ import annotations

import argparse
import itertools
import json
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.neighbours import neighbour_sets
from digest.dedup.params import Params
from digest.dedup.terms import VOCAB

from .dated import STREAMS
from .sparse import KINDS, stream


def signals(engine: Engine, ids: list[str]) -> dict[str, np.ndarray]:
    """Cosine, words cosine and names cosine matrices of ``ids``; named, crowded and nearest per article."""
    s = engine.state
    p = s.params
    nums = np.array([s.num[i] for i in ids], dtype=np.int32)
    terms, val, wval, runs = s.vectors(nums)
    nval = np.where(VOCAB.is_name[terms], val, 0.0)
    nmass = runs.sum(nval * nval)
    nval = nval / np.sqrt(np.maximum(nmass, 1e-12))[runs.owner]
    r = nums.size
    out = {k: np.zeros((r, r)) for k in ("cos", "wcos", "ncos")}
    dense, _ = s.scratch()
    for i in range(r):
        a, b = int(runs.starts[i]), int(runs.starts[i]) + int(runs.lens[i])
        for key, v in (("cos", val), ("wcos", wval), ("ncos", nval)):
            dense[terms[a:b]] = v[a:b]
            out[key][i] = runs.sum(dense[terms] * v)
            dense[terms[a:b]] = 0.0
    sims = s.nb.sims[nums]
    out["crowded"] = (sims >= 2 * p.neighbour_floor).sum(axis=1) >= p.crowded
    out["named"] = nmass >= p.names_min
    out["top"] = np.maximum(sims.max(axis=1), 0)
    nbrs = s.nb.nums[nums]
    out["listed"] = ((nbrs >= 0) & (sims >= p.neighbour_floor)).sum(axis=1)
    sets = neighbour_sets(nums, nbrs, sims, p.neighbour_ratio)
    out["setsize"] = (sets >= 0).sum(axis=1)
    return out


def run_one(job: tuple[str, str, int, dict[str, Any]]) -> list[dict[str, Any]]:
    kind, split, draw, overrides = job
    if kind.startswith("full-"):
        rows = STREAMS[kind[5:]](split, draw)
    else:
        rows = stream(kind, split, draw)
    engine = Engine(Params(**overrides))
    out = dedupe_records(rows, engine)
    story = {o["id"]: o["story"] for o in out}
    event = {r["id"]: r["event"] for r in rows}
    by_topic: dict[str, list[str]] = {}
    for r in rows:
        by_topic.setdefault(str(r.get("topic", str(r["id"]).split("_")[0])), []).append(str(r["id"]))
    pairs = []
    for _t, ids in by_topic.items():
        if len(ids) < 2:
            continue
        sig = signals(engine, ids)
        for i, j in itertools.combinations(range(len(ids)), 2):
            a, b = ids[i], ids[j]
            shared, cap, link = engine.pair_link(a, b)
            pairs.append({
                "kind": kind, "draw": draw, "a": a, "b": b, "n_topic": len(ids),
                "same": event[a] == event[b], "merged": story[a] == story[b],
                "cos": float(sig["cos"][i, j]), "wcos": float(sig["wcos"][i, j]), "ncos": float(sig["ncos"][i, j]),
                "crowded": int(sig["crowded"][i]) + int(sig["crowded"][j]),
                "named": int(sig["named"][i]) + int(sig["named"][j]),
                "listed": min(int(sig["listed"][i]), int(sig["listed"][j])),
                "setsize": min(int(sig["setsize"][i]), int(sig["setsize"][j])),
                "top": max(float(sig["top"][i]), float(sig["top"][j])),
                "shared": shared, "cap": cap, "link": link,
                "rank_a": float(sig["cos"][i, j] >= np.max(np.delete(sig["cos"][i], i), initial=0)),
                "rank_b": float(sig["cos"][i, j] >= np.max(np.delete(sig["cos"][j], j), initial=0)),
            })
    return pairs


def auc(pos: list[float], neg: list[float]) -> float:
    """Probability a positive outranks a negative (ties half)."""
    if not pos or not neg:
        return float("nan")
    p, n = np.array(pos), np.array(neg)
    gt = (p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()
    return float(gt / (p.size * n.size))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", choices=("dev", "val"), default="dev")
    ap.add_argument("--kinds", default=",".join(KINDS), help="undated,close or full-ecb-close, full-gvc ...")
    ap.add_argument("--draws", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], help="a Params field, name=value")
    ap.add_argument("--rows", help="write every pair as a JSON line here")
    args = ap.parse_args(argv)
    over: dict[str, Any] = {}
    for kv in args.set:
        k, v = kv.split("=", 1)
        over[k] = type(getattr(Params(), k))(v)
    work = [(k, args.split, d, over) for k in args.kinds.split(",") for d in range(args.draws)]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        pairs = [p for chunk in pool.map(run_one, work) for p in chunk]
    if args.rows:
        with open(args.rows, "w", encoding="utf-8") as fh:
            for p in pairs:
                fh.write(json.dumps(p) + "\n")
    merged = [p for p in pairs if p["merged"]]
    err = [p for p in merged if not p["same"]]
    ok = [p for p in merged if p["same"]]
    miss = [p for p in pairs if p["same"] and not p["merged"]]
    print(f"pairs of one topic {len(pairs)}: merged {len(merged)} (sibling {len(err)}, same {len(ok)}), same-event apart {len(miss)}")
    for key in ("cos", "ncos", "wcos", "shared", "cap", "link", "crowded", "named", "top", "listed", "setsize"):
        e, o = [p[key] for p in err], [p[key] for p in ok]
        print(f"  {key:8} median sibling {np.median(e):.3f}  same {np.median(o):.3f}  AUC in merged {auc(o, e):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
