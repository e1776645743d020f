"""The archive's day counts kept in the store (table ``day_counts``: SQLite migrations 19 and
20, PostgreSQL 24 and 25), so that a server just started need not count its pages' days again.

Observations
------------
* ``digest serve`` counts each day its index (31 days) and month pages list by the day's
  view, ~60 ms a day at 150 articles: the first index of a year-old store took ~2 s, after
  every start of the server (stop 62 kept the counts in memory only).
* A count is kept with the store reads it was made from (``digest.service.daycounts``) and
  is taken only once they answer as before: a row here can be stale, never wrong.

How it works
------------
* A row a configuration and day: the count, a digest of the configuration and of digest's
  code it was made with (``config``: a row of another is not taken), its reads as text
  (JSON), and when it was written.  :meth:`kept_day_counts` reads a page's days in one query;
  :meth:`keep_day_counts` writes those counted afresh in one transaction (a day's row of that
  configuration replaced) and drops the rows of the configurations past ``CONFIGS_KEPT``.  ``digest serve`` on SQLite
  writes them through its change marker's connection instead (``webcache``: no change).
* :meth:`stories_read`: the stories a check reads (``get_story``, ``story_versions``), many
  at once, as those answer them one by one.
* :meth:`metas_read`: the meta values a check reads (``get_meta``: a day's begin, seal, leads and
  failing sources, each source's first read), many at once, as ``get_meta`` answers them.
* ``digest prune`` drops the rows of the days it drops (``prune.drop_digests``).

Special cases
-------------
* Two servers with different configurations on one store (stop 64): keyed by the day alone
  (stop 63), each replaced the other's rows, and each start of one counted its days again
  (~2 s for a year-old store's index); now each configuration's rows are kept side by side.
* A configuration edited, or digest upgraded, makes a new key and leaves the old rows dead:
  kept forever, they would grow with every upgrade.  A write keeps the rows of the
  ``CONFIGS_KEPT`` configurations written last (by each one's latest ``written``), the others
  dropped; a configuration dropped while still served counts its days again at its next start.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from .base import StoredArticle, StoredStory
from .reads import ARTICLE_COLS

#: The configurations whose rows are kept: those written last (stop 64).  A store is served by
#: one or two configurations (a public and an internal server, two locales), and each upgrade
#: of digest or edit of a configuration makes a new one, the old one's rows dead: four hold two
#: served side by side across an upgrade (the two left and the two new, either way while both
#: digests run), and bound the table to four rows a day kept (a configuration's rows of a
#: year-old store at 150 articles a day: ~4.6 MB, 12.7 KB a day; docs/evaluation.md "Stop 64").
CONFIGS_KEPT = 4

#: A day's row of a configuration written (shared SQL: ``?`` placeholders), one replaced.
KEEP_DAY_COUNTS = ("INSERT INTO day_counts(day, config, count, reads, written) VALUES(?, ?, ?, ?, ?) "
                   "ON CONFLICT(config, day) DO UPDATE "
                   "SET count=excluded.count, reads=excluded.reads, written=excluded.written")
#: The rows of the configurations past the ``CONFIGS_KEPT`` written last dropped (its one
#: parameter: ``CONFIGS_KEPT``).
TRIM_DAY_COUNTS = ("DELETE FROM day_counts WHERE config NOT IN "
                   "(SELECT config FROM day_counts GROUP BY config ORDER BY max(written) DESC, config LIMIT ?)")


def day_count_rows(
    config: str, counts: Mapping[str, tuple[int, str]], written: float | None = None
) -> list[tuple[str, str, int, str, float]]:
    """``counts`` (day -> (count, reads)) as rows of ``day_counts`` written at ``written``
    (seconds since the epoch; None: now)."""
    at = time.time() if written is None else written
    return [(day, config, count, reads, at) for day, (count, reads) in sorted(counts.items())]


#: Stories read at once by :meth:`DayCountRows.stories_read` (each a query parameter).
BATCH = 500


class _Backend(Protocol):
    def transaction(self) -> AbstractContextManager[Any]: ...
    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def _run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int: ...
    def _article_of(self, row: Any) -> StoredArticle: ...
    def _story_of(self, row: Any) -> StoredStory: ...


class DayCountRows:
    """The ``day_counts`` table's reads and writes (a mixin of ``StoreOps``)."""

    def kept_day_counts(self: _Backend, config: str, days: Sequence[str]) -> dict[str, tuple[int, str]]:
        """The rows of ``days`` (YYYY-MM-DD) made with ``config``: day -> (count, reads)."""
        if not days:
            return {}
        marks = ", ".join("?" * len(days))
        rows = self._run(f"SELECT day, count, reads FROM day_counts WHERE config = ? AND day IN ({marks})",
                         (config, *days)).fetchall()  # fmt: skip
        return {str(r["day"]): (int(r["count"]), str(r["reads"])) for r in rows}

    def keep_day_counts(self: _Backend, config: str, counts: Mapping[str, tuple[int, str]]) -> None:
        """Write ``counts`` (day -> (count, reads)) made with ``config``, each day's row replaced."""
        if not counts:
            return
        with self.transaction():
            self._run_many(KEEP_DAY_COUNTS, day_count_rows(config, counts))
            self._run(TRIM_DAY_COUNTS, (CONFIGS_KEPT,))

    def stories_read(
        self: _Backend, ids: Sequence[str]
    ) -> tuple[dict[str, StoredStory | None], dict[str, list[StoredArticle]]]:
        """``get_story`` and ``story_versions`` of each of ``ids``, as those answer them, in two
        queries a ``BATCH`` of ids (a day count's check reads ~80 stories a day: on PostgreSQL
        a round trip each, ~1 s for the index's 31 days)."""
        stories: dict[str, StoredStory | None] = dict.fromkeys(ids)
        versions: dict[str, list[StoredArticle]] = {i: [] for i in ids}
        for i in range(0, len(ids), BATCH):
            part = list(ids[i : i + BATCH])
            marks = ", ".join("?" * len(part))
            for row in self._run(f"SELECT * FROM stories WHERE id IN ({marks})", part).fetchall():
                stories[str(row["id"])] = self._story_of(row)
            q = (f"SELECT {ARTICLE_COLS.format(text='text')} FROM articles WHERE story_id IN ({marks}) "
                 "ORDER BY story_id, coalesce(published, fetched), key")  # a story's: story_versions' order
            for row in self._run(q, part).fetchall():
                versions[str(row["story_id"])].append(self._article_of(row))
        return stories, versions

    def metas_read(self: _Backend, keys: Sequence[str]) -> dict[str, str | None]:
        """``get_meta`` of each of ``keys``, as it answers them, in a query a ``BATCH`` of keys
        (a check of the index's 31 days read ~215 values: on PostgreSQL a round trip each)."""
        values: dict[str, str | None] = dict.fromkeys(keys)
        for i in range(0, len(keys), BATCH):
            part = list(keys[i : i + BATCH])
            rows = self._run(f"SELECT key, value FROM meta WHERE key IN ({', '.join('?' * len(part))})", part)
            for row in rows.fetchall():
                values[str(row["key"])] = str(row["value"])
        return values
