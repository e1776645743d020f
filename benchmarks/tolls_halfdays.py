"""Would a toll that falls over publication time, or the half-day an opening names, part two events?

Observations
------------
* Two cues for two events of one kind close in time, counted before building,
  neither among those tried before (``docs/evaluation.md``, "Stories over time"):

  - *a falling count* ("directional counts"): a story's toll only rises as it
    develops ("3 killed", then "death toll rises to 10"), so a report stating a
    *smaller* count of the dead, the injured, the arrested or the missing than a
    report published before it might be of another event.  The dropped "numbers
    conflicting" cue fired on any mismatch; this one fires only when the count
    goes down with publication time, which a developing story's counts do not.
  - *the half-day an opening names* ("early Sunday", "Monday night", "this
    morning", "last night"), resolved against the report's publication day: the
    event's morning or afternoon/evening, finer than the dropped weekday cue.
    Night covers its evening and the next morning ("Sunday night" may be 1 am
    Monday).  Two reports naming half-days with none in common (strict), or none
    within one half-day (a zone apart), conflict.
* It reads only the tuning splits: the dated ECB+ dev close streams (plain, and
  ``stated``, where each report is published where the day its opening names
  reads right) and GVC val (real days).  The ECB+ generator draws each report's
  delay without reading its text, so within one event the order of publication
  is random: a falling count there is as likely as a rising one, which biases
  the ECB+ view against the first cue; GVC's days are real (its hours drawn).

How it works
------------
A report's counts are, per kind, the largest number (digits or words up to
twenty; years, ages and sums left out) its title and whole text tie to a word of
the kind ("12 people were killed", "killing 12", "death toll rose to 12",
"12 injured", "arrested 3").  A pair, in publication order, *falls* when a kind
both state has a smaller largest value in the later report; with ``>= 12 h``
only when they were published 12 hours or more apart.  Half-days are read from
the title and first 600 characters.  Two views:

* *pairs*: the pairs of one ECB+ topic (same event against sibling) published
  within a week of each other, over 3 seeds; GVC val, all pairs within a week
  (same incident against two);
* *final*: the decisive count, against the engine's own errors.  Each dev close
  stream and GVC val stream (3 seeds) through today's engine on the batch path
  (``digest.batch.dedupe_records``, as ``benchmarks.tune`` does); of the pairs
  the final stories hold, the sibling pairs (the errors) each cue flags against
  the same-event pairs merged rightly it flags.

    python -m benchmarks.tolls_halfdays [--seeds 0,1,2] [--jobs 2]
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import load_ecb
from .dated import STREAMS, WEEKDAYS

WEEK_HOURS = 7 * 24.0
OPENING = 600
_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUM = r"(\d{1,3}(?:,\d{3})*|\d+|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_WHO = (r"(?:(?:more\s+)?(?:people|persons|others|civilians|students|men|women|children|soldiers|police|"
        r"officers|miners|workers|passengers|pilgrims|residents|villagers|inmates|suspects|militants|"
        r"protesters|fans|tourists|members)\s+)?")
_BE = r"(?:(?:were|are|was|have\s+been|had\s+been|been|are\s+now|were\s+reported|reportedly)\s+)?"
#: Kind -> the words that make a number a count of it.
KINDS = {
    "dead": r"(?:dead|killed|died|deaths|fatalities|bodies|perished|drowned|lost\s+their\s+lives)",
    "injured": r"(?:injured|wounded|hurt|injuries|hospitali[sz]ed)",
    "arrested": r"(?:arrested|detained|arrests|in\s+custody|charged)",
    "missing": r"(?:missing|unaccounted\s+for|trapped)",
}
_VERB = {"dead": r"(?:killing|killed|kills|claimed\s+the\s+lives\s+of|left)",
         "injured": r"(?:injuring|injured|wounding|wounded|hurting|hurt)",
         "arrested": r"(?:arresting|arrested|detaining|detained|held|nabbed)",
         "missing": r"(?:leaving)"}
_PATTERNS = {
    kind: [
        re.compile(r"(?<!\bno\s)\b" + _NUM + r"\s+" + _WHO + _BE + words + r"\b", re.I),  # not "no one"
        re.compile(r"\b" + _VERB[kind] + r"\s+(?:at\s+least\s+|about\s+|some\s+|nearly\s+|more\s+than\s+)?"
                   + _NUM + r"\s+(?!years?\b|percent\b|%|[ap]\.?m\b|miles?\b|km\b|hours?\b|days?\b)", re.I),
        *([re.compile(r"\b(?:death\s+toll|toll)\s+(?:\w+\s+){0,3}?(?:to|of|at|reached|hit)\s+"
                      r"(?:at\s+least\s+|about\s+|some\s+|nearly\s+|more\s+than\s+)?" + _NUM + r"\b", re.I)]
          if kind == "dead" else []),
    ]
    for kind, words in KINDS.items()
}


def _value(s: str) -> int:
    s = s.lower()
    return _WORDS[s] if s in _WORDS else int(s.replace(",", ""))


def counts(row: dict[str, Any]) -> dict[str, int]:
    """Kind -> the largest count of it the report's title and text state (kinds stated only)."""
    text = f"{row.get('title') or ''}.\n{row['text']}"
    out: dict[str, int] = {}
    for kind, pats in _PATTERNS.items():
        vals = [_value(m.group(1)) for p in pats for m in p.finditer(text)]
        vals = [v for v in vals if 0 < v < 100_000 and not 1900 <= v <= 2100]
        if vals:
            out[kind] = max(vals)
    return out


