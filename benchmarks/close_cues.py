"""Cues for two events of one kind close in time, measured on the harder dev stream first.

Observations
------------
* Dev ``close`` precision is over the issue's target, so stop 53 measures a cue
  on ``ecb-sameday`` (dev only: a topic's two events 0-24 h apart) over 10
  seeds, worst and mean, then on ``benchmarks.tune``'s ordinary rows (dev
  close, dev apart, GVC val), which it must not cost.
* A cue here is a pair conflict read from the raw text (the engine keeps no
  text), applied as a factor on the regrouping link of the pairs it flags:
  the engine's ``regrouping._region_similarity`` is wrapped in each worker,
  the engine's own code untouched.  A cue that holds is then built into the
  engine properly.

Cues
----
* ``dates``: month-days stated in the opening (title and first ``--chars``
  characters: "Dec. 14", "December 15", "14 December"); a pair conflicts when
  both state one and they share none.
* ``ids``: identifiers in the whole text (capitals then digits, four or more:
  MS08-078, CVE-2013-3893, KB2870699); both carry some and share none.
* ``numbers``: numbers that never change as an event develops (magnitude, age,
  score, sum of money: ``invariant_numbers.invariants``, whole text); both state
  a kind and share no value of it (stop 43's cue, dropped on ordinary dev).
* ``places``: places named in the opening (a capitalised word after "in", "at",
  "near", "off", "outside"); each of the pair names one the other's whole text
  never mentions (stop 28's cue, dropped on ordinary dev).  Built into the engine since
  (``Params.place_factor``): ``--cue none`` measures the engine's own; this one now adds to it.

How it works
------------
Per stream, the worst seed's and the mean B-cubed P / F1, and the strays summed
over the seeds (reports of any event but their final story's largest).

    python -m benchmarks.close_cues --cue dates --factor 0.5 [--streams ...] [--seeds ...]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from digest.batch import dedupe_records
from digest.dedup import regrouping
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed
from .dated import STREAMS
from .invariant_numbers import invariants
from .sparse import stream as sparse_stream
from .tune import TUNING_SPLIT

_MONTHS = {m[:3].lower(): k for k, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), 1)}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)(?:[a-z]*)\.?"
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s*(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*[:.]?\d)")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?![a-z])")
_ID = re.compile(r"\b[A-Z]{2,}[-‑]?\d[\d-]*\d\b")
_PLACE = re.compile(r"\b(?:in|at|near|off|outside)\s+((?:[A-Z][\w'-]+\s?){1,3})")


def month_days(text: str) -> frozenset[tuple[int, int]]:
    """The (month, day) pairs ``text`` states."""
    out = set()
    for m in _MONTH_DAY.finditer(text):
        if 1 <= int(m.group(2)) <= 31:
            out.add((_MONTHS[m.group(1)[:3].lower()], int(m.group(2))))
    for m in _DAY_MONTH.finditer(text):
        if 1 <= int(m.group(1)) <= 31:
            out.add((_MONTHS[m.group(2)[:3].lower()], int(m.group(1))))
    return frozenset(out)


def identifiers(text: str) -> frozenset[str]:
    """Identifiers of ``text`` with four or more digits (MS08-078, CVE-2013-3893)."""
    return frozenset(i for i in _ID.findall(text) if sum(c.isdigit() for c in i) >= 4)


def features(cue: str, r: dict[str, Any], chars: int) -> Any:
    """What the cue reads of one report (empty: it states nothing the cue reads)."""
    title = r.get("title") or ""
    if cue == "dates":
        return month_days(f"{title}. {r['text'][:chars]}")
    if cue == "ids":
        return identifiers(f"{title}. {r['text']}")
    if cue == "numbers":
        return invariants(r)
    if cue == "places":
        named = {m.strip() for m in _PLACE.findall(f"{title}. {r['text'][:chars]}")}
        return (frozenset(named), f"{title} {r['text']}") if named else None
    raise SystemExit(f"unknown cue {cue!r}")


_GENERIC = frozenset(("The", "Island", "Islands", "County", "Province", "City", "State", "North", "South",
                      "East", "West", "Northern", "Southern", "Eastern", "Western", "Central", "New"))


def _mentioned(place: str, text: str) -> bool:
    """Whether ``text`` names ``place`` (any of its words but the generic ones: "Iran" of
    "Southern Iran")."""
    words = [w for w in place.split() if w not in _GENERIC] or place.split()
    return any(re.search(r"\b" + re.escape(w) + r"\b", text) for w in words)


def conflict(cue: str, a: Any, b: Any) -> bool:
    """Whether two reports' readings (both non-empty) conflict."""
    if cue == "numbers":
        return any(k in b and not (v & b[k]) for k, v in a.items())
    if cue == "places":
        return any(not _mentioned(p, b[1]) for p in a[0]) and any(not _mentioned(p, a[1]) for p in b[0])
    return not a & b


