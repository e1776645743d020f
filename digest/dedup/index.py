"""The candidate index: the engine's seam for "which stored articles might be
the same story as this one?".  Only proposes; the engine verifies.

Observations
------------
* Proposing is the only step whose cost could grow with the number of stored
  articles, so it lives behind a small protocol: the in-memory default for one
  process, and a shared index (datasketch's own Redis storage) when several
  workers must see one index.
* Answers may contain keys the engine does not hold (articles outside the
  window it was rebuilt with, or stored by another process and not yet
  replayed); the engine ignores keys it cannot place.
* datasketch's in-memory ``MinHashLSH`` keeps, per article and band, a bytes
  key in a dict of sets and the article's band list: several KB an article.
  The bands are all an LSH index needs, so here they are 64-bit keys in
  sorted numpy arrays: 12 bytes per article and band.
* A band shared by very many articles (templated entries, a word salient
  everywhere) would make every query return all of them, so the index
  stops proposing more than ``BUCKET_CAP`` of one band's articles: the most
  recent ones (the time window closes older stories anyway).

Implementations
---------------
``MemoryIndex``: the bands of datasketch's own ``MinHashLSH`` parameters
(same threshold, same permutations, so the same candidates up to the cap) in
a :class:`KeyMultiMap`.  It speaks the protocol with string keys, and the
engine, which numbers its articles, uses the ``*_num`` methods directly.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import numpy as np

from .fingerprint import Fingerprint
from .params import BUCKET_CAP, NUM_PERM
from .sketch import MinHashLSH
from .terms import grow


@runtime_checkable
class CandidateIndex(Protocol):
    """What the engine needs of an LSH index."""

    def insert(self, key: str, fp: Fingerprint) -> None: ...

    def query(self, fp: Fingerprint) -> Iterable[str]: ...

    def remove(self, key: str) -> None: ...


class KeyMultiMap:
    """uint64 key -> article numbers (int32), compact: sorted arrays plus a small buffer.

    Inserts go to a dict buffer; a full buffer is sorted into a middle level,
    and the middle level into the main level when it reaches an eighth of
    it, so an insert costs O(log n) amortised and 12 bytes a pair stay in
    memory.  Within one key, numbers are kept in insertion order, so "the
    most recent ``cap``" are the last ones.  Removed numbers are filtered
    out at query time and dropped at the next merge.
    """

    BUFFER = 1 << 14

    def __init__(self) -> None:
        self._buf: dict[int, list[int]] = {}
        self._nbuf = 0
        self._levels = [(np.zeros(0, np.uint64), np.zeros(0, np.int32)) for _ in range(2)]
        self._dead = np.zeros(1024, dtype=bool)

    def __len__(self) -> int:
        return self._nbuf + sum(k.size for k, _ in self._levels)

    def add(self, keys: Iterable[int], num: int) -> None:
        buf = self._buf
        for k in keys:
            buf.setdefault(k, []).append(num)
            self._nbuf += 1
        if num >= len(self._dead):
            old = len(self._dead)
            self._dead = grow(self._dead, max(2 * old, num + 1))
            self._dead[old:] = False
        self._dead[num] = False
        if self._nbuf >= self.BUFFER:
            self._flush()

    def discard(self, num: int) -> None:
        if num < len(self._dead):
            self._dead[num] = True

    def _flush(self) -> None:
        items = [(k, n) for k, ns in self._buf.items() for n in ns]
        self._buf, self._nbuf = {}, 0
        keys = np.fromiter((k for k, _ in items), dtype=np.uint64, count=len(items))
        nums = np.fromiter((n for _, n in items), dtype=np.int32, count=len(items))
        order = np.argsort(keys, kind="stable")
        mid = self._merge(self._levels[1], (keys[order], nums[order]))
        main = self._levels[0]
        if mid[0].size * 8 >= main[0].size:
            self._levels = [self._merge(main, mid), (np.zeros(0, np.uint64), np.zeros(0, np.int32))]
        else:
            self._levels[1] = mid

    def _merge(
        self, old: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Merge two sorted levels; the newer pairs go after the older ones of the same key."""
        (ok, on), (nk, nn) = old, new
        live = ~self._dead[on]
        if not live.all():
            ok, on = ok[live], on[live]
        pos = np.searchsorted(ok, nk, side="right") + np.arange(nk.size)
        size = ok.size + nk.size
        keys, nums = np.empty(size, np.uint64), np.empty(size, np.int32)
        mask = np.ones(size, dtype=bool)
        mask[pos] = False
        keys[pos], nums[pos] = nk, nn
        keys[mask], nums[mask] = ok, on
        return keys, nums

    def query(self, keys: np.ndarray, cap: int | None = None) -> np.ndarray:
        """Live numbers stored under any of ``keys`` (the last ``cap`` of each key), unsorted, with repeats."""
        out = []
        left = np.zeros(keys.size, dtype=np.int64) + (cap if cap is not None else 1 << 62)
        buf = self._buf
        if buf:
            for i, k in enumerate(keys.tolist()):
                got = buf.get(k)
                if got:
                    take = got[-int(left[i]) :] if left[i] < len(got) else got
                    out.append(np.asarray(take, dtype=np.int32))
                    left[i] -= len(take)
        for lk, ln in reversed(self._levels):  # newest level first
            if not lk.size:
                continue
            hi = np.searchsorted(lk, keys, side="right")
            lo = np.maximum(np.searchsorted(lk, keys, side="left"), hi - np.maximum(left, 0))
            count = hi - lo
            total = int(count.sum())
            if total:
                ends = np.cumsum(count)
                pos = np.repeat(lo, count) + np.arange(total) - np.repeat(ends - count, count)
                out.append(ln[pos])
                left -= count
        if not out:
            return np.zeros(0, dtype=np.int32)
        found = np.concatenate(out) if len(out) > 1 else out[0]
        dead = self._dead[found]
        return found[~dead] if dead.any() else found