def falls(early: dict[str, int], late: dict[str, int]) -> bool:
    """The later report states a smaller count of a kind both state."""
    return any(late[k] < v for k, v in early.items() if k in late)


# -- half-days -------------------------------------------------------------------------------------

_PART = r"(morning|afternoon|evening|night)"
_WD = "|".join(WEEKDAYS)
_HALF_PATTERNS = [
    (re.compile(r"\b(early|late)\s+(?:on\s+)?(" + _WD + r")\b(?:\s+" + _PART + r")?", re.I), "edge"),
    (re.compile(r"\b(" + _WD + r")\s+" + _PART + r"\b", re.I), "wdpart"),
    (re.compile(r"\b(this|yesterday|last|early\s+this|late\s+this)\s+" + _PART + r"\b", re.I), "rel"),
    (re.compile(r"\b(tonight|overnight|earlier\s+today|early\s+today|late\s+yesterday|early\s+yesterday)\b", re.I),
     "word"),
]


def _weekday_date(name: str, pub: datetime) -> datetime:
    day = pub.replace(hour=0, minute=0, second=0, microsecond=0)
    idx = [w.lower() for w in WEEKDAYS].index(name.lower())
    return day - timedelta(days=(day.weekday() - idx) % 7)


def _slots(day: datetime, part: str) -> set[int]:
    """Half-day numbers (2 per day since the epoch day count; 0 = before noon)."""
    n = day.toordinal() * 2
    if part in ("morning", "early"):
        return {n}
    if part in ("afternoon", "evening", "late"):
        return {n + 1}
    return {n + 1, n + 2}  # night: the evening and the small hours after


def halfdays(row: dict[str, Any]) -> frozenset[int]:
    """The half-days the title and opening name, resolved against the publication day."""
    text = f"{row.get('title') or ''}. {row['text'][:OPENING]}"
    pub = datetime.fromisoformat(str(row["published"]).replace("Z", "+00:00"))
    today = pub.replace(hour=0, minute=0, second=0, microsecond=0)
    out: set[int] = set()
    for pat, shape in _HALF_PATTERNS:
        for m in pat.finditer(text):
            g = [x.lower() if x else "" for x in m.groups()]
            if shape == "edge":
                part = g[2] or g[0]
                out |= _slots(_weekday_date(g[1], pub), "night" if part == "night" else part)
            elif shape == "wdpart":
                out |= _slots(_weekday_date(g[0], pub), g[1])
            elif shape == "rel":
                day = today - timedelta(days=1) if g[0] in ("yesterday", "last") else today
                part = "night" if g[0] == "last" and g[1] == "night" else g[1]
                out |= _slots(day, part)
            else:
                word = g[0].split()
                if word[0] == "tonight":
                    out |= _slots(today, "evening")
                elif word[0] == "overnight":
                    out |= _slots(today - timedelta(days=1), "night")
                elif word[-1] == "yesterday":
                    out |= _slots(today - timedelta(days=1), word[0])
                else:
                    out |= _slots(today, "morning") | _slots(today, "afternoon")
    return frozenset(out)


def half_conflict(a: frozenset[int], b: frozenset[int], slack: int = 0) -> bool:
    """Both name half-days and none is within ``slack`` half-days of the other's."""
    return bool(a and b) and not any(abs(x - y) <= slack for x in a for y in b)


# -- the pairs and the engine's errors ---------------------------------------------------------------

CUES = ("both count", "falls", "falls >= 12 h", "both half", "half strict", "half 1 apart")


