"""The shared candidate index against the in-memory one: cost per article, same answers.

Observations
------------
* Several workers share one Redis index; every proposal the engine asks for
  then crosses the network, so the figure that matters is the cost per
  article of insert and query, against the in-memory index in the same run.

How it works
------------
``python -m benchmarks.scale_index [--n 1000] [--redis redis://127.0.0.1:6379/0]``
builds ``n`` fingerprints of synthetic texts (a seeded random vocabulary),
inserts them into a :class:`~digest.dedup.index.MemoryIndex` and a
:class:`~digest.dedup.index_redis.RedisIndex` (a throwaway basename, deleted
afterwards), queries each, and prints milliseconds per article and the
ratio Redis/memory.  It also checks both indexes propose the same keys.

Special cases: exits 2 with the reason when Redis is unreachable.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid

from digest.dedup.fingerprint import Fingerprint, IdfModel, fingerprint
from digest.dedup.index import CandidateIndex, MemoryIndex
from digest.dedup.index_redis import open_index
from digest.errors import DigestError


def _time(index: CandidateIndex, fps: list[Fingerprint]) -> tuple[float, float, float, list[set[str]]]:
    t0 = time.perf_counter()
    for i, fp in enumerate(fps):
        index.insert(str(i), fp)
    t1 = time.perf_counter()
    answers = [set(index.query(fp)) for fp in fps]
    t2 = time.perf_counter()
    for i, fp in enumerate(fps):
        index.insert(str(i), fp)  # present already: a worker replaying the log
    t3 = time.perf_counter()
    n = len(fps) / 1000.0
    return (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n, answers


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = ap.parse_args(argv)
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(5000)]
    idf = IdfModel()
    fps = []
    for i in range(args.n):
        fp = fingerprint(f"title {i}", " ".join(rng.choice(vocab) for _ in range(120)), idf)
        idf.add(fp.terms)
        fps.append(fp)
    url = f"{args.redis}?basename=bench_{uuid.uuid4().hex[:8]}"
    try:
        red = open_index(url, 0.08)
    except DigestError as exc:
        print(exc, file=sys.stderr)
        return 2
    mem = _time(MemoryIndex(0.08), fps)
    try:
        rds = _time(red, fps)
    finally:
        red.clear()  # type: ignore[attr-defined]
    print(f"{args.n} articles, ms per article    insert   query   insert-again")
    for name, r in (("memory", mem), ("redis", rds)):
        print(f"  {name:<8} {r[0]:>27.3f} {r[1]:>7.3f} {r[2]:>14.3f}")
    print(f"  ratio redis/memory {rds[0] / mem[0]:>17.1f} {rds[1] / mem[1]:>7.1f} {rds[2] / mem[2]:>14.1f}")
    same = mem[3] == rds[3]
    print(f"  same proposals: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
