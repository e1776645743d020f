"""Would the clock time a report states part two events of one kind?

Observations
------------
* Reports of a quake, a shooting or a fire often state the hour it happened
  ("at 3:15 a.m.", "around 9 p.m."), and two events rarely happen at the same
  minute; so a pair of reports stating times and sharing none might be two
  events.  This asks how often that holds, before anything is built.
* It reads only the tuning splits: the ECB+ dev topics (pairs of one topic:
  same event against sibling event) and GVC val (pairs of one incident against
  pairs of two).

How it works
------------
A time is ``H:MM`` or ``H.MM`` with or without ``a.m.``/``p.m.``, or ``H a.m.``;
one without a.m./p.m. counts as both readings.  A pair "conflicts" when both
state a time and share none; the looser test compares the minutes only (zones
a whole number of hours apart give the same minutes).  ``--chars`` limits the
search to the title and the text's first characters (the opening).

    python -m benchmarks.clock_times [--chars 600]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from .common import event_pairs, load_ecb
from .dated import tuning_pair_sets

_CLOCK = re.compile(
    r"\b(\d{1,2})[:.](\d{2})\s*(a\.?m\.?|p\.?m\.?)?(?=\W)|\b(\d{1,2})\s*(a\.m\.|p\.m\.|am\b|pm\b)",
    re.I,
)


def stated_times(text: str) -> set[tuple[int, int]]:
    """The (hour, minute) pairs ``text`` states, both readings where a.m./p.m. is missing."""
    out: set[tuple[int, int]] = set()
    for m in _CLOCK.finditer(text):
        if m.group(1):
            hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3) or ""
        else:
            hour, minute, half = int(m.group(4)), 0, m.group(5)
        if hour > 24 or minute > 59:
            continue
        half = half.lower().replace(".", "")
        if half == "pm" and hour < 12:
            hour += 12
        elif half == "am" and hour == 12:
            hour = 0
        elif not half and hour <= 12:
            out.add(((hour + 12) % 24, minute))
        out.add((hour % 24, minute))
    return out


def pair_counts(
    rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], chars: int | None
) -> tuple[Counter[str], Counter[str]]:
    """Counts over the pairs of each group: (same event, other event)."""
    same: Counter[str] = Counter()
    other: Counter[str] = Counter()
    def times(r: dict[str, Any]) -> set[tuple[int, int]]:
        return stated_times(r["title"] + "\n" + r["text"][:chars])

    for one_event, ta, tb in event_pairs(rows, group, times):
        c = same if one_event else other
        c["pairs"] += 1
        if ta and tb:
            c["both state one"] += 1
            c["share none"] += not (ta & tb)
            c["share no minute"] += not ({m for _h, m in ta} & {m for _h, m in tb})
    return same, other


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument(
        "--chars", type=int, default=600, help="characters of the text read (0: all of it)"
    )
    args = ap.parse_args(argv)
    chars = args.chars or None
    ecb = load_ecb("dev")
    for name, rows, group in tuning_pair_sets(ecb):
        same, other = pair_counts(rows, group, chars)
        print(f"{name} (opening: {chars or 'all'} characters)")
        for label, c in (("same event", same), ("other event", other)):
            both = c["both state one"]
            print(
                f"  {label:12} pairs {c['pairs']:5}  both state a time {both:4}  "
                f"share none {c['share none']:4} ({c['share none'] / max(both, 1):.0%})  "
                f"share no minute {c['share no minute']:4} ({c['share no minute'] / max(both, 1):.0%})"
            )
    stating = sum(1 for r in ecb if stated_times(r["title"] + "\n" + r["text"][: chars or None]))
    print(f"ECB+ dev reports stating a time: {stating} of {len(ecb)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
