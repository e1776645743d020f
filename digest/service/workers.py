"""Several workers, on several machines, sharing one PostgreSQL store and one Redis index.

Observations
------------
* Fetching, parsing and extraction are independent per source and are where
  the time goes; clustering is cheap but must see every article stored
  before it, in order: the engine's streaming idf, neighbour lists and
  regroupings depend on the order of arrival.  Clustering one article twice at
  the same moment in two processes is how one story becomes two.
* Each worker keeps its engine in memory.  It reaches the same state as a
  single process by replaying the store's ordered log (``digest.store.log``)
  before it clusters, instead of by sharing memory.
* One pass over the sources in configuration order gives one result in one
  process; N workers give that same result only if they cluster the sources
  in that same order.

How it works
------------
* **Partition**: worker ``I`` of ``N`` reads the enabled sources whose stable
  hash (blake2b of the name) is ``I`` mod ``N``: each source belongs to
  exactly one worker, without coordination, and adding a source moves no
  other.  The hash, not claimed rows, because a source keeps one worker (its
  fetch validators and poll schedule stay with it) and nothing needs
  cleaning up after a crash; the price is that a dead worker's sources wait
  until it comes back (see ``docs/scale-out.md``).
* **Clustering**: :meth:`WorkerApp.clustering` (the hook ``App.ingest``
  calls) opens the store transaction, takes the clustering lock (a
  PostgreSQL advisory lock held until commit), replays the log written
  since this worker last looked (articles via ``Engine.restore``, moves and
  merges via ``Engine.replay_move`` and ``Engine.replay_merge``), then clusters
  and stores the source's articles.  Whoever clusters second sees the first
  one's story.
* **Runs in order**: workers started with the same ``run`` name take turns
  by configuration position: a worker clusters source ``p`` only once the
  run's turn (a row in the store) reaches ``p``, and moves it to ``p + 1`` in
  the same transaction (or, when the source had nothing new or failed, in a
  transaction of its own).  Fetching and extraction of later sources go on
  meanwhile.  Without a run name workers cluster in lock order.
* **Index**: the engine's candidate index is the configured one (Redis for
  several machines); keys inserted by a unit that rolls back are removed.

Special cases
-------------
* A turn that does not move for ``stall`` seconds (its worker died) is
  skipped, with a warning: liveness over order.  The late source clusters
  when it comes.
* A prune (``digest.retention``) removes articles and their log rows and counts its
  batches in ``meta`` ``pruned`` (``digest.store.marks``): a worker whose engine was built
  before it rebuilds the engine from the log at its next unit, instead of catching up (its
  engine still holds the pruned stories: a late version would revive one).  A fresh catch-up
  never meets what a prune removed: its articles are gone from the log, and so are the moves
  of its articles and the merges into its stories (``digest.store.prune_pg``).
* A worker's engine holds the articles dated within two dedup windows of
  the fetch being ingested (as ``App.engine``), in log order.  As in
  ``App``, an engine a day old is dropped at the next ingest and rebuilt
  from the log, so a worker that runs for months holds only the window.
* SQLite stores refuse: they have no shared log (one machine, one process).
* ``--every``: a pass that meets the Redis index down or emptied
  (:class:`~digest.errors.IndexUnavailable`) ends with one error line and
  the next slot's pass goes on (refilling an emptied index); a lost
  PostgreSQL connection ends the worker (no reconnection: its supervisor
  restarts it).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from ..app import App
from ..config import Config, SourceConfig
from ..dedup.engine import Engine
from ..dedup.fingerprint import Fingerprint
from ..dedup.index import CandidateIndex, MemoryIndex
from ..engines import new_engine, restore_row, restore_since
from ..errors import DigestError, IndexUnavailable
from ..records import plural
from ..runreport import RunReport
from ..store.base import Store
from ..store.log import SharedLog
from ..store.marks import PRUNED

log = logging.getLogger(__name__)


def owner(name: str, of: int) -> int:
    """The worker (0 .. of-1) that reads source ``name``."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") % of


def partition(sources: Sequence[SourceConfig], index: int, of: int) -> list[SourceConfig]:
    """The sources worker ``index`` of ``of`` reads, in configuration order."""
    if of < 1:
        raise DigestError(f"worker {index} of {of}: there must be at least one worker")
    if not 0 <= index < of:
        raise DigestError(f"worker {index} of {of}: the index must be 0 .. {of - 1}")
    return [s for s in sources if owner(s.name, of) == index]


