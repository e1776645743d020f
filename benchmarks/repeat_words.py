"""Would words of repetition ("another", "a second", "again") part two events of one kind?

Observations
------------
* The second of two quakes on one island, or a second patch within a week,
  is often told as such: "another quake", "a second emergency patch", "hit
  again".  The first event's reports cannot say it.  So within one topic, a
  report whose opening says it and one whose opening does not might be of two
  events, and the words could mark which story a late report belongs to.
  This asks how often that holds, before anything is built.
* It reads only the tuning splits: the ECB+ dev topics (pairs of one topic:
  same event against sibling event) and GVC val (pairs of one incident against
  pairs of two).

How it works
------------
A report "repeats" when its title and the text's first ``--chars`` characters
hold one of the words of ``_REPEAT``.  A pair "disagrees" when one repeats and
the other does not.  If the words marked the later event, disagreement would
be rare within an event and common between siblings; the per-event shares
show whether they fall in one event of a topic.

    python -m benchmarks.repeat_words [--chars 600]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from typing import Any

from .common import load_ecb, pair_tallies
from .dated import tuning_pair_sets

_REPEAT = re.compile(
    r"\b(another|second|third|again|fresh|renewed|latest|aftershocks?|repeat(?:ed)?|once more)\b",
    re.I,
)


def repeats(row: dict[str, Any], chars: int | None) -> bool:
    """Whether the report's opening holds a word of repetition."""
    return bool(_REPEAT.search(row["title"] + "\n" + row["text"][:chars]))


def pair_counts(
    rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], chars: int | None
) -> tuple[Counter[str], Counter[str]]:
    """Counts over the pairs of each group: (same event, other event)."""
    def tally(c: Counter[str], ra: bool, rb: bool) -> None:
        c["disagree"] += ra != rb
        c["both"] += ra and rb

    return pair_tallies(rows, group, lambda r: repeats(r, chars), tally)


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
            n = max(c["pairs"], 1)
            print(
                f"  {label:12} pairs {c['pairs']:6}  one repeats, one not {c['disagree'] / n:6.1%}"
                f"  both repeat {c['both'] / n:6.1%}"
            )
    per_event: dict[tuple[int, str], list[bool]] = defaultdict(list)
    for r in ecb:
        per_event[(r["topic"], r["event"])].append(repeats(r, chars))
    lopsided = 0
    topics: dict[int, list[float]] = defaultdict(list)
    for (topic, _event), marks in per_event.items():
        topics[topic].append(sum(marks) / len(marks))
    for shares in topics.values():
        lopsided += len(shares) == 2 and max(shares) >= 0.5 and min(shares) <= 0.1
    print(
        f"ECB+ dev reports that repeat: {sum(repeats(r, chars) for r in ecb)} of {len(ecb)}; "
        f"topics where one event's reports repeat (half or more) and the other's hardly "
        f"(a tenth or fewer): {lopsided} of {len(topics)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
