"""The time of day a report says its event happened (stop 61, issue #19): the reader and its count.

Observations
------------
* Stop 60's ``ecb-sameplace`` stream merges the test's kind of siblings: two
  6.1 quakes on one island, worded alike from the magnitude to "the U.S.
  Geological Survey said".  What differs in their reports is a few words, one
  of them the minute the quake struck: "at 7:48 a.m. local time", "7 : 48 am
  (2248 GMT Tuesday)" against "at 0737 GMT", "07 : 37 a. m. UTC (3 : 37 a. m.
  EDT)", "7 : 37 AM local time".
* Stop 34 counted clock times (``benchmarks.clock_times``) and dropped them:
  52% of same-event pairs that both state one share none.  It read every time
  in the opening with one regex that missed ECB+'s spaced forms ("7 : 48",
  "a. m.", "0737 GMT"), took a press conference's hour or a game clock ("with
  7:42 left") as the event's, and wanted the very minute of a rounded "about 7
  p.m." against "7:01 p.m.".  This reads the event's time only and compares it
  as precisely as it is told.

How it works
------------
The reader is the engine's (``digest.dedup.clock``: ``stated_times``, ``conflict``; its
docstring says what is read and how two times agree); this reads any span of the text.

``python -m benchmarks.event_time [--chars N]``: the pairs flagged on ECB+ dev
(same event, sibling, unrelated) and GVC val (same incident, other), with every
sibling and same-event pair flagged; ``--errors STREAM:SEEDS``: the final stories of
those dev streams (the engine as it is, batch path), the sibling pairs the engine
merged against the same-event pairs it merged rightly, flagged and read.
Used by ``benchmarks.close_cues --cue times``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations
from typing import Any

from digest.dedup.clock import Time, conflict, stated_times

from .dated import tuning_pair_sets
from .tune import records_of


def reading(r: dict[str, Any], chars: int = 0) -> frozenset[Time] | None:
    """What the cue reads of one report (``chars``: the title and that many characters of the
    text; 0: the whole text), or None."""
    text = f"{r.get('title') or ''}.\n{r['text'][:chars] if chars else r['text']}"
    return stated_times(text) or None


def _kind(a: dict[str, Any], b: dict[str, Any]) -> str:
    if a["event"] == b["event"]:
        return "same"
    return "other" if "topic" not in a else "sibling" if a["topic"] == b["topic"] else "unrelated"


def count(chars: int) -> None:
    """The flagged pairs of ECB+ dev and GVC val, by kind, and each flagged same-event and sibling pair."""
    for name, rows, _group in tuning_pair_sets():
        feats = [reading(r, chars) for r in rows]
        total: Counter[str] = Counter()
        both: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        shown = []
        for (ra, fa), (rb, fb) in combinations(zip(rows, feats, strict=True), 2):
            kind = _kind(ra, rb)
            total[kind] += 1
            if fa and fb:
                both[kind] += 1
                if conflict(fa, fb):
                    flagged[kind] += 1
                    if kind in ("same", "sibling"):
                        shown.append((kind, ra, fa, rb, fb))
        print(f"{name}: {sum(f is not None for f in feats)} of {len(rows)} reports state an event time; "
              + ", ".join(f"{k}: both state {both[k]}, flagged {flagged[k]} of {total[k]}"
                          for k in ("same", "sibling", "unrelated", "other") if total[k]))
        for kind, ra, fa, rb, fb in shown:
            print(f"  {kind}: {ra['id']} {_show(fa)} vs {rb['id']} {_show(fb)}")


def _show(f: frozenset[Time]) -> str:
    return ",".join(f"{t // 60:02d}:{t % 60:02d}{'Z' if z else ''}{'' if e else '~'}" for t, z, e in sorted(f))


def _merged(job: tuple[str, int]) -> list[tuple[str, str, str]]:
    """One seed's merged pairs: (same or sibling, id, id)."""
    from digest.batch import dedupe_records
    from digest.dedup.engine import Engine
    from digest.dedup.params import Params

    name, seed = job
    records = records_of(name, seed)
    story = {o["id"]: o["story"] for o in dedupe_records(records, Engine(Params()))}
    by_story: dict[Any, list[dict[str, Any]]] = {}
    for r in records:
        by_story.setdefault(story[r["id"]], []).append(r)
    return [("same" if ra["event"] == rb["event"] else "sibling", ra["id"], rb["id"])
            for members in by_story.values() for ra, rb in combinations(members, 2)]


def errors(plan: list[tuple[str, int]], chars: list[int], jobs: int) -> None:
    """The engine's merged pairs on dev streams: siblings (its errors) against same-event pairs,
    read at each of ``chars``; totals per stream and the flagged siblings' ids."""
    work = [(n, s) for n, k in plan for s in range(k)]
    with ProcessPoolExecutor(max_workers=jobs, max_tasks_per_child=1) as pool:
        results = list(pool.map(_merged, work))
    for n, _k in plan:
        texts = {r["id"]: r for r in records_of(n, 0)}
        for ch in chars:
            feats = {i: reading(r, ch) for i, r in texts.items()}
            c: Counter[str] = Counter()
            flagged_ids: Counter[str] = Counter()
            for (name, _s), pairs in zip(work, results, strict=True):
                if name != n:
                    continue
                for kind, a, b in pairs:
                    fa, fb = feats[a], feats[b]
                    c[kind] += 1
                    c[kind + " both"] += bool(fa and fb)
                    if fa and fb and conflict(fa, fb):
                        c[kind + " flagged"] += 1
                        if kind == "sibling":
                            flagged_ids.update((a, b))
            read_ids = Counter(i for (name, _s), pairs in zip(work, results, strict=True) if name == n
                               for kind, a, b in pairs if kind == "sibling" for i in (a, b) if feats[i])
            print(f"{n} ({sum(k for m, k in plan if m == n)} seeds, chars {ch or 'all'}): siblings merged "
                  f"{c['sibling']} (both read {c['sibling both']}, flagged {c['sibling flagged']}); same-event "
                  f"merged {c['same']} (both read {c['same both']}, flagged {c['same flagged']})\n"
                  f"  sibling reports read: {dict(read_ids.most_common(12))}\n"
                  f"  in flagged sibling pairs: {dict(flagged_ids.most_common(12))}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--chars", type=int, default=0, help="characters of the text read after the title (0: all)")
    ap.add_argument("--errors", default="", help="name:seeds,...: count the engine's merged pairs on these dev streams")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if args.errors:
        plan = [(n, int(k)) for n, _s, k in (x.partition(":") for x in args.errors.split(","))]
        errors(plan, sorted({args.chars, 600, 0}), args.jobs)
    else:
        count(args.chars)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
