"""The candidate index: the engine's seam for "which stored articles might be
the same story as this one?".  Only proposes; the engine verifies.

Observations
------------
* Proposing is the only step whose cost could grow with the number of stored
  articles, so it lives behind a small protocol: the in-memory default for one
  process, and a shared index (datasketch's own Redis storage) when several
  workers must see one index.
* Answers may contain keys the engine has already forgotten (expired) or never
  stored in this process; the engine ignores keys it cannot place.

Implementations
---------------
``MemoryIndex`` wraps ``datasketch.MinHashLSH`` with in-memory storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from datasketch import MinHashLSH

from .fingerprint import NUM_PERM, Fingerprint


@runtime_checkable
class CandidateIndex(Protocol):
    """What the engine needs of an LSH index."""

    def insert(self, key: str, fp: Fingerprint) -> None: ...

    def query(self, fp: Fingerprint) -> Iterable[str]: ...

    def remove(self, key: str) -> None: ...


class MemoryIndex:
    """MinHash LSH over salient terms, in this process's memory."""

    def __init__(self, threshold: float) -> None:
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)

    def insert(self, key: str, fp: Fingerprint) -> None:
        self.lsh.insert(key, fp.minhash(), check_duplication=False)

    def query(self, fp: Fingerprint) -> Iterable[str]:
        return self.lsh.query(fp.minhash())

    def remove(self, key: str) -> None:
        if key in self.lsh.keys:
            self.lsh.remove(key)
