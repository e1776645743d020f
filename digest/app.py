"""The pipeline: retrieve -> parse -> prepare -> dedupe -> store -> digest.

How it works
------------
``App`` (opened with :func:`open_app`) holds the configuration, the store and
an in-memory :class:`~digest.dedup.engine.Engine` rebuilt from the fingerprints
stored for the last two dedup windows (``digest.engines``: made again only when
stored in another format).  ``App.run`` reads every enabled source; each source
is one unit of work: its new articles and their story assignments are written
in one store transaction, so a crash or kill leaves whole sources or nothing,
and one failing source is reported in one line while the others go on.  The
source's fetch state is saved after that transaction (the daemon's poll saves
it inside): a kill between the two fetches the source again, and what it had
stored is known by its keys.

Special cases
-------------
* A 304 (not modified) costs no parsing.  A 301/308 updates the stored URL;
  410 pauses the source.
* ``App.run`` fetches the URL sources of each group of
  ``8 * fetch.concurrency`` concurrently (``digest.sources.prefetch``,
  bounded per host) before reading them in order: a run waits for its slow
  feeds side by side, not one after the other; the results are the same.
* An article already stored (same identity key) is skipped before any
  cleaning or fingerprinting, unless its content changed (a hash of the
  entry as read): an entry updated in place is then read as a revision of
  its article, when the change is news (``digest.revisions``).  Identity is scoped to the source
  (``digest.text.identity``); an article a source stored before issue #21
  under its old link key (shared by all sources) is known by that key too,
  for that source only: a store written before the change is not read
  again as new.
* Dates: a missing or implausible date falls back to the fetch time.
* A long-running process rebuilds its engine from the store once a day
  (``digest.service.clustering.ENGINE_RENEW``), so what it holds stays the dedup
  window, not every article it ever read.

Several processes on one store: ``digest.service.clustering`` (the engine is rebuilt
when another process clustered since) and ``digest.runlock`` (one process
polls at a time).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .articles import (
    PollDocs,
    article_key_of,
    as_stored,
    doc_of,
    keyed_by_text_before,
    rekeyed,
    stored_keys,
    under_former_names,
)
from .config import Config, SourceConfig, load_config
from .errors import ConfigError, DigestError, FetchError, IndexUnavailable, SourceError
from .output.days import stamp_open
from .output.progress import Progress
from .records import DigestView, Entry, FetchResult
from .revisions import content_hash, edited_before, polled
from .runlock import RUN_WAIT, holding_run_lock
from .runreport import RunReport
from .service.clustering import Clustering
from .sources import states
from .sources.prefetch import prefetch
from .sources.retrieve import note_unread, own_note, retrieve
from .sources.tracking import SourceTracker, all_timed_out, asked_to_wait, slowed, slowed_lines
from .store.base import NewArticle, SourceState, Store, open_store
from .store.marks import CLUSTERED, new_mark
from .text.prepare import bodies_of, prepare

log = logging.getLogger(__name__)


class App(Clustering):
    """The library facade: one configuration, one store, one dedup engine (``digest.service.clustering``)."""

    #: Processes extracting a source's whole pages (None: all cores; 1: in-process).
    extract_workers: int | None = None

    def __init__(self, cfg: Config, store: Store) -> None:
        super().__init__(cfg, store)
        #: Fetch outcomes of the sources about to be polled (``App.run``), by name.
        self._prefetched: dict[str, FetchResult | FetchError] = {}
        #: What a poll's outcome does to the source's state (the daemon's also schedules).
        self.tracker = SourceTracker(cfg)
        #: The configuration the renamed sources were read for, and each source's former names.
        self._renames: tuple[Config, dict[str, list[str]]] | None = None
        #: Which source reads each feed (a run's, kept up to date as it reads).
        self._owners: states.FeedOwners | None = None

    # -- lifecycle -------------------------------------------------------
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def polling(self, *, wait: float = RUN_WAIT) -> AbstractContextManager[None]:
        """Hold the store's ``run`` lock for a pass over the sources (``digest run``), waiting at
        most ``wait`` seconds for another process's pass (``digest.runlock``)."""
        return holding_run_lock(self.store, wait)

    # -- run -------------------------------------------------------------
    def run(self, *, progress: bool = False, now: datetime | None = None) -> RunReport:
        """Read every enabled source once; store and dedupe what is new."""
        t0 = time.monotonic()
        report = RunReport()
        now = now or self.cfg.clock  # the examples are read on their own day
        sources = [s for s in self.cfg.sources if s.enabled]
        self.store.sync_sources([(s.name, s.url or str(s.path)) for s in sources])
        self._owners = states.FeedOwners(self.cfg, self.store.list_source_states())
        bar = Progress(len(sources)) if progress else None
        group = 8 * self.cfg.fetch.concurrency
        # beside a running daemon its schedule stays (``digest status`` reads it; the daemon
        # does not read again at its next tick what this run just read)
        self.tracker.keeps_schedule = self.store.lock_held("daemon")
        try:
            for i, src in enumerate(sources):
                if i % group == 0:
                    self._prefetched = prefetch(self.store, self.cfg, sources[i : i + group], now)
                    self.tracker.slows = not all_timed_out(self._prefetched)  # the network's: no feed slowed
                report.sources += 1
                try:
                    self.poll(src, report, now=now)
                except SourceError as exc:  # the caller reports each error once (the CLI: one line)
                    self.stop_if_store_failed(exc)
                    report.errors.append(exc)
                    log.debug("%s", exc)
                except Exception as exc:  # one broken source never stops the others
                    self.stop_if_store_failed(exc)
                    err = SourceError(src.name, f"internal error: {type(exc).__name__}: {exc}", kind="internal")
                    log.debug("%s", err, exc_info=True)
                    report.errors.append(err)
                if bar:
                    bar.step(src.name)
        finally:
            self._prefetched.clear()
            self.tracker.slows = True
            self.tracker.keeps_schedule = False
        if bar:
            bar.done()
        # the feeds passed over as they time out: one line for several (a cron mail's line each)
        report.waiting.extend(slowed_lines(report.slowed, now or datetime.now(UTC), self.cfg.tz))
        report.seconds = time.monotonic() - t0
        return report

    def stop_if_store_failed(self, exc: BaseException) -> None:
        """Raise StoreDamaged, StoreFull or StoreUnwritable when ``exc`` came of a damaged store
        file, a full disk or a store that cannot be written now (read-only, held by another
        process), StoreLost when the connection to PostgreSQL is gone, and IndexUnavailable as
        it is (the Redis index cannot be reached): every source would fail alike, each blamed
        for it (and paused in the end)."""
        from .store.sqlite import store_failure

        if isinstance(exc, IndexUnavailable):  # Redis: every source would fail alike
            raise exc
        lost = getattr(self.store, "lost", None)  # PostgreSQL: the connection is gone
        if lost is not None and (failure := lost()) is not None:
            raise failure from exc
        failure = store_failure(exc, str(getattr(self.store, "path", self.store.url)))
        if failure is not None:
            raise failure from exc

    def poll(self, src: SourceConfig, report: RunReport, *, now: datetime | None = None) -> None:
        """Read one source and ingest its new articles (one transaction).

        The source's fetch state is saved after its articles, as ``tracker``
        records the outcome (``digest.sources.tracking``): success resets the
        failure count; a failure is counted, and 410 Gone pauses it.
        A source whose server asked to wait (``Retry-After``) until after ``now`` is
        not asked: one line in ``report.waiting``, its state left as it is.

        What the read learnt (validators, permanent URL) goes into a copy of the
        stored state, saved only on success; a failure is recorded on the state
        as stored, as the daemon's round does.  Validators of a body that did not
        parse would make the server's next answer a 304, counted as a success.
        """
        fetched = now or datetime.now(UTC)
        location = src.url or str(src.path)
        stored = self.store.get_source_state(src.name) or SourceState(src.name, location)
        if stored.paused and not self.tracker.retries(stored, fetched):
            raise SourceError(src.name, f"paused: {stored.paused_reason}", kind="paused")
        if (waiting := asked_to_wait(stored, fetched, self.cfg.tz)) is not None:
            report.waiting.append(waiting)  # the server's own request: no failure (the daemon's are not due)
            return
        if slowed(stored, fetched):  # it timed out run after run: each run waited its read timeout
            report.slowed.append((stored.name, stored.failures, stored.next_poll_at or fetched))
            return
        state = dataclasses.replace(stored)
        state.last_fetch_at = fetched
        try:
            entries, errors = retrieve(
                src, self.cfg, state, fetched=fetched, report=report,
                prefetched=self._prefetched.pop(src.name, None),
            )
            # (a poll outside a run, the daemon's of a local path: a table of its own)
            self._owners = states.owners_for(self._owners, self.cfg, self.store)
            entries = self._owners.read(src, state, entries)
            report.entries += len(entries)
            self.ingest(src, entries, fetched=fetched, report=report)
        except SourceError as exc:
            self.tracker.failed(src, stored, exc, fetched)
            self.store.save_source_state(stored)
            raise
        except Exception as exc:  # the source's batch was rolled back: a failed read, counted
            self.stop_if_store_failed(exc)  # unless the store failed: no source is to blame
            err = SourceError(src.name, f"internal error: {type(exc).__name__}: {exc}", kind="internal")
            log.debug("%s", err, exc_info=True)
            self.tracker.failed(src, stored, err, fetched)
            self.store.save_source_state(stored)
            raise err from exc
        state.note = own_note(state.note)  # the read's own note, as the tracker compares it
        self.tracker.succeeded(src, state, fetched, note=entries.note)
        said = note_unread(state, stored.note, errors)  # a folder's files not read: said once
        self.store.save_source_state(state)
        if not said:
            report.errors.extend(errors)
            report.unread_files += len(errors)

    def former_names(self, name: str) -> list[str]:
        """The names source ``name`` had before, its feed kept (``states.renamed_sources``: the
        stored state of a name no source has now, on the feed ``name`` reads), read once for a
        configuration: a name no source has cannot come back while it is the one read."""
        if self._renames is None or self._renames[0] is not self.cfg:
            former: dict[str, list[str]] = {}
            for old, new in sorted(states.renamed_sources(self.store, self.cfg).items()):
                former.setdefault(new, []).append(old)
            self._renames = (self.cfg, former)
        return self._renames[1].get(name, [])

    def ingest(self, src: SourceConfig, entries: list[Entry], *, fetched: datetime, report: RunReport,
               backfill: bool = False) -> None:
        """Prepare, dedupe and store a source's entries in one transaction.

        The store gets the engine's decisions at the end, in one ``add_articles``
        (each article with its moves, one write per touched story): the rows the
        per-article writes would leave.  ``backfill`` (``digest replay``): ``fetched`` is an
        archive's arrival, kept in its own day though that day was sealed (mailed) since.
        """
        entries = under_former_names(self.store, self.former_names(src.name), entries)
        keys, held = as_stored(self.store, [(e, article_key_of(e)) for e in entries])  # a link or URL id as spelt before
        known = stored_keys(self.store, src.name, keys, held)
        fresh = [e for e, k in keys if not k or k not in known]
        # a known entry whose content changed is read again, as a revision (digest.revisions)
        poll = polled(self.store, [(e, k) for e, k in keys if k and k in known], fetched)
        hashes = [content_hash(e) for e in fresh]
        todo = fresh + poll.entries
        if not todo:
            return poll.record(self.store)
        if src.full_text:  # new or changed entries only: a page is fetched once per version
            from .sources.fulltext import with_full_text

            todo, _pages = with_full_text(todo, self.cfg.fetch, source=src.name, origin=src.url or "",
                                          workers=self.extract_workers)
        bodies = bodies_of(todo, workers=self.extract_workers)  # whole pages across cores
        source_lines = poll.source_lines(bodies, workers=self.extract_workers)
        # cleaning is the costly part and needs no engine: done before the (possibly shared) lock
        articles = poll.read([
            prepare(entry, priority=src.priority, fetched=fetched, source_lines=source_lines, body=body)
            for entry, body in zip(todo, bodies, strict=True)
        ], hashes)  # the new entries with their hash, and the changed ones that are revisions
        # keys known only after cleaning (no entry id, no http link: local files, bare
        # entries): stored ones are dropped here, so a source with nothing new never
        # needs the engine (rebuilt from the whole window in a new process)
        stored = self.store.has_articles([k for a in articles if a is not None for k in (a.key, *a.aliases)])
        ready = [a for a in articles if a is not None and stored.isdisjoint((a.key, *a.aliases))]
        ready = keyed_by_text_before(self.store, self.former_names(src.name), ready)
        moves = rekeyed(articles, stored)  # an older digest's text keys: known before cleaning next time
        edits, ready = edited_before(self.store, src.name, ready)  # and its files edited since
        moves |= edits
        if moves:
            with self.unit():
                self.store.rekey_articles(moves)
                self.store.set_meta(CLUSTERED, new_mark())  # an engine holding the old keys is rebuilt
        if not ready:
            return poll.record(self.store)
        self._fetched = fetched
        self._renew_engine(fetched)
        with self.clustering(src) as engine:
            if not backfill:  # a seal since: the next day's
                fetched = stamp_open(self.store, self.cfg, fetched, ready)
            poll.record(self.store)  # with the revisions: a kill leaves both or neither
            # a copy earlier in the batch, or a worker's stored since the check above
            taken = self.store.has_articles([a.key for a in ready])
            items: list[NewArticle] = []
            started = 0  # stories the engine started
            saves: dict[str, tuple[str, dict[str, tuple[float, dict[str, Any]]]]] = {}
            docs = PollDocs(self.store)  # a notice's report: stored, or read before it in the poll
            engine.expect(doc_of(a) for a in ready)  # a source's own words, known from its whole poll
            for article in docs.order(ready):
                if article.key in taken:
                    continue
                taken.add(article.key)
                doc = docs.doc(article)
                if doc.notice and doc.revises and doc.revises not in engine:  # an old report's takedown
                    from .engines import recall_entry

                    recall_entry(engine, self.store, doc.revises)
                fp = engine.fingerprint(doc)
                a = engine.add(doc, fp)
                docs.added(article, doc, a.story_id)
                items.append(NewArticle(article, fp.to_bytes(), a.story_id, moves=a.moved))
                for sid in a.merged:  # gone: its articles moved out, its row goes with the last one
                    saves.pop(sid, None)
                for sid in a.touched:
                    saves[sid] = self._story_save(sid)
                started += int(a.new_story)
            if not items:
                return
            self.store.add_articles(
                items,
                leads={sid: lead for sid, (lead, _) in saves.items()},
                scores={sid: scores for sid, (_, scores) in saves.items()},
                first_seen=fetched,
            )
            self._stored += len(items)
        # counted once stored: a batch that failed (and was rolled back) added nothing
        report.count_new(fetched, len(items), sum(1 for i in items if i.article.revision_of))
        report.new_stories += started

    def _story_save(self, story_id: str) -> tuple[str, dict[str, tuple[float, dict[str, Any]]]]:
        """The story's lead and scores now: read as an article touches it, not when the batch
        is written (scores follow the idf, which every later article moves)."""
        engine = self.engine
        scores = engine.scores(story_id)
        return engine.lead(story_id), {k: (v.score, v.as_dict()) for k, v in scores.items()}

    # -- digest ----------------------------------------------------------
    def today(self) -> date:
        """Today in the configured time zone (by ``clock`` when it is set); where the zone
        changed since a day was written, the day whose calendar day holds now
        (``days.frame_day``)."""
        from .output.days import frame_day

        return frame_day(self.store, self.cfg, self.cfg.now())

    def build_view(self, day: date | None = None, *, digest: str | None = None) -> DigestView:
        """The digest of ``day`` (default: today): the single daily digest, or the one named
        ``digest`` of ``digests:`` (its sections and rules; a weekly one covers the week
        ending with ``day``)."""
        from .output.digests import digest_view, plan_named

        try:
            plan = plan_named(self.cfg, digest)
        except KeyError as exc:
            raise DigestError(str(exc.args[0])) from None
        return digest_view(self.store, self.cfg, day or self.today(), plan)

    def render(self, *, day: date | None = None, fmt: str = "html", digest: str | None = None) -> str:
        from .output.publish import render_view

        return render_view(self.cfg, self.build_view(day, digest=digest), fmt)

    def write_digest(
        self,
        *,
        day: date | None = None,
        formats: tuple[str, ...] = ("md", "html"),
        path: Path | None = None,
        view: DigestView | None = None,
        digest: str | None = None,
        now: datetime | None = None,
    ) -> list[Path]:
        """Write the day's digest files (atomically); return their paths.  ``view``: the day's
        view when the caller built it already.  ``digest``: one of ``digests:`` (files under
        ``output_dir/NAME/``); a daily digest's are recorded for the archive (its index lists the
        days digests were built for), built at ``now`` (the caller's clock, the one it seals
        days by; default ``Config.now``); a weekly one's are not (its day is a week's)."""
        from .output.digests import plan_named
        from .output.publish import write_files

        day = day or self.today()
        if view is None or view.date != day.isoformat() or view.name != digest:
            view = self.build_view(day, digest=digest)
        # the caller's clock (a replay's day end, the daemon's), else now: the files say the time
        # they are recorded as built at, which the archive's page of the day says too
        at = now or self.cfg.now()
        view.generated = at
        plan = plan_named(self.cfg, digest)
        return write_files(self.cfg, self.store, view, day, plan, formats, path=path, built_at=at)

    def write_digests(
        self, *, day: date | None = None, formats: tuple[str, ...] = ("md", "html"), view: DigestView | None = None,
    ) -> list[Path]:
        """Write every daily digest's files for the day (``digests:``; without it the single
        daily digest): what ``digest run`` writes.  ``view``: one of them the caller built
        already (``digest run``'s, for its summary: built again, a huge day's took seconds more)."""
        from .output.digests import plans

        names = [p.name for p in plans(self.cfg) if p.every == "day"]
        return [path for name in names for path in self.write_digest(day=day, formats=formats, digest=name, view=view)]

    # -- explain (``digest.explain``) ------------------------------------
    def explain_story(self, story_id: str) -> dict[str, Any]:
        """Each version of a story with its completeness score and why the lead won, and
        the rule that mutes or boosts it in each digest."""
        from . import explain

        return explain.story(self.store, story_id, self.cfg)

    def explain_pair(self, a: str, b: str) -> dict[str, Any]:
        """Similarity of two stored articles at each stage, and the decision, with the engine
        as it was rebuilt when the later of them arrived: the window of the clock now holds
        neither of two articles of a replayed year (or of last spring), which were compared.
        Two of a new source's backlog (pages of 2019 read today) are compared among the
        articles dated around them (``engines.engine_of_pair``)."""
        from . import explain
        from .engines import engine_of_pair

        pair = explain.article(self.store, a), explain.article(self.store, b)
        return explain.pair(engine_of_pair(self.cfg, self.store, *pair), *pair)

    def source_states(self) -> list[str]:
        """One line per source (``digest sources``): ``digest.sources.states.source_lines``."""
        return states.source_lines(self.store, self.cfg)

    def resume_source(self, name: str, *, now: datetime | None = None) -> tuple[bool, SourceState]:
        """Unpause a paused source, due at once (``digest.sources.states.resume``): whether it
        was paused, and its state."""
        return states.resume(self.store, name, now)