def install(cue: str, feats: dict[str, Any], factor: float, young: bool = False) -> Callable[..., np.ndarray]:
    """Wrap ``regrouping._region_similarity``: flagged pairs' links times ``factor`` (``young``:
    only where both have fewer than ``Params.young_list`` neighbours at the floor, as
    ``regrouping.young_cap`` reads a young neighbourhood)."""
    orig = regrouping._region_similarity

    def wrapped(state: Any, nums: np.ndarray) -> np.ndarray:
        sim = orig(state, nums)
        p, nb = state.params, state.nb
        listed = ((nb.nums[nums] >= 0) & (nb.sims[nums] >= p.neighbour_floor)).sum(axis=1)
        short = (listed < p.young_list).tolist() if young else [True] * nums.size
        have = [(k, f) for k, n in enumerate(nums.tolist()) if short[k] and (f := feats.get(state.ids[n]))]
        for x, (i, fi) in enumerate(have):
            for j, fj in have[x + 1:]:
                if conflict(cue, fi, fj):
                    sim[i, j] *= factor
                    sim[j, i] *= factor
        return sim

    regrouping._region_similarity = wrapped
    return orig


def strays(pred: dict[str, Any], gold: dict[str, Any]) -> int:
    """Reports of any event but their story's largest (a precision error each)."""
    by_story: dict[Any, Counter[Any]] = {}
    for i, s in pred.items():
        by_story.setdefault(s, Counter())[gold[i]] += 1
    return sum(sum(c.values()) - c.most_common(1)[0][1] for c in by_story.values())


def records_of(name: str, seed: int) -> list[dict[str, Any]]:
    """A tuning stream, or ``young-close`` / ``young-undated``: draw ``seed`` of
    ``benchmarks.sparse``'s young store (1-3 reports an event) of dev, dated close or undated."""
    if name.startswith("young-"):  # young-close, young-undated
        return sparse_stream(name[6:], "dev", seed)
    return STREAMS[name](TUNING_SPLIT[name], seed)


def run_one(job: tuple[str, int, str, float, int, bool]) -> tuple[str, int, tuple[float, float, float], int]:
    name, seed, cue, factor, chars, young = job
    records = records_of(name, seed)
    if cue != "none":
        install(cue, {r["id"]: features(cue, r, chars) for r in records}, factor, young)
    pred = {o["id"]: o["story"] for o in dedupe_records(records, Engine(Params()))}
    gold = {r["id"]: r["event"] for r in records}
    return name, seed, bcubed(pred, gold), strays(pred, gold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--cue", default="none", choices=("none", "dates", "ids", "numbers", "places"))
    ap.add_argument("--factor", type=float, default=0.5)
    ap.add_argument("--chars", type=int, default=400, help="characters of the text in the opening")
    ap.add_argument("--streams", default="ecb-sameday:10,ecb-close:3,ecb-apart:3,gvc:3",
                    help="name:seeds (seeds 0..n-1), comma-separated; names of benchmarks.tune, young-close or young-undated")
    ap.add_argument("--young", action="store_true", help="only where both articles' neighbourhoods are young")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    plan = [(n, int(k)) for n, _s, k in (x.partition(":") for x in args.streams.split(","))]
    work = [(n, s, args.cue, args.factor, args.chars, args.young) for n, k in plan for s in range(k)]
    with ProcessPoolExecutor(max_workers=args.jobs, max_tasks_per_child=1) as pool:
        results = list(pool.map(run_one, work))
    cells = []
    for n, k in plan:
        rows = [r for name, _s, r, _n in results if name == n]
        lost = sum(x for name, _s, _r, x in results if name == n)
        cells.append(f"{n}:{k} worst {min(r[0] for r in rows):.3f} / {min(r[2] for r in rows):.3f}"
                     f" mean {sum(r[0] for r in rows) / k:.4f} / {sum(r[2] for r in rows) / k:.4f}, {lost} strays")
    print(f"cue {args.cue} x{args.factor} (chars {args.chars}{', young only' if args.young else ''}): "
          + " | ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
