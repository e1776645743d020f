"""One poll round of ``digest daemon``: every due source read, each stored in its own transaction.

Observations
------------
* Fetching is network-bound and benefits from concurrency; SQLite connections
  belong to one thread.  So the URL sources are fetched together and then
  parsed and ingested one by one in the thread that owns the
  :class:`~digest.app.App`.
* A round may be cut short (a stop, a kill): the longest overdue sources go
  first, so the same sources are never starved.

How it works
------------
A round takes every due source (``next_poll_at`` passed, not paused unless its
retry is due, no ``Retry-After`` pending), fetches the URL sources concurrently
with :func:`digest.sources.fetch.fetch_many` (bounded, polite per host), then
parses and ingests each source in its own transaction: its new articles and
its fetch state (validators, next poll time) together.  Local paths are read in
turn.  The next poll time comes from :mod:`digest.service.polling` (interval,
capped exponential backoff, the server's max-age and Retry-After, jitter).

Special cases
-------------
* A round with sources due holds the store's ``run`` lock: while a
  ``digest run`` holds it the round is skipped, with one line, and its
  sources stay due.
* A stop during the fetch stores nothing of it; a stop between sources lets
  the source being ingested finish its transaction.
* Many sources failing for one reason (the network down), or reading again, in a round are
  said in one line, each source's own at DEBUG (``digest.sources.alike``).  The round's
  "poll: N new articles (...)" line names the first few sources that found something, the
  most first, and how many more (``alike.names``); the whole list at DEBUG.
* An error that every source would meet alike (the store is gone, the disk
  is full, the store read-only or held by another process past its timeout)
  stops the round with one line and blames no source; the daemon goes on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ..config import Config, SourceConfig
from ..errors import NO_SOURCE_TO_BLAME, FetchError, SourceError, StoreLost
from ..records import Entries, plural
from ..sources.alike import RoundLines, names
from ..sources.params import ALIKE_NAMED
from ..sources.states import FeedOwners, owners_for
from ..sources.tracking import asked_last
from ..store.base import SourceState
from .polling import is_due, overdue_key
from .stopping import StopFlag, fetch_until_stopped

if TYPE_CHECKING:
    from ..app import App, RunReport
    from ..records import FetchResult

log = logging.getLogger("digest.service.daemon")  # the daemon's log lines keep one logger name


def _round_stopped(exc: Exception) -> None:
    """Say that ``exc``, which every source would meet alike, stopped the round."""
    log.error("poll: %s (the round stops; its sources stay due)", exc)


class PollRound:
    """The daemon's polling (see module docstring), in the thread that owns ``app``."""

    def __init__(self, app: App, clock: Callable[[], datetime], stop: StopFlag) -> None:
        self.app = app
        self.clock = clock
        self.stop = stop
        #: The sources that gave new articles this round, and how many (the round's log line).
        self._found: list[tuple[str, int]] = []
        #: A round was skipped because another process held the ``run`` lock (logged once).
        self._waiting = False
        #: Which source reads each feed (the round's, kept up to date as it reads).
        self._owners: FeedOwners | None = None

    @property
    def cfg(self) -> Config:
        return self.app.cfg

    def poll_due(self) -> RunReport:
        """One poll round over every due source; returns what it did.

        A round with sources due holds the store's ``run`` lock (``digest.runlock.RUN_LOCK``):
        while a ``digest run`` holds it the round is skipped, with one line, and its
        sources stay due for the next round.
        """
        from ..app import RunReport
        from ..runlock import RUN_LOCK

        store = self.app.store
        if not self._due(self.clock())[1]:
            return RunReport()  # nothing due: no lock taken
        try:
            taken = store.acquire_lock(RUN_LOCK)
        except NO_SOURCE_TO_BLAME as exc:  # the store's folder read-only: as in the round
            _round_stopped(exc)
            return RunReport()
        if not taken:
            if not self._waiting:
                log.info("poll: another digest process (pid %s) is reading the sources; "
                         "polling again when it is done", store.lock_holder(RUN_LOCK))
            self._waiting = True
            return RunReport()
        self._waiting = False
        tracker = self.app.tracker
        tracker.lines = RoundLines()  # many sources failing (or back) alike: one line, not one each
        try:
            return self._poll_round()
        finally:
            lines, tracker.lines = tracker.lines, None
            lines.say(logging.getLogger("digest.daemon"), logging.getLogger("digest.sources.tracking"))
            store.release_lock(RUN_LOCK)

    def _poll_round(self) -> RunReport:
        from ..app import RunReport
        from ..sources.fetch import FetchRequest

        t0, now = time.monotonic(), self.clock()
        report = RunReport()
        states, due = self._due(now)  # again, under the lock: a run may have polled them meanwhile
        if not due:
            return report
        self._found = []
        self._owners = FeedOwners(self.cfg, states.values())
        log.debug("poll: %s due", plural(len(due), "source"))
        urls = [s for s in due if s.url is not None]
        st = {s.name: states.get(s.name) or SourceState(s.name, s.url or str(s.path)) for s in due}
        requests = [
            FetchRequest(st[s.name].permanent_url or s.url or "", st[s.name].etag, st[s.name].last_modified, s.name)
            for s in urls
        ]
        results = asyncio.run(fetch_until_stopped(requests, self.cfg, self.stop)) if requests else []
        if results is None:
            return report  # stopping: nothing fetched is stored; the sources stay due
        fetched = self.clock()
        try:
            for src, res in zip(urls, results, strict=True):
                if self.stop.requested:
                    return report
                self._source(src, st[src.name], res, fetched, report)
            for src in (s for s in due if s.path is not None):
                if self.stop.requested:
                    return report
                self._source(src, st[src.name], None, self.clock(), report)
        except NO_SOURCE_TO_BLAME as exc:  # every source would fail alike: none is blamed
            if isinstance(exc, StoreLost):  # the daemon says it and connects again (Daemon._guarded)
                raise
            _round_stopped(exc)
            return report
        report.sources = len(due)
        report.seconds = time.monotonic() - t0
        # the sources that found the most first (a stable sort: the round's order among equals)
        found = [f"{name} {n}" for name, n in sorted(self._found, key=lambda f: -f[1])]
        if found:  # one line a round that found something; a quiet round only with --verbose
            # the first few names and how many more: after an outage 200 feeds were one line of 200
            log.info("poll: %s (%s); %s", plural(report.new_articles, "new article"), names(found), report.summary())
            if len(found) > ALIKE_NAMED:
                log.debug("poll: new articles from %s", ", ".join(found))
        else:
            log.debug("poll: %s", report.summary())
        return report

    def _due(self, now: datetime) -> tuple[dict[str, SourceState], list[SourceConfig]]:
        """The sources' stored states, and the sources due at ``now``, the longest overdue first."""
        states = {s.name: s for s in self.app.store.list_source_states()}
        retry = self.cfg.schedule.paused_retry_hours > 0
        due = [s for s in self.cfg.sources if s.enabled and is_due(states.get(s.name), now, retry_paused=retry)]
        # the longest overdue first: a round cut short (stop, kill) never starves the same sources;
        # but a source whose server said 429 last after the others, those it held among them
        # (asked_last: else they were held again, round after round)
        due.sort(key=lambda s: (asked_last(states.get(s.name)), overdue_key(states.get(s.name))))
        return states, due

    def _source(
        self,
        src: SourceConfig,
        state: SourceState,
        res: FetchResult | FetchError | None,
        fetched: datetime,
        report: RunReport,
    ) -> None:
        before, failed_files = report.new_articles, len(report.errors)
        try:
            if res is None:
                self.app.poll(src, report, now=fetched)  # a local path: the pipeline reads it
                for err in report.errors[failed_files:]:  # a folder's unreadable files
                    log.warning("%s", err)
            else:
                self._ingest(src, state, res, fetched, report)
        except SourceError as exc:
            report.errors.append(exc)
            if res is not None:
                self._failed(src, state, exc, fetched)
            elif exc.kind == "paused":  # paused since the round began: App.poll read nothing
                log.warning("%s", exc)
            # else App.poll recorded (and the tracker logged) the failure already
            return
        except Exception as exc:  # one broken source never stops the others
            self.app.stop_if_store_failed(exc)  # a damaged store, a full disk: the round stops
            err = SourceError(src.name, f"internal error: {type(exc).__name__}: {exc}", kind="internal")
            log.exception("%s", err)
            report.errors.append(err)
            self._failed(src, state, err, fetched, logged=True)
            return
        n = report.new_articles - before
        log.debug("%s: %s", src.name, plural(n, "new article", no=True))
        if n:
            self._found.append((src.name, n))

    def _ingest(
        self, src: SourceConfig, state: SourceState, res: FetchResult | FetchError, fetched: datetime, report: RunReport
    ) -> None:
        from ..sources.discover import empty_note, read_feed
        from ..sources.retrieve import follow, own_note

        if isinstance(res, FetchError):
            raise res
        state = dataclasses.replace(state)  # the caller's copy stays as stored, for _failed
        state.last_fetch_at = fetched
        state.etag, state.last_modified = res.etag, res.last_modified
        follow(src, state, res.permanent_url)
        entries = Entries()
        if res.not_modified or res.content is None:
            report.not_modified += 1
        else:
            entries, feed = read_feed(res, source=src.name, config=self.cfg.fetch, fetched=fetched,
                                      read_before=state.last_ok_at is not None)
            empty_note(entries, own_note(state.note))
            if feed is not None:  # a page that links its feed: polled directly from now on
                follow(src, state, feed.permanent_url or feed.url, page=True)
                state.etag, state.last_modified = feed.etag, feed.last_modified
                res = feed  # its Cache-Control, not the page's
        self._owners = owners_for(self._owners, self.cfg, self.app.store)
        entries = self._owners.read(src, state, entries)
        report.entries += len(entries)
        # the server's Cache-Control/Expires and the feed's own <ttl>: the longer one wins
        hints = [h for h in (res.max_age, entries.ttl) if h is not None]
        # one transaction: the articles and the validators that say we have them
        with self.app.unit():
            self.app.ingest(src, entries, fetched=fetched, report=report)
            # a success once stored (an ingest that fails is a failure, not a recovery)
            self.app.tracker.succeeded(src, state, fetched, max(hints) if hints else None, note=entries.note)
            self.app.store.save_source_state(state)

    def _failed(
        self, src: SourceConfig, state: SourceState, exc: SourceError, now: datetime, *, logged: bool = False
    ) -> None:
        """Record a failure the pipeline did not (a fetch, a feed that does not parse, an
        internal error) in the state as it was stored."""
        self.app.tracker.failed(src, state, exc, now, logged=logged)
        self.app.store.save_source_state(state)
