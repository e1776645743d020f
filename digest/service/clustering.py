"""One process's dedup engine, kept in step with the store and with other processes.

How it works
------------
:class:`Clustering` (a base of :class:`~digest.app.App`) holds the
in-memory :class:`~digest.dedup.engine.Engine`, built from the store on its
first use (``digest.engines.rebuilt_engine``), and the store transactions it
clusters in: :meth:`Clustering.unit` drops the engine when its transaction
rolls back, :meth:`Clustering.clustering` is the step that must see every
stored article.  A long-running process rebuilds its engine from the store
once a day (``ENGINE_RENEW``), so what it holds stays the dedup window, not
every article it ever read.

Several processes on one store
------------------------------
Each process clusters with the engine in its own memory; one that does not
see what another stored since its engine was built makes a second story of
a story the other one started (issue #21: two ``digest run`` at once gave
152 and 150 stories instead of 113).  Two measures:

* **Stale engines are rebuilt.**  Every clustering unit that stores
  articles writes a new mark (meta ``clustered``, ``digest.store.marks``) in its
  transaction, as does each batch of stories a prune removes; a
  unit first reads the mark, inside the write transaction (SQLite's
  ``BEGIN IMMEDIATE``, PostgreSQL's clustering lock), and rebuilds its
  engine from the store when another process wrote since the engine was
  built.  Whatever the processes, a story is never split this way.
* **One process polls at a time.**  A rebuild is costly and its engine is
  the restored window, not the one a single process would have grown:
  ``digest run`` holds the store's ``run`` lock for its pass
  (:meth:`digest.app.App.polling`, a second one waits, bounded, with one line), and
  the daemon takes it for each poll round (skipping a round while a run
  holds it).  Two or three concurrent ``digest run`` then give the stories
  of one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ..config import Config, SourceConfig
from ..store.base import Store
from ..store.log import SharedLog
from ..store.marks import CLUSTERED, mark_archive, new_mark

if TYPE_CHECKING:  # the engine (datasketch, scipy, numpy: about a second) loads when it is used:
    from ..dedup.engine import Engine  # ``digest sources``, ``search``, ``build`` never use it

log = logging.getLogger("digest.app")  # the run's log lines keep one logger name


#: How long one in-memory engine serves before it is rebuilt from the store (``Clustering._renew_engine``).
ENGINE_RENEW = timedelta(days=1)


class Clustering:
    """One configuration's and one store's dedup engine, rebuilt when it is stale."""

    def __init__(self, cfg: Config, store: Store) -> None:
        self.cfg = cfg
        self.store = store
        self._engine: Engine | None = None
        #: When the engine was built (the fetch time it was built for); it is rebuilt
        #: ``ENGINE_RENEW`` later.
        self._engine_since: datetime | None = None
        #: The fetch time of the articles being ingested: the window ends there.
        self._fetched: datetime | None = None
        #: The store's ``CLUSTERED`` mark when the engine was built or last wrote.
        self._engine_mark: str | None = None
        #: Articles this process stored (a unit that stored none leaves the mark alone).
        self._stored = 0

    @property
    def engine(self) -> Engine:
        """The dedup engine, rebuilt from stored fingerprints of the window."""
        if self._engine is None:
            # read before the articles: a write in between makes the engine stale, never missed
            from ..engines import rebuilt_engine

            mark = self.store.get_meta(CLUSTERED)
            built = self._fetched or datetime.now(UTC)
            engine = rebuilt_engine(self.cfg, self.store, built)
            self._engine, self._engine_mark = engine, mark
            self._engine_since = built  # its day counts from here, not from its next use
        return self._engine

    def drop_engine(self) -> None:
        """Forget the engine: the next use builds it again from the store (the dedup settings
        changed under a running daemon)."""
        self._engine, self._engine_since = None, None

    def _renew_engine(self, now: datetime) -> None:
        """Drop an engine in use for ``ENGINE_RENEW``: the next use rebuilds it from the store.

        A long-running process (the daemon) would otherwise keep every article
        it ever saw: memory and the LSH index would grow without end, and
        candidates from stories long out of the window would still be
        proposed and filtered.  A rebuild keeps only the window, in fresh
        arrays, and costs one ``restore`` per article of it.
        """
        if self._engine is not None and self._engine_since is not None and now - self._engine_since >= ENGINE_RENEW:
            self._engine, self._engine_since = None, None

    @contextmanager
    def unit(self) -> Iterator[None]:
        """One store transaction (nests) whose engine changes do not outlive a rollback.

        The engine is in memory and cannot roll back: when the transaction
        fails it is dropped, and the next use rebuilds it from what the store
        kept, so no story lives on in memory that the store does not hold.
        """
        try:
            with self.store.transaction():
                yield
        except BaseException:
            self._engine = None
            raise

    @contextmanager
    def clustering(self, src: SourceConfig) -> Iterator[Engine]:
        """The step that must see every stored article: one unit, yielding the engine.

        Inside the write transaction (on PostgreSQL, under the clustering
        lock) the engine is rebuilt when another process stored articles since
        it was built, and a unit that stores articles leaves a new mark for
        the others (module docstring).  A worker among several
        (``digest.service.workers``) replays the others' writes instead.
        """
        with self.unit():
            if isinstance(self.store, SharedLog):
                self.store.cluster_lock()
            self._drop_stale_engine()
            before = self._stored
            yield self.engine
            if self._stored != before:
                self._mark_clustered()

    def _drop_stale_engine(self) -> None:
        """Drop the engine if another process clustered, or a prune removed stories, since it was
        built (in a write transaction)."""
        if self._engine is not None and self.store.get_meta(CLUSTERED) != self._engine_mark:
            log.debug("another process stored articles, or a prune removed some: the engine is rebuilt")
            self._engine, self._engine_since = None, None

    def _mark_clustered(self) -> None:
        """Record, in the open transaction, that this unit stored articles: other engines are stale."""
        self._engine_mark = new_mark()
        self.store.set_meta(CLUSTERED, self._engine_mark)
        mark_archive(self.store)  # its first stored articles: the archive's id (the Atom feed's)

