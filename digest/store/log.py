"""The ordered log a store keeps for several workers (``digest.service.workers``).

Observations
------------
* The dedup engine lives in each worker's memory and its decisions depend on
  everything it has seen, in order (streaming idf, neighbour lists, regroupings).
  A worker that clusters after another must first replay what the other
  stored, in the order it was stored, to reach the same state.
* A row's insertion order is only a usable log if no row with a lower number
  becomes visible after one with a higher number: writers of articles and
  merges must therefore be serialized (the clustering lock), and the log
  number is taken inside the lock.

How it works
------------
A store that supports workers (PostgreSQL) implements :class:`SharedLog`:
articles and story merges draw their ``seq`` from one sequence, every
article or merge write takes the clustering lock for the rest of its
transaction, and :meth:`SharedLog.log_after` returns both kinds in ``seq``
order.  Turns (:meth:`SharedLog.get_turn` / ``set_turn``) let workers of one
named run cluster sources in configuration order, so that N workers give
the single-process result.

Special cases
-------------
* A logged article carries its *current* story id (later merges and moves
  applied; replaying a move to the story it is in already is a no-op);
  replaying a merge whose dropped story the replayer never saw is a no-op.
* SQLite does not implement this: several workers need a server database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from .base import StoredArticle


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One logged write: an article (``article`` set), a story merge (``keep``/``drop``), or an
    article moved from story ``drop`` to story ``keep`` (``moved``: its key)."""

    seq: int
    article: StoredArticle | None = None
    keep: str | None = None
    drop: str | None = None
    moved: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """Where a named run stands: the next source position allowed to cluster."""

    run: str
    next: int
    sources: str
    updated: datetime


@runtime_checkable
class SharedLog(Protocol):
    """What a store offers workers on several machines."""

    def cluster_lock(self) -> None:
        """Take the clustering lock until the current transaction ends (waits)."""
        ...

    def log_head(self) -> int:
        """The highest ``seq`` written so far (0 for none)."""
        ...

    def log_after(self, seq: int, *, since: datetime | None = None) -> list[LogEntry]:
        """Articles and merges logged after ``seq``, in order.

        ``since`` leaves out articles dated (published, else fetched) before it, unless read
        at or after it (a source's backlog: ``StoreReads.articles_since``).
        """
        ...

    def get_turn(self, run: str, sources: str) -> Turn:
        """The run's turn, created at position 0 for a new run.

        ``sources`` names the run's source list (a hash); a run already started
        with another list is refused (StoreError): its positions would mean
        other sources.
        """
        ...

    def set_turn(self, run: str, next_position: int) -> None:
        """Move the run's turn to ``next_position`` (never backwards)."""
        ...
