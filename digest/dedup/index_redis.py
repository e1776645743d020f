"""The candidate index in Redis: the in-memory index's bands and cap, shared by workers.

Observations
------------
* Several workers must propose candidates from one index, so its band
  tables live in Redis, every key under a ``basename`` prefix: one Redis
  holds any number of independent indexes.
* A band shared by very many articles (templated entries) made every query
  return all of them: the in-memory index proposes at most ``BUCKET_CAP``
  (128) of one band's articles, the most recent; this one did not.  It now
  proposes exactly what :class:`~digest.dedup.index.MemoryIndex` proposes:
  the same bands, the same cap, the same "most recent".
* The engine ranks candidate stories by how many bands point to them (the
  in-memory index's ``query_num`` repeats an article once per shared band).
  This index answered each key once, so with Redis the engine compared other
  stories and clustered otherwise than in one process (300 articles: 88
  stories instead of 87).  A key now comes once per band it shares.
* The index was datasketch's own Redis layout, which stores keys pickled
  and unpickles what it reads back: anyone who can write to the Redis could
  run code in every worker.  Nothing here is unpickled: keys are UTF-8
  text and bands 64-bit integers (``struct``), and a value that is not in
  this format is refused with one error line, never interpreted.
* The engine inserts every article it restores as well as every new one, so
  each worker catching up would insert the same keys again: an insert of a
  key already present is skipped.

How it works
------------
``index: redis://[[user]:password@]host:port/db?basename=NAME`` in ``feeds.yaml``
chooses :class:`RedisIndex` (:func:`open_index`); without ``index:`` the
engine uses the in-memory :class:`~digest.dedup.index.MemoryIndex`.  Layout
(``NAME/`` cannot be part of another basename: ``/`` is not allowed in one):

* ``NAME/b/<band key, 16 hex digits>``: a sorted set of article keys
  (``k:`` + UTF-8), scored by insertion order (``NAME/seq``, INCR), so the
  most recent are the highest; a query reads the last ``BUCKET_CAP`` of each
  band (``ZRANGE -128 -1``), all bands in one round trip.
* ``NAME/k/<article key>``: the article's band keys, big-endian uint64s, for
  removal and presence.

* ``NAME/t``: a sorted set of the article keys, scored by when an engine last
  inserted or restored each (Redis's clock, Unix seconds); ``NAME/timed``: set
  once every key has a time (an index filled before keys had one gets it at its
  first trim).
* ``NAME/epoch``: a random value the first handle sets.  A handle that finds
  another value (or none) knows the index was emptied under it.

An insert is one Lua script (epoch and presence checks, sequence number, every
band: one round trip, atomic); a removal one MULTI/EXEC.

Special cases
-------------
* The Redis index only proposes; the engine verifies against what it holds,
  so keys left in Redis by a rolled-back transaction or by an article that
  left the window are harmless (ignored).  Its content can be rebuilt from the store:
  :meth:`RedisIndex.clear` and restart.
* Nothing left the index, though: every article ever inserted stayed (about
  2.5 KB each in Redis: some 4.5 GB a year at 5,000 articles a day).  Each
  index opened for a new engine now trims what no engine has inserted or
  restored for two windows and ``INDEX_KEEP_SLACK`` (:meth:`RedisIndex.trim`;
  6,900 articles/s, 0.4 ms when there is nothing to trim).  A rebuilt engine
  restores two windows and refreshes their times; an engine lives a day at
  most, so what is trimmed is held by none.
* An index written by an older digest (datasketch's layout, ``NAME_keys``,
  ``NAME_bucket_*``) is not read: the engine inserts what it restores, so
  the new layout fills itself; :meth:`RedisIndex.clear` removes the old keys.
* ``basename`` defaults to ``digest``; letters, digits, ``-``, ``_``, ``.``, ``:``.
* Redis restarted without persistence (which the docs allow) or its keys
  deleted to rebuild the index, under running processes: their engines
  still held every article, the index none, so each new article was
  compared with nothing and copies became new stories, silently, until the
  processes were restarted.  Every insert and query now checks the epoch;
  a handle that finds it changed raises IndexUnavailable: the unit rolls
  back, the engine is dropped, and the next one (next run, daemon round or
  worker pass) is rebuilt from the store, inserting its window again.
* The URL's user name was dropped: ``redis://digest:pw@host`` logged in as
  Redis's default user with digest's password ("invalid username-password
  pair").  It is passed on (Redis 6 ACL users).
* Redis unreachable, or failing (a wrong password, no such database, a
  server gone mid-run): :class:`~digest.errors.IndexUnavailable`, one line
  naming the index.  It used to surface per source as "internal error:
  ConnectionError", each source blamed for it (its failure counted) after
  a 5 s connection timeout of its own; a run now stops at the first one.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import ConfigError, DigestError, IndexUnavailable
from .fingerprint import Fingerprint
from .index import CandidateIndex, MemoryIndex
from .params import BUCKET_CAP

_BASENAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def parse_index_url(url: str) -> dict[str, object]:
    """``redis://[[user]:pw@]host[:port][/db][?basename=x]`` as connection settings; ValueError if not."""
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
        s = "s" if len(unknown) > 1 else ""
        raise ValueError(f"{url!r}: unknown option{s} {', '.join(sorted(unknown))} (known: basename)")
    basename = query.get("basename", ["digest"])[-1]
    if not _BASENAME.match(basename):
        raise ValueError(f"{url!r}: basename must be letters, digits, - _ . : (got {basename!r})")
    if not parts.hostname:
        raise ValueError(f"{url!r}: no host")
    return {
        "host": parts.hostname,
        "port": port,
        "db": int(path or 0),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "basename": basename,
    }


