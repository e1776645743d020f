"""Where recall is lost: the reports of the dev dated streams left out of their event's story.

Observations
------------
* Precision of the time model was studied cue by cue (``docs/evaluation.md``,
  "Stories over time"); this counts the other side, on the tuning splits only
  (dated ECB+ dev, ``close`` and ``apart``), through the batch path that
  ``benchmarks.tune`` runs (``digest.batch.dedupe_records``), 3 seeds.
* An event's *main story* is the final story holding most of its reports (the
  earliest such on a tie); every other report of the event is *split off*.
  Each split-off report is classed, the first class that fits:

  (d) split story: it sits in a story of 2+ that holds 2+ of its event's
      reports (the event in two stories);
  (a) late: published over ``time_grace`` (14 days) from the nearest report
      of its main story, where links decay (``Params.time_grace``);
  (b) short: under ``--short`` words (a summary, a brief, a headline);
  (c) a miss of the text engine within the window: none of the above.

* For each it prints its words, its delay after its event's first report and
  its gap to the nearest report of its main story, its best cosine
  (``Engine.similarity``, the final idf) to its main story, to its event's
  other reports and to any report of another event, whether it is alone, and
  whether it sits in another event's story (a stray: a precision error too).

How it works
------------
Per stream and seed: the stream is replayed, the final stories read; the
same-event pairs left apart are counted with the classes above (a pair counts
in the class of its split-off member, or (d) when both are split off).

    python -m benchmarks.recall_loss [--seeds 0,1,2] [--short 120] [--quiet] [--set name=value]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from itertools import combinations
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed
from .dated import STREAMS
from .tune import parse_settings

STREAMS_DEV = ("ecb-close", "ecb-apart")
CLASSES = {"a": "late (beyond the grace)", "b": "short report", "c": "text-engine miss", "d": "split story"}


def _time(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def analyse(job: tuple[str, int, int, dict[str, Any]]) -> dict[str, Any]:
    """The split-off reports of one stream and seed, each classed, and the pairs left apart."""
    name, seed, short, overrides = job
    params = Params(**overrides)
    records = STREAMS[name]("dev", seed)
    engine = Engine(params)
    result = dedupe_records(records, engine)
    story = {o["id"]: o["story"] for o in result}
    gold = {r["id"]: r["event"] for r in records}
    rec = {r["id"]: r for r in records}
    members: dict[str, list[str]] = defaultdict(list)
    for rid, sid in story.items():
        members[sid].append(rid)
    by_event: dict[str, list[str]] = defaultdict(list)
    for r in records:
        by_event[r["event"]].append(r["id"])
    grace_days = params.time_grace / 86400.0
    rows: list[dict[str, Any]] = []
    cls_of: dict[str, str] = {}
    for ev, ids in by_event.items():
        counts = Counter(story[i] for i in ids)
        main = max(counts, key=lambda s: (counts[s], -min(ids.index(i) for i in ids if story[i] == s)))
        first = min(_time(rec[i]["published"]) for i in ids)
        inside = [i for i in ids if story[i] == main]
        for i in ids:
            if story[i] == main:
                continue
            pub = _time(rec[i]["published"])
            gap = min(abs((pub - _time(rec[j]["published"])).total_seconds()) for j in inside) / 86400.0
            words = len(f"{rec[i]['title']} {rec[i]['text']}".split())
            own = max(engine.similarity(i, j) for j in inside)
            sister = max((engine.similarity(i, j) for j in ids if story[j] != main and j != i), default=0.0)
            other = max((engine.similarity(i, j) for j in story if gold[j] != ev), default=0.0)
            held = members[story[i]]
            top = Counter(gold[j] for j in held).most_common(1)[0][0]
            if len(held) >= 2 and counts[story[i]] >= 2:
                c = "d"
            elif gap > grace_days:
                c = "a"
            elif words < short:
                c = "b"
            else:
                c = "c"
            cls_of[i] = c
            rows.append({
                "id": i, "event": ev, "class": c, "words": words,
                "delay_days": (pub - first).total_seconds() / 86400.0, "gap_days": gap,
                "own": own, "sister": sister, "other": other, "alone": len(held) == 1,
                "stray": top != ev, "story_size": len(held), "main_size": len(inside), "event_size": len(ids),
                "title": rec[i]["title"][:60],
            })
    pairs: Counter[str] = Counter()
    for ids in by_event.values():
        for a, b in combinations(ids, 2):
            if story[a] != story[b]:
                ca, cb = cls_of.get(a), cls_of.get(b)
                pairs["d" if (ca and cb) else (ca or cb or "d")] += 1
    p, r, f = bcubed(story, gold)
    return {"name": name, "seed": seed, "rows": rows, "pairs": dict(pairs), "bcubed": (p, r, f)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--short", type=int, default=120, help="words under which a report is short (class b)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--quiet", action="store_true", help="the counts only, not each report")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override one Params field")
    args = ap.parse_args(argv)
    overrides = parse_settings(args.set)
    jobs = [(n, int(s), args.short, overrides) for n in STREAMS_DEV for s in args.seeds.split(",")]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        out = list(pool.map(analyse, jobs))
    for name in STREAMS_DEV:
        total: Counter[str] = Counter()
        pairs: Counter[str] = Counter()
        alone = stray = late = nearer = 0
        words: list[int] = []
        print(f"\n== {name} dev ==")
        for res in (o for o in out if o["name"] == name):
            p, r, f = res["bcubed"]
            print(f"seed {res['seed']}: B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}; split-off reports {len(res['rows'])}")
            for row in sorted(res["rows"], key=lambda x: (x["class"], x["event"])):
                total[row["class"]] += 1
                alone += row["alone"]
                stray += row["stray"]
                late += row["delay_days"] > 14
                nearer += row["other"] > row["own"]
                words.append(row["words"])
                if not args.quiet:
                    print(f"  ({row['class']}) {row['event']:>12} {row['id']:>14} {row['words']:5d} w"
                          f" delay {row['delay_days']:5.1f} d gap {row['gap_days']:5.1f} d"
                          f" cos main {row['own']:.2f} event {row['sister']:.2f} other {row['other']:.2f}"
                          f" {'alone' if row['alone'] else ('stray' if row['stray'] else 'split')}"
                          f" story {row['story_size']} main {row['main_size']}/{row['event_size']}  {row['title']}")
            pairs.update(res["pairs"])
        n = sum(total.values())
        words.sort()
        print(f"{name}: {n} split-off reports over the seeds ({alone} alone, {stray} in another event's story;"
              f" {late} published over 14 days after their event's first report; {nearer} closer to another"
              f" event's report than to their main story; median {words[n // 2] if n else 0} words)")
        for c, label in CLASSES.items():
            print(f"  ({c}) {label:26} reports {total[c]:3d}   same-event pairs apart {pairs[c]:4d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
