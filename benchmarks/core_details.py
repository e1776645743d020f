"""A story's core details against a report that joined it, on the engine's merged output (dev).

Observations
------------
* Stop 65 (issue #19, ``ecb-sameteam``): the pairwise cues and stop 64's stated facts
  (``benchmarks.story_facts``) read one kind of fact, and same-event reports disagree on a
  single number or date.  This reads the whole vocabulary instead: a story's *core
  details* are the content terms (or word bigrams) that two or more of its reports state
  and that are rare in the stream; a follow-up of the event restates some of them, a
  report of a sibling event (same frame, same names after ``same_team``'s renaming) should
  carry few of them and bring rare details of its own the story never states.
* Stop 65's finding: with whole-stream frequencies the relative reading below (carry under
  0.1 of the group's median, own 0.5) flags 18 strays and 2 right joins of ``ecb-sameteam``
  at 10 seeds and nothing on the guards, and its parting gains; with the frequencies the
  engine has when a report comes (``--so-far``, and the engine build tried) the gain is gone.
  A sibling's frame terms are rare until the sibling's own reports have come.
* Dev / val only (``benchmarks.tune.TUNING_SPLIT``); nothing in the engine.

Reading
-------
* A report's terms: ``digest.dedup.terms``' words (``plain_term``: stemmed, lower case,
  no stopwords, numbers kept), title and text; ``--unit bigram``: two such words
  adjacent in the text (a stopword or a sentence end breaks the pair).
* Rare: stated by at most ``--rare`` (a share) of the stream's reports (document frequency
  over the whole stream; ``--so-far``: over the reports published before the judged one,
  the engine's view when it came).
* For each report of a story the engine made (two reports or more), against the story's
  other reports: ``carry``, the share of their core details (rare, stated by 2 or more of
  them; ``--core share``: by at least ``--share`` of them and 2) that it states; ``own``,
  the share of its rare terms that none of them states.  A report with no core to carry
  (``carry`` undefined) is never flagged.
* ``--relative``: carry as a share of the median carry of the group's other reports.
* Stray / right join as ``story_facts``: a report of an event other than its story's
  largest is a stray.

``--prototype``: the engine run with the parting off and on (``story_facts.part_groups``, the
engine's code untouched): after a regrouping's grouping, a report of a group of 3 or more whose
relative carry is under ``--carry-below`` and own share at least ``--own-least`` (the core two
reports or more, terms) has its links to the rest of its group times ``--factor``, and the
region is grouped again.  Per stream: worst P / F1, mean P / F1, strays summed; then the
events of the reports parted (one count per regrouping that parts it).

    python -m benchmarks.core_details --streams ecb-sameteam:3,gvc:3 [--unit bigram] [--core share] [--relative]
``--at-regroup``: the rare terms read again at each regrouping, as the stream stands at the
group's newest report (what an engine reading its document frequencies then would see).

    python -m benchmarks.core_details --prototype --rare 0.05 [--so-far | --at-regroup] [--on-only] --streams ecb-sameteam:10,gvc:10
"""

from __future__ import annotations

import argparse
from bisect import bisect_right
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params
from digest.dedup.terms import _SENT_END, _tokens, plain_term

from .close_cues import strays
from .common import bcubed
from .story_facts import part_groups
from .tune import records_of

CARRY = (0.1, 0.2, 0.3, 0.4)  # carry below this ...
OWN = (0.5, 0.7, 0.8, 0.9)  # ... and own-rare share at least this: flagged
RELATIVE = False  # carry read as a share of the median carry of the group's other reports
FLOOR = 4.0  # rare: a detail in this many reports is rare however small the stream (GVC val: 78)