def sources_id(sources: Iterable[SourceConfig]) -> str:
    """A short hash of the ordered source names (workers of one run must agree on it)."""
    return hashlib.blake2b("\n".join(s.name for s in sources).encode(), digest_size=8).hexdigest()


class _Journal:
    """A candidate index that remembers what it inserted, to undo a failed unit."""

    def __init__(self, inner: CandidateIndex) -> None:
        self.inner = inner
        self.added: list[str] = []

    def insert(self, key: str, fp: Fingerprint) -> None:
        self.inner.insert(key, fp)
        self.added.append(key)

    def query(self, fp: Fingerprint) -> Iterable[str]:
        return self.inner.query(fp)

    def remove(self, key: str) -> None:
        self.inner.remove(key)

    def undo(self) -> None:
        for i, key in enumerate(reversed(self.added)):
            try:
                self.inner.remove(key)
            except Exception as exc:  # the index only proposes: a stray key is harmless
                log.warning("index: could not remove %s after a rollback: %s", plural(len(self.added) - i, "key"), exc)
                break  # Redis gone: one line, not one per key
        self.added.clear()


def _journalled(index: CandidateIndex) -> CandidateIndex:
    """A shared index wrapped in a journal; the in-memory one as it is.

    The engine counts an in-memory index's band hits as votes for each
    candidate story (``MemoryIndex.query_num``), as a plain ``App``'s does;
    behind a wrapper it would see each candidate once, and rank candidates,
    hence cluster, otherwise.  An in-memory index needs no undo: a failed
    unit drops the whole engine.
    """
    return index if isinstance(index, MemoryIndex) else _Journal(index)


class WorkerApp(App):
    """``App`` as worker ``index`` of ``of``: its share of the sources, the shared engine state."""

    def __init__(
        self,
        cfg: Config,
        store: Store,
        *,
        index: int = 0,
        of: int = 1,
        run: str | None = None,
        stall: float = 300.0,
        poll: float = 0.05,
    ) -> None:
        if not isinstance(store, SharedLog):
            raise DigestError(
                f"{store.url}: several workers need a PostgreSQL database (database: postgresql://...)"
            )
        enabled = [s for s in cfg.sources if s.enabled]
        self.position = {s.name: i for i, s in enumerate(enabled)}
        self.sources_id = sources_id(enabled)
        mine = partition(enabled, index, of)
        super().__init__(cfg.model_copy(update={"sources": mine}), store)
        self.log: SharedLog = store
        self.index, self.of, self.run_name = index, of, run
        self.stall, self.poll_every = stall, poll
        self._seen = 0
        self._journal: _Journal | None = None
        self._now: datetime | None = None
        self._passed: set[str] = set()
        #: The store's ``pruned`` mark when the engine was built (``digest.store.marks``).
        self._pruned: str | None = None

    # -- the engine, rebuilt from the log -------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            # as a plain App's; a shared index journalled (a memory one goes with the engine)
            self._pruned = self.store.get_meta(PRUNED)  # before the log: a prune after it is seen
            engine = self._engine = new_engine(self.cfg, _journalled)
            self._journal = engine.index if isinstance(engine.index, _Journal) else None
            self._seen = 0
            end = self._fetched or self._now or datetime.now(UTC)  # the window ends at the fetch
            self._engine_since = end  # its day counts from here (``Clustering._renew_engine``)
            self._catch_up(since=restore_since(self.cfg, end))
        return self._engine

    def _catch_up(self, *, since: datetime | None = None) -> int:
        """Replay what the log holds after ``_seen``; how many entries."""
        engine = self._engine
        assert engine is not None
        entries = self.log.log_after(self._seen, since=since)
        remade: dict[str, bytes] = {}  # fingerprints of another format, made again
        for e in entries:
            if e.article is not None:
                restore_row(engine, e.article, remade, self.store)
            elif e.moved is not None and e.keep is not None:
                engine.replay_move(e.moved, e.keep)
            elif e.keep is not None and e.drop is not None:
                engine.replay_merge(e.keep, e.drop)
            self._seen = e.seq
        if remade:
            self.store.save_fingerprints(remade)
        return len(entries)

    @contextmanager
    def clustering(self, src: SourceConfig) -> Iterator[Engine]:
        """Wait for the run's turn, lock, catch up, yield the engine; pass the turn on commit."""
        pos = self.position[src.name]
        self._wait_turn(pos)
        try:
            with self.unit():
                self.log.cluster_lock()
                if self._engine is not None and self.store.get_meta(PRUNED) != self._pruned:
                    log.debug("a prune removed stories: the engine is rebuilt from the log")
                    self._engine = None  # it holds pruned stories: a late version would revive one
                fresh = self._engine is None
                engine = self.engine
                if not fresh:
                    self._catch_up()
                if self._journal is not None:
                    self._journal.added.clear()
                before = self._stored
                yield engine
                if self._stored != before:  # a plain App on this store rebuilds its engine
                    self._mark_clustered()
                if self.run_name:
                    self.log.set_turn(self.run_name, pos + 1)
                self._seen = self.log.log_head()  # our own writes: nothing to replay
            self._passed.add(src.name)
        except BaseException:
            if self._journal is not None:
                self._journal.undo()
            self._engine = None
            raise

    # -- turns -------------------------------------------------------------------
    def _wait_turn(self, pos: int) -> None:
        if not self.run_name:
            return
        last, since = -1, time.monotonic()
        while True:
            turn = self.log.get_turn(self.run_name, self.sources_id)
            if turn.next >= pos:
                return
            if turn.next != last:
                last, since = turn.next, time.monotonic()
            elif time.monotonic() - since > self.stall:
                log.warning("run %s: position %d has not clustered for %.0f s; going on without it",
                            self.run_name, turn.next, self.stall)
                return
            time.sleep(self.poll_every)

    def _pass_turn(self, src: SourceConfig) -> None:
        """Move the turn past a source that clustered nothing (no news, or it failed)."""
        if not self.run_name or src.name in self._passed:
            return
        pos = self.position[src.name]
        self._wait_turn(pos)
        with self.store.transaction():
            self.log.cluster_lock()
            self.log.set_turn(self.run_name, pos + 1)
        self._passed.add(src.name)

    # -- run -----------------------------------------------------------------------
    def poll(self, src: SourceConfig, report: RunReport, *, now: datetime | None = None) -> None:
        try:
            super().poll(src, report, now=now)
        finally:
            self._pass_turn(src)

    def run(self, *, progress: bool = False, now: datetime | None = None) -> RunReport:
        """Read this worker's sources once (in turn with the run's other workers)."""
        self._now = now
        self._passed.clear()
        return super().run(progress=progress, now=now)


