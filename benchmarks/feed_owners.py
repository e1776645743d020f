"""Who reads a feed two sources lead to (``digest.sources.states.FeedOwners``) at many sources.

How it works
------------
A configuration of N sources, every one read at another address than its ``url:`` (a move for
good), as the worst case of a run or a daemon's round: the table is built once, then each source's
read learns its address and asks whether another source reads that feed already.  Prints the
build and the reads' time at each N and the reads' growth from the smallest N to the largest
against N's: about N's when each read looks its feed up (linear), its square when each read
walked every moved source (stop 60's review: 10,000 sources 2.46 s).  Timings on a shared
machine are noisy: CI prints them, it does not gate them.

    python -m benchmarks.feed_owners [--sizes 1000,5000,10000]
"""

from __future__ import annotations

import argparse
import time

from digest.config import Config
from digest.sources.states import FeedOwners
from digest.store.base import SourceState


def measure(n: int) -> tuple[float, float]:
    """Seconds to build the table of ``n`` moved sources, and for their ``n`` reads."""
    cfg = Config.model_validate({"sources": [{"name": f"s{i}", "url": f"http://h{i}.example/feed"} for i in range(n)]})
    states = [SourceState(f"s{i}", f"http://h{i}.example/feed", permanent_url=f"https://h{i}.example/rss.xml")
              for i in range(n)]
    began = time.perf_counter()
    owners = FeedOwners(cfg, states)
    built = time.perf_counter() - began
    began = time.perf_counter()
    for src, st in zip(cfg.sources, states, strict=True):
        owners.learnt(src.name, st.permanent_url)
        if owners.other(src, st) is not None:
            raise SystemExit(f"{src.name}: said read by another source, none is")
    return built, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,10000", help="source counts, comma-separated")
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    reads = {}
    for n in sizes:
        built, read = measure(n)
        reads[n] = read
        print(f"{n:>7,} sources: table built in {built * 1000:7.1f} ms, {n:,} reads in {read * 1000:7.1f} ms")
    lo, hi = sizes[0], sizes[-1]
    print(f"reads grew {reads[hi] / max(reads[lo], 1e-9):.1f}x for {hi / lo:.0f}x the sources "
          f"(linear: ~{hi / lo:.0f}x, the square: ~{(hi / lo) ** 2:.0f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
