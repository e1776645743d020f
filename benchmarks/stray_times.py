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
* A report cannot tell of an event that had not happened when it was
  published: the "before its day" split cuts from a story every report
  published over ``--margin`` hours before the day most of the story's
  reports state (weekday names, "today", "yesterday" in the opening, resolved
  against each report's publication time).
* It reads only the tuning splits (ECB+ dev, GVC val).

How it works
------------
Each stream and seed runs through ``digest.batch.dedupe_records`` with
today's engine.  A stray is a report of any event but its story's largest.
A story is split when one of its first ``--lead`` reports precedes the next
by ``--gap`` hours or more and ``--burst`` or more reports follow within
``--within`` hours of that next one.

    python -m benchmarks.stray_times [--seeds 0,1,2] [--gap 24] [--burst 3] [--within 12] [--lead 2]
                                     [--margin 12]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed, load_ecb
from .dated import STREAMS, WEEKDAYS, load_gvc

TUNING = (("ecb-close", "dev"), ("ecb-apart", "dev"), ("gvc", "val"))
Story = list[tuple[float, str, str]]  # (hours, event, id), in time order
_DAY_WORDS = re.compile(
    r"\b(" + "|".join(WEEKDAYS) + r"|today|tonight|this morning|this afternoon|yesterday|last night)\b", re.I
)


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


def stated_day(opening: str, hours: float) -> date | None:
    """The day the first day word of ``opening`` names, resolved against its publication time."""
    m = _DAY_WORDS.search(opening)
    if m is None:
        return None
    word, day = m.group(1).lower(), datetime.fromtimestamp(hours * 3600, UTC).date()
    if word in ("yesterday", "last night"):
        return day - timedelta(days=1)
    if word in ("today", "tonight", "this morning", "this afternoon"):
        return day
    weekday = [w.lower() for w in WEEKDAYS].index(word)
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def before_its_day(s: Story, openings: dict[str, str], margin: float) -> list[str]:
    """Ids of ``s`` published over ``margin`` hours before the day most of its reports state."""
    days = [d for t, _e, i in s if (d := stated_day(openings[i], t)) is not None]
    if len(days) < 2:
        return []
    day, n = Counter(days).most_common(1)[0]
    if n < 2 or 2 * n < len(days):
        return []
    start = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() / 3600
    return [i for t, _e, i in s if t < start - margin]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--gap", type=float, default=24.0)
    ap.add_argument("--burst", type=int, default=3)
    ap.add_argument("--within", type=float, default=12.0)
    ap.add_argument("--lead", type=int, default=2)
    ap.add_argument("--margin", type=float, default=12.0, help="hours before a story's stated day")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(name, split, seed) for name, split in TUNING for seed in seeds]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(stories_of, jobs))
    openings = {str(r["id"]): f"{r.get('title') or ''}. {r['text'][:600]}" for r in load_ecb("dev") + load_gvc("val")}
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
        causal: dict[str, Any] = dict(before)
        cut_strays = cut_pure = 0
        for s in stories:
            host = Counter(e for _t, e, _i in s).most_common(1)[0][0]
            for i in before_its_day(s, openings, args.margin):
                causal[i] = f"before-{i}"
                cut_strays += gold[i] != host
                cut_pure += gold[i] == host
        p0, _r0, f0 = bcubed(before, gold)
        p1, _r1, f1 = bcubed(after, gold)
        p2, _r2, f2 = bcubed(causal, gold)
        print(f"{name}:{seed}  P {p0:.3f}  F1 {f0:.3f} | second burst: P {p1:.3f} F1 {f1:.3f},"
              f" {mixed_cut} mixed and {pure_cut} pure stories split | before its day: P {p2:.3f} F1 {f2:.3f},"
              f" {cut_strays} strays and {cut_pure} of the story's own event cut")
    close_gaps.sort()
    near = sum(1 for g in close_gaps if g <= 12)
    print(f"close strays: {len(close_gaps)}, hours to the nearest report of the story holding them: "
          f"{[round(g) for g in close_gaps]} ({near} within 12 h)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
