"""The server store: PostgreSQL through psycopg 3, shared by several workers.

How it works
------------
Same tables and meaning as the SQLite store (``digest/migrations/
postgresql/``; versions 1-2 mirror SQLite's, version 3 adds the shared log
of :mod:`digest.store.log`).  The connection is in autocommit mode and
:meth:`PostgresStore.transaction` is psycopg's own transaction block, which
nests as savepoints: only the outermost commits, an inner failure the caller
catches undoes only the inner block.  Commits are durable (the server's
``synchronous_commit``), so deliveries need nothing extra.

Locks, the clustering lock, the shared log and turns are in
:mod:`digest.store.pg_locks` (advisory locks).  Every article or merge
write takes the clustering lock for the rest of its transaction, so log
numbers (``seq``) become visible in order and a worker that replays
``seq > n`` never misses a row.

Special cases
-------------
* ``postgresql+psycopg://`` and ``postgres://`` URLs are accepted; tables
  live in the connection's current schema (``?options=-csearch_path%3Dname``
  picks one), which also scopes the lock keys.
* A schema written by a newer digest is refused, as in SQLite.  Two
  processes opening a fresh schema at once migrate it once (a transaction
  lock serializes the migration).
* Timestamps come back as aware UTC datetimes (the session runs in UTC).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from ..errors import StoreError
from . import migrations as _migrations
from .base import (
    DayCounts,
    Delivery,
    DigestRecord,
    NewArticle,
    SourceState,
    StoredArticle,
    StoredStory,
    may_claim,
    redact,
    utcnow,
)
from .ops import StoreOps, sql_for
from .pg_locks import ARTICLE_COLS, PgCoordination, article_row
from .search import parse as parse_query
from .search import tsquery_terms

log = logging.getLogger(__name__)

_COLS = ARTICLE_COLS
_ARTICLE_COLS = _COLS.format(text="text")
_INSERT_COLS = _ARTICLE_COLS.replace("text AS text", "text")
_SOURCE_COLS = (
    "name, location, etag, last_modified, permanent_url, last_fetch_at, last_ok_at, last_error, "
    "error_kind, failures, first_failure_at, paused, paused_reason, next_poll_at, retry_after_until"
)
_LOCK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_Row = dict[str, Any]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _story(r: _Row) -> StoredStory:
    return StoredStory(
        id=r["id"], first_seen=r["first_seen"], updated=r["updated"], lead_key=r["lead_key"],
        n_versions=r["n_versions"], n_sources=r["n_sources"],
    )


def _delivery(r: _Row) -> Delivery:
    return Delivery(
        date=r["date"], target=r["target"], status=r["status"], attempts=r["attempts"],
        last_error=r["last_error"], message_id=r["message_id"], claimed_at=r["claimed_at"],
        sent_at=r["sent_at"],
    )


def libpq_url(url: str) -> str:
    """The URL as libpq takes it (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return re.sub(r"^postgres(?:ql)?(?:\+[\w-]+)?://", "postgresql://", url, flags=re.I)


class PostgresStore(PgCoordination, StoreOps):
    """The PostgreSQL backend of :class:`digest.store.base.Store` (and of ``SharedLog``).

    One connection per object: one per thread or process.
    """

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 10.0,
        migrations: Sequence[_migrations.Migration] | None = None,
    ) -> None:
        self.url = url
        self._depth = 0
        self._locks: set[str] = set()
        try:
            self.db: psycopg.Connection[_Row] = psycopg.connect(
                libpq_url(url), autocommit=True, row_factory=dict_row,
                connect_timeout=max(1, int(connect_timeout)),
            )
        except psycopg.Error as exc:
            raise StoreError(f"{redact(url)}: cannot connect: {str(exc).strip()}") from None
        try:
            self.db.execute("SET TIME ZONE 'UTC'")
            schema = self._one_row("SELECT current_schema() AS s")["s"]
            if schema is None:
                raise StoreError(f"{redact(url)}: no schema to write to (check search_path)")
            self.schema: str = schema
            self._migrate(list(migrations) if migrations is not None else _migrations.load("postgresql"))
        except BaseException:
            self.db.close()
            raise

    # -- schema ----------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        row = self._one_row("SELECT to_regclass('digest_schema') IS NOT NULL AS t")
        if not row["t"]:
            return 0
        got = self.db.execute("SELECT version FROM digest_schema").fetchone()
        return int(got["version"]) if got else 0

    def _migrate(self, migrations: list[_migrations.Migration]) -> None:
        latest = len(migrations)
        with self.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (self._key("migrate"),))
            self.db.execute("CREATE TABLE IF NOT EXISTS digest_schema (version INTEGER NOT NULL)")
            current = self.schema_version
            if current > latest:
                raise StoreError(
                    f"{redact(self.url)}: written by a newer digest (schema version {current}, "
                    f"this one knows up to {latest}); upgrade digest to open it"
                )
            for mig in migrations[current:]:
                try:
                    with self.transaction():
                        for stmt in mig.statements():
                            self.db.execute(stmt)
                except StoreError as exc:
                    raise StoreError(f"{redact(self.url)}: migration {mig.version} ({mig.name}) failed: "
                                     f"{exc.__cause__ or exc}") from None
                self.db.execute("DELETE FROM digest_schema")
                self.db.execute("INSERT INTO digest_schema VALUES (%s)", (mig.version,))
                log.info("%s: schema migrated to version %d (%s)", redact(self.url), mig.version, mig.name)

    # -- transactions --------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work.  Nested blocks are savepoints."""
        self._depth += 1
        try:
            with self.db.transaction():
                yield
        except psycopg.Error as exc:
            raise StoreError(f"{redact(self.url)}: write failed, nothing stored: {str(exc).strip()}") from exc
        finally:
            self._depth -= 1

    def close(self) -> None:
        for name in list(self._locks):
            self.release_lock(name)
        self.db.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what StoreOps builds on ---------------------------------------------------
    def _run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[_Row]:
        return self.db.execute(sql_for("postgresql", sql), params)

    def _stamp(self, dt: datetime) -> datetime:
        return dt

    @contextmanager
    def _story_write(self) -> Iterator[None]:
        """A transaction holding the clustering lock: merges and moves reach the log in order."""
        with self.transaction():
            self.cluster_lock()
            yield

    def _durable(self) -> AbstractContextManager[None]:
        """Commits are durable on the server (``synchronous_commit``)."""
        return self.transaction()

    def _log_regroup(self, kept: str, dropped: str, article: str | None = None) -> None:
        """Record a merge (``article`` None) or a move in the shared log."""
        self.db.execute(
            "INSERT INTO merges(kept, dropped, article) VALUES(%s,%s,%s)", (kept, dropped, article)
        )

    # -- sources ----------------------------------------------------------------
    def sync_sources(self, sources: Iterable[tuple[str, str]]) -> None:
        with self.transaction(), self.db.cursor() as cur:
            cur.executemany(
                "INSERT INTO sources(name, location) VALUES(%s,%s) "
                "ON CONFLICT(name) DO UPDATE SET location=excluded.location, etag=NULL, "
                "last_modified=NULL, permanent_url=NULL, last_error=NULL, error_kind=NULL, "
                "failures=0, first_failure_at=NULL, paused=FALSE, paused_reason=NULL, "
                "next_poll_at=NULL, retry_after_until=NULL "
                "WHERE sources.location IS DISTINCT FROM excluded.location",
                list(sources),
            )

    def get_source_state(self, name: str) -> SourceState | None:
        row = self.db.execute(f"SELECT {_SOURCE_COLS} FROM sources WHERE name=%s", (name,)).fetchone()
        return SourceState(**row) if row else None

    def list_source_states(self) -> list[SourceState]:
        return [SourceState(**r) for r in self._all_rows(f"SELECT {_SOURCE_COLS} FROM sources ORDER BY name")]

    def save_source_state(self, state: SourceState) -> None:
        cols = _SOURCE_COLS.split(", ")
        updates = ", ".join(f"{c}=excluded.{c}" for c in cols[1:])
        self.db.execute(
            f"INSERT INTO sources({_SOURCE_COLS}) VALUES({', '.join(['%s'] * len(cols))}) "
            f"ON CONFLICT(name) DO UPDATE SET {updates}",
            [getattr(state, c) for c in cols],
        )

    # -- articles ----------------------------------------------------------------
    def has_article(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE key=%s", (key,)).fetchone() is not None

    def has_articles(self, keys: Iterable[str], *, source: str | None = None) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        return {r["key"] for r in self._all_rows(
            "SELECT key FROM articles WHERE key = ANY(%s) AND (%s::text IS NULL OR source = %s)",
            (wanted, source, source),
        )}

    def _insert(self, item: NewArticle, now: datetime) -> bool:
        a = item.article
        self.cluster_lock()
        cur = self.db.execute(
            f"INSERT INTO articles({_INSERT_COLS}) VALUES({', '.join(['%s'] * 16)}) "
            "ON CONFLICT(key) DO NOTHING",
            (
                a.key, a.source, a.url, a.title, a.text, a.published, a.fetched or now, a.author,
                bool(a.truncated), a.priority, _json(list(a.junk)), bytes(item.fingerprint),
                item.story_id, item.score, _json(dict(item.detail) if item.detail is not None else None),
                a.guid,
            ),
        )
        return cur.rowcount == 1

    def get_article(self, key: str) -> StoredArticle | None:
        row = self.db.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE key=%s", (key,)).fetchone()
        return article_row(row) if row else None

    def articles_since(self, since: datetime, *, with_text: bool = True) -> Iterator[StoredArticle]:
        cols = _COLS.format(text="text" if with_text else "''")
        q = (f"SELECT {cols} FROM articles WHERE coalesce(published, fetched) >= %s "
             "ORDER BY coalesce(published, fetched), key")
        for row in self._all_rows(q, (since,)):
            yield article_row(row)

    # -- stories -------------------------------------------------------------------
    def update_scores(self, story_id: str, scores: Mapping[str, tuple[float, Mapping[str, Any]]]) -> int:
        n = 0
        with self.transaction():
            for k, (s, d) in scores.items():
                n += self.db.execute(
                    "UPDATE articles SET score=%s, score_detail=%s WHERE key=%s AND story_id=%s",
                    (float(s), _json(dict(d)), k, story_id),
                ).rowcount
        return n

    def get_story(self, story_id: str) -> StoredStory | None:
        row = self.db.execute("SELECT * FROM stories WHERE id=%s", (story_id,)).fetchone()
        return _story(row) if row else None

    def stories_first_seen_between(self, start: datetime, end: datetime) -> list[StoredStory]:
        q = "SELECT * FROM stories WHERE first_seen >= %s AND first_seen < %s ORDER BY first_seen, id"
        return [_story(r) for r in self._all_rows(q, (start, end))]

    def story_versions(self, story_id: str) -> list[StoredArticle]:
        q = (f"SELECT {_ARTICLE_COLS} FROM articles WHERE story_id=%s "
             "ORDER BY coalesce(published, fetched), key")
        return [article_row(r) for r in self._all_rows(q, (story_id,))]

    def search(self, query: str, *, since: datetime | None = None, limit: int = 20) -> list[tuple[str, float]]:
        keep, drop = tsquery_terms(parse_query(query))
        if not keep:
            return []
        parts = ["phraseto_tsquery('english', %s)"] * len(keep) + ["!!phraseto_tsquery('english', %s)"] * len(drop)
        q = (
            "SELECT story_id, max(ts_rank(search, t.q)) AS rank FROM articles "
            f"CROSS JOIN (SELECT {' && '.join(parts)} AS q) AS t "
            "WHERE search @@ t.q AND (%s::timestamptz IS NULL OR fetched >= %s) "
            "GROUP BY story_id ORDER BY rank DESC, story_id LIMIT %s"
        )
        rows = self._all_rows(q, (*keep, *drop, since, since, limit))
        return [(r["story_id"], float(r["rank"])) for r in rows]

    def count_articles_fetched_between(self, start: datetime, end: datetime) -> int:
        q = "SELECT count(*) AS n FROM articles WHERE fetched >= %s AND fetched < %s"
        return int(self._one_row(q, (start, end))["n"])

    def day_counts(self, start: datetime, end: datetime) -> DayCounts:
        row = self._one_row(
            "SELECT count(*) AS n, coalesce(sum(greatest(n_versions - 1, 0)), 0) AS d FROM stories "
            "WHERE first_seen >= %s AND first_seen < %s", (start, end),
        )
        return DayCounts(self.count_articles_fetched_between(start, end), int(row["n"]), int(row["d"]))

    # -- digests -------------------------------------------------------------------
    def get_digest(self, date: str, fmt: str) -> DigestRecord | None:
        r = self.db.execute("SELECT * FROM digests WHERE date=%s AND format=%s", (date, fmt)).fetchone()
        if r is None:
            return None
        return DigestRecord(r["date"], r["format"], r["built_at"], r["path"], int(r["stories"] or 0),
                            r["articles_read"], r["duplicates"])

    def list_digest_dates(self) -> list[tuple[str, int]]:
        q = "SELECT date, max(stories) AS n FROM digests GROUP BY date ORDER BY date DESC"
        return [(r["date"], int(r["n"] or 0)) for r in self._all_rows(q)]

    # -- deliveries ------------------------------------------------------------------
    def claim_delivery(self, date: str, target: str, *, stale_after: float = 3600.0) -> bool:
        """Claim (date, target) for sending; the row lock makes two claimers take turns."""
        now = utcnow()
        with self.transaction():
            self.db.execute(
                "INSERT INTO deliveries(date, target, status, attempts) VALUES(%s,%s,'failed',0) "
                "ON CONFLICT DO NOTHING", (date, target),
            )
            row = self._one_row("SELECT status, attempts, claimed_at FROM deliveries WHERE date=%s AND "
                            "target=%s FOR UPDATE", (date, target))
            status = None if row["attempts"] == 0 else row["status"]
            if not may_claim(status, row["claimed_at"], now, stale_after):
                return False
            self.db.execute(
                "UPDATE deliveries SET status='pending', attempts=attempts+1, claimed_at=%s "
                "WHERE date=%s AND target=%s", (now, date, target),
            )
            return True

    def get_delivery(self, date: str, target: str) -> Delivery | None:
        r = self.db.execute("SELECT * FROM deliveries WHERE date=%s AND target=%s", (date, target)).fetchone()
        return _delivery(r) if r and r["attempts"] else None


def from_url(url: str) -> PostgresStore:
    """The ``BACKENDS`` factory for ``postgresql://`` and ``postgres://`` URLs."""
    return PostgresStore(url)
