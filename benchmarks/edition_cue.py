"""Which edition a report is of (stop 62, issue #19): counted on dev pairs, not built.

Observations
------------
* Dev's strays after the offices cue are the 2008 Turkmen election's reports in the 2013
  election's story, the 2008 Internet Explorer patch's reports in 2013's, topic 37's quakes
  and one 76ers report.  An editor dates such a report by the edition it names: the version of
  a product ("IE 8" against "IE 11"), an ordinal or year of a recurring event ("the 4th
  parliamentary election", "the 2008 election"), the month it names, a person's age.
* Counted here on the tuning pairs (``benchmarks.dated.tuning_pair_sets``: ECB+ dev's pairs of
  one topic, same event against sibling; GVC val's pairs): a reading *flags* a pair when both
  reports read something of one kind and they disagree.  None separates: each flags a large
  share of the same-event pairs it reads (docs/evaluation.md, "Stop 62: the edition a report
  names (dev)").

``python -m benchmarks.edition_cue``: each reading's flagged / both-read pairs by kind;
``--errors STREAM:SEEDS,...``: the same over the pairs the engine (as it is, batch path) merged
on those dev streams, sibling pairs against same-event pairs.
Tuning splits only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from itertools import combinations
from typing import Any

_PRODUCT = (r"(Internet Explorer|IE|Windows|Firefox|Chrome|Safari|iPhone|iPad|iOS|Android|Office|"
            r"Xbox|PlayStation|Galaxy S|Mac OS X|OS X|Java|Flash Player)")
VERSION = re.compile(_PRODUCT + r"[ -]?(\d{1,2}(?:\.\d+)?|XP|Vista|RT)\b")
_EVENT = (r"(?:parliamentary|presidential|general|legislative|local|municipal)?\s*(?:elections?|"
          r"polls?|vote|Games|Olympics|World Cup|Oscars|Academy Awards|Super Bowl|season|"
          r"championship|tournament|summit|census|budget|awards?)")
YEAR_EVENT = re.compile(r"\b((?:19|20)\d\d)\s+" + _EVENT + r"\b", re.I)
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
ORDINAL_EVENT = re.compile(r"\b(" + "|".join(_ORDINALS) + r"|\d+(?:st|nd|rd|th))(?:\s*-\s*|\s+)(?:annual\s+)?"
                           + _EVENT + r"\b", re.I)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\.)(?!\w)")
AGE = re.compile(r"\b([A-Z][a-z]+)\s*,\s*(\d{2})\s*,")


def versions(text: str) -> dict[str, frozenset[str]]:
    """Product -> the versions named ("IE8", "Internet Explorer 7", "Windows XP")."""
    out: dict[str, set[str]] = {}
    for product, version in VERSION.findall(text):
        out.setdefault("Internet Explorer" if product == "IE" else product, set()).add(version.lower())
    return {p: frozenset(v) for p, v in out.items()}


def _ordinal(word: str) -> int:
    word = word.lower()
    return _ORDINALS.index(word) + 1 if word in _ORDINALS else int(re.sub(r"\D", "", word))


def editions(text: str) -> frozenset[str]:
    """The ordinals ("4th", "fourth": 4) and years ("the 2008 election") put on an event noun."""
    return frozenset([f"#{_ordinal(o)}" for o in ORDINAL_EVENT.findall(text)]
                     + YEAR_EVENT.findall(text))


def months(text: str) -> frozenset[str]:
    """The months named ("December", "Dec."), with or without a day."""
    return frozenset(m.rstrip(".")[:3] for m in MONTH.findall(text))


def ages(text: str) -> dict[str, frozenset[int]]:
    """Surname -> the ages given after it ("Buckley, 32,")."""
    out: dict[str, set[int]] = {}
    for name, age in AGE.findall(text):
        out.setdefault(name, set()).add(int(age))
    return {n: frozenset(a) for n, a in out.items()}


def _keyed(a: dict[str, frozenset[Any]], b: dict[str, frozenset[Any]], newest: bool = False) -> bool | None:
    """Both read one key (None: not both read); True: the values of one key disagree (disjoint,
    or with ``newest`` the highest numbered version differs)."""
    keys = a.keys() & b.keys()
    if not keys:
        return None
    if not newest:
        return any(not a[k] & b[k] for k in keys)
    tops = [(_top(a[k]), _top(b[k])) for k in keys]
    return any(x is not None and y is not None and x != y for x, y in tops)


def _top(vs: frozenset[str]) -> float | None:
    nums = [float(v) for v in vs if re.fullmatch(r"\d+(?:\.\d+)?", v)]
    return max(nums) if nums else None


def _sets(a: frozenset[str], b: frozenset[str]) -> bool | None:
    return None if not (a and b) else not a & b


Reading = tuple[Callable[[str], Any], Callable[[Any, Any], bool | None], int | None]
READINGS: dict[str, Reading] = {
    "product versions, none shared (whole text)": (versions, _keyed, None),
    "product versions, the newest differs (whole text)": (versions, lambda a, b: _keyed(a, b, True), None),
    "an event's ordinal or year (whole text)": (editions, _sets, None),
    "months named (title and first 400 characters)": (months, _sets, 400),
    "a person's age (whole text)": (ages, _keyed, None),
}


def count() -> None:
    from .dated import tuning_pair_sets

    for name, rows, _group in tuning_pair_sets():
        print(name)
        for label, (read, disagree, cut) in READINGS.items():
            feats = [read((r.get("title") or "") + "\n" + (r["text"] if cut is None else r["text"][:cut]))
                     for r in rows]
            both: Counter[str] = Counter()
            flagged: Counter[str] = Counter()
            for (ra, fa), (rb, fb) in combinations(zip(rows, feats, strict=True), 2):
                kind = ("same" if ra["event"] == rb["event"] else "other" if "topic" not in ra
                        else "sibling" if ra["topic"] == rb["topic"] else "unrelated")
                verdict = disagree(fa, fb) if fa and fb else None
                if verdict is not None:
                    both[kind] += 1
                    flagged[kind] += verdict
            print(f"  {label}: {sum(bool(f) for f in feats)} of {len(rows)} reports read; "
                  + ", ".join(f"{k} {flagged[k]} of {both[k]}" for k in ("same", "sibling", "unrelated", "other")
                              if both[k] or k in ("same", "sibling")))


def _errors(job: tuple[str, int]) -> Counter[str]:
    from .tune import merged_pairs

    records, pairs = merged_pairs(*job)
    feats = {label: {r["id"]: read((r.get("title") or "") + "\n" + (r["text"] if cut is None else r["text"][:cut]))
                     for r in records} for label, (read, _d, cut) in READINGS.items()}
    tally: Counter[str] = Counter()
    for a, b, kind in pairs:
        tally[kind] += 1
        for label, (_r, disagree, _c) in READINGS.items():
            fa, fb = feats[label][a], feats[label][b]
            verdict = disagree(fa, fb) if fa and fb else None
            if verdict is not None:
                tally[f"{label}|{kind} both"] += 1
                tally[f"{label}|{kind} flagged"] += verdict
    return tally


def main(argv: list[str] | None = None) -> int:
    import argparse

    from .tune import merged_tallies

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--errors", default="", help="STREAM:SEEDS,...: the engine's merged pairs on those dev streams")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if not args.errors:
        count()
        return 0
    for stream, tally in merged_tallies(args.errors, _errors, args.jobs):
        print(f"{stream} merged pairs: same event {tally['same']}, siblings {tally['sibling']}")
        for label in READINGS:
            print(f"  {label}: same {tally[label + '|same flagged']} of {tally[label + '|same both']}, "
                  f"siblings {tally[label + '|sibling flagged']} of {tally[label + '|sibling both']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
