"""Is the dev/test precision gap of undated ECB+ the engine fitted to dev, or the split's luck?

Observations
------------
* The undated engine's B-cubed precision is 0.97-0.98 on dev (odd topics)
  and 0.93-0.94 on test (even topics).  A gap like that could mean tuned
  numbers that fit dev, or test topics that happen to be harder.
* It only reads figures; it tunes nothing, so reading the test topics here
  does not fit the engine to them.

How it works
------------
``digest dedupe`` clusters all 43 topics at once, undated, in ``--orders``
shuffled orders; each article's B-cubed precision (the share of its story
that is its own event) is averaged over the orders.  The topics are then cut
into two random halves ``--cuts`` times, and the printed line says how often
two halves differ by at least the dev/test gap, with the topics that hold
the most error.

    python -m benchmarks.topic_halves [--orders 3] [--cuts 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import defaultdict

from .common import load_ecb, run_dedupe


def article_precision(rows: list[dict], orders: int) -> dict[str, float]:
    """Each article's B-cubed precision, averaged over ``orders`` shuffled runs."""
    gold = {str(r["id"]): r["event"] for r in rows}
    seen: dict[str, list[float]] = defaultdict(list)
    for seed in range(orders):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        result = run_dedupe([{"id": str(r["id"]), "title": r["title"], "text": r["text"]} for r in shuffled])
        stories: dict[str, list[str]] = defaultdict(list)
        for doc_id, story in result.story.items():
            stories[story].append(doc_id)
        for members in stories.values():
            for i in members:
                seen[i].append(sum(gold[j] == gold[i] for j in members) / len(members))
    return {i: statistics.fmean(v) for i, v in seen.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--orders", type=int, default=3, help="shuffled orders to average over")
    ap.add_argument("--cuts", type=int, default=2000, help="random halvings of the topics")
    args = ap.parse_args(argv)
    rows = load_ecb("all")
    topic = {str(r["id"]): int(r["topic"]) for r in rows}
    p = article_precision(rows, args.orders)

    def precision(topics: list[int]) -> float:
        chosen = set(topics)
        return statistics.fmean(v for i, v in p.items() if topic[i] in chosen)

    topics = sorted(set(topic.values()))
    dev = [t for t in topics if t % 2]
    test = [t for t in topics if t % 2 == 0]
    gap = abs(precision(dev) - precision(test))
    rng = random.Random(7)
    gaps = []
    for _ in range(args.cuts):
        rng.shuffle(topics)
        half = len(topics) // 2
        gaps.append(abs(precision(topics[:half]) - precision(topics[half:])))
    gaps.sort()
    print(f"{len(topics)} topics, {args.orders} orders: dev P {precision(dev):.3f}, test P {precision(test):.3f}, "
          f"gap {gap:.3f}")
    print(f"{args.cuts} random halvings: gap median {gaps[len(gaps) // 2]:.3f}, "
          f"90th percentile {gaps[int(0.9 * len(gaps))]:.3f}; at least the dev/test gap in "
          f"{sum(g >= gap for g in gaps) / len(gaps):.0%}")
    worst = sorted((precision([t]), t) for t in set(topic.values()))[:6]
    print("topics with the lowest precision: " + ", ".join(f"{t} ({x:.2f})" for x, t in worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
