"""The scale-out backends give the single process's stories (reviews, stop 33).

A corpus where articles share LSH bands unevenly with their candidates
(``tests/support/synthetic.py``): the engine ranks candidate stories by how
many bands point to them (votes), so an index or a wrapper that proposes each
candidate once ranks, and clusters, otherwise.  Real servers on loopback;
skipped without them (failing with DIGEST_REQUIRE_SERVICES), as in
``tests/test_scale.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from digest.dedup.engine import Engine
from digest.dedup.index import MemoryIndex
from digest.dedup.index_redis import RedisIndex, open_index
from digest.dedup.params import Params
from tests.support import synthetic
from tests.support.services import redis_prefix

pytestmark = pytest.mark.scale

@pytest.fixture
def rd() -> Iterator[str]:
    with redis_prefix() as url:
        yield url


def partition_of(engine: Engine, ids: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(engine.state.sid(engine.state.num[i]), []).append(i)
    return sorted(map(sorted, groups.values()))


def test_redis_index_counts_each_shared_band_as_the_memory_index_does(rd: str) -> None:
    """One key per band it shares with the query (repeats are the engine's votes)."""
    params = Params()
    red = open_index(rd, params.lsh_threshold)
    assert isinstance(red, RedisIndex)
    mem = MemoryIndex(params.lsh_threshold)
    engine = Engine(params)
    docs = synthetic.docs(sources=4)
    fps = [engine.fingerprint(d) for d in docs]
    for d, fp in zip(docs, fps, strict=True):
        red.insert(d.id, fp)
        mem.insert(d.id, fp)
    names = [d.id for d in docs]
    shared = 0
    for fp in fps:
        want = Counter(names[n] for n in mem.query_num(fp.signature).tolist())
        assert Counter(red.query(fp)) == want
        shared += any(v > 1 for v in want.values())
    assert shared, "the corpus has candidates that share several bands"


def test_an_engine_on_the_redis_index_clusters_as_one_in_memory(rd: str) -> None:
    params = Params(window=30 * 86400)
    docs = synthetic.docs()
    mem, red = Engine(params), Engine(params, index=open_index(rd, params.lsh_threshold))
    for d in docs:
        mem.add(d)
        red.add(d)
    ids = [d.id for d in docs]
    assert partition_of(red, ids) == partition_of(mem, ids)
