"""What the offices cue (``digest.dedup.offices``) costs the engine (stop 63).

Observations
------------
* ``read_offices`` runs on every added article and ``office_factor`` at every
  regrouping, over the pairs of the region's office-naming articles.  A profile
  of ``benchmarks.speed --quick`` put them at ~9.5% and ~4% of the engine's time.

How it works
------------
* Runs the 2,000 articles of ``benchmarks.speed --quick`` through an
  ``Engine``, timing ``Engine.add`` (the engine's time), recording each
  regrouping's articles and each article's title and text.
* Then, in the same process, median of ``--repeats``: ``read_offices`` over
  ECB+ and GVC (ms/article) and over the stream's texts, and ``office_factor``
  replayed on every recorded region (the reads never change once made, so a
  replay sees what the engine saw); each printed with its share of the
  engine's time on the stream.

Usage: ``python -m benchmarks.offices_speed [--repeats 5]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from collections.abc import Callable

import numpy as np

from benchmarks import speed
from benchmarks.common import ECB
from digest.dedup import offices, regrouping
from digest.dedup.engine import Doc, Engine

QUICK = 2000


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    regions: list[np.ndarray] = []
    real = regrouping.office_factor

    def recorded(factor: float, read_of: dict[int, offices.Offices], nums: np.ndarray) -> np.ndarray | None:
        regions.append(np.array(nums, copy=True))
        return real(factor, read_of, nums)

    regrouping.office_factor = recorded  # type: ignore[assignment]
    engine, texts, spent = Engine(), [], 0.0
    try:
        for aid, title, text, published in itertools.islice(speed.Generator(speed._load_rows()).articles(), QUICK):
            texts.append((title, text))
            doc = Doc(id=aid, title=title, text=text, published=published)
            t0 = time.perf_counter()
            engine.add(doc)
            spent += time.perf_counter() - t0
    finally:
        regrouping.office_factor = real  # type: ignore[assignment]
    read_of, factor = engine.state.offices, engine.state.params.office_factor
    print(f"engine: {QUICK} articles in {spent:.2f} s, {QUICK / spent:.0f} articles/s; "
          f"{len(read_of)} name an office, {len(regions)} regroupings")
    rows = [json.loads(line) for path in (ECB, ECB.with_name("gvc.jsonl")) for line in path.open()]
    corpora = [(r.get("title") or "", r.get("text") or "") for r in rows]
    for name, docs in (("ECB+ and GVC", corpora), ("the quick stream", texts)):
        t = _median(lambda docs=docs: [offices.read_offices(a, b) for a, b in docs], args.repeats)  # type: ignore[misc]
        print(f"read_offices over {name} ({len(docs)}): {1e3 * t / len(docs):.4f} ms/article"
              + (f", {100 * t / spent:.1f}% of the engine" if docs is texts else ""))
    pairs = sum(n * (n - 1) // 2 for n in (sum(int(x) in read_of for x in r.tolist()) for r in regions))
    t = _median(lambda: [offices.office_factor(factor, read_of, r) for r in regions], args.repeats)
    print(f"office_factor over the {len(regions)} regions ({pairs} pairs of office-naming articles): "
          f"{1e3 * t:.1f} ms, {100 * t / spent:.1f}% of the engine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
