"""What every store reads the same way: the shared queries and how a row becomes a record.

Observations
------------
* The SQLite and PostgreSQL stores read the same tables with the same
  queries; they differ in placeholders (``?`` / ``%s``, spelled by
  :func:`digest.store.ops.sql_for` in each backend's ``_run``), in one
  function name (``{greatest}``: ``max`` / ``greatest``) and in timestamps:
  SQLite keeps them as fixed-format text (:func:`~digest.store.base.ts`),
  PostgreSQL as ``timestamptz``.
* Full-text search (FTS5 / tsvector), ``has_articles`` (chunks of ``IN`` /
  one ``= ANY`` array) and the delivery claim (a write lock / a row lock)
  really differ: they stay in the backends.

How it works
------------
``StoreReads`` is a mixin (``StoreOps`` builds on it).  Its queries go
through the backend's ``_run`` (rows read by column name) with datetimes
given as ``_stamp`` spells them; a row becomes a record through the
decoders here (``_article_of``, ``_story_of``, ``_source_of``,
``_digest_of``, ``_delivery_of``), which read a stored timestamp back with
the backend's ``_when`` (the inverse of ``_stamp``).

Special cases
-------------
* A timestamp that is never NULL (``fetched``, ``first_seen``, ...) but
  cannot be read back becomes now, as it always did in SQLite.
* A delivery row without an attempt is PostgreSQL's claim placeholder
  (``claim_delivery``): it reads as no delivery.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any, Protocol

from .base import SourceState, StoredArticle, StoredStory, utcnow
from .deliveries import DayCounts, Delivery, DigestRecord

#: The columns of a StoredArticle; ``{text}`` is ``text`` or ``''`` (``articles_since``).
ARTICLE_COLS = (
    "key, source, url, title, {text} AS text, published, fetched, author, truncated, priority, "
    "junk, fingerprint, story_id, score, score_detail, guid, lang, outlet, content_hash, revision_of, published_day, links"
)
#: The columns of a SourceState, ``name`` first; those in ``SOURCE_TIMES`` are timestamps.
SOURCE_COLS = (
    "name, location, etag, last_modified, permanent_url, last_fetch_at, last_ok_at, last_error, "
    "error_kind, failures, first_failure_at, paused, paused_reason, next_poll_at, retry_after_until, note"
)
SOURCE_TIMES = frozenset(
    ("last_fetch_at", "last_ok_at", "first_failure_at", "next_poll_at", "retry_after_until")
)
_Row = Mapping[str, Any]


class _Reader(Protocol):
    """What a backend provides for ``StoreReads``."""

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def _stamp(self, dt: datetime) -> Any: ...
    def _when(self, value: Any) -> datetime | None: ...
    def _article_of(self, row: _Row) -> StoredArticle: ...
    def _story_of(self, row: _Row) -> StoredStory: ...
    def _source_of(self, row: _Row) -> SourceState: ...
    def _digest_of(self, row: _Row) -> DigestRecord: ...
    def _delivery_of(self, row: _Row) -> Delivery: ...
    def count_articles_fetched_between(self, start: datetime, end: datetime) -> int: ...


def _ending(column: str, tails: Sequence[str], lengths: Sequence[int]) -> tuple[str, tuple[object, ...]] | None:
    """The condition (and its arguments) that ``column`` ends with one of ``tails`` (non-empty)
    or is one of ``lengths`` long, for :meth:`StoreReads.links_ending` and ``guids_ending``;
    None when nothing is asked for."""
    tails = [t for t in tails if t]
    sizes = sorted({n for n in lengths if n > 0})
    if not tails and not sizes:
        return None
    ends = " OR ".join([f"substr({column}, length({column}) - ? + 1) = ?" for _ in tails]
                       + [f"length({column}) = ?" for _ in sizes])
    return ends, (*(v for t in tails for v in (len(t), t)), *sizes)


def _midnight(published: datetime | None) -> bool:
    """An article stored before the store kept ``published_day`` (its value NULL: SQLite schema
    17, PostgreSQL 22): a day where its time is 00:00:00.000000 UTC, as it was shown before."""
    return published is not None and published.astimezone(UTC).timetz().replace(tzinfo=None) == time()


class StoreReads:
    """Backend-free store reads (see the module docstring)."""

    # -- rows --------------------------------------------------------------------
    def _article_of(self: _Reader, row: _Row) -> StoredArticle:
        published, day = self._when(row["published"]), row["published_day"]
        return StoredArticle(
            key=row["key"], source=row["source"], url=row["url"], title=row["title"], text=row["text"],
            published=published, fetched=self._when(row["fetched"]) or utcnow(),
            author=row["author"], truncated=bool(row["truncated"]), priority=row["priority"],
            junk=json.loads(row["junk"]) if row["junk"] else [], fingerprint=bytes(row["fingerprint"]),
            story_id=row["story_id"], score=row["score"],
            score_detail=json.loads(row["score_detail"]) if row["score_detail"] else None,
            guid=row["guid"], lang=row["lang"], outlet=row["outlet"],
            content_hash=row["content_hash"], revision_of=row["revision_of"],
            published_day=bool(day) if day is not None else _midnight(published),
            links=tuple((str(w), str(u)) for w, u in json.loads(row["links"])) if row["links"] else (),
        )

    def _story_of(self: _Reader, row: _Row) -> StoredStory:
        return StoredStory(
            id=row["id"], first_seen=self._when(row["first_seen"]) or utcnow(),
            updated=self._when(row["updated"]) or utcnow(), lead_key=row["lead_key"],
            n_versions=row["n_versions"], n_sources=row["n_sources"],
        )

    def _source_of(self: _Reader, row: _Row) -> SourceState:
        d = dict(row)
        for k in SOURCE_TIMES:
            d[k] = self._when(d[k])
        d["paused"] = bool(d["paused"])
        return SourceState(**d)

    def _digest_of(self: _Reader, row: _Row) -> DigestRecord:
        return DigestRecord(
            date=row["date"], format=row["format"], built_at=self._when(row["built_at"]) or utcnow(),
            path=row["path"], stories=int(row["stories"] or 0),
            articles_read=row["articles_read"], duplicates=row["duplicates"],
        )

    def _delivery_of(self: _Reader, row: _Row) -> Delivery:
        return Delivery(
            date=row["date"], target=row["target"], status=row["status"], attempts=row["attempts"],
            last_error=row["last_error"], message_id=row["message_id"],
            claimed_at=self._when(row["claimed_at"]), sent_at=self._when(row["sent_at"]),
        )

    # -- sources -------------------------------------------------------------------
    def get_source_state(self: _Reader, name: str) -> SourceState | None:
        row = self._run(f"SELECT {SOURCE_COLS} FROM sources WHERE name=?", (name,)).fetchone()
        return self._source_of(row) if row else None

    def list_source_states(self: _Reader) -> list[SourceState]:
        return [self._source_of(r) for r in self._run(f"SELECT {SOURCE_COLS} FROM sources ORDER BY name")]

    # -- articles ------------------------------------------------------------------
    def has_article(self: _Reader, key: str) -> bool:
        return self._run("SELECT 1 FROM articles WHERE key=?", (key,)).fetchone() is not None

    def get_article(self: _Reader, key: str) -> StoredArticle | None:
        row = self._run(f"SELECT {ARTICLE_COLS.format(text='text')} FROM articles WHERE key=?", (key,)).fetchone()
        return self._article_of(row) if row else None

    def keyed_by_text(self: _Reader, source: str, urls: Sequence[str]) -> dict[str, StoredArticle]:
        """Of ``source``'s articles an older digest keyed by their text (no entry id, not a
        revision), the latest read from each of ``urls`` (a folder's ``file://`` URIs), by URL."""
        found: dict[str, StoredArticle] = {}
        for i in range(0, len(urls), 500):
            chunk = list(urls[i : i + 500])
            q = (f"SELECT {ARTICLE_COLS.format(text='text')} FROM articles WHERE source=? AND guid IS NULL "
                 f"AND revision_of IS NULL AND url IN ({','.join('?' * len(chunk))}) ORDER BY fetched, key")
            for row in self._run(q, (source, *chunk)):
                a = self._article_of(row)
                found[a.url or ""] = a
        return found

    def articles_at(self: _Reader, source: str, url: str) -> list[StoredArticle]:
        """``source``'s articles read from ``url``, the latest read first (the index
        ``articles_source_url``, on PostgreSQL ``articles_url``; asked for an outlet's notice, ``digest.articles.notice_entry``)."""
        q = (f"SELECT {ARTICLE_COLS.format(text='text')} FROM articles WHERE source=? AND url=? "
             "ORDER BY fetched DESC, key DESC")
        return [self._article_of(r) for r in self._run(q, (source, url))]

    def keys_at(self: _Reader, urls: Sequence[str]) -> list[str]:
        """The keys of the articles read from any of ``urls`` (links as stored), sorted: first
        among the sources the store lists (the index ``articles_source_url``, on PostgreSQL
        ``articles_url``), then, none found there, among all (a source whose state is gone: a
        scan of the table, for ``digest explain`` only)."""
        if not urls:
            return []
        marks = ",".join("?" * len(urls))
        q = (f"SELECT key FROM articles WHERE source IN (SELECT name FROM sources) AND url IN ({marks}) "
             "ORDER BY key")
        keys = [r["key"] for r in self._run(q, tuple(urls))]
        if not keys:
            keys = [r["key"] for r in self._run(f"SELECT key FROM articles WHERE url IN ({marks}) ORDER BY key",
                                                tuple(urls))]
        return keys

    def links_ending(self: _Reader, tails: Sequence[str], lengths: Sequence[int] = ()) -> list[tuple[str, str, bool]]:
        """(key, link, whether its source is one the store lists) of the articles whose link
        ends with one of ``tails`` (non-empty), or is one of ``lengths`` long (a link that ends
        at its host, "https://NEWS.Example", has no tail to ask for), by key.  A scan of the
        table, for ``digest explain`` only: a link stored with capitals in its host (as its feed
        writes it) is found by the rest of it, or by its length (``explain._keys_in_any_case``,
        which prefers the listed sources' among those of the right host, as :meth:`keys_at`:
        the preference made here, a listed source's other link that ends so, "/", hid the one)."""
        if (where := _ending("url", tails, lengths)) is None:
            return []
        ends, args = where
        q = (f"SELECT key, url, source IN (SELECT name FROM sources) AS listed FROM articles "
             f"WHERE url IS NOT NULL AND ({ends}) ORDER BY key")
        return [(r["key"], r["url"], bool(r["listed"])) for r in self._run(q, args)]

    def guids_ending(self: _Reader, tails: Sequence[str], lengths: Sequence[int] = ()) -> list[tuple[str, str]]:
        """(key, entry id) of the articles whose entry id ends with one of ``tails``
        (non-empty), or is one of ``lengths`` long, by key: as :meth:`links_ending` for links,
        a scan of the table for ``digest explain`` only (an id stored with capitals in its
        host, "https://NEWS.Example/?p=42", found by the rest of it: ``explain._ids_in_any_case``)."""
        if (where := _ending("guid", tails, lengths)) is None:
            return []
        ends, args = where
        q = f"SELECT key, guid FROM articles WHERE guid IS NOT NULL AND ({ends}) ORDER BY key"
        return [(r["key"], r["guid"]) for r in self._run(q, args)]

    def keys_of_guid(self: _Reader, guid: str) -> list[str]:
        """The keys of the articles whose entry id is ``guid`` (one per source that used it)."""
        return [r["key"] for r in self._run("SELECT key FROM articles WHERE guid=? ORDER BY key", (guid,))]

    def entry_revisions(self: _Reader, key: str) -> list[StoredArticle]:
        """The article stored under ``key`` and its revisions (``revision_of``), in arrival order
        (an index each: the key, ``articles_revision_of``)."""
        q = (
            f"SELECT {ARTICLE_COLS.format(text='text')} FROM articles WHERE key=? OR revision_of=? "
            "ORDER BY fetched, key"
        )
        return [self._article_of(r) for r in self._run(q, (key, key))]

    def articles_since(
        self: _Reader, since: datetime, *, with_text: bool = True, until: tuple[datetime, datetime] | None = None
    ) -> Iterator[StoredArticle]:
        """Articles dated at or after ``since`` (published, else fetched), or read at or after
        it though dated before (a source's backlog: pages of 2019 read last week), oldest first
        by date; ``until`` (arrived by, dated by): only those that had arrived by the first and
        are dated by the second (the index's range ends there).

        The engine's rebuild reads this: without the backlog, a second source's copy of an
        item a first source's backlog brought last week was compared with nothing, and the
        archive showed the old item twice (within one run the two merged).

        Served by the ``articles_window`` index (and ``articles_fetched`` for the backlog,
        dated before all the others, so yielded first): the cost follows the window, not the
        archive.  ``with_text=False`` leaves ``text`` empty.
        """
        cols = ARTICLE_COLS.format(text="text" if with_text else "''")
        start = self._stamp(since)
        arrived, by = ("", []) if until is None else (" AND fetched <= ?", [self._stamp(until[0])])
        dated, dated_by = ("", []) if until is None else (" AND coalesce(published, fetched) <= ?",
                                                          [self._stamp(until[1])])
        order = " ORDER BY coalesce(published, fetched), key"
        # coalesce(published, fetched, fetched): the date, in a form no index holds, so that the
        # backlog is found through ``articles_fetched`` (read since), never through the whole
        # archive dated before ``since`` (``articles_window``, which SQLite's planner chose)
        backlog = f"SELECT {cols} FROM articles WHERE fetched >= ? AND coalesce(published, fetched, fetched) < ?"
        window = f"SELECT {cols} FROM articles WHERE coalesce(published, fetched) >= ?"
        for q, args in ((backlog + arrived + order, [start, start, *by]),
                        (window + dated + arrived + order, [start, *dated_by, *by])):
            for row in self._run(q, args):
                yield self._article_of(row)

    def count_articles_fetched_between(self: _Reader, start: datetime, end: datetime) -> int:
        q = "SELECT count(*) AS n FROM articles WHERE fetched >= ? AND fetched < ?"
        return int(self._run(q, (self._stamp(start), self._stamp(end))).fetchone()["n"])

    def latest_fetched_between(self: _Reader, start: datetime, end: datetime) -> datetime | None:
        """When the newest article fetched in [start, end) arrived (None: none was)."""
        q = "SELECT max(fetched) AS t FROM articles WHERE fetched >= ? AND fetched < ?"
        return self._when(self._run(q, (self._stamp(start), self._stamp(end))).fetchone()["t"])

    def latest_fetched(self: _Reader) -> datetime | None:
        """When the newest stored article arrived (None for an empty store); index-backed."""
        return self._when(self._run("SELECT max(fetched) AS t FROM articles").fetchone()["t"])

    def earliest_fetched(self: _Reader) -> datetime | None:
        """When the first stored article arrived (None for an empty store); index-backed."""
        return self._when(self._run("SELECT min(fetched) AS t FROM articles").fetchone()["t"])

    # -- stories -------------------------------------------------------------------
    def get_story(self: _Reader, story_id: str) -> StoredStory | None:
        row = self._run("SELECT * FROM stories WHERE id=?", (story_id,)).fetchone()
        return self._story_of(row) if row else None

    def stories_first_seen_between(self: _Reader, start: datetime, end: datetime) -> list[StoredStory]:
        q = "SELECT * FROM stories WHERE first_seen >= ? AND first_seen < ? ORDER BY first_seen, id"
        return [self._story_of(r) for r in self._run(q, (self._stamp(start), self._stamp(end)))]

    def story_versions(self: _Reader, story_id: str) -> list[StoredArticle]:
        q = (
            f"SELECT {ARTICLE_COLS.format(text='text')} FROM articles WHERE story_id=? "
            "ORDER BY coalesce(published, fetched), key"
        )
        return [self._article_of(r) for r in self._run(q, (story_id,))]

    def day_counts(self: _Reader, start: datetime, end: datetime) -> DayCounts:
        row = self._run(
            "SELECT count(*) AS n, coalesce(sum({greatest}(n_versions - 1, 0)), 0) AS d FROM stories "
            "WHERE first_seen >= ? AND first_seen < ?",
            (self._stamp(start), self._stamp(end)),
        ).fetchone()
        return DayCounts(
            articles_read=self.count_articles_fetched_between(start, end),
            stories=int(row["n"]),
            duplicates=int(row["d"]),
        )

    # -- digests and deliveries -------------------------------------------------------
    def get_digest(self: _Reader, date: str, fmt: str) -> DigestRecord | None:
        row = self._run("SELECT * FROM digests WHERE date=? AND format=?", (date, fmt)).fetchone()
        return self._digest_of(row) if row else None

    def list_digest_dates(self: _Reader) -> list[tuple[str, int]]:
        """(date, story count) of every digest built, newest first."""
        q = "SELECT date, max(stories) AS n FROM digests GROUP BY date ORDER BY date DESC"
        return [(r["date"], int(r["n"] or 0)) for r in self._run(q)]

    def get_delivery(self: _Reader, date: str, target: str) -> Delivery | None:
        row = self._run("SELECT * FROM deliveries WHERE date=? AND target=?", (date, target)).fetchone()
        return self._delivery_of(row) if row and row["attempts"] else None

    def deliveries_on(self: _Reader, date: str) -> list[Delivery]:
        """Every delivery of the digests dated ``date`` that was attempted, by target."""
        rows = self._run("SELECT * FROM deliveries WHERE date=? ORDER BY target", (date,)).fetchall()
        return [self._delivery_of(r) for r in rows if r["attempts"]]
