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
* A PostgreSQL store is refused in one line: workers catch up from its shared log of
  articles, merges and moves, which a prune would have to keep in step (not done).
* The first day kept is noted before anything is removed, so a kill between two batches
  leaves the kept days whole and no day of the archive half pruned; the next prune goes on.  The file keeps its size: SQLite reuses the freed pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .config import Config
from .config.model import KEEP_MARGIN, least_keep_days
from .errors import DigestError
from .output.view import day_window
from .records import plural
from .store.base import Store

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
            f"prune: keeping {keep_days} days is too few: the dedup engine reads the last {least} "
            f"(two windows of {cfg.dedup.window_days:g} days and {KEEP_MARGIN} more)"
        )


def prune(
    store: Store, cfg: Config, keep_days: int, now: datetime, *, dry_run: bool = False, batch: int = BATCH
) -> PruneReport:
    """Remove the stories wholly older than the ``keep_days`` days up to ``now`` (see the module
    docstring)."""
    from .store.sqlite import SQLiteStore

    check_keep(cfg, keep_days)
    if not isinstance(store, SQLiteStore):
        raise DigestError("prune: only a SQLite store is pruned (workers read a PostgreSQL store's shared log)")
    from .store import prune as sql

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
        stories, articles = sql.drop_stories(store, ids[i : i + batch], before)
        report.stories += stories
        report.articles += articles
    report.days = sql.drop_digests(store, first_kept.isoformat())
    return report


def check_kept(store: Store, day: date) -> None:
    """A day before the first kept is not written again (``digest build``/``send --date``): what
    is left of it (a developing story's versions) would replace its files whole; DigestError."""
    first = kept_from(store)
    if first is not None and day < first:
        raise DigestError(f"{day.isoformat()} was pruned: the store keeps the days from {first.isoformat()} on "
                          "(keep_days); its files, if any, are left as they were written")


def kept_from(store: Store) -> date | None:
    """The first day the store keeps whole (the last prune's), or None (never pruned)."""
    value = store.get_meta(KEPT_FROM)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