def _hours(r: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(r["published"]).replace("Z", "+00:00")).timestamp() / 3600


def flags(a: dict[str, Any], b: dict[str, Any], marks: dict[str, Any]) -> dict[str, bool]:
    """Each cue on one pair (ordered here by publication)."""
    if _hours(a) > _hours(b):
        a, b = b, a
    ca, cb = marks[a["id"]][0], marks[b["id"]][0]
    ha, hb = marks[a["id"]][1], marks[b["id"]][1]
    fall = falls(ca, cb)
    return {
        "both count": bool(ca.keys() & cb.keys()),
        "falls": fall,
        "falls >= 12 h": fall and _hours(b) - _hours(a) >= 12,
        "both half": bool(ha and hb),
        "half strict": half_conflict(ha, hb),
        "half 1 apart": half_conflict(ha, hb, 1),
    }


def run(job: tuple[str, str, int]) -> dict[str, Any]:
    """One stream and seed: gold pair counts (of one topic / within a week), and the final
    stories' pairs by class (merged same, merged sibling, apart same)."""
    name, split, seed = job
    records = STREAMS[name](split, seed)
    for r in records:
        r["id"] = str(r["id"])
    marks = {r["id"]: (counts(r), halfdays(r)) for r in records}
    topic = {str(r["event"]): int(r["topic"]) for r in load_ecb(split)} if name.startswith("ecb") else {}
    story = {o["id"]: o["story"] for o in dedupe_records(records, Engine(Params()))} if name in (
        "ecb-close", "gvc") else {}
    gold: dict[str, Counter[str]] = defaultdict(Counter)
    final: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[tuple[str, str, list[str]]] = []
    for a, b in itertools.combinations(records, 2):
        same = a["event"] == b["event"]
        if topic and topic[a["event"]] != topic[b["event"]]:
            continue
        near = abs(_hours(a) - _hours(b)) <= WEEK_HOURS
        f = flags(a, b, marks)
        if near:
            c = gold["same" if same else "sibling"]
            c["pairs"] += 1
            c.update(k for k, v in f.items() if v)
        if story:
            merged = story[a["id"]] == story[b["id"]]
            if not merged and not same and not near:
                continue
            c = final[("merged " if merged else "apart ") + ("same" if same else "sibling")]
            c["pairs"] += 1
            c.update(k for k, v in f.items() if v)
            if merged and not same:
                errors.append((a["id"], b["id"], [k for k, v in f.items() if v]))
    return {"name": name, "seed": seed, "gold": dict(gold), "final": dict(final), "errors": errors,
            "reports": {k: sum(bool(m[i]) for m in marks.values()) for i, k in enumerate(("counts", "halves"))},
            "n": len(records)}


def _pct(n: int, d: int) -> str:
    return f"{n:5}/{d:<6} {n / d:6.1%}" if d else f"{n:5}/{d:<6}    -  "


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    streams = (("ecb-close", "dev"), ("ecb-close-stated", "dev"), ("gvc", "val"))
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run, [(n, s, seed) for n, s in streams for seed in seeds]))
    for stream, _split in streams:
        runs = [x for x in results if x["name"] == stream]
        print(f"== {stream}, seeds {args.seeds}: reports stating a count "
              f"{sum(x['reports']['counts'] for x in runs)} / a half-day {sum(x['reports']['halves'] for x in runs)}"
              f" of {sum(x['n'] for x in runs)}")
        for view in ("gold", "final"):
            total: dict[str, Counter[str]] = defaultdict(Counter)
            for x in runs:
                for cls, c in x[view].items():
                    total[cls].update(c)
            if not total:
                continue
            print(f"  {view}: pairs flagged (of one topic / within a week)" if view == "gold"
                  else "  final stories (the engine's errors are 'merged sibling'):")
            classes = ("same", "sibling") if view == "gold" else (
                "merged sibling", "merged same", "apart same", "apart sibling")
            for cls in classes:
                c = total[cls]
                print(f"    {cls:15} pairs {c['pairs']:6}  " + "  ".join(
                    f"{k} {_pct(c[k], c['pairs'])}" for k in CUES))
        for x in runs:
            hit = [e for e in x["errors"] if set(e[2]) - {"both count", "both half"}]
            if x["errors"]:
                print(f"  seed {x['seed']}: {len(x['errors'])} sibling pairs merged, "
                      f"{sum(1 for e in x['errors'] if e[2])} with a count or half-day both state, "
                      f"{len(hit)} flagged" + "".join(f"\n    {a} ~ {b}: {h}" for a, b, h in hit[:10]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
