"""One office, two holders (stop 62, issue #19): the count of the engine's reader.

Observations
------------
* A careful editor knows that an office is held by one person at a time: a
  report naming "Interior Secretary Dirk Kempthorne" and one naming "Interior
  Secretary Ken Salazar" were written under different administrations, so they
  tell different events however alike their words ("the Endangered Species
  Act", "the Bush administration").  ECB+ dev's siblings are often of that
  shape: the 76ers' coach fired in 2005 and in 2008 ("general manager Billy
  King" against "Ed Stefanski"), the Colts' coach Dungy against Pagano.
* Stop 55 read every person of the opening and stop 56 a report's subject;
  both flagged pairs of one event (a lawyer, a spokesman, the victim against
  the suspect).  This reads only a person *in an office* ("Colts coach Tony
  Dungy", "Interior Secretary Ken Salazar"), and compares only holders of one
  office.
* A bare office ("President Kiir" against "President Omar", "coach Childress"
  against "coach Rio") is many offices: two countries' presidents, two teams'
  coaches in one game.  Two holders are compared only for a qualified office: a
  capitalised word before the office noun ("Interior Secretary", "Colts coach",
  "General Manager").  Unqualified, 9 same-event pairs of ECB+ dev were flagged
  (a first count, stop 62) and none of the engine's errors.
* Qualified holders alone flag 52 sibling pairs and no same-event pair on ECB+
  dev, but none of the sibling pairs the engine merges names a qualified office
  on both sides: built alone (``close_cues --cue offices``) it changed nothing.
  What reaches the errors is the same fact the other way round: a person
  elected in one report ("President-elect Barack Obama", 5 reports of dev's
  Bush rule) and in office in the other ("President Barack Obama").

How it works
------------
The reader is the engine's (``digest.dedup.offices``: ``read_offices``,
``conflict``; its docstring says what is read and when two conflict), of the
title and whole text.

``python -m benchmarks.office_cue``: the pairs flagged on ECB+ dev (same
event, sibling, unrelated) and GVC val (same incident, other); ``--errors
STREAM:SEEDS``: the final stories of those dev streams (the engine as it is,
batch path), the sibling pairs the engine merged against the same-event pairs
it merged rightly, flagged and both read.  Used by ``benchmarks.close_cues
--cue offices`` (with ``Params.office_factor`` on, the engine applies it as
well: measure the cue with it at 1.0).  Tuning splits only.
"""

from __future__ import annotations

import argparse
from collections import Counter
from itertools import combinations
from typing import Any

from digest.dedup.offices import Offices, comparable, conflict, read_offices

Reading = Offices


def reading(r: dict[str, Any]) -> Offices | None:
    """What the cue reads of one report (the engine's reader, ``digest.dedup.offices``, of its
    title and whole text); None: no office."""
    return read_offices(r.get("title") or "", r["text"])


def count() -> None:
    """The pairs flagged among ECB+ dev's and GVC val's reports."""
    from .dated import tuning_pair_sets

    for name, rows, _group in tuning_pair_sets():
        feats = [reading(r) for r in rows]
        total: Counter[str] = Counter()
        both: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        for (ra, fa), (rb, fb) in combinations(zip(rows, feats, strict=True), 2):
            kind = ("same" if ra["event"] == rb["event"] else "other" if "topic" not in ra
                    else "sibling" if ra["topic"] == rb["topic"] else "unrelated")
            total[kind] += 1
            if fa and fb and comparable(fa, fb):
                both[kind] += 1
                flagged[kind] += conflict(fa, fb)
        print(f"{name}: {sum(f is not None for f in feats)} of {len(rows)} reports name a holder; "
              + ", ".join(f"{k} {flagged[k]} flagged, {both[k]} both of one office, of {total[k]}"
                          for k in ("same", "sibling", "unrelated", "other") if total[k]))


def _errors(job: tuple[str, int]) -> Counter[str]:
    from .tune import merged_pairs

    records, pairs = merged_pairs(*job)
    feats = {r["id"]: reading(r) for r in records}
    tally: Counter[str] = Counter()
    for a, b, kind in pairs:
        tally[kind] += 1
        fa, fb = feats[a], feats[b]
        if fa and fb and comparable(fa, fb):
            tally[f"{kind} both"] += 1
            tally[f"{kind} flagged"] += conflict(fa, fb)
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--errors", default="", help="STREAM:SEEDS,...: the engine's merged pairs on those dev streams")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if not args.errors:
        count()
        return 0
    from .tune import merged_tallies

    for stream, tally in merged_tallies(args.errors, _errors, args.jobs):
        print(f"{stream} merged pairs: same event {tally['same']} (both of one office "
              f"{tally['same both']}, flagged {tally['same flagged']}), siblings {tally['sibling']} "
              f"(both {tally['sibling both']}, flagged {tally['sibling flagged']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
