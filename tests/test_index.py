"""Proposing candidates: the in-memory LSH index proposes what datasketch's would, and a
crowded band only its most recent articles."""

from __future__ import annotations

import numpy as np

from digest.dedup.engine import Engine
from tests.support.stories import FIX, load


def test_memory_index_proposes_what_datasketch_proposes() -> None:
    from datasketch import MinHashLSH

    from digest.dedup.index import KeyMultiMap, MemoryIndex

    names = sorted(p.stem for p in FIX.glob("*.txt"))
    eng = Engine()
    fps = [(n, eng.fingerprint(load(n))) for n in names]
    old = KeyMultiMap.BUFFER
    KeyMultiMap.BUFFER = 7  # exercise the sorted levels and their merges
    try:
        ours, ref = MemoryIndex(0.08, cap=None), MinHashLSH(threshold=0.08, num_perm=128)
        for n, fp in fps:
            assert sorted(ours.query(fp)) == sorted(ref.query(fp.minhash()))
            ours.insert(n, fp)
            ref.insert(n, fp.minhash())
        for n, _ in fps[::2]:
            ours.remove(n)
            ref.remove(n)
        for _n, fp in fps:
            assert sorted(ours.query(fp)) == sorted(ref.query(fp.minhash()))
    finally:
        KeyMultiMap.BUFFER = old


def test_a_crowded_band_proposes_only_its_most_recent_articles() -> None:
    from digest.dedup.index import KeyMultiMap

    m = KeyMultiMap()
    m.BUFFER = 5
    for num in range(40):
        m.add([7, 1000 + num], num)
    got = m.query(np.array([7], dtype=np.uint64), cap=10)
    assert sorted(got.tolist()) == list(range(30, 40))
    m.discard(35)
    assert 35 not in m.query(np.array([7], dtype=np.uint64)).tolist()
    assert m.query(np.array([1003], dtype=np.uint64)).tolist() == [3]
