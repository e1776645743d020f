"""Removing a SQLite store's oldest stories whole (``digest prune``): the SQL.

Observations
------------
* A daily user's store only grows: 0.75 MB a day at 100 articles a day (text,
  fingerprint, search index; the stop 37 review's year), about 4.5 MB a day at 600,
  1.6 GB a year.  Nothing freed any of it.
* A kept day's page needs every version of each story it shows: the lead may be a
  version weeks older, "what's new" and "also reported since" compare with the earlier
  versions.  So a story goes whole or not at all, and only when every one of its
  versions arrived, and was dated, before the first day kept.
* A feed may list an entry for years.  Its key (with its source) is kept in the table
  ``pruned`` (SQLite migration 11), which ``has_articles`` reads too: an entry pruned is never
  new again.  A key is ~60 bytes, a stored article ~4,500.

How it works
------------
* :func:`old_stories`: the stories whose versions all arrived, and are all dated
  (``coalesce(published, fetched)``: what the engine's rebuild reads), before ``before``;
  one scan of the articles.
* :func:`drop_stories`: in ONE transaction, those of ``ids`` that still qualify (looked
  at again inside it: what was chosen before it began may have gained a version): their
  keys into ``pruned``, their articles (the FTS5 triggers drop their index entries) and
  their story rows; then the marks that make every engine built before rebuilt
  (``digest.store.marks``: a daemon's engine built before the prune revived the pruned
  story a late version joined).  A crash or a kill leaves the store before or after a
  whole batch.
* :func:`drop_digests`: the ``digests`` rows of the days before the first kept, so the
  archive no longer lists them.  Day seals (``meta``) and deliveries are kept: a few
  bytes a day, and what mailing once relies on.

Special cases
-------------
* The file does not shrink: SQLite reuses the freed pages, so a store pruned daily stops
  growing.  digest never VACUUMs (the search index is keyed by the articles' rowids).
* A story row without any article (none is left so by digest) is not touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .marks import mark_pruned
from .sqlite import SQLiteStore

#: The test a story's versions must all pass to be pruned: arrived and dated before ``?``.
_OLD = "max(fetched) < ? AND max(coalesce(published, fetched)) < ?"


def old_stories(store: SQLiteStore, before: datetime) -> list[tuple[str, int]]:
    """The stories whose every version arrived and is dated before ``before``, oldest first:
    (id, versions)."""
    b = store._stamp(before)
    rows = store.db.execute(
        f"SELECT story_id, count(*) FROM articles GROUP BY story_id HAVING {_OLD} ORDER BY max(fetched), story_id",
        (b, b),
    )
    return [(r[0], r[1]) for r in rows]


def drop_stories(store: SQLiteStore, ids: Sequence[str], before: datetime) -> tuple[int, int]:
    """Remove those of ``ids`` still wholly before ``before``, in one transaction (see the
    module docstring); (stories, articles) removed."""
    b = store._stamp(before)
    marks = ",".join("?" * len(ids))
    with store.transaction():
        still = [r[0] for r in store.db.execute(
            f"SELECT story_id FROM articles WHERE story_id IN ({marks}) GROUP BY story_id HAVING {_OLD}",
            (*ids, b, b),
        )]  # fmt: skip
        if not still:
            return 0, 0
        marks = ",".join("?" * len(still))
        store.db.execute(
            f"INSERT OR IGNORE INTO pruned(key, source) SELECT key, source FROM articles WHERE story_id IN ({marks})",
            still,
        )
        articles = store.db.execute(f"DELETE FROM articles WHERE story_id IN ({marks})", still).rowcount
        store.db.execute(f"DELETE FROM stories WHERE id IN ({marks})", still)
        mark_pruned(store)  # every engine built before is stale (digest.store.marks)
    return len(still), articles


def drop_digests(store: SQLiteStore, first_kept: str) -> int:
    """Remove the ``digests`` rows of days before ``first_kept`` (YYYY-MM-DD), and the leads
    their digests showed, the failing sources they named and how their stories were grouped
    (``meta`` ``leads:<day>``, ``failing:<day>``, ``grouping:<day>``); how many days."""
    with store.transaction():
        days = {r[0] for r in store.db.execute("SELECT date FROM digests WHERE date < ?", (first_kept,))}
        store.db.execute("DELETE FROM digests WHERE date < ?", (first_kept,))
        store.db.execute("DELETE FROM meta WHERE key >= 'leads:' AND key < ?", (f"leads:{first_kept}",))
        store.db.execute("DELETE FROM meta WHERE key >= 'failing:' AND key < ?", (f"failing:{first_kept}",))
        store.db.execute("DELETE FROM meta WHERE key >= 'grouping:' AND key < ?", (f"grouping:{first_kept}",))
        store.db.execute("DELETE FROM day_counts WHERE day < ?", (first_kept,))  # the archive's counts of them
    return len(days)


def count_digests(store: SQLiteStore, first_kept: str) -> int:
    """The days before ``first_kept`` (YYYY-MM-DD) with a digest recorded."""
    return int(store.db.execute("SELECT count(DISTINCT date) FROM digests WHERE date < ?", (first_kept,)).fetchone()[0])