def run_worker(
    cfg: Config,
    store: Store,
    *,
    index: int,
    of: int,
    run: str | None = None,
    now: datetime | None = None,
    stall: float = 300.0,
) -> RunReport:
    """One pass of worker ``index`` of ``of`` over its sources; the store stays open."""
    app = WorkerApp(cfg, store, index=index, of=of, run=run, stall=stall)
    return app.run(now=now)


def slot_run(every: float, now: float, prefix: str = "slot-") -> tuple[str, float]:
    """The run name of the time slot holding ``now`` (epoch s), and when the next slot starts.

    Workers on machines with synchronized clocks name the same slot the same,
    so ``--every`` loops pair up without talking to each other.
    """
    start = int(now // every * every)
    stamp = datetime.fromtimestamp(start, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{prefix}{stamp}", start + every


def loop_worker(
    cfg: Config,
    store: Store,
    *,
    index: int,
    of: int,
    every_minutes: float,
    stall: float = 300.0,
    rounds: int | None = None,
) -> None:
    """Run a pass in every time slot of ``every_minutes``, named by the slot (:func:`slot_run`)."""
    every = every_minutes * 60.0
    app = WorkerApp(cfg, store, index=index, of=of, stall=min(stall, every / 2))
    done = 0
    while rounds is None or done < rounds:
        app.run_name, next_start = slot_run(every, time.time())
        try:
            report = app.run()
        except IndexUnavailable as exc:  # Redis down or emptied: the next pass tries (and refills) it
            log.error("worker %d/%d, %s: %s", index, of, app.run_name, exc)
        else:
            for line in report.waiting:  # its server asked to wait: not asked, no failure
                log.info("%s", line)
            for err in report.errors:  # App.run leaves reporting to its caller: one line each
                log.warning("%s", err)
            log.info("worker %d/%d, %s: %s", index, of, app.run_name, report.summary())
        done += 1
        if rounds is not None and done >= rounds:
            break
        time.sleep(max(0.0, next_start - time.time()))