#: datasketch's bands and rows for (threshold, permutations), as ``MinHashLSH`` works them
#: out: the default threshold's without importing scipy.integrate (0.35-0.85 s of a cold
#: ``digest run``, ``digest.dedup.sketch``).  Not tuned: a copy, checked against datasketch
#: by test_known_bands_are_datasketchs.
KNOWN_BANDS: dict[tuple[float, int], tuple[int, int]] = {(0.08, 128): (19, 1)}


@functools.lru_cache(maxsize=16)
def _band_params(threshold: float) -> tuple[int, int]:
    """datasketch's bands and rows for ``threshold``: it finds them by numerical integration
    (scipy's ``quad``, about 40 ms, and scipy.integrate's import), so they are worked out once
    per threshold, not at every index (an engine rebuilt, each worker's, each test's), and
    the default threshold's are known (``KNOWN_BANDS``)."""
    known = KNOWN_BANDS.get((threshold, NUM_PERM))
    if known is not None:
        return known
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


class MemoryIndex:
    """MinHash LSH over salient terms, in this process's memory (see the module docstring)."""

    def __init__(self, threshold: float, cap: int | None = BUCKET_CAP) -> None:
        self.threshold = threshold
        self.b, self.r = _band_params(threshold)
        self.cap = cap
        self._map = KeyMultiMap()
        #: The protocol's string keys (only when used through the protocol).
        self._names: list[str | None] = []
        self._nums: dict[str, int] = {}

    def bands(self, signature: np.ndarray) -> np.ndarray:
        """One uint64 key per band: the band number and its hash values."""
        sig = np.asarray(signature, dtype=np.uint32)[: self.b * self.r].reshape(self.b, self.r)
        band = np.arange(self.b, dtype=np.uint64) << np.uint64(32)
        if self.r == 1:
            return band | sig[:, 0].astype(np.uint64)
        digests = (
            int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=4).digest(), "little")
            for row in sig
        )
        return band | np.fromiter(digests, dtype=np.uint64, count=self.b)

    # -- by article number (the engine) --------------------------------------
    def insert_num(self, num: int, signature: np.ndarray) -> None:
        self._map.add(self.bands(signature).tolist(), num)

    def query_num(self, signature: np.ndarray) -> np.ndarray:
        """Article numbers sharing a band, one entry per shared band (repeats = votes)."""
        return self._map.query(self.bands(signature), self.cap)

    def remove_num(self, num: int) -> None:
        self._map.discard(num)

    # -- the protocol (string keys) ----------------------------------------------
    def insert(self, key: str, fp: Fingerprint) -> None:
        if key in self._nums:
            return
        num = self._nums[key] = len(self._names)
        self._names.append(key)
        self.insert_num(num, fp.signature)

    def query(self, fp: Fingerprint) -> Iterable[str]:
        names, count = self._names, len(self._names)
        found = dict.fromkeys(self.query_num(fp.signature).tolist())
        return [n for i in found if i < count and (n := names[i]) is not None]

    def remove(self, key: str) -> None:
        num = self._nums.pop(key, None)
        if num is not None:
            self._names[num] = None
            self.remove_num(num)

    def __contains__(self, key: object) -> bool:
        return key in self._nums