#: Insert a key unless present: its bands, then the key under each band at the next sequence;
#: present or not, the key's time (``NAME/t``, Redis's clock) is now: an engine holds it.
_INSERT = """
if redis.call('GET', KEYS[3]) ~= ARGV[3] then return -1 end
redis.call('ZADD', KEYS[4], tonumber(redis.call('TIME')[1]), ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1])
for i = 5, #KEYS do redis.call('ZADD', KEYS[i], seq, ARGV[2]) end
return 1
"""
#: Remove what is still old (its time at most ARGV[1]) of the trim's batch: KEYS[1] the times,
#: then per article its key and its band keys (ARGV: the cutoff, then per article its member and
#: its number of bands).  One script: an engine that restored a key since the trim read it
#: (its time now) keeps it whole.
_TRIM = """
local cutoff = tonumber(ARGV[1])
local removed, k = 0, 2
for i = 2, #ARGV, 2 do
  local member, n = ARGV[i], tonumber(ARGV[i + 1])
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score and tonumber(score) <= cutoff then
    for j = k + 1, k + n do redis.call('ZREM', KEYS[j], member) end
    redis.call('DEL', KEYS[k])
    redis.call('ZREM', KEYS[1], member)
    removed = removed + 1
  end
  k = k + 1 + n
end
return removed
"""
#: Articles a trim removes per round trip.
_TRIM_BATCH = 500
_MEMBER = b"k:"


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
        username: str | None = None,
        basename: str = "digest",
        cap: int = BUCKET_CAP,
    ) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.basename = basename
        self.cap = cap
        self.where = f"redis://{host}:{port}/{db}?basename={basename}"
        # a connection Redis dropped (restarted, an idle client's timeout) is tried once more on a
        # new one; a command it did not answer within socket_timeout is not: redis-py's default
        # retried it three times, and a frozen Redis held a run 5.5 min before its one line
        retry = Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,))
        # passed by name, not as a dict: a dict[str, object] needed a "type: ignore" where redis-py
        # is installed, which mypy then called unused where it is not (the test extra alone)
        self._client = redis.Redis(
            host=host, port=port, db=db, socket_timeout=30, socket_connect_timeout=5, retry=retry,
            password=password or None,
            username=username or None,  # a Redis 6 ACL user; without it, the default user
        )
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._unreached: tuple[type[BaseException], ...] = (redis.ConnectionError, redis.TimeoutError, OSError)
        with self._talking(connecting=True):
            self._client.ping()
        #: The in-memory index's band function (same threshold, same band keys).
        self._bander = MemoryIndex(threshold, cap=cap)
        self._insert = self._client.register_script(_INSERT)
        self._trim = self._client.register_script(_TRIM)
        self._prefix = f"{basename}/"
        # who filled the index: set by the first handle, gone when Redis is flushed or restarted
        self._epoch_key = f"{self._prefix}epoch"
        #: When an engine last inserted or restored each article (``k:`` + key, Unix seconds)
        self._times_key = f"{self._prefix}t"
        with self._talking():
            self._client.set(self._epoch_key, os.urandom(8).hex(), nx=True)
            epoch = self._client.get(self._epoch_key)
        self._epoch = epoch if isinstance(epoch, bytes) else b""

    @contextmanager
    def _talking(self, *, connecting: bool = False) -> Iterator[None]:
        """Redis's errors as one line naming the index."""
        try:
            yield
        except self._errors as exc:
            problem = " ".join(str(exc).split()) or type(exc).__name__
            what = "cannot reach Redis" if connecting or isinstance(exc, self._unreached) else "Redis failed"
            raise IndexUnavailable(f"index {self.where}: {what}: {problem}") from None

    # -- layout ----------------------------------------------------------------
    def _band_key(self, band: int) -> str:
        return f"{self._prefix}b/{band:016x}"

    def _key_key(self, key: str) -> bytes:
        return f"{self._prefix}k/".encode() + key.encode("utf-8", "surrogatepass")

    def _bands(self, fp: Fingerprint) -> list[int]:
        return [int(b) for b in self._bander.bands(fp.signature).tolist()]

    def _refuse(self, value: bytes) -> DigestError:
        return DigestError(
            f"index {self.where}: a value in Redis is not in this index's format "
            f"({value[:24]!r}): written by another program, or planted; it was not read "
            "(clear the index and restart the workers: it is rebuilt from the store)"
        )

    def _emptied(self) -> IndexUnavailable:
        return IndexUnavailable(
            f"index {self.where}: the index was emptied since this process filled it (Redis "
            "restarted without persistence, or its keys deleted); the run stops, and the next "
            "one fills it again from the store"
        )

    def _key_of(self, member: bytes) -> str:
        if not member.startswith(_MEMBER):
            raise self._refuse(member)
        try:
            return member[len(_MEMBER) :].decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise self._refuse(member) from None

    def _bands_of(self, blob: bytes) -> list[int]:
        if len(blob) != 8 * self._bander.b:
            raise self._refuse(blob)
        return list(struct.unpack(f">{self._bander.b}Q", blob))

    # -- the protocol ------------------------------------------------------------
    def insert(self, key: str, fp: Fingerprint) -> None:
        bands = self._bands(fp)
        member = _MEMBER + key.encode("utf-8", "surrogatepass")
        keys: list[bytes | str] = [self._key_key(key), f"{self._prefix}seq", self._epoch_key, self._times_key]
        keys += [self._band_key(b) for b in bands]
        with self._talking():
            done = self._insert(keys=keys, args=[struct.pack(f">{len(bands)}Q", *bands), member, self._epoch])
        if done == -1:
            raise self._emptied()

    def query(self, fp: Fingerprint) -> Iterable[str]:
        """The keys of the last ``cap`` articles of each band the fingerprint falls in: a key
        once per band it shares (the engine counts them as votes, as ``query_num``'s)."""
        pipe = self._client.pipeline(transaction=False)
        for band in self._bands(fp):
            pipe.zrange(self._band_key(band), -self.cap, -1)
        pipe.get(self._epoch_key)
        with self._talking():
            *found, epoch = pipe.execute()
        keys = [self._key_of(m) for band in found for m in band]
        if epoch != self._epoch:
            raise self._emptied()
        return keys

    def remove(self, key: str) -> None:
        with self._talking():
            self._remove_members([_MEMBER + key.encode("utf-8", "surrogatepass")])

    def trim(self, keep: float) -> int:
        """Remove the articles no engine has inserted or restored for ``keep`` seconds (by
        Redis's clock, one for every worker); returns how many.

        Nothing else ever leaves a shared index: the engine ignores what it does not hold, so
        the keys of articles past every engine's window (and of pruned ones) were harmless,
        but kept for good (about 2.5 KB each: some 4.5 GB a year at 5,000 articles a day).  An
        index filled before keys had a time gets one at the first trim (now: it goes ``keep``
        later)."""
        with self._talking():
            if self._client.set(f"{self._prefix}timed", 1, nx=True):
                self._time_untimed()
            removed = 0
            while True:
                now = int(self._client.time()[0])
                old = self._client.zrangebyscore(self._times_key, "-inf", now - keep, start=0, num=_TRIM_BATCH)
                if not old:
                    return removed
                removed += self._trim_members([m for m in old if isinstance(m, bytes)], now - keep)
                if len(old) < _TRIM_BATCH:
                    return removed

    def _time_untimed(self) -> None:
        """Give every key without a time (an index filled before keys had one) the time now."""
        now = int(self._client.time()[0])
        head = len(f"{self._prefix}k/".encode())
        batch: list[bytes] = []
        for name in self._client.scan_iter(match=f"{self._prefix}k/*".encode(), count=1000):
            batch.append(_MEMBER + name[head:])
            if len(batch) >= 1000:
                self._client.zadd(self._times_key, dict.fromkeys(batch, now), nx=True)
                batch = []
        if batch:
            self._client.zadd(self._times_key, dict.fromkeys(batch, now), nx=True)

    def _bands_by_member(self, members: list[bytes]) -> list[tuple[bytes, bytes, list[int]]]:
        """(member, its key's name, its bands) of each index member (``k:`` + key), in one round
        trip; no bands for a member whose key is gone."""
        keys = [self._key_key(self._key_of(m)) for m in members]
        blobs = self._client.mget(keys)
        return [(m, kk, self._bands_of(blob) if isinstance(blob, bytes) else [])
                for m, kk, blob in zip(members, keys, blobs, strict=True)]

    def _remove_members(self, members: list[bytes]) -> None:
        """Remove these index members from every band they are in, with their keys and times."""
        pipe = self._client.pipeline(transaction=True)
        for member, kk, bands in self._bands_by_member(members):
            for band in bands:
                pipe.zrem(self._band_key(band), member)
            pipe.delete(kk)
        pipe.zrem(self._times_key, *members)
        pipe.execute()

    def _trim_members(self, members: list[bytes], older: float) -> int:
        """Remove those of these members whose time is still at most ``older`` (an engine may
        have restored one since the trim read it), checked and removed in one script; returns
        how many went."""
        script_keys: list[bytes | str] = [self._times_key]
        args: list[bytes | int | float] = [older]
        for member, kk, bands in self._bands_by_member(members):
            script_keys += [kk, *(self._band_key(b) for b in bands)]
            args += [member, len(bands)]
        return int(self._trim(keys=script_keys, args=args))

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        with self._talking():
            return bool(self._client.exists(self._key_key(key)))

    def clear(self) -> int:
        """Delete every Redis key of this index (and of the older datasketch layout)."""
        names: list[bytes] = []
        with self._talking():
            for pattern in (f"{self._prefix}*", f"{self.basename}_keys*", f"{self.basename}_bucket_*"):
                names += self._client.scan_iter(match=pattern.encode(), count=1000)
            for i in range(0, len(names), 1000):
                self._client.delete(*names[i : i + 1000])
        return len(names)


def open_index(url: str | None, threshold: float, keep: float | None = None) -> CandidateIndex:
    """The index ``url`` names (``index:`` in the configuration); in memory when None.

    ``keep``: a shared index opened for a new engine first drops the articles no engine has
    held for that many seconds (:meth:`RedisIndex.trim`)."""
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
    index = RedisIndex(threshold, **settings)  # type: ignore[arg-type]
    if keep is not None:
        index.trim(keep)
    return index
