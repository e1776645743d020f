"""The archive's day counts kept in the store (table ``day_counts``: SQLite migration 19,
PostgreSQL 24), so that a server just started need not count its pages' days again.

Observations
------------
* ``digest serve`` counts each day its index (31 days) and month pages list by the day's
  view, ~60 ms a day at 150 articles: the first index of a year-old store took ~2 s, after
  every start of the server (stop 62 kept the counts in memory only).
* A count is kept with the store reads it was made from (``digest.service.daycounts``) and
  is taken only once they answer as before: a row here can be stale, never wrong.

How it works
------------
* A row a day: the count, a digest of the configuration and of digest's code it was made
  with (``config``: a row of another is not taken), and its reads as text (JSON).
  :meth:`kept_day_counts` reads a page's days in one query; :meth:`keep_day_counts` writes
  those counted afresh in one transaction (a day's row replaced).  ``digest serve`` on SQLite
  writes them through its change marker's connection instead (``webcache``: no change).
* :meth:`stories_read`: the stories a check reads (``get_story``, ``story_versions``), many
  at once, as those answer them one by one.
* ``digest prune`` drops the rows of the days it drops (``prune.drop_digests``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from .base import StoredArticle, StoredStory
from .reads import ARTICLE_COLS

#: A day's row written (shared SQL: ``?`` placeholders), one replaced.
KEEP_DAY_COUNTS = ("INSERT INTO day_counts(day, config, count, reads) VALUES(?, ?, ?, ?) ON CONFLICT(day) DO UPDATE "
                   "SET config=excluded.config, count=excluded.count, reads=excluded.reads")


def day_count_rows(config: str, counts: Mapping[str, tuple[int, str]]) -> list[tuple[str, str, int, str]]:
    """``counts`` (day -> (count, reads)) as rows of ``day_counts``."""
    return [(day, config, count, reads) for day, (count, reads) in sorted(counts.items())]


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
