"""How long the store keeps what it read: ``keep_days`` and ``digest prune``.

Observations
------------
* Nothing left the store: 0.75 MB a day at 100 articles a day (the stop 37 review's
  year: 270 MB), about 4.5 MB a day at 600.  A user could not free any of it without
  writing SQL against the store's invariants.
* What must stay: every article the engine's rebuild reads (two dedup windows), or a
  story open now would start again as new; every version of each story a kept day
  shows (its lead, "what's new" and "also reported since" read the earlier versions);
  and the keys of what was read, or a feed that lists an entry for years makes it new
  again.

How it works
------------
* :func:`prune` keeps ``keep_days`` days, today (the configured time zone) included: the
  first day kept is ``today - (keep_days - 1)``, and what arrived before that day's digest
  window began is old.  The stories whose every version is old (arrived, and dated, before
  it) go whole, ``BATCH`` stories a transaction (``digest.store.prune``), their keys kept;
  then the digests of the days before the first kept, so the archive no longer lists them,
  and that day is noted (``meta`` ``kept_from``: the archive shows no day before it).
* ``keep_days`` below :func:`digest.config.model.least_keep_days` (two windows and
  ``KEEP_MARGIN``: 63 days for the default 30-day window) is refused in the configuration,
  and on the command line.

Special cases
-------------
* ``dry_run``: what would go, nothing removed.
* ``digest build`` or ``send --date`` of a day before the first kept is refused
  (:func:`check_kept`): its files would be replaced by what is left of it.
* A PostgreSQL store is pruned alike (``digest.store.prune_pg``), each batch under the
  clustering lock: its shared log loses the removed articles, their moves and the merges
  into the removed stories, so a worker catching up meets none of them.
* Engines built before a prune are rebuilt: each batch writes the ``meta`` marks
  ``clustered`` and ``pruned`` (``digest.store.marks``), which a daemon's, a ``digest run``'s
  and a worker's engine are checked against before they cluster.  A daemon's engine built
  before a prune (another process's, or its own) clustered a late version of a pruned story
  into it, and the story came back under its old id.
* The first day kept is noted before anything is removed, so a kill between two batches
  leaves the kept days whole and no day of the archive half pruned; the next prune goes on.
  The file keeps its size: SQLite reuses the freed pages (PostgreSQL: after its autovacuum).
"""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .config import Config
from .config.model import KEEP_MARGIN, least_keep_days
from .errors import DigestError
from .output.days import day_window
from .records import plural
from .store.base import Store

log = logging.getLogger(__name__)

#: The meta key of the first day kept whole: the archive has no day before it (a story still
#: developing keeps its older versions, which alone would make a partial page of their day).
KEPT_FROM = "kept_from"
#: Stories removed in one transaction: each batch holds the store's write lock briefly (a
#: daemon's poll round waits for it), and a kill loses at most the batch under way.
BATCH = 500


@dataclass(slots=True)
class PruneReport:
    first_kept: date
    stories: int = 0
    articles: int = 0
    days: int = 0
    dry_run: bool = False
    #: Seconds each batch's transaction took, start to commit: the store's write lock held
    #: (SQLite's, PostgreSQL's clustering lock), with any wait for it.
    held: list[float] = field(default_factory=list)

    def summary(self) -> str:
        """One line: what went (or would go), and from which day the store keeps everything."""
        verb = "would remove" if self.dry_run else "removed"
        if not self.stories and not self.days:
            return f"nothing to prune: nothing older than {self.first_kept} left whole"
        return (f"{verb} {plural(self.stories, 'story', 'stories')} ({plural(self.articles, 'article')}) "
                f"and {plural(self.days, 'day')} of the archive before {self.first_kept}; "
                f"kept: {self.first_kept} on")


def check_keep(cfg: Config, keep_days: int) -> None:
    """``keep_days`` must cover the engine's rebuild: DigestError naming the fewest."""
    least = least_keep_days(cfg.dedup.window_days)
    if keep_days < least:
        raise DigestError(
            f"prune: keeping {plural(keep_days, 'day')} is too few: the dedup engine reads the last {least} "
            f"(two windows of {cfg.dedup.window_days:g} days and {KEEP_MARGIN} more)"
        )


def prune(
    store: Store, cfg: Config, keep_days: int, now: datetime, *, dry_run: bool = False, batch: int = BATCH
) -> PruneReport:
    """Remove the stories wholly older than the ``keep_days`` days up to ``now`` (see the module
    docstring)."""
    check_keep(cfg, keep_days)
    sql = _backend(store)
    first_kept = now.astimezone(cfg.tz).date() - timedelta(days=keep_days - 1)
    before, _ = day_window(store, cfg, first_kept)
    report = PruneReport(first_kept, dry_run=dry_run)
    old = sql.old_stories(store, before)
    if dry_run:
        report.stories, report.articles = len(old), sum(n for _, n in old)
        report.days = sql.count_digests(store, first_kept.isoformat())
        return report
    kept = kept_from(store)
    if kept is None or kept < first_kept:  # first: the archive never shows a day half pruned
        store.set_meta(KEPT_FROM, first_kept.isoformat())
    ids = [sid for sid, _ in old]
    for i in range(0, len(ids), batch):
        t0 = time.monotonic()
        stories, articles = sql.drop_stories(store, ids[i : i + batch], before)
        report.held.append(time.monotonic() - t0)
        report.stories += stories
        report.articles += articles
    report.days = sql.drop_digests(store, first_kept.isoformat())
    if report.held:
        log.debug("prune: %d batches, each held the write lock %.3f s at the median, %.3f s at most",
                  len(report.held), statistics.median(report.held), max(report.held))
    return report


def _backend(store: Store) -> Any:
    """The module holding ``store``'s prune SQL (``digest.store.prune`` or ``.prune_pg``)."""
    from .store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from .store import prune as sqlite_sql

        return sqlite_sql
    if _is_postgres(store):
        from .store import prune_pg

        return prune_pg
    raise DigestError(f"prune: a store of {type(store).__name__} is not pruned (SQLite or PostgreSQL only)")


def _is_postgres(store: Store) -> bool:
    try:
        from .store.postgres import PostgresStore
    except ImportError:  # no driver (the ``scale`` extra): no PostgreSQL store either
        return False
    return isinstance(store, PostgresStore)


def check_kept(store: Store, day: date, *, start: date | None = None) -> None:
    """A day before the first kept is not written again (``digest build``/``send --date``): what
    is left of it (a developing story's versions) would replace its files whole; DigestError.
    ``start``: the first day of the period dated ``day`` (a weekly digest's Monday, say): a
    week pruned from its start is refused as well (a prune keeping its last days made its
    digest of three stories one of one, written over the first)."""
    first = kept_from(store)
    begins = start or day
    if first is not None and begins < first:
        what = (f"{day.isoformat()} was pruned" if begins == day else
                f"the week of {begins.isoformat()} to {day.isoformat()} was pruned up to {first.isoformat()}")
        raise DigestError(f"{what}: the store keeps the days from {first.isoformat()} on "
                          "(keep_days); its files, if any, are left as they were written")


def kept_from(store: Store) -> date | None:
    """The first day the store keeps whole (the last prune's), or None (never pruned)."""
    value = store.get_meta(KEPT_FROM)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
