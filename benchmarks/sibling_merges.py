"""Which siblings end up in one story on a dated dev stream, over many seeds, and in what shape.

Observations
------------
* Dev ``close`` precision (a topic's two events 1-3 days apart) is over the
  issue's target, so a cue measured there cannot show the precision test
  lacks.  This counts the errors of a harder dev stream (``ecb-sameday``: the
  events 0-24 h apart, bursts interleaved) over more seeds, on the tuning
  split only (ECB+ odd topics).
* A *mixed story* holds reports of two or more events; its *host* is its
  largest event, every other report a *stray*.  Per mixed story: the topic,
  the events' counts, the stray's words, its hours to the nearest host report,
  and its best cosine (``Engine.similarity`` at the end) to the host's reports
  and to its own event's other reports.

How it works
------------
Each seed's stream runs through ``digest.batch.dedupe_records`` with today's
engine (``--set`` overrides ``Params`` fields as in ``benchmarks.tune``).  Totals
per topic: strays and merged sibling pairs (pairs of a final story of two
events), over all seeds.

    python -m benchmarks.sibling_merges [--stream ecb-sameday] [--seeds 0,...,9] [--set name=value]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed
from .dated import STREAMS
from .tune import TUNING_SPLIT, parse_settings


def _hours(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() / 3600.0


def mixed_stories(job: tuple[str, int, dict[str, Any]]) -> tuple[int, tuple[float, float, float], list[dict[str, Any]]]:
    """One seed: its B-cubed figures and a line of facts per stray of a mixed story."""
    name, seed, overrides = job
    records = STREAMS[name](TUNING_SPLIT[name], seed)
    engine = Engine(Params(**overrides))
    story = {o["id"]: o["story"] for o in dedupe_records(records, engine)}
    gold = {r["id"]: r["event"] for r in records}
    by_id = {r["id"]: r for r in records}
    members: dict[Any, list[str]] = defaultdict(list)
    for r in records:
        members[story[r["id"]]].append(r["id"])
    by_event: dict[str, list[str]] = defaultdict(list)
    for r in records:
        by_event[r["event"]].append(r["id"])
    out = []
    for ids in members.values():
        counts = Counter(gold[i] for i in ids)
        if len(counts) < 2:
            continue
        host = counts.most_common(1)[0][0]
        host_ids = [i for i in ids if gold[i] == host]
        pairs = sum(a * b for k, a in enumerate(counts.values()) for b in list(counts.values())[k + 1:])
        for i in ids:
            if gold[i] == host:
                continue
            own = [j for j in by_event[gold[i]] if j != i]
            outside = [j for j in own if story[j] != story[i]]
            home = Counter(story[j] for j in outside).most_common(1)[0][0] if outside else None
            home_ids = [j for j in outside if story[j] == home]
            out.append({
                "seed": seed, "host": host,
                "event": gold[i], "counts": dict(counts), "pairs": pairs, "id": i,
                "words": len(by_id[i]["text"].split()),
                "gap": min(abs(_hours(by_id[i]["published"]) - _hours(by_id[j]["published"])) for j in host_ids),
                "to_host": max(engine.similarity(i, j) for j in host_ids),
                "to_own": max((engine.similarity(i, j) for j in own), default=0.0),
                "mean_host": sum(engine.similarity(i, j) for j in host_ids) / len(host_ids),
                "mean_home": (sum(engine.similarity(i, j) for j in home_ids) / len(home_ids)) if home_ids else 0.0,
                "home": len(home_ids),
                "title": by_id[i]["title"][:70],
            })
    return seed, bcubed(story, gold), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--stream", default="ecb-sameday", choices=sorted(TUNING_SPLIT))
    ap.add_argument("--seeds", default=",".join(str(s) for s in range(10)))
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    overrides = parse_settings(args.set)
    jobs = [(args.stream, int(s), overrides) for s in args.seeds.split(",")]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(mixed_stories, jobs))
    strays: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for seed, (p, _r, f1), rows in sorted(results, key=lambda x: x[0]):
        print(f"seed {seed}: P {p:.3f} F1 {f1:.3f}, {len(rows)} strays")
        seen = set()
        for x in rows:
            strays[x["host"]] += 1
            key = (x["seed"], tuple(sorted(x["counts"].items())))
            if key not in seen:
                seen.add(key)
                pairs[x["host"]] += x["pairs"]
            print(f"  {x['event']:>12} in {x['host']:>12} {x['counts']}  {x['words']:4d} words  gap {x['gap']:5.1f} h"
                  f"  to host {x['to_host']:.2f}  to own {x['to_own']:.2f}  mean host {x['mean_host']:.2f}"
                  f"  own story ({x['home']}) {x['mean_home']:.2f}  {x['title'][:40]}")
    ps = [p for _s, (p, _r, _f), _x in results]
    fs = [f for _s, (_p, _r, f), _x in results]
    print(f"worst P {min(ps):.3f} F1 {min(fs):.3f}; mean P {sum(ps) / len(ps):.4f} F1 {sum(fs) / len(fs):.4f}")
    print("by host event (strays, merged sibling pairs), all seeds:")
    for host, n in strays.most_common():
        print(f"  {host:>14}: {n:3d} strays, {pairs[host]:4d} pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