def _published(r: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(r["published"].replace("Z", "+00:00"))


def details(r: dict[str, Any], unit: str) -> frozenset[str]:
    """A report's words (``unit`` ``term``) or adjacent word pairs (``bigram``)."""
    out: set[str] = set()
    prev: str | None = None
    for tok in _tokens(f"{r.get('title') or ''}.\n{r['text']}"):
        term = None if tok in _SENT_END else plain_term(tok)
        if unit == "term":
            if term:
                out.add(term)
            continue
        if term and prev:
            out.add(f"{prev} {term}")
        prev = term
    return frozenset(out)


def rare_sets(records: list[dict[str, Any]], read: dict[str, frozenset[str]], rare: float,
              so_far: bool) -> dict[str, frozenset[str]]:
    """Per report, its rare details: document frequency at most ``rare`` of the reports
    (the whole stream's, or ``so_far``: those published before it, the report counted)."""
    if not so_far:
        df = Counter(t for r in records for t in read[r["id"]])
        cut = max(rare * len(records), FLOOR)
        return {r["id"]: frozenset(t for t in read[r["id"]] if df[t] <= cut) for r in records}
    out = {}
    df = Counter()
    for n, r in enumerate(sorted(records, key=_published), 1):
        df.update(read[r["id"]])
        cut = max(rare * n, FLOOR)
        out[r["id"]] = frozenset(t for t in read[r["id"]] if df[t] <= cut)
    return out


def core_of(others: list[str], read: dict[str, frozenset[str]], rare_of: dict[str, frozenset[str]],
            core: str, share: float) -> set[str]:
    """The core details of a group of reports: rare (to one of them), stated by 2 of them
    or more (``core`` ``share``: and by at least ``share`` of them)."""
    n = Counter(t for j in others for t in read[j])
    rare = set().union(*(rare_of[j] for j in others)) if others else set()
    need = 2 if core == "two" else max(2.0, share * len(others))
    return {t for t in rare if n[t] >= need}


def measure(i: str, others: list[str], read: dict[str, frozenset[str]],
            rare_of: dict[str, frozenset[str]], core: str, share: float) -> tuple[float, float] | None:
    """(carry, own) of report ``i`` against ``others``; None when they have no core."""
    kernel = core_of(others, read, rare_of, core, share)
    if not kernel:
        return None
    carry = len(kernel & read[i]) / len(kernel)
    mine = rare_of[i]
    said = set().union(*(read[j] for j in others))
    own = len(mine - said) / len(mine) if mine else 0.0
    return carry, own


def tally(job: tuple[str, int, str, str, float, float, bool, bool]) -> Counter[str]:
    """Per (carry, own) threshold and stray | right, the reports flagged; the reports in all;
    and the carry / own sums per kind."""
    global RELATIVE
    name, seed, unit, core, share, rare, so_far, RELATIVE = job
    records = records_of(name, seed)
    by_id = {r["id"]: r for r in records}
    read = {r["id"]: details(r, unit) for r in records}
    rare_of = rare_sets(records, read, rare, so_far)
    stories: dict[Any, list[str]] = defaultdict(list)
    for o in dedupe_records(records, Engine(Params())):
        stories[o["story"]].append(o["id"])
    out: Counter[str] = Counter()
    for ids in stories.values():
        if len(ids) < 3:
            continue
        main = Counter(by_id[i]["event"] for i in ids).most_common(1)[0][0]
        got = {i: measure(i, [j for j in ids if j != i], read, rare_of, core, share) for i in ids}
        for i in ids:
            kind = "right" if by_id[i]["event"] == main else "stray"
            out[f"reports {kind}"] += 1
            if got[i] is None:
                continue
            carry, own = got[i]
            rest = sorted(g[0] for j, g in got.items() if j != i and g is not None)
            if RELATIVE and rest:  # carry as a share of the median of the group's others'
                median = rest[len(rest) // 2]
                carry = carry / median if median else 1.0
            out[f"core {kind}"] += 1
            out[f"carry100 {kind}"] += round(100 * carry)
            out[f"own100 {kind}"] += round(100 * own)
            for c in CARRY:
                if carry < c:
                    out[f"carry<{c} {kind}"] += 1
                    for o in OWN:
                        if own >= o:
                            out[f"carry<{c} own>={o} {kind}"] += 1
    return out


READ: dict[str, frozenset[str]] = {}  # the prototype's details, by report id (a worker's)
RARE: dict[str, frozenset[str]] = {}  # and its rare details
AT_REGROUP = False  # the prototype's rare details read again at each regrouping (``--at-regroup``)


def flagged(group: list[str], carry_below: float, own_least: float) -> list[int]:
    """Positions in one group of the reports the prototype parts: carry (as a share of the
    median of the group's others', the core two reports or more) below ``carry_below`` and
    own rare details at least ``own_least`` of its rare ones."""
    got = [measure(i, [j for j in group if j != i], READ, RARE, "two", 0.0) for i in group]
    out = []
    for k, g in enumerate(got):
        rest = sorted(h[0] for n, h in enumerate(got) if n != k and h is not None)
        if g is None or not rest:
            continue
        median = rest[len(rest) // 2]
        if median and g[0] / median < carry_below and g[1] >= own_least:
            out.append(k)
    return out


def run_one(job: tuple[str, int, bool, float, float, float, float, bool, bool]) -> tuple[str, int, tuple[float, float, float], int, Counter[str]]:
    """B-cubed (P, R, F1), strays, and the events of the reports parted, of one stream and
    seed, the prototype on or off."""
    global AT_REGROUP
    name, seed, on, factor, rare, carry_below, own_least, so_far, AT_REGROUP = job
    records = records_of(name, seed)
    parted: Counter[str] = Counter()
    if on:
        READ.clear()
        READ.update({r["id"]: details(r, "term") for r in records})
        RARE.clear()
        RARE.update(rare_sets(records, READ, rare, so_far))
        event = {r["id"]: str(r["event"]) for r in records}
        order = {r["id"]: n for n, r in enumerate(sorted(records, key=_published), 1)}
        seen: dict[str, list[int]] = defaultdict(list)  # term -> positions of the reports stating it
        for r in sorted(records, key=_published):
            for t in READ[r["id"]]:
                seen[t].append(order[r["id"]])

        def flag(group: list[str]) -> list[int]:
            if AT_REGROUP:  # rare as the stream stands at the group's newest report
                now = max(order[i] for i in group)
                cut = max(rare * now, FLOOR)
                RARE.update({i: frozenset(t for t in READ[i] if bisect_right(seen[t], now) <= cut) for i in group})
            got = flagged(group, carry_below, own_least)
            parted.update(event[group[k]] for k in got)
            return got

        part_groups(flag, factor, 2)
    result = dedupe_records(records, Engine(Params()))
    pred = {o["id"]: o["story"] for o in result}
    gold = {r["id"]: r["event"] for r in records}
    return name, seed, bcubed(pred, gold), strays(pred, gold), parted


def prototype(spec: str, factor: float, rare: float, carry_below: float, own_least: float, jobs: int,
              so_far: bool, rows_of: tuple[bool, ...] = (False, True), at_regroup: bool = False) -> None:
    """Per stream, worst P / F1, mean P / F1 and strays summed, the prototype off and on."""
    for on in rows_of:
        cells, parted = [], Counter()
        for part in spec.split(","):
            name, _, seeds = part.partition(":")
            work = [(name, s, on, factor, rare, carry_below, own_least, so_far, at_regroup)
                    for s in range(int(seeds or 1))]
            with ProcessPoolExecutor(max_workers=jobs, max_tasks_per_child=1) as pool:
                rows = list(pool.map(run_one, work))
            ps, fs = [r[2][0] for r in rows], [r[2][2] for r in rows]
            cells.append(f"{name}:{seeds} {min(ps):.3f} / {min(fs):.3f}, {sum(ps) / len(ps):.4f} / "
                         f"{sum(fs) / len(fs):.4f}, {sum(r[3] for r in rows)}")
            parted += sum((r[4] for r in rows), Counter())
        print(f"{'on ' if on else 'off'} " + " | ".join(cells), flush=True)
        if on:
            print(f"    parted (report flags, by event): {dict(parted.most_common(12))}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--streams", default="ecb-sameteam:3,ecb-sameplace:3,ecb-close:3,gvc:3,gvc-close:3")
    ap.add_argument("--unit", choices=("term", "bigram"), default="term")
    ap.add_argument("--core", choices=("two", "share"), default="two")
    ap.add_argument("--share", type=float, default=0.5, help="--core share: of the other reports")
    ap.add_argument("--rare", type=float, default=0.02, help="rare: in at most this share of the reports")
    ap.add_argument("--so-far", action="store_true", help="rare over the reports published before")
    ap.add_argument("--relative", action="store_true", help="carry over the group's median carry")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--prototype", action="store_true", help="run the engine with the parting on and off")
    ap.add_argument("--at-regroup", action="store_true",
                    help="prototype: rare as the stream stands at the group's newest report, at each regrouping")
    ap.add_argument("--on-only", action="store_true", help="prototype: the on row alone")
    ap.add_argument("--factor", type=float, default=0.2, help="prototype: a flagged report's links times this")
    ap.add_argument("--carry-below", type=float, default=0.1, help="prototype: relative carry below this")
    ap.add_argument("--own-least", type=float, default=0.5, help="prototype: own rare share at least this")
    args = ap.parse_args(argv)
    if args.prototype:
        prototype(args.streams, args.factor, args.rare, args.carry_below, args.own_least, args.jobs, args.so_far,
                  (True,) if args.on_only else (False, True), args.at_regroup)
        return 0
    for part in args.streams.split(","):
        name, _, seeds = part.partition(":")
        jobs = [(name, s, args.unit, args.core, args.share, args.rare, args.so_far, args.relative)
                for s in range(int(seeds or 1))]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            t = sum(pool.map(tally, jobs), Counter())
        ns, nr = t["core stray"], t["core right"]
        print(f"{name}:{seeds or 1}  strays {t['reports stray']} ({ns} with a core), right joins "
              f"{t['reports right']} ({nr}); mean carry {t['carry100 stray'] / max(ns, 1) / 100:.2f} / "
              f"{t['carry100 right'] / max(nr, 1) / 100:.2f}, mean own {t['own100 stray'] / max(ns, 1) / 100:.2f}"
              f" / {t['own100 right'] / max(nr, 1) / 100:.2f}  (stray / right)")
        for c in CARRY:
            cells = "  ".join(f"own>={o} {t[f'carry<{c} own>={o} stray']:3d}/{t[f'carry<{c} own>={o} right']:<4d}"
                              for o in OWN)
            print(f"  carry<{c}: {t[f'carry<{c} stray']:3d}/{t[f'carry<{c} right']:<4d}  {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
