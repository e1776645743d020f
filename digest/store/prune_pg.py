"""Removing a PostgreSQL store's oldest stories whole (``digest prune``): the SQL.

Observations
------------
* As in SQLite (:mod:`digest.store.prune`): a story goes whole or not at all, only when every
  version arrived, and was dated, before the first day kept; the keys of what went stay in
  ``pruned`` (PostgreSQL migration 14), which ``has_articles`` reads too.
* Workers on several machines catch up from the store's shared log (``digest.store.log``):
  the articles (in ``seq`` order), and the ``merges`` table's merges and moves.  A removed
  article leaves the log with its row; a move of it, or a merge into its story, would stay
  behind: replayed, a move of an article the engine does not hold and a merge into a story
  it does not hold are no-ops (``Engine.replay_move``/``replay_merge``), but the log would
  keep growing with rows about nothing.  A move *to* a removed story of an article that left
  it later is kept: the later move puts it where it is.
* A worker's engine built before the prune still holds the removed stories: it is rebuilt
  (``digest.store.marks``: ``pruned``), as a plain ``App``'s is (``clustered``).

How it works
------------
* :func:`old_stories`: as SQLite's, one scan of the articles.
* :func:`drop_stories`: ONE transaction under the clustering lock (the store's write lock
  for articles, merges and moves: no worker clusters while a batch goes, and none finds a
  half-removed story); the stories of ``ids`` that still qualify are looked at again inside
  it; their keys go into ``pruned``; the log's moves of their articles and merges into them
  are deleted, then their articles and story rows; the marks are written last
  (``mark_pruned``).  A kill leaves the store before or after a whole batch.
* :func:`drop_digests`, :func:`count_digests`: the ``digests`` rows of the days before the
  first kept, as SQLite's.

Special cases
-------------
* The space of deleted rows is reused after the server's autovacuum; the tables do not
  shrink.  digest never runs ``VACUUM FULL`` (it locks every table for its length).
* ``log_head`` may go down when the newest log rows were removed (only when everything
  went); the sequence never does, so a worker's position stays valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .marks import mark_pruned
from .postgres import PostgresStore

#: The test a story's versions must all pass to be pruned: arrived and dated before ``%s``.
_OLD = "max(fetched) < %s AND max(coalesce(published, fetched)) < %s"


def old_stories(store: PostgresStore, before: datetime) -> list[tuple[str, int]]:
    """The stories whose every version arrived and is dated before ``before``, oldest first:
    (id, versions)."""
    rows = store.db.execute(
        f"SELECT story_id, count(*) AS n FROM articles GROUP BY story_id HAVING {_OLD} "
        "ORDER BY max(fetched), story_id",
        (before, before),
    ).fetchall()
    return [(r["story_id"], int(r["n"])) for r in rows]


def drop_stories(store: PostgresStore, ids: Sequence[str], before: datetime) -> tuple[int, int]:
    """Remove those of ``ids`` still wholly before ``before``, in one transaction under the
    clustering lock (see the module docstring); (stories, articles) removed."""
    db = store.db
    with store.transaction():
        store.cluster_lock()
        still = [r["story_id"] for r in db.execute(
            f"SELECT story_id FROM articles WHERE story_id = ANY(%s) GROUP BY story_id HAVING {_OLD}",
            (list(ids), before, before),
        )]  # fmt: skip
        if not still:
            return 0, 0
        keys = [r["key"] for r in db.execute("SELECT key FROM articles WHERE story_id = ANY(%s)", (still,))]
        db.execute(
            "INSERT INTO pruned(key, source) SELECT key, source FROM articles WHERE story_id = ANY(%s) "
            "ON CONFLICT (key) DO NOTHING", (still,),
        )
        db.execute("DELETE FROM merges WHERE article = ANY(%s)", (keys,))  # moves of what goes
        db.execute("DELETE FROM merges WHERE article IS NULL AND kept = ANY(%s)", (still,))  # merges into it
        articles = db.execute("DELETE FROM articles WHERE story_id = ANY(%s)", (still,)).rowcount
        db.execute("DELETE FROM stories WHERE id = ANY(%s)", (still,))
        mark_pruned(store)
    return len(still), articles


def drop_digests(store: PostgresStore, first_kept: str) -> int:
    """Remove the ``digests`` rows of days before ``first_kept`` (YYYY-MM-DD), and the leads
    their digests showed, the failing sources they named and how their stories were grouped
    (``meta`` ``leads:<day>``, ``failing:<day>``, ``grouping:<day>``); how many days."""
    with store.transaction():
        rows = store.db.execute("DELETE FROM digests WHERE date < %s RETURNING date", (first_kept,)).fetchall()
        store.db.execute("DELETE FROM meta WHERE key >= 'leads:' AND key < %s", (f"leads:{first_kept}",))
        store.db.execute("DELETE FROM meta WHERE key >= 'failing:' AND key < %s", (f"failing:{first_kept}",))
        store.db.execute("DELETE FROM meta WHERE key >= 'grouping:' AND key < %s", (f"grouping:{first_kept}",))
        store.db.execute("DELETE FROM day_counts WHERE day < %s", (first_kept,))  # the archive's counts of them
    return len({r["date"] for r in rows})


def count_digests(store: PostgresStore, first_kept: str) -> int:
    """The days before ``first_kept`` (YYYY-MM-DD) with a digest recorded."""
    row = store.db.execute("SELECT count(DISTINCT date) AS n FROM digests WHERE date < %s", (first_kept,)).fetchone()
    return int(row["n"]) if row else 0
