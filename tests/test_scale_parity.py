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
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.app import App
from digest.config import load_config
from digest.dedup.engine import Engine
from digest.dedup.index import MemoryIndex
from digest.dedup.index_redis import RedisIndex, open_index
from digest.dedup.params import Params
from digest.service.workers import run_worker
from digest.store.base import open_store
from tests.support import synthetic
from tests.support.services import pg_schema, redis_prefix

pytestmark = pytest.mark.scale

NOW = datetime(2026, 11, 20, 21, tzinfo=UTC)
ALL_TIME = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def rd() -> Iterator[str]:
    with redis_prefix() as url:
        yield url


def partition_of(engine: Engine, ids: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(engine.state.sid(engine.state.num[i]), []).append(i)
    return sorted(map(sorted, groups.values()))


def stored_partition(url: str) -> list[list[str]]:
    with open_store(url) as s:
        return sorted(sorted(v.key for v in s.story_versions(st.id))
                      for st in s.stories_first_seen_between(*ALL_TIME))


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


@pytest.mark.slow  # two runs over 300 articles: ~12 s
def test_a_worker_without_a_shared_index_clusters_as_a_single_process(tmp_path: Path) -> None:
    """Without ``index:`` a worker's engine is a plain App's: the in-memory index, its votes."""
    config = tmp_path / "feeds.yaml"
    config.write_text("output_dir: out\ndata_dir: data\ntimezone: UTC\n"
                      + synthetic.write_feeds(tmp_path / "feeds"))
    with pg_schema() as single, pg_schema() as worker:
        cfg = load_config(config)
        cfg.database = single
        with App(cfg, open_store(single)) as app:
            assert app.run(now=NOW).errors == []
        cfg.database = worker
        with open_store(worker) as store:
            report = run_worker(cfg, store, index=0, of=1, run="r", now=NOW)
        assert report.errors == [] and report.new_articles == 300
        assert stored_partition(worker) == stored_partition(single)
