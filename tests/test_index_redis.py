"""The Redis candidate index against a real Redis on 127.0.0.1:6379 (a throwaway key prefix):
the same per-band cap as the in-memory index, and nothing read back can run code.

Skips with the reason when Redis or the ``redis`` package is missing (fails instead with
DIGEST_REQUIRE_SERVICES set), as tests/support/services.py does.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.dedup.engine import Engine
from digest.dedup.fingerprint import Fingerprint, fingerprint
from digest.dedup.index import BUCKET_CAP, MemoryIndex
from digest.dedup.index_redis import RedisIndex, open_index, parse_index_url
from digest.errors import DigestError
from tests.support.services import REDIS, redis_prefix

pytestmark = pytest.mark.scale


@pytest.fixture
def rd() -> Iterator[str]:
    with redis_prefix() as url:
        yield url


def client() -> object:
    import redis

    host, port = REDIS.rsplit(":", 1)
    return redis.Redis(host=host, port=int(port))


def values_of(r: object, name: bytes) -> list[bytes]:
    """Every value held under ``name``, whatever the kind of key."""
    kind = r.type(name)  # type: ignore[attr-defined]
    read = {
        b"zset": lambda: r.zrange(name, 0, -1),  # type: ignore[attr-defined]
        b"set": lambda: list(r.smembers(name)),  # type: ignore[attr-defined]
        b"list": lambda: r.lrange(name, 0, -1),  # type: ignore[attr-defined]
        b"hash": lambda: list(r.hvals(name)) + list(r.hkeys(name)),  # type: ignore[attr-defined]
        b"string": lambda: [r.get(name)],  # type: ignore[attr-defined]
    }
    return list(read[kind]())


def fp_of(title: str, body: str) -> Fingerprint:
    return fingerprint(title, body, Engine().idf)


def test_each_band_proposes_only_its_most_recent_articles_like_the_memory_index(rd: str) -> None:
    red = open_index(rd, 0.08)
    assert isinstance(red, RedisIndex)
    mem = MemoryIndex(0.08)
    same = fp_of("Harbor ferry strike ends", "The ferry strike in Harbor ended on Monday after talks.")
    n = BUCKET_CAP + 72  # a templated entry seen 200 times: every band holds all of them
    for i in range(n):
        red.insert(f"t{i}", same)
        mem.insert(f"t{i}", same)
    got = sorted(set(red.query(same)))
    assert got == sorted(mem.query(same))
    assert got == sorted(f"t{i}" for i in range(n - BUCKET_CAP, n))  # the 128 most recent
    # a removed key is gone; the band still proposes at most the cap, the most recent
    red.remove(f"t{n - 1}")
    after = set(red.query(same))
    assert after == {f"t{i}" for i in range(n - 1 - BUCKET_CAP, n - 1)}
    # the cap is the index's own: a handle with a larger one sees further back
    wide = RedisIndex(0.08, **{**parse_index_url(rd), "cap": 1000})  # type: ignore[arg-type]
    assert len(set(wide.query(same))) == n - 1


def test_a_pickle_planted_in_redis_is_refused_and_never_run(rd: str, tmp_path: Path) -> None:
    red = open_index(rd, 0.08)
    assert isinstance(red, RedisIndex)
    fp = fp_of("Council approves library fees", "Northgate council voted to raise library fees.")
    red.insert("a", fp)
    red.insert("b", fp)
    assert sorted(set(red.query(fp))) == ["a", "b"]

    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str, str]]:
            return open, (str(ran), "w")  # unpickling creates the file

    planted = pickle.dumps(Payload())
    r = client()
    basename = rd.rsplit("basename=", 1)[1]
    names = list(r.scan_iter(match=f"{basename}*"))  # type: ignore[attr-defined]
    assert names
    for name in names:  # every key of the index, whatever its layout
        kind = r.type(name)  # type: ignore[attr-defined]
        if kind == b"zset":
            r.zadd(name, {planted: 1e18})  # type: ignore[attr-defined]
        elif kind == b"set":
            r.sadd(name, planted)  # type: ignore[attr-defined]
        elif kind == b"list":
            r.rpush(name, planted)  # type: ignore[attr-defined]
        elif kind == b"string":
            r.set(name, planted)  # type: ignore[attr-defined]
    with pytest.raises(DigestError) as err:
        red.query(fp)
    message = str(err.value)
    assert "not in this index's format" in message and basename in message and "\n" not in message
    with pytest.raises(DigestError, match="not in this index's format"):
        red.remove("a")
    assert not ran.exists()  # nothing was unpickled
    assert red.clear() > 0 and not list(r.scan_iter(match=f"{basename}*"))  # type: ignore[attr-defined]


def test_stored_values_are_plain_strings_and_bytes(rd: str) -> None:
    red = open_index(rd, 0.08)
    assert isinstance(red, RedisIndex)
    fp = fp_of("Bridge reopens", "The old bridge reopened to traffic on Tuesday morning.")
    red.insert("ключ/1 ?&", fp)  # any text is a key
    assert set(red.query(fp)) == {"ключ/1 ?&"} and "ключ/1 ?&" in red
    r = client()
    basename = rd.rsplit("basename=", 1)[1]
    for name in r.scan_iter(match=f"{basename}*"):  # type: ignore[attr-defined]
        assert not any(v.startswith(b"\x80") for v in values_of(r, name)), name  # no pickle
    red.remove("ключ/1 ?&")
    assert red.query(fp) == [] and "ключ/1 ?&" not in red


def _age(r: object, rd: str, key: str, days: float) -> None:
    """Date back when an engine last held ``key`` (the index's own clock is Redis's)."""
    basename = rd.rsplit("basename=", 1)[1]
    now = int(r.time()[0])  # type: ignore[attr-defined]
    r.zadd(f"{basename}/t", {b"k:" + key.encode(): now - days * 86400})  # type: ignore[attr-defined]


def _fresh(rd: str) -> tuple[object, str, RedisIndex]:
    """(a Redis client, the index's basename, the index) of a fresh index URL."""
    red = open_index(rd, 0.08)
    assert isinstance(red, RedisIndex)
    return client(), rd.rsplit("basename=", 1)[1], red


def test_articles_no_engine_holds_leave_the_index_at_the_next_engine(rd: str) -> None:
    r, basename, red = _fresh(rd)
    fp = fp_of("Harbor ferry strike ends", "The ferry strike in Harbor ended on Monday after talks.")
    for key in ("old", "held", "new"):
        red.insert(key, fp)
    _age(r, rd, "old", 70)
    _age(r, rd, "held", 70)
    red.insert("held", fp)  # restored by an engine: present, so not added again, but held now
    keep = 62 * 86400.0
    again = open_index(rd, 0.08, keep=keep)  # the next engine's index
    assert sorted(set(again.query(fp))) == ["held", "new"]
    assert "old" not in again and "held" in again
    # gone from every band, its bands and its time too: nothing of it is left in Redis
    for name in r.scan_iter(match=f"{basename}/*"):  # type: ignore[attr-defined]
        assert not any(b"old" in v for v in values_of(r, name) if isinstance(v, bytes)), name
    assert isinstance(again, RedisIndex) and again.trim(keep) == 0


def test_an_index_filled_before_keys_had_a_time_is_timed_at_the_first_trim(rd: str) -> None:
    r, basename, red = _fresh(rd)
    fp = fp_of("Bridge reopens", "The old bridge reopened to traffic on Tuesday morning.")
    for i in range(1203):  # more than one batch of the scan's
        red.insert(f"a{i}", fp)
    r.delete(f"{basename}/t", f"{basename}/timed")  # type: ignore[attr-defined]  # as an older digest left it
    assert red.trim(86400.0) == 0  # timed now: kept for a day from now, not dropped at once
    assert r.zcard(f"{basename}/t") == 1203  # type: ignore[attr-defined]
    _age(r, rd, "a7", 2)
    assert red.trim(86400.0) == 1 and "a7" not in red and "a8" in red


def test_a_configured_redis_index_trims_when_an_engine_is_made(rd: str, tmp_path: Path) -> None:
    from digest.config import load_config
    from digest.dedup.params import INDEX_KEEP_SLACK
    from digest.engines import new_engine

    cfg_file = tmp_path / "feeds.yaml"
    cfg_file.write_text(f"sources: []\nindex: {rd}\ndata_dir: data\ndedup:\n  window_days: 3\n")
    cfg = load_config(cfg_file)
    r = client()
    red = open_index(rd, 0.08)
    fp = fp_of("Quake shakes island", "A strong quake shook the island on Sunday, officials said.")
    red.insert("past", fp)
    red.insert("recent", fp)
    keep_days = (2 * 3 * 86400 + INDEX_KEEP_SLACK) / 86400
    _age(r, rd, "past", keep_days + 0.1)
    _age(r, rd, "recent", keep_days - 0.1)
    new_engine(cfg)
    assert "past" not in red and "recent" in red
