"""What every store does the same way on top of its own SQL: the backend-free half.

Observations
------------
* The SQLite and PostgreSQL stores differ in their connections, timestamps
  and locking, but not in how a batch of articles becomes story rows, how a
  story's lead and scores are saved together, or how stories are merged and
  articles moved between them: that logic, and its SQL, lives here once (the
  reads in :mod:`digest.store.reads`, which ``StoreOps`` builds on).
* The shared SQL differs between the two databases in a few spellings only:
  placeholders (``?`` / ``%s``), the two-argument minimum and maximum
  (``min`` / ``least``, ``max`` / ``greatest``) and the NULL-safe
  comparison (``IS NOT`` / ``IS DISTINCT FROM``: SQLite has the latter only
  since 3.39).  It is written with ``?`` and the names in ``{}`` of
  :data:`SPELLINGS`; :func:`sql_for` spells it for a backend.

How it works
------------
``StoreOps`` is a mixin.  A backend provides what ``_Backend`` lists:
``db`` and ``_locks`` (its connection and the locks it holds, released by
``close``), ``transaction()``, ``_run`` (execute shared SQL; rows read by
column name), ``_run_many`` (one statement over many rows: how many
changed), ``_stamp`` (a datetime as the backend stores it) and ``_when``
(its inverse), ``_story_write`` (the transaction a story move or merge runs
in: PostgreSQL also takes the clustering lock), ``_log_regroup``
(PostgreSQL records merges and moves for other workers) and ``_durable``
(the transaction a delivery's state is written in: it must survive a power
cut); the mixin composes them (its methods take the backend as ``self``).
PostgreSQL's ``_insert`` takes the clustering lock, then inserts as here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Literal, Protocol, Self

from ..errors import StoreError
from ..records import Article
from .base import (
    FIRST_READ_KEY,
    UNDATED_AHEAD,
    UNDATED_READ_KEY,
    KeyMove,
    NewArticle,
    SourceState,
    new_articles,
    ts,
    utcnow,
)
from .daycount_rows import DayCountRows
from .deliveries import Delivery
from .delivery_ops import DeliveryOps
from .reads import ARTICLE_COLS, SOURCE_COLS, SOURCE_TIMES, StoreReads

Dialect = Literal["sqlite", "postgresql"]

#: How each backend spells what the shared SQL writes in ``{}``.
SPELLINGS: dict[Dialect, dict[str, str]] = {
    "sqlite": {"{least}": "min", "{greatest}": "max", "{distinct}": "IS NOT"},
    "postgresql": {"{least}": "least", "{greatest}": "greatest", "{distinct}": "IS DISTINCT FROM"},
}
_INSERT_COLS = ARTICLE_COLS.format(text="text").replace("text AS text", "text")


@functools.cache
def sql_for(dialect: Dialect, sql: str) -> str:
    """Shared SQL (``?`` placeholders, the names of :data:`SPELLINGS`) as a backend runs it."""
    if dialect == "postgresql":
        sql = sql.replace("?", "%s")
    for name, spelling in SPELLINGS[dialect].items():
        sql = sql.replace(name, spelling)
    return sql


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


#: An upsert of a story row that keeps the earlier ``first_seen``.
_KEEP_FIRST = "ON CONFLICT(id) DO UPDATE SET first_seen={least}(stories.first_seen, excluded.first_seen), "


class _Backend(Protocol):
    """What a backend provides for ``StoreOps``."""

    @property
    def db(self) -> Any: ...
    @property
    def _locks(self) -> Collection[str]: ...
    def release_lock(self, name: str) -> None: ...
    def close(self) -> None: ...
    def transaction(self) -> AbstractContextManager[Any]: ...
    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def _run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int: ...
    def _stamp(self, dt: datetime) -> Any: ...
    def _story_write(self) -> AbstractContextManager[Any]: ...
    def _durable(self) -> AbstractContextManager[Any]: ...
    def _log_regroup(self, kept: str, dropped: str, article: str | None = None) -> None: ...
    def _insert(self, item: NewArticle, now: datetime) -> bool: ...
    def _recount(self, story_id: str) -> None: ...
    def _has_versions(self, story_id: str) -> bool: ...
    def _first_reads(self, batch: Sequence[NewArticle], now: datetime) -> None: ...
    def _best_version(self, story_id: str) -> str | None: ...
    def merge_stories(self, *, keep: str, drop: str) -> None: ...
    def move_article(self, key: str, story_id: str) -> None: ...
    def update_story(
        self, story_id: str, *, lead_key: str | None = None, first_seen: datetime | None = None
    ) -> None: ...
    def update_scores(self, story_id: str, scores: Mapping[str, tuple[float, Mapping[str, Any]]]) -> int: ...
    def get_delivery(self, date: str, target: str) -> Delivery | None: ...
    def deliveries_on(self, date: str) -> list[Delivery]: ...


class StoreOps(DayCountRows, DeliveryOps, StoreReads):
    """Backend-free store operations (see the module docstring)."""

    def close(self: _Backend) -> None:
        for name in list(self._locks):
            self.release_lock(name)
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self: _Backend, *exc: object) -> None:
        self.close()

    # -- sources ---------------------------------------------------------------
    def sync_sources(self: _Backend, sources: Iterable[tuple[str, str]]) -> None:
        """Register configured sources.  A new location starts with a clean state."""
        with self.transaction():
            self._run_many(
                "INSERT INTO sources(name, location) VALUES(?, ?) "
                "ON CONFLICT(name) DO UPDATE SET location=excluded.location, etag=NULL, "
                "last_modified=NULL, permanent_url=NULL, last_ok_at=NULL, last_error=NULL, error_kind=NULL, "
                "failures=0, first_failure_at=NULL, paused=FALSE, paused_reason=NULL, "
                "next_poll_at=NULL, retry_after_until=NULL, note=NULL "
                "WHERE sources.location {distinct} excluded.location",
                list(sources),
            )

    def save_source_state(self: _Backend, state: SourceState) -> None:
        cols = SOURCE_COLS.split(", ")
        values = []
        for col in cols:
            v = getattr(state, col)
            values.append(self._stamp(v) if col in SOURCE_TIMES and v is not None else v)
        updates = ", ".join(f"{c}=excluded.{c}" for c in cols[1:])
        with self.transaction():
            self._run(
                f"INSERT INTO sources({SOURCE_COLS}) VALUES({', '.join('?' * len(cols))}) "
                f"ON CONFLICT(name) DO UPDATE SET {updates}",
                values,
            )

    # -- articles ----------------------------------------------------------------
    def _insert(self: _Backend, item: NewArticle, now: datetime) -> bool:
        """Insert one article row; False when its key is stored (nothing written)."""
        a = item.article
        cur = self._run(
            f"INSERT INTO articles({_INSERT_COLS}) VALUES({', '.join('?' * 22)}) ON CONFLICT(key) DO NOTHING",
            (
                a.key, a.source, a.url, a.title, a.text,
                None if a.published is None else self._stamp(a.published), self._stamp(a.fetched or now),
                a.author, bool(a.truncated), a.priority, _json(list(a.junk)),
                bytes(item.fingerprint), item.story_id, item.score,
                _json(dict(item.detail) if item.detail is not None else None), a.guid, a.lang, a.outlet,
                a.content_hash, a.revision_of, bool(a.published_day and a.published is not None),
                _json([list(pair) for pair in a.links]) if a.links else None,
            ),
        )
        return bool(cur.rowcount == 1)

    def set_content_hashes(self: _Backend, hashes: Mapping[str, str]) -> int:
        """Record each stored article's ``content_hash`` (key -> hash); how many rows changed."""
        with self.transaction():
            return self._run_many("UPDATE articles SET content_hash=? WHERE key=?",
                                  [(h, k) for k, h in hashes.items()])

    def rekey_articles(self: _Backend, moves: Mapping[str, KeyMove]) -> int:
        """Store articles under new keys (old key -> (new key, guid, content hash)): an entry
        an older digest keyed by its text, found again by its id (``digest.articles.rekeyed``).
        Its story's lead and its revisions follow; a new key already stored is left alone.
        How many articles moved."""
        moved = 0
        with self.transaction():
            for old, (new, guid, digest) in moves.items():
                cur = self._run(
                    "UPDATE articles SET key=?, guid=coalesce(?, guid), content_hash=coalesce(?, content_hash) "
                    "WHERE key=? AND NOT EXISTS (SELECT 1 FROM articles b WHERE b.key=?)",
                    (new, guid, digest, old, new),
                )
                if cur.rowcount != 1:
                    continue
                moved += 1
                self._run("UPDATE stories SET lead_key=? WHERE lead_key=?", (new, old))
                self._run("UPDATE articles SET revision_of=? WHERE revision_of=?", (new, old))
        return moved

    def add_article(
        self: _Backend,
        article: Article,
        fingerprint: bytes,
        story_id: str,
        score: float | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> bool:
        """Insert one article (its story row is the caller's: ``update_story``)."""
        with self.transaction():
            return self._insert(NewArticle(article, fingerprint, story_id, score, detail), utcnow())

    def add_articles(
        self: _Backend,
        items: Sequence[NewArticle | tuple[Any, ...]],
        *,
        leads: Mapping[str, str] | None = None,
        merges: Sequence[tuple[str, str]] = (),
        scores: Mapping[str, Mapping[str, tuple[float, Mapping[str, Any]]]] | None = None,
        first_seen: datetime | None = None,
    ) -> list[bool]:
        """Store new articles, story merges and story rows in one transaction.

        Articles whose key exists are skipped (False in the result).  An
        item's ``moves`` (stored articles the engine moved when it came in)
        are applied right after it, in order, as ``move_article``.  Each
        touched story (of a new article, or in ``leads``) gets ``first_seen``
        = the earliest of its stored value, its new articles' fetch times and
        ``first_seen``, the lead from ``leads`` (else the best-scored
        version), fresh counts, and its versions' ``scores`` when given (as
        ``save_story``).  ``merges`` are (keep, drop) pairs applied after the
        inserts.  A story the moves left without versions is not written
        (unless it is in ``leads``).

        ``App.ingest`` stores a source's batch this way: what the per-article
        writes would leave, with one write per story.  A source's first batch records its
        first read (meta ``first_read:<source>``, :func:`_first_reads`).
        """
        batch = new_articles(items)
        leads = dict(leads or {})
        scores = scores or {}
        now = utcnow()
        result: list[bool] = []
        with self.transaction():
            self._first_reads(batch, now)
            first: dict[str, datetime] = {}
            for item in batch:
                ok = self._insert(item, now)
                result.append(ok)
                if ok:
                    seen = item.article.fetched or now
                    first[item.story_id] = min(first.get(item.story_id, seen), seen)
                for key, story_id in item.moves:
                    self.move_article(key, story_id)
            for keep, drop in merges:
                self.merge_stories(keep=keep, drop=drop)
                if drop in first:
                    seen = first.pop(drop)
                    first[keep] = min(first.get(keep, seen), seen)
            moved = any(item.moves for item in batch)
            for story_id in sorted(set(first) | set(leads)):
                if moved and story_id not in leads and not self._has_versions(story_id):
                    continue
                earliest = min((t for t in (first.get(story_id), first_seen) if t is not None), default=None)
                self.update_story(story_id, lead_key=leads.get(story_id), first_seen=earliest)
                if story_id in scores:
                    self.update_scores(story_id, scores[story_id])
        return result

    def _first_reads(self: _Backend, batch: Sequence[NewArticle], now: datetime) -> None:
        """Record, for each source of ``batch`` with no first read recorded, when it was first
        read: this batch's arrival when the store holds no article of it (stored or pruned) and
        it never read well before (``sources.last_ok_at``, saved after the batch), else ""
        (known before the record was kept, or its first read stored nothing: an empty folder,
        a feed with no entry yet, whose first articles are news).  Once per source.  A first read
        whose items all state no date of their own (``Article.undated``) is recorded so too
        (``UNDATED_READ_KEY``): an undated feed's items are its backlog, their age unknown;
        ``UNDATED_AHEAD`` when they stated dates, all ahead of the clock (not believed)."""
        arrived: dict[str, datetime] = {}
        dated: set[str] = set()  # the sources of the batch with an item stating its date
        ahead: set[str] = set()  # ... with an item stating a date ahead of the clock
        for item in batch:
            when = item.article.fetched or now
            arrived[item.article.source] = min(arrived.get(item.article.source, when), when)
            if not item.article.undated:
                dated.add(item.article.source)
            if item.article.date_ahead:
                ahead.add(item.article.source)
        for source, when in sorted(arrived.items()):
            key = FIRST_READ_KEY.format(source=source)
            if self._run("SELECT 1 FROM meta WHERE key=?", (key,)).fetchone() is not None:
                continue
            known = self._run(
                "SELECT 1 FROM articles WHERE source=? UNION ALL SELECT 1 FROM pruned WHERE source=? "
                "UNION ALL SELECT 1 FROM sources WHERE name=? AND last_ok_at IS NOT NULL LIMIT 1",
                (source, source, source),
            ).fetchone()
            self._run("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING",  # a worker's first
                      (key, "" if known else ts(when) or ""))
            if not known and source not in dated:  # an undated feed: what it held is its backlog
                self._run("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING",
                          (UNDATED_READ_KEY.format(source=source), UNDATED_AHEAD if source in ahead else "1"))

    def _has_versions(self: _Backend, story_id: str) -> bool:
        return self._run("SELECT 1 FROM articles WHERE story_id=? LIMIT 1", (story_id,)).fetchone() is not None

    def update_scores(self: _Backend, story_id: str, scores: Mapping[str, tuple[float, Mapping[str, Any]]]) -> int:
        """Set completeness scores of the story's versions; how many rows changed."""
        with self.transaction():
            return self._run_many(
                "UPDATE articles SET score=?, score_detail=? WHERE key=? AND story_id=?",
                [(float(s), _json(dict(d)), k, story_id) for k, (s, d) in scores.items()],
            )

    def save_fingerprints(self: _Backend, fingerprints: Mapping[str, bytes]) -> int:
        """Replace stored articles' fingerprints (``key -> blob``: made again in today's
        format at an engine's rebuild); how many rows changed."""
        with self.transaction():
            return self._run_many(
                "UPDATE articles SET fingerprint=? WHERE key=?", [(blob, k) for k, blob in fingerprints.items()]
            )

    def save_story(
        self: _Backend,
        story_id: str,
        *,
        lead_key: str,
        first_seen: datetime,
        scores: Mapping[str, tuple[float, Mapping[str, Any]]],
    ) -> None:
        """``update_story`` and ``update_scores`` in one transaction."""
        with self.transaction():
            self.update_story(story_id, lead_key=lead_key, first_seen=first_seen)
            self.update_scores(story_id, scores)

    # -- meta ------------------------------------------------------------------
    def get_meta(self: _Backend, key: str) -> str | None:
        row = self._run("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self: _Backend, key: str, value: str) -> None:
        with self.transaction():
            self._run(
                "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def add_meta(self: _Backend, key: str, value: str) -> None:
        with self.transaction():
            self._run("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING", (key, value))

    # -- stories ---------------------------------------------------------------
    def stories_fetched_between(self: _Backend, start: datetime, end: datetime) -> list[str]:
        """Ids of the stories holding a version fetched in [start, end) (``articles_fetched``)."""
        rows = self._run(
            "SELECT DISTINCT story_id FROM articles WHERE fetched >= ? AND fetched < ? ORDER BY story_id",
            (self._stamp(start), self._stamp(end)),
        ).fetchall()
        return [str(r["story_id"]) for r in rows]

    def _best_version(self: _Backend, story_id: str) -> str | None:
        row = self._run(
            "SELECT key FROM articles WHERE story_id=? ORDER BY score IS NULL, score DESC, fetched, key LIMIT 1",
            (story_id,),
        ).fetchone()
        return None if row is None else str(row["key"])

    def _recount(self: _Backend, story_id: str) -> None:
        self._run(
            "UPDATE stories SET "
            "n_versions=(SELECT count(*) FROM articles WHERE story_id=?), "
            "n_sources=(SELECT count(DISTINCT coalesce(outlet, source)) FROM articles WHERE story_id=?) "
            "WHERE id=?",
            (story_id, story_id, story_id),
        )

    def update_story(
        self: _Backend, story_id: str, *, lead_key: str | None = None, first_seen: datetime | None = None
    ) -> None:
        """Create or update a story row: first_seen = the earlier, lead, counts.

        Without ``lead_key`` an existing lead is kept; a new story gets its
        best-scored version.  Without ``first_seen`` a new story starts now.
        """
        now = self._stamp(utcnow())
        with self.transaction():
            row = self._run("SELECT lead_key, first_seen FROM stories WHERE id=?", (story_id,)).fetchone()
            lead = lead_key or (row["lead_key"] if row else None) or self._best_version(story_id)
            if lead is None:
                raise StoreError(f"story {story_id}: no lead given and no stored version")
            seen = self._stamp(first_seen) if first_seen else (row["first_seen"] if row else now)
            self._run(
                "INSERT INTO stories(id, first_seen, updated, lead_key) VALUES(?,?,?,?) "
                + _KEEP_FIRST + "updated=excluded.updated, lead_key=excluded.lead_key",
                (story_id, seen, now, lead),
            )
            self._recount(story_id)

    def set_lead(self: _Backend, story_id: str, lead_key: str) -> None:
        """Make ``lead_key`` the lead; it must be a stored version of the story."""
        with self.transaction():
            row = self._run("SELECT story_id FROM articles WHERE key=?", (lead_key,)).fetchone()
            if row is None or row["story_id"] != story_id:
                raise StoreError(f"story {story_id}: {lead_key} is not one of its versions")
            cur = self._run(
                "UPDATE stories SET lead_key=?, updated=? WHERE id=?", (lead_key, self._stamp(utcnow()), story_id)
            )
            if cur.rowcount != 1:
                raise StoreError(f"story {story_id}: no such story")

    def merge_stories(self: _Backend, *, keep: str, drop: str) -> None:
        """Move ``drop``'s versions into ``keep`` (first_seen = the earlier) and delete it."""
        if keep == drop:
            return
        with self._story_write():
            self._run("UPDATE articles SET story_id=? WHERE story_id=?", (keep, drop))
            self._run(
                "INSERT INTO stories(id, first_seen, updated, lead_key) "
                "SELECT ?, first_seen, ?, lead_key FROM stories WHERE id=? " + _KEEP_FIRST + "updated=excluded.updated",
                (keep, self._stamp(utcnow()), drop),
            )
            self._run("DELETE FROM stories WHERE id=?", (drop,))
            self._log_regroup(keep, drop)
            self._recount(keep)

    def move_article(self: _Backend, key: str, story_id: str) -> None:
        """Move a stored article to another story (see ``Store.move_article``); its old story
        goes when it is left empty."""
        with self._story_write():
            row = self._run("SELECT story_id FROM articles WHERE key=?", (key,)).fetchone()
            if row is None:
                raise StoreError(f"article {key}: not stored, cannot move it")
            old = row["story_id"]
            if old == story_id:
                return
            # first seen when the article arrived, not when the story it leaves was first seen:
            # split off a day later, it was new in that day's digest
            self._run(
                "INSERT INTO stories(id, first_seen, updated, lead_key) "
                "SELECT ?, fetched, ?, ? FROM articles WHERE key=? " + _KEEP_FIRST + "updated=excluded.updated",
                (story_id, self._stamp(utcnow()), key, key),
            )
            self._run("UPDATE articles SET story_id=? WHERE key=?", (story_id, key))
            self._run(
                "DELETE FROM stories WHERE id=? AND NOT EXISTS (SELECT 1 FROM articles WHERE story_id=?)",
                (old, old),
            )
            # the story it leaves, its first version gone: first seen when its first one left arrived
            self._run(
                "UPDATE stories SET first_seen=(SELECT min(fetched) FROM articles WHERE story_id=?) "
                "WHERE id=? AND first_seen < (SELECT min(fetched) FROM articles WHERE story_id=?)",
                (old, old, old),
            )
            self._log_regroup(story_id, old, key)
            self._recount(old)
            self._recount(story_id)
