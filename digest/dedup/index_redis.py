"""The candidate index in Redis, through datasketch's own Redis storage.

Observations
------------
* Several workers must propose candidates from one index; datasketch's
  ``MinHashLSH`` keeps its band tables in Redis when given
  ``storage_config={'type': 'redis', ...}``, with every Redis key under a
  ``basename`` prefix, so one Redis holds any number of independent indexes.
* The engine inserts every article it restores as well as every new one, so
  each worker catching up would insert the same keys again: an insert of a
  key already present is skipped (one round trip instead of one per band).

How it works
------------
``index: redis://[:password@]host:port/db?basename=NAME`` in ``feeds.yaml``
chooses :class:`RedisIndex` (:func:`open_index`); without ``index:`` the
engine uses the in-memory :class:`~digest.dedup.index.MemoryIndex`.  The Redis
layout is datasketch's own (``MinHashLSH`` with Redis storage, keys pickled
as it does); inserts and queries send the same commands through its storage
classes' ``_insert`` / ``_get_items``, but on one pipeline for all bands: an
insert is one MULTI/EXEC after a presence check, a query one round trip.
Removal is datasketch's own.  The test suite checks that datasketch's own
``query`` finds what this class inserted and the reverse (the private
methods are pinned by ``datasketch<3``).

Special cases
-------------
* The Redis index only proposes; the engine verifies against what it holds,
  so keys left in Redis by a rolled-back transaction or by an article that
  left the window are harmless (ignored).  Its content can be rebuilt from the store:
  :meth:`RedisIndex.clear` and restart.
* ``basename`` defaults to ``digest``; letters, digits, ``-``, ``_``, ``.``, ``:``.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable
from urllib.parse import parse_qs, unquote, urlsplit

from datasketch import MinHashLSH

from ..errors import ConfigError, DigestError
from .fingerprint import Fingerprint
from .index import CandidateIndex, MemoryIndex
from .params import NUM_PERM

_BASENAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def parse_index_url(url: str) -> dict[str, object]:
    """``redis://[:pw@]host[:port][/db][?basename=x]`` as connection settings; ValueError if not."""
    parts = urlsplit(url)
    if parts.scheme != "redis":
        raise ValueError(f"{url!r}: expected redis://host:port/db?basename=name")
    try:
        port = parts.port or 6379
    except ValueError:
        raise ValueError(f"{url!r}: the port must be a number") from None
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ValueError(f"{url!r}: the database must be a number (redis://host:port/0)")
    query = parse_qs(parts.query)
    unknown = set(query) - {"basename"}
    if unknown:
        raise ValueError(f"{url!r}: unknown option(s) {', '.join(sorted(unknown))} (known: basename)")
    basename = query.get("basename", ["digest"])[-1]
    if not _BASENAME.match(basename):
        raise ValueError(f"{url!r}: basename must be letters, digits, - _ . : (got {basename!r})")
    if not parts.hostname:
        raise ValueError(f"{url!r}: no host")
    return {
        "host": parts.hostname,
        "port": port,
        "db": int(path or 0),
        "password": unquote(parts.password) if parts.password else None,
        "basename": basename,
    }


class RedisIndex:
    """MinHash LSH over salient terms, its band tables in Redis under ``basename``."""

    def __init__(
        self,
        threshold: float,
        *,
        host: str = "127.0.0.1",
        port: int = 6379,
        db: int = 0,
        password: str | None = None,
        basename: str = "digest",
    ) -> None:
        import redis

        conn: dict[str, object] = {"host": host, "port": port, "db": db, "socket_timeout": 30}
        if password:
            conn["password"] = password
        self.basename = basename
        self.where = f"redis://{host}:{port}/{db}?basename={basename}"
        try:
            redis.Redis(**conn, socket_connect_timeout=5).ping()  # type: ignore[arg-type]
        except redis.RedisError as exc:
            raise DigestError(f"index {self.where}: cannot reach Redis: {exc}") from None
        self.lsh = MinHashLSH(
            threshold=threshold,
            num_perm=NUM_PERM,
            storage_config={"type": "redis", "basename": basename.encode(), "redis": conn},
        )
        #: One client for the batched reads and writes (datasketch keeps one per band table).
        self._client = redis.Redis(**conn)  # type: ignore[arg-type]

    def _bands(self, fp: Fingerprint) -> list[bytes]:
        hv = fp.minhash().hashvalues
        return [self.lsh._H(hv[start:end]) for start, end in self.lsh.hashranges]

    def insert(self, key: str, fp: Fingerprint) -> None:
        if key in self.lsh:
            return
        pkey = pickle.dumps(key)  # as datasketch stores keys in Redis (prepickle)
        pipe = self._client.pipeline(transaction=True)
        bands = self._bands(fp)
        self.lsh.keys._insert(pipe, pkey, *bands)
        for band, table in zip(bands, self.lsh.hashtables, strict=True):
            table._insert(pipe, band, pkey)
        pipe.execute()

    def query(self, fp: Fingerprint) -> Iterable[str]:
        pipe = self._client.pipeline(transaction=False)
        for band, table in zip(self._bands(fp), self.lsh.hashtables, strict=True):
            table._get_items(pipe, table.redis_key(band))
        found: set[bytes] = set().union(*pipe.execute())
        return [pickle.loads(k) for k in found]

    def remove(self, key: str) -> None:
        if key in self.lsh:
            self.lsh.remove(key)

    def __contains__(self, key: object) -> bool:
        return key in self.lsh

    def clear(self) -> int:
        """Delete every Redis key of this index; how many were deleted."""
        client = self.lsh.keys._redis
        names = list(client.scan_iter(match=f"{self.basename}_[bk]*".encode(), count=1000))
        for i in range(0, len(names), 1000):
            client.delete(*names[i : i + 1000])
        return len(names)


def open_index(url: str | None, threshold: float) -> CandidateIndex:
    """The index ``url`` names (``index:`` in the configuration); in memory when None."""
    if not url:
        return MemoryIndex(threshold)
    try:
        settings = parse_index_url(url)
    except ValueError as exc:
        raise ConfigError(f"index: {exc}") from None
    try:
        import redis  # noqa: F401
    except ImportError:
        raise DigestError(f"index {url}: the Redis client is not installed (pip install 'digest[scale]')") from None
    return RedisIndex(threshold, **settings)  # type: ignore[arg-type]
