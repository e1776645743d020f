"""Two stories that may be one event: what links them and what each says the other does not.

Observations
------------
* Stop 51 found most lost recall of the dated dev streams in large events split into two
  stories; stop 52 asked what parts the halves from sibling events of one topic.  Links,
  neighbour slots and cosines do not (``docs/evaluation.md``, stop 52); the terms one story
  says and the other does not do (``digest.dedup.contained``).

How it works
------------
The tuning splits only (dated ECB+ dev close and apart, GVC val), the batch path that
``benchmarks.tune`` runs, seeds 0-2.  For every pair of final stories of 2+ reports with a
neighbour slot from one into the other: whether their majority events are one (SAME) or two,
their sizes, the share of each one's neighbour slots pointing into the other, their mean
cosine and mean link (``Engine.pair_link``), and the terms each holds in half its reports
(two at least) and the other in at most a tenth (``contained._says``, the engine's terms).
``--set contained_least=0`` shows the stories before the join.

    python -m benchmarks.split_halves [--seeds 0,1,2] [--min-link 0.2] [--set name=value]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from digest.batch import dedupe_records
from digest.dedup.contained import _says
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .dated import STREAMS
from .tune import parse_settings

DEV = {"ecb-close": "dev", "ecb-apart": "dev", "gvc": "val"}


def pairs(job: tuple[str, int, float, dict[str, Any]]) -> list[dict[str, Any]]:
    """The linked story pairs of one stream and seed."""
    name, seed, min_link, overrides = job
    records = STREAMS[name](DEV[name], seed)
    eng = Engine(Params(**overrides))
    story = {o["id"]: o["story"] for o in dedupe_records(records, eng)}
    gold = {r["id"]: r["event"] for r in records}
    st = eng.state
    mem: dict[str, list[str]] = defaultdict(list)
    for i, s in story.items():
        mem[s].append(i)
    sids = sorted(s for s in mem if len(mem[s]) >= 2)
    slots: dict[str, tuple[Counter[str], int]] = {}
    terms: dict[str, np.ndarray] = {}
    for s in sids:
        c: Counter[str] = Counter()
        nums = np.array([st.num[i] for i in mem[s]], dtype=np.int32)
        for n in nums.tolist():
            c.update(story[st.ids[int(m)]] for m in st.nb.nums[n] if m >= 0)
        slots[s] = (c, sum(c.values()))
        t, _w, runs = st.gather_bytes(nums)
        terms[s] = np.concatenate([np.unique(t[a : a + k]) for a, k in zip(runs.starts, runs.lens, strict=True)])
    out = []
    for x, a in enumerate(sids):
        for b in sids[x + 1 :]:
            fa, fb = slots[a][0][b] / max(slots[a][1], 1), slots[b][0][a] / max(slots[b][1], 1)
            if not (fa or fb):
                continue
            link = float(np.mean([[eng.pair_link(i, j)[2] for j in mem[b]] for i in mem[a]]))
            if link < min_link:
                continue
            ga = Counter(gold[i] for i in mem[a]).most_common(1)[0][0]
            gb = Counter(gold[i] for i in mem[b]).most_common(1)[0][0]
            out.append({
                "stream": name, "seed": seed, "same": ga == gb, "events": (ga, gb), "sizes": (len(mem[a]), len(mem[b])),
                "slots": (fa, fb), "cos": float(np.mean([[eng.similarity(i, j) for j in mem[b]] for i in mem[a]])),
                "link": link, "says": (_says(terms[a], len(mem[a]), terms[b], len(mem[b])),
                                       _says(terms[b], len(mem[b]), terms[a], len(mem[a]))),
            })
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--min-link", type=float, default=0.2, help="least mean link of a pair shown")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override one Params field")
    args = ap.parse_args(argv)
    overrides = parse_settings(args.set)
    jobs = [(n, int(s), args.min_link, overrides) for n in DEV for s in args.seeds.split(",")]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        rows = [r for out in pool.map(pairs, jobs) for r in out]
    rows.sort(key=lambda r: -r["link"])
    print("stream     seed same events                  sizes  slots a->b b->a  cos   link  says a / b")
    for r in rows:
        print(f"{r['stream']:10} {r['seed']:4d} {'SAME' if r['same'] else 'two ':4} {r['events'][0]:>11} {r['events'][1]:>11}"
              f" {r['sizes'][0]:3d}/{r['sizes'][1]:<3d} {r['slots'][0]:10.2f} {r['slots'][1]:4.2f} {r['cos']:5.2f}"
              f" {r['link']:5.2f}  {r['says'][0]:3d} / {r['says'][1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
