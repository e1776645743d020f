"""Would the words reports quote part two events of one kind?

Observations
------------
* Rewrites of one report keep its quotations word for word: a police
  spokesman's sentence, a witness's line, a statement from the team.  Two
  events of one kind (two quakes in one region, two shootings in one city)
  quote different people saying different things, even where the reports'
  other words are alike.  So two reports that both quote and share no quoted
  words might be of two events, and a shared quotation might tie a late
  follow-up to its story.  This asks how often that holds, before anything is
  built.
* It reads only the tuning splits: the ECB+ dev topics (pairs of one topic:
  same event against sibling event) and GVC val (pairs of one incident against
  pairs of two).

How it works
------------
A quotation is the text between typographic or straight double quotes, of at
least ``--words`` words.  Its word ``--words``-grams (lower-cased) are its
shingles.  A pair where both reports quote "shares" when a shingle of one is a
shingle of the other.  A cue must be rare one way within an event and common
the other way between siblings: the table gives, per kind of pair, the share
where both quote, and of those, the share that share a quotation.

    python -m benchmarks.quotes [--words 4]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from .common import pair_tallies
from .dated import tuning_pair_sets

_QUOTE = re.compile(r"[\"\u201c\u201d\u201e]([^\"\u201c\u201d\u201e]{8,600})[\"\u201c\u201d\u201e]")
_WORD = re.compile(r"\w+")


def quote_shingles(row: dict[str, Any], n: int) -> frozenset[tuple[str, ...]]:
    """The ``n``-word shingles of the report's quotations of at least ``n`` words."""
    out: set[tuple[str, ...]] = set()
    for m in _QUOTE.finditer(row["text"]):
        words = _WORD.findall(m.group(1).lower())
        out.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return frozenset(out)


def pair_counts(
    rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], n: int
) -> tuple[Counter[str], Counter[str]]:
    """Counts over the pairs of each group: (same event, other event)."""
    def tally(c: Counter[str], qa: frozenset[tuple[str, ...]], qb: frozenset[tuple[str, ...]]) -> None:
        if qa and qb:
            c["both"] += 1
            c["share"] += bool(qa & qb)

    return pair_tallies(rows, group, lambda r: quote_shingles(r, n), tally)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--words", type=int, default=4, help="words in a shingle of a quotation")
    args = ap.parse_args(argv)
    for name, rows, group in tuning_pair_sets():
        same, other = pair_counts(rows, group, args.words)
        print(f"{name} (shingles of {args.words} words)")
        for label, c in (("same event", same), ("other event", other)):
            n = max(c["pairs"], 1)
            b = max(c["both"], 1)
            print(
                f"  {label:12} pairs {c['pairs']:6}  both quote {c['both'] / n:6.1%}"
                f"  of those, share a quotation {c['share'] / b:6.1%}"
                f"  both quote and share none {(c['both'] - c['share']) / n:6.1%}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
