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
``event_times(text)``: the times of day ``text`` states, each as (minutes after
midnight, zone, exact).  Forms: "7:48 a.m.", "7 : 48 am", "3.45pm", "9 p.m.",
"0737 GMT"; a zone after it (GMT, UTC, ET, EDT, PST, ...) puts it in UTC, "local
time" or none leaves it local.  Not read: a game clock ("with 7:42 left", "at
the 2:15 mark", "6:05 of the clock"), a time something was over by or lasted
until ("by 6:40 a.m.", "until 5 a.m."), a scheduled one ("set for 11 a.m.",
"kickoff", "will", "conference call"), a report's own stamp ("Update, 9:45 a.m."), and a bare "H:MM" with no a.m./p.m. or
zone (a score, a ratio, a clock of a game).  ``exact``: a minute not a multiple
of 5 ("7:37", not "about 7:30" or "3 p.m.").

``conflict(a, b)``: two reports' times are compatible when some time of one and
some of the other agree: both in UTC, or both local, within ``EXACT_MINUTES``
(both exact) or ``ROUND_MINUTES`` (either rounded), around the clock; one in UTC
and the other local (zones whole hours apart), their minutes past the hour
likewise, and only when both are exact.  A pair conflicts when both state a time
and none is compatible.

``python -m benchmarks.event_time [--chars N]``: the pairs flagged on ECB+ dev
(same event, sibling, unrelated) and GVC val (same incident, other), with every
sibling and same-event pair flagged; ``--errors STREAM:SEEDS``: the final stories of
those dev streams (the engine as it is, batch path), the sibling pairs the engine
merged against the same-event pairs it merged rightly, flagged and read.
Used by ``benchmarks.close_cues --cue times``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations
from typing import Any

from .dated import tuning_pair_sets
from .tune import records_of

#: Two exact times (minutes not a multiple of 5) agree within this many minutes.
EXACT_MINUTES = 5
#: A rounded time ("about 7 p.m.", "3:30 a.m.") agrees with another within this many minutes.
ROUND_MINUTES = 45

#: Zones to hours from UTC (standard and daylight; US zones as written in the reports).
_ZONES = {"gmt": 0, "utc": 0, "bst": 1, "cet": 1, "cest": 2, "et": -5, "est": -5, "edt": -4, "ct": -6,
          "cst": -6, "cdt": -5, "mt": -7, "mst": -7, "mdt": -6, "pt": -8, "pst": -8, "pdt": -7,
          "akst": -9, "akdt": -8}
_HALF = r"(?P<half>a\s*\.?\s*m\b\.?|p\s*\.?\s*m\b\.?)"
_ZONE = r"(?:\s*\(?\s*(?P<zone>" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r"|local(?:\s+time)?)\b)?"
_TIME = re.compile(
    r"(?<![\d.,:])(?:"
    r"(?P<h>\d{1,2})\s*[:.]\s*(?P<m>\d{2})(?![\d.,])\s*" + _HALF.replace("half", "half1") + r"?"
    r"|(?P<h2>\d{1,2})\s*" + _HALF.replace("half", "half2") +
    r"|(?P<mil>[0-2]\d[0-5]\d)(?=\s*(?:gmt|utc)\b)"
    r")" + _ZONE, re.I)
#: Words just before a time that make it not the event's (a deadline, an end, a schedule).
_NOT_BEFORE = re.compile(
    r"(?:\b(?:by|until|till|through|from|set for|scheduled(?: for)?|slated for|kickoff|kick-off|"
    r"starting|start|begins?|will|to play|semifinal|game|conference call)\b[^.;]{0,12}|\bwith(?: about| just)?\s*|"
    r"\bat the\s*|\b(?:updated?|posted|published|edited)\b[^.;]{0,12})$", re.I)
#: Words just after a time that make it a game clock or a schedule.
_NOT_AFTER = re.compile(
    r"^\s*(?:left|remaining|to go|to play|mark|of the clock|minutes|semifinal|kickoff|game|conference|"
    r"media|timeout|in the (?:first|second|third|fourth)|tomorrow|the next day)\b", re.I)


def event_times(text: str) -> frozenset[tuple[int, str, bool]]:
    """The event times ``text`` states: (minutes after midnight, "utc" or "local", exact)."""
    out: set[tuple[int, str, bool]] = set()
    for m in _TIME.finditer(text):
        before, after = text[max(0, m.start() - 40):m.start()], text[m.end():m.end() + 30]
        if _NOT_BEFORE.search(before) or _NOT_AFTER.match(after):
            continue
        zone = (m.group("zone") or "").lower()
        if m.group("mil"):
            hour, minute, half = int(m.group("mil")[:2]), int(m.group("mil")[2:]), ""
        elif m.group("h"):
            hour, minute, half = int(m.group("h")), int(m.group("m")), m.group("half1") or ""
            if not half and not zone:
                continue  # a bare "7:42": a score, a game clock, a ratio
        else:
            hour, minute, half = int(m.group("h2")), 0, m.group("half2")
        half = re.sub(r"[\s.]", "", half).lower()
        if hour > 23 or minute > 59 or (half and not 1 <= hour <= 12):
            continue
        if half == "pm" and hour < 12:
            hour += 12
        elif half == "am" and hour == 12:
            hour = 0
        at = hour * 60 + minute
        if zone in _ZONES:
            out.add(((at - _ZONES[zone] * 60) % 1440, "utc", minute % 5 != 0))
        else:
            out.add((at, "local", minute % 5 != 0))
    return frozenset(out)


def _apart(a: int, b: int, period: int) -> int:
    d = abs(a - b) % period
    return min(d, period - d)


def compatible(x: tuple[int, str, bool], y: tuple[int, str, bool]) -> bool:
    """Whether two stated times may be one event's."""
    exact = x[2] and y[2]
    if x[1] == y[1]:
        return _apart(x[0], y[0], 1440) <= (EXACT_MINUTES if exact else ROUND_MINUTES)
    # one in UTC, one local: a zone whole hours away gives the same minutes past the hour
    return not exact or _apart(x[0], y[0], 60) <= EXACT_MINUTES


def conflict(a: frozenset[tuple[int, str, bool]], b: frozenset[tuple[int, str, bool]]) -> bool:
    """Both state times and none of one is compatible with any of the other."""
    return bool(a) and bool(b) and not any(compatible(x, y) for x in a for y in b)


def reading(r: dict[str, Any], chars: int = 0) -> frozenset[tuple[int, str, bool]] | None:
    """What the cue reads of one report (``chars``: the title and that many characters of the
    text; 0: the whole text), or None."""
    text = f"{r.get('title') or ''}.\n{r['text'][:chars] if chars else r['text']}"
    return event_times(text) or None


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


def _show(f: frozenset[tuple[int, str, bool]]) -> str:
    return ",".join(f"{t // 60:02d}:{t % 60:02d}{'Z' if z == 'utc' else ''}{'' if e else '~'}" for t, z, e in sorted(f))


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