@contextmanager
def open_app(config_path: str | Path) -> Iterator[App]:
    """Load the configuration, open the store, and yield an :class:`App`."""
    cfg = load_config(config_path)
    if cfg.missing_paths and _never_made(cfg.database_url):  # nothing read yet: each is a typo,
        raise ConfigError("\n".join(line for _, line in cfg.missing_paths))  # and no store is made
    store = open_store(cfg.database_url)
    if cfg.missing_paths:  # a path never read is a typo; one read before, a drive not mounted
        paths = {s.name: str(s.path) for s in cfg.sources}
        read = {n for n, _ in cfg.missing_paths if (st := store.get_source_state(n)) is not None
                and st.last_ok_at is not None and st.location == paths.get(n)}
        typos = [line for n, line in cfg.missing_paths if n not in read]
        if typos:
            store.close()
            raise ConfigError("\n".join(typos))
    app = App(cfg, store)
    try:
        yield app
    except Exception as exc:  # a damaged store met by any command: its one line, not a traceback
        app.stop_if_store_failed(exc)
        raise
    finally:
        app.close()


def _never_made(url: str) -> bool:
    """Whether the SQLite store at ``url`` was never made (its file absent): a first ``digest run``
    with a ``path:`` typo said "new store" before the typo's line, and left the store behind."""
    from .store.sqlite import path_of

    return url.lower().startswith("sqlite") and not path_of(url).exists()
