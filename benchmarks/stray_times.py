"""When do the strays of the dev close streams arrive, and would a second burst part them?

Observations
------------
* What is left in the close streams' stories (dated ECB+ dev, a topic's two
  events 1-3 days apart) is a few reports of one event inside its sibling's
  story.  The publication time is the cue real feeds carry and ECB+ lacks, so
  this asks how far in time each stray is from the story that holds it.
* A new event breaks as a burst of first reports; a story whose first one or
  two reports precede a burst of others by a day looks like an earlier event
  with a later one attached.  The "second burst" split is simulated on the
  finished stories (the early reports made a story of their own) before
  anything is built into the engine.
* It reads only the tuning splits (ECB+ dev, GVC val).

How it works
------------
Each stream and seed runs through ``digest.batch.dedupe_records`` with
today's engine.  A stray is a report of any event but its story's largest.
A story is split when one of its first ``--lead`` reports precedes the next
by ``--gap`` hours or more and ``--burst`` or more reports follow within
``--within`` hours of that next one.

    python -m benchmarks.stray_times [--seeds 0,1,2] [--gap 24] [--burst 3] [--within 12] [--lead 2]
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

TUNING = (("ecb-close", "dev"), ("ecb-apart", "dev"), ("gvc", "val"))
Story = list[tuple[float, str, str]]  # (hours, event, id), in time order


def _hours(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() / 3600.0


def stories_of(job: tuple[str, str, int]) -> tuple[str, int, list[Story]]:
    """The finished stories of one stream and seed, each member's time and event."""
    name, split, seed = job
    records = STREAMS[name](split, seed)
    story = {o["id"]: o["story"] for o in dedupe_records(records, Engine(Params()))}
    out: dict[Any, Story] = defaultdict(list)
    for r in records:
        out[story[r["id"]]].append((_hours(r["published"]), str(r["event"]), str(r["id"])))
    return name, seed, [sorted(s) for s in out.values()]


def stray_gaps(stories: list[Story]) -> list[float]:
    """Hours from each stray to the nearest report of its story's largest event."""
    gaps = []
    for s in stories:
        counts = Counter(e for _t, e, _i in s)
        if len(counts) < 2:
            continue
        host = counts.most_common(1)[0][0]
        host_times = [t for t, e, _i in s if e == host]
        gaps += [min(abs(t - h) for h in host_times) for t, e, _i in s if e != host]
    return sorted(gaps)


def second_burst(s: Story, gap: float, burst: int, within: float, lead: int) -> int:
    """How many leading reports a burst after a quiet gap parts from ``s`` (0: none)."""
    times = [t for t, _e, _i in s]
    for i in range(1, min(lead, len(s) - 1) + 1):
        if times[i] - times[i - 1] >= gap and sum(1 for t in times[i:] if t <= times[i] + within) >= burst:
            return i
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--gap", type=float, default=24.0)
    ap.add_argument("--burst", type=int, default=3)
    ap.add_argument("--within", type=float, default=12.0)
    ap.add_argument("--lead", type=int, default=2)
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(name, split, seed) for name, split in TUNING for seed in seeds]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(stories_of, jobs))
    close_gaps: list[float] = []
    for name, seed, stories in results:
        gold = {i: e for s in stories for _t, e, i in s}
        before = {i: k for k, s in enumerate(stories) for _t, _e, i in s}
        after: dict[str, Any] = dict(before)
        pure_cut = mixed_cut = 0
        for k, s in enumerate(stories):
            cut = second_burst(s, args.gap, args.burst, args.within, args.lead)
            if cut:
                mixed = len({e for _t, e, _i in s}) > 1
                mixed_cut += mixed
                pure_cut += not mixed
                for _t, _e, i in s[:cut]:
                    after[i] = f"early-{k}"
        if name == "ecb-close":
            close_gaps += stray_gaps(stories)
        p0, _r0, f0 = bcubed(before, gold)
        p1, _r1, f1 = bcubed(after, gold)
        print(f"{name}:{seed}  P {p0:.3f} -> {p1:.3f}  F1 {f0:.3f} -> {f1:.3f}"
              f"  split: {mixed_cut} mixed, {pure_cut} pure stories")
    close_gaps.sort()
    near = sum(1 for g in close_gaps if g <= 12)
    print(f"close strays: {len(close_gaps)}, hours to the nearest report of the story holding them: "
          f"{[round(g) for g in close_gaps]} ({near} within 12 h)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
