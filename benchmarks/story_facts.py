"""A story's stated facts against a report that joined it, on the engine's merged output (dev).

Observations
------------
* Stop 64 (issue #19, ``ecb-sameteam``): a stray's pairwise links are averaged over
  the whole story, and most of a story's reports state nothing a pairwise cue
  reads.  This counts a story-level reading instead: for each report of a story
  the engine made (the batch path, today's engine), what the story's *other*
  reports state of one fact, aggregated, against what the report states.  A
  report is a stray when its event is not the story's largest, a right join
  otherwise; GVC val has no strays, so every report it flags is the cost (its
  follow-ups name later days: "on Sunday" in a follow-up of Wednesday).
* Dev / val only (``benchmarks.tune.TUNING_SPLIT``); nothing in the engine.

Facts
-----
* ``day``: the day the opening's first day word names ("Tuesday", "yesterday":
  ``dated.day_word``) from the report's publication time (``dated.named_day``),
  its title and first 600 characters; apart when more than ``--tolerance`` days.
* ``age``: the ages the title and text state (``invariant_numbers.invariants``'
  ``age``); apart when the two share no age.
* ``clock``: the times of day the opening states (``digest.dedup.clock``, 600
  characters); apart as ``clock.conflict``.

Aggregates (over the story's other reports that state the fact; ``earlier``: only
those published before the report, the story as it stood when the report came):
``any`` apart from one of them, ``all`` apart from every one, ``most`` apart from
more than half of them, ``most-story`` apart from reports that are more than half
of the story's other reports (stating or not), each with at least ``--least``
stating reports.

``union``: flagged by any fact; ``two``: by two facts or more.  ``--relative``: the day
read only from "today", "tonight", "this morning", "yesterday", "last night".

``--prototype clock|two``: the engine run with the parting on and off (one process a seed,
the ``off`` row is today's engine): ``regrouping._cluster`` wrapped as ``close_cues`` wraps
the similarity, the engine's code untouched; after a regrouping's grouping, a report whose
``clock`` (``two``: two facts or more) is apart from more than half of its group's other
reports stating it (``--least`` of them, the group larger than that) has its links to the rest
of the group times ``--factor``, and the region is grouped again.  Per stream: worst P / F1,
mean P / F1, strays summed over the seeds.

    python -m benchmarks.story_facts --streams ecb-sameteam:3,gvc:3 [--tolerance 1] [--least 1] [--relative]
    python -m benchmarks.story_facts --prototype clock --least 3 --tolerance 1 --factor 0.2 --streams ...
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

import numpy as np

from digest.batch import dedupe_records
from digest.dedup import regrouping
from digest.dedup.clock import conflict as clock_conflict
from digest.dedup.clock import stated_times
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .close_cues import strays
from .common import bcubed
from .dated import day_word, named_day
from .invariant_numbers import invariants
from .tune import records_of

FACTS = ("day", "age", "clock")
AGGREGATES = ("any", "all", "most", "most-story")
CHARS = 600
RELATIVE = False  # day: only "today", "tonight", "yesterday", "last night", "this morning" (no weekday)


def _published(r: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(r["published"].replace("Z", "+00:00"))


def reading(fact: str, r: dict[str, Any]) -> Any:
    """What a report states of ``fact`` (None: nothing)."""
    title = r.get("title") or ""
    if fact == "day":
        word = day_word(f"{title}. {r['text'][:CHARS]}")
        if RELATIVE and word and word.endswith("day") and word not in ("today", "yesterday"):
            return None
        return named_day(word, _published(r)).toordinal() if word else None
    if fact == "age":
        return invariants(r).get("age")
    return stated_times(f"{title}.\n{r['text'][:CHARS]}") or None


def apart(fact: str, a: Any, b: Any, tolerance: int) -> bool:
    if fact == "day":
        return bool(abs(a - b) > tolerance)
    if fact == "age":
        return not a & b
    return clock_conflict(a, b)


def flags(fact: str, mine: Any, others: list[Any], size: int, tolerance: int, least: int) -> set[str]:
    """The aggregates that flag a report stating ``mine`` against ``others`` (the readings of
    the story's other reports that state the fact; ``size``: how many other reports)."""
    if mine is None or len(others) < least or not others:
        return set()
    n = sum(apart(fact, mine, o, tolerance) for o in others)
    out = set()
    if n:
        out.add("any")
    if n == len(others):
        out.add("all")
    if 2 * n > len(others):
        out.add("most")
    if 2 * n > size:
        out.add("most-story")
    return out


def tally(job: tuple[str, int, int, int]) -> Counter[str]:
    """Per (fact, aggregate, scope, stray|right), the reports flagged; and the reports in all."""
    global RELATIVE
    name, seed, tolerance, least, RELATIVE = job
    records = records_of(name, seed)
    by_id = {r["id"]: r for r in records}
    stories: dict[Any, list[str]] = defaultdict(list)
    for o in dedupe_records(records, Engine(Params())):
        stories[o["story"]].append(o["id"])
    out: Counter[str] = Counter()
    for ids in stories.values():
        if len(ids) < 2:
            continue
        main = Counter(by_id[i]["event"] for i in ids).most_common(1)[0][0]
        read = {fact: {i: reading(fact, by_id[i]) for i in ids} for fact in FACTS}
        for i in ids:
            kind = "right" if by_id[i]["event"] == main else "stray"
            out[f"reports {kind}"] += 1
            pub = _published(by_id[i])
            for scope in ("whole", "earlier"):
                rest = [j for j in ids if j != i and (scope == "whole" or _published(by_id[j]) < pub)]
                union: set[str] = set()
                seen: Counter[str] = Counter()
                for fact in FACTS:
                    others = [read[fact][j] for j in rest if read[fact][j] is not None]
                    got = flags(fact, read[fact][i], others, len(rest), tolerance, least)
                    for agg in got:
                        out[f"{fact} {agg} {scope} {kind}"] += 1
                    union |= got
                    seen.update(got)
                for agg in union:
                    out[f"union {agg} {scope} {kind}"] += 1
                for agg in (a for a, n in seen.items() if n >= 2):
                    out[f"two {agg} {scope} {kind}"] += 1
    return out


READ: dict[str, dict[str, Any]] = {}  # the prototype's readings, by report id (a worker's)


def flagged(ids: list[str], mode: str, tolerance: int, least: int) -> list[int]:
    """Positions in one group (report ids) of the reports the prototype parts: those whose
    ``clock`` (mode ``clock``), or two facts or more (mode ``two``), are apart from more than
    half of the group's other reports stating the fact (``least`` of them at least)."""
    out = []
    for k, i in enumerate(ids):
        facts = ("clock",) if mode == "clock" else FACTS
        hits = 0
        for fact in facts:
            others = [READ[j][fact] for j in ids if j != i and READ[j][fact] is not None]
            hits += "most" in flags(fact, READ[i][fact], others, len(ids) - 1, tolerance, least)
        if hits >= (1 if mode == "clock" else 2):
            out.append(k)
    return out


def install(mode: str, factor: float, tolerance: int, least: int) -> None:
    """The parting of ``mode`` hooked into the engine (:func:`part_groups`)."""
    part_groups(lambda group: flagged(group, mode, tolerance, least), factor, least)


def part_groups(flag: Callable[[list[str]], list[int]], factor: float, least: int) -> None:
    """Wrap ``regrouping._cluster`` (the engine's code untouched): after its grouping, a report
    ``flag`` names (its positions in a group of more than ``least`` report ids) has its links to
    the rest of its group count ``factor`` and the region is grouped again, the same way
    (``_region_similarity`` wrapped for that second call: copies of one text averaged as the
    engine does).  ``benchmarks.core_details`` hooks its own flag here."""
    orig, similarity = regrouping._cluster, regrouping._region_similarity
    damp: set[tuple[str, str]] = set()

    def damped(state: Any, nums: np.ndarray) -> np.ndarray:
        sim = similarity(state, nums)
        if damp:
            ids = [state.ids[n] for n in nums.tolist()]
            for a, x in enumerate(ids):
                for b, y in enumerate(ids):
                    if (x, y) in damp:
                        sim[a, b] *= factor
        return sim

    def wrapped(state: Any, nums: np.ndarray) -> np.ndarray:
        labels = orig(state, nums)
        ids = [state.ids[n] for n in nums.tolist()]
        for lab in np.unique(labels).tolist():
            group = [ids[x] for x in np.flatnonzero(labels == lab).tolist()]
            if len(group) > least:
                for k in flag(group):
                    damp.update((group[k], j) for j in group if j != group[k])
                    damp.update((j, group[k]) for j in group if j != group[k])
        if not damp:
            return labels
        try:
            return orig(state, nums)
        finally:
            damp.clear()

    regrouping._cluster, regrouping._region_similarity = wrapped, damped


def run_one(job: tuple[str, int, str, float, int, int]) -> tuple[str, int, tuple[float, float, float], int]:
    """B-cubed (P, R, F1) and strays of one stream and seed, the prototype on (``mode``) or off."""
    name, seed, mode, factor, tolerance, least = job
    records = records_of(name, seed)
    if mode != "off":
        READ.clear()
        READ.update({r["id"]: {f: reading(f, r) for f in FACTS} for r in records})
        install(mode, factor, tolerance, least)
    result = dedupe_records(records, Engine(Params()))
    pred = {o["id"]: o["story"] for o in result}
    gold = {r["id"]: r["event"] for r in records}
    return name, seed, bcubed(pred, gold), strays(pred, gold)


def prototype(spec: str, mode: str, factor: float, tolerance: int, least: int) -> None:
    """Per stream, worst P / F1, mean P / F1 and strays summed, the prototype off and on."""
    for m in ("off", mode):
        cells = []
        for part in spec.split(","):
            name, _, seeds = part.partition(":")
            jobs = [(name, s, m, factor, tolerance, least) for s in range(int(seeds or 1))]
            with ProcessPoolExecutor(max_workers=1, max_tasks_per_child=1) as pool:
                rows = list(pool.map(run_one, jobs))
            ps, fs = [r[2][0] for r in rows], [r[2][2] for r in rows]
            cells.append(f"{name}:{seeds} {min(ps):.3f} / {min(fs):.3f}, {sum(ps) / len(ps):.4f} / "
                         f"{sum(fs) / len(fs):.4f}, {sum(r[3] for r in rows)}")
        print(f"{m:5} " + " | ".join(cells), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--streams", default="ecb-sameteam:3,ecb-sameplace:3,ecb-close:3,gvc:3,gvc-close:3")
    ap.add_argument("--tolerance", type=int, default=0, help="day: days apart that do not flag")
    ap.add_argument("--least", type=int, default=1, help="stating reports a story needs to flag")
    ap.add_argument("--relative", action="store_true", help="day: no weekday words, only today / yesterday")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--prototype", choices=("clock", "two"), help="run the engine with the parting on and off")
    ap.add_argument("--factor", type=float, default=0.2, help="prototype: a flagged report's links times this")
    args = ap.parse_args(argv)
    if args.prototype:
        prototype(args.streams, args.prototype, args.factor, args.tolerance, args.least)
        return 0
    for part in args.streams.split(","):
        name, _, seeds = part.partition(":")
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            jobs = [(name, s, args.tolerance, args.least, args.relative) for s in range(int(seeds or 1))]
            total = sum(pool.map(tally, jobs), Counter())
        print(f"{name}:{seeds or 1}  strays {total['reports stray']}, right joins {total['reports right']}"
              f"  (flagged strays / flagged right joins)")
        for scope in ("whole", "earlier"):
            for fact in (*FACTS, "union", "two"):
                cells = "  ".join(f"{agg} {total[f'{fact} {agg} {scope} stray']:3d}/{total[f'{fact} {agg} {scope} right']:<4d}"
                                  for agg in AGGREGATES)
                print(f"  {scope:7} {fact:5}  {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
