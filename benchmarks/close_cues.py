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
  both state one and they share none.  Stop 60's refinements: ``--no-dateline`` (a
  dateline's "( Aug. 28 , 2015 )" not read), ``--within D`` (only pairs published D days
  apart or fewer), ``--tolerance N`` (month-days N days apart or fewer do not conflict).
* ``ids``: identifiers in the whole text (capitals then digits, four or more:
  MS08-078, CVE-2013-3893, KB2870699); both carry some and share none.
* ``numbers``: numbers that never change as an event develops (magnitude, age,
  score, sum of money: ``invariant_numbers.invariants``, whole text); both state
  a kind and share no value of it (stop 43's cue, dropped on ordinary dev).
* ``places``: places named in the opening (a capitalised word after "in", "at",
  "near", "off", "outside"); each of the pair names one the other's whole text
  never mentions (stop 28's cue, dropped on ordinary dev).  Built into the engine since
  (``Params.place_factor``): ``--cue none`` measures the engine's own; this one now adds to it.
* ``people``: persons named in the opening (stop 55, issue #19): a run of two or
  more capitalised words, or one after an honorific ("Mr.", "coach", "Gov."),
  that is not a place ("in Brooklyn"), an organisation, a month or a weekday;
  a title in title case is not read.  A pair conflicts when each names a person
  whose surname the other's whole text never mentions (``--either``: one side
  is enough).  Variants: ``--chars 0`` the title only, ``--lead`` the first
  person only, ``--repeated N`` only persons whose surname the report names N
  times or more (its subject), ``--subjects`` no sources ("spokesman Joe
  Silva", "By Sam Cholke").  Measured on dev; not in the engine.
* ``subject`` (stop 56, issue #19): a report's subject is a person named both in
  its title and in its lede (``lede``: the first sentence, at most ``LEDE``
  characters of the text), read by ``named_people`` without sources, and
  without a person followed by "said", "says" or "told"; the two agree on the
  surname (the name's last word: "Sarah Palin" in the title, "Gov. Palin" in
  the lede).  A pair conflicts when both have a subject and neither's subject
  surname is anywhere in the other's whole text.  A title-only report has no
  subject and never flags.  ``--count`` counts the flagged pairs of ECB+ dev
  (same event, sibling, unrelated) and GVC val (same incident, other).
  ``--loose``: a person the lede names whose surname the title has as a word,
  title case or not ("Hansbrough breaks UNC scoring record").
* ``another`` (stop 58, issue #19): the later-published report of a pair announces
  another event of what the earlier one's opening tells ("another quake", "days
  after a 5.9 quake"), more than a day after it (``benchmarks.another_cue``, its
  reader and ``--count``, which needs the stream's times).
* ``times`` (stop 61, issue #19): the time of day the event happened as the title and the
  first ``--chars`` characters state it ("at 7:48 a.m. local time", "0737 GMT"), resolved to
  UTC where a zone is given (``benchmarks.event_time``: its count).  Built into the engine
  since (``Params.clock_factor``): ``--cue none`` measures the engine's own.
* ``--set NAME=VALUE`` (stop 65): a field of ``Params`` for the engine, with any cue or none
  (``--set story_clock_factor=0.2``: the time of day at the group, ``digest.dedup.storyclock``).
* ``offices`` (stop 62, issue #19): one office, two holders, or one person elected and in office
  (``benchmarks.office_cue``: its count).  Built into the engine since (``Params.office_factor``).
* ``venues`` (stop 64, issue #19): the venues the opening names, by kind ("Betty Ford Center",
  "Arrowhead Stadium": ``benchmarks.speaker_venue_cue.venues``); a pair conflicts when, for a
  kind both openings name, the two share no distinctive word and neither opening names the
  other's (stop 63's reading, counted there: 1 of 496 same-event pairs flagged).
* ``days`` (stop 64, issue #19): the day the first day word of the opening names ("Tuesday",
  "yesterday", "today": ``dated.day_word``), resolved against the report's publication time
  (``dated.named_day``, stop 33's reading); a pair conflicts when the two days are more than
  ``--tolerance`` days apart.

How it works
------------
Per stream, the worst seed's and the mean B-cubed P / F1, and the strays summed
over the seeds (reports of any event but their final story's largest).

    python -m benchmarks.close_cues --cue dates --factor 0.5 [--streams ...] [--seeds ...]
"""

from __future__ import annotations

import argparse
import re
from calendar import monthrange
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from typing import Any

import numpy as np

from digest.batch import dedupe_records
from digest.dedup import regrouping
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from . import another_cue, event_time, office_cue, speaker_venue_cue
from .common import bcubed
from .cue_text import (
    _DATELINE,
    _PLACE,
    _named,
    _title_cased,
    identifiers,
    month_days,
    named_people,
    subject_of,
)
from .cue_text import lede as lede  # re-exported: the cue tests read them here
from .cue_text import people as people
from .dated import day_word, named_day, tuning_pair_sets
from .invariant_numbers import invariants
from .tune import parse_settings, records_of


def features(cue: str, r: dict[str, Any], chars: int) -> Any:
    """What the cue reads of one report (empty: it states nothing the cue reads)."""
    title = r.get("title") or ""
    if cue == "dates":
        opening = f"{title}. {r['text'][:chars]}"
        days = month_days(_DATELINE.sub(" ", opening) if NO_DATELINE else opening)
        if WITHIN and days:  # with the report's publication time, to read how far apart a pair is
            return (days, datetime.fromisoformat(r["published"].replace("Z", "+00:00")).timestamp())
        return days or None
    if cue == "ids":
        return identifiers(f"{title}. {r['text']}")
    if cue == "numbers":
        return invariants(r)
    if cue == "places":
        named = {m.strip() for m in _PLACE.findall(f"{title}. {r['text'][:chars]}")}
        return (frozenset(named), f"{title} {r['text']}") if named else None
    if cue == "people":
        head = "" if _title_cased(title) else title
        opening = f"{head}. {r['text'][:chars]}" if chars else head
        persons = named_people(opening, SUBJECTS)[:1 if LEAD else None]
        if REPEATED:  # the report's subject: its surname named again in the report
            whole = f"{title} {r['text']}"
            persons = [p for p in persons if len(re.findall(r"\b" + re.escape(p.split()[-1]) + r"\b", whole)) >= REPEATED]
        return (frozenset(persons), f"{title} {r['text']}") if persons else None
    if cue == "another":
        return another_cue.reading(r)
    if cue == "times":
        return event_time.reading(r, chars)
    if cue == "offices":
        return office_cue.reading(r)
    if cue == "venues":  # stop 64: the opening's venues by kind, judged against the other's opening
        head = f"{title}\n{r['text'][:chars]}"
        named = speaker_venue_cue.venues(head)
        return (named, head) if named else None
    if cue == "days":  # the day the opening's first day word names, from the publication time
        word = day_word(f"{title}. {r['text'][:chars]}")
        if not word or "published" not in r:  # an undated row (--count) states no day
            return None
        return named_day(word, datetime.fromisoformat(r["published"].replace("Z", "+00:00"))).toordinal()
    if cue == "subject":
        subject = subject_of(title, r["text"], LOOSE)
        return (subject, f"{title} {r['text']}") if subject else None
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
    if cue == "people":  # a person's surname (the last word) the other's whole text never names
        a_new = any(not re.search(r"\b" + re.escape(p.split()[-1]) + r"\b", b[1]) for p in a[0])
        b_new = any(not re.search(r"\b" + re.escape(p.split()[-1]) + r"\b", a[1]) for p in b[0])
        return a_new or b_new if EITHER else a_new and b_new
    if cue == "another":
        return another_cue.flags(a, b)
    if cue == "times":
        return event_time.conflict(a, b)
    if cue == "offices":
        return office_cue.conflict(a, b)
    if cue == "venues":
        return bool(speaker_venue_cue.venue_conflict(a, b))
    if cue == "subject":  # neither's subject anywhere in the other's whole text
        return not any(_named(s, b[1]) for s in a[0]) and not any(_named(s, a[1]) for s in b[0])
    if cue == "days":  # two days more than TOLERANCE days apart
        return bool(abs(a - b) > TOLERANCE)
    if cue == "dates" and WITHIN:  # only a pair published within WITHIN days of each other
        if abs(a[1] - b[1]) > WITHIN * 86400:
            return False
        a, b = a[0], b[0]
    if cue == "dates" and TOLERANCE:  # no two stated month-days within TOLERANCE days
        return min(day_gap(x, y) for x in a for y in b) > TOLERANCE
    return not a & b


def day_gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Days between two (month, day) pairs, over a year's turn ("Dec. 31" and "Jan. 1": 1); an
    impossible day ("Feb. 30") is read as the month's last."""
    def ordinal(md: tuple[int, int]) -> int:
        m, d = md
        return date(2001, m, min(d, monthrange(2001, m)[1])).toordinal()
    g = abs(ordinal(a) - ordinal(b))
    return min(g, 365 - g)


NO_DATELINE = False  # dates: a dateline's day in parentheses with its year is not read
WITHIN = 0.0  # dates: only pairs published this many days apart or fewer (0: any)
TOLERANCE = 0  # dates: month-days this many days apart or fewer do not conflict (a dateline, a day's slip)
SUBJECTS = False  # people: leave out sources ("spokesman Joe Silva", "By Sam Cholke", "X, a lawyer")
REPEATED = 0  # people: only persons whose surname the report names at least this many times
LEAD = False  # people: only the first person the opening names (its subject, not those it quotes)
LOOSE = False  # subject: a lede's person whose surname the title has, title case or not
EITHER = False  # people: flag a pair where one side (not both) names a person the other never does


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


def run_one(job: tuple[Any, ...]) -> tuple[str, int, tuple[float, float, float], int]:
    global EITHER, LEAD, LOOSE, NO_DATELINE, REPEATED, SUBJECTS, TOLERANCE, WITHIN
    name, seed, cue, factor, chars, young, EITHER, LEAD, REPEATED, *rest = job
    SUBJECTS = bool(rest and rest[0])
    LOOSE = bool(rest[1:] and rest[1])
    TOLERANCE = int(rest[2]) if rest[2:] else 0
    NO_DATELINE = bool(rest[3:] and rest[3])
    WITHIN = float(rest[4]) if rest[4:] else 0.0
    settings = rest[5] if rest[5:] else {}
    records = records_of(name, seed)
    if cue != "none":
        install(cue, {r["id"]: features(cue, r, chars) for r in records}, factor, young)
    pred = {o["id"]: o["story"] for o in dedupe_records(records, Engine(Params(**settings)))}
    gold = {r["id"]: r["event"] for r in records}
    return name, seed, bcubed(pred, gold), strays(pred, gold)


def count(cue: str, chars: int, examples: int = 12) -> None:
    """Print the pairs the cue flags among ECB+ dev's reports (same event, sibling: another
    event of one topic, unrelated) and GVC val's (same incident, other incident), then up to
    ``examples`` same-event pairs flagged (its false alarms).  Tuning splits only."""
    for name, rows, _group in tuning_pair_sets():
        feats = [features(cue, r, chars) for r in rows]
        read = sum(f is not None for f in feats)
        total: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        alarms = []
        for i, (ra, fa) in enumerate(zip(rows, feats, strict=True)):
            for rb, fb in zip(rows[i + 1:], feats[i + 1:], strict=True):
                kind = ("same" if ra["event"] == rb["event"] else "other" if "topic" not in ra
                        else "sibling" if ra["topic"] == rb["topic"] else "unrelated")
                total[kind] += 1
                if fa is not None and fb is not None and conflict(cue, fa, fb):
                    flagged[kind] += 1
                    if kind == "same":
                        alarms.append((ra, fa, rb, fb))
        print(f"{name}: {read} of {len(rows)} reports read; flagged "
              + ", ".join(f"{k} {flagged[k]} of {total[k]}" for k in ("same", "sibling", "unrelated", "other") if total[k]))
        for ra, fa, rb, fb in alarms[:examples]:
            sa, sb = (fa, fb) if cue in ("dates", "times") else (fa[0], fb[0])  # dates, times: the set itself
            print(f"  {ra['id']} {sorted(sa)} {ra['title'][:70]!r}\n"
                  f"    vs {rb['id']} {sorted(sb)} {rb['title'][:70]!r}")


def main(argv: list[str] | None = None) -> int:
    global LOOSE
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--cue", default="none", choices=("none", "dates", "ids", "numbers", "places", "people", "subject", "another", "times", "offices", "venues", "days"))
    ap.add_argument("--count", action="store_true",
                    help="count the pairs the cue flags on ECB+ dev and GVC val (same event, sibling, unrelated); no run")
    ap.add_argument("--factor", type=float, default=0.5)
    ap.add_argument("--chars", type=int, default=400, help="characters of the text in the opening")
    ap.add_argument("--streams", default="ecb-sameday:10,ecb-close:3,ecb-apart:3,gvc:3",
                    help="name:seeds (seeds 0..n-1), comma-separated; names of benchmarks.tune, young-close or young-undated")
    ap.add_argument("--young", action="store_true", help="only where both articles' neighbourhoods are young")
    ap.add_argument("--either", action="store_true",
                    help="people: flag a pair when either side names a person the other never names")
    ap.add_argument("--lead", action="store_true", help="people: only the first person the opening names")
    ap.add_argument("--repeated", type=int, default=0,
                    help="people: only persons whose surname the report names at least this many times")
    ap.add_argument("--subjects", action="store_true",
                    help="people: leave out sources (a spokesman, a lawyer, a byline)")
    ap.add_argument("--loose", action="store_true",
                    help="subject: a person the lede names whose surname the title has as a word, title case or not")
    ap.add_argument("--tolerance", type=int, default=0,
                    help="dates, days: days this many days apart or fewer do not conflict")
    ap.add_argument("--no-dateline", action="store_true",
                    help="dates: a dateline's day in parentheses with its year ('( Aug. 28 , 2015 )') is not read")
    ap.add_argument("--within", type=float, default=0.0,
                    help="dates: only pairs published this many days apart or fewer (0: any)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a field of digest.dedup.params.Params for the engine (as benchmarks.tune's)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    settings = parse_settings(args.set)
    if args.count:
        LOOSE = args.loose
        if args.cue == "another":  # a time cue: counted on the dated dev streams
            another_cue.count([("ecb-close", 0), ("ecb-close", 1), ("ecb-close", 2), ("gvc", 0), ("gvc-close", 0)])
            return 0
        count(args.cue, args.chars)
        return 0
    plan = [(n, int(k)) for n, _s, k in (x.partition(":") for x in args.streams.split(","))]
    work = [(n, s, args.cue, args.factor, args.chars, args.young, args.either, args.lead, args.repeated, args.subjects, args.loose, args.tolerance, args.no_dateline, args.within, settings) for n, k in plan for s in range(k)]
    with ProcessPoolExecutor(max_workers=args.jobs, max_tasks_per_child=1) as pool:
        results = list(pool.map(run_one, work))
    cells = []
    for n, k in plan:
        rows = [r for name, _s, r, _n in results if name == n]
        lost = sum(x for name, _s, _r, x in results if name == n)
        cells.append(f"{n}:{k} worst {min(r[0] for r in rows):.3f} / {min(r[2] for r in rows):.3f}"
                     f" mean {sum(r[0] for r in rows) / k:.4f} / {sum(r[2] for r in rows) / k:.4f}, {lost} strays")
    print(f"cue {args.cue} x{args.factor} (chars {args.chars}{', young only' if args.young else ''}{', either side' if args.either else ''}{', lead only' if args.lead else ''}"
          f"{f', named {args.repeated}+ times' if args.repeated else ''}{', subjects' if args.subjects else ''}{', loose' if args.loose else ''}"
          f"{f', tolerance {args.tolerance} days' if args.tolerance else ''}{', no dateline' if args.no_dateline else ''}"
          f"{f', published within {args.within:g} days' if args.within else ''}"
          f"{''.join(f', {k}={v}' for k, v in settings.items())}): "
          + " | ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
