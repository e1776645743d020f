"""The store: SQLite on disk (WAL), with versioned migrations.

Tables
------
``sources``    one row per configured source: fetch state (ETag, Last-Modified,
               permanent URL), last success/error, consecutive failures, pause.
``articles``   one row per article, keyed by its identity (``digest.identity``):
               clean text, dates, the fingerprint BLOB (never recomputed), its
               story and completeness score with the reason (JSON).
``stories``    id (the key of the article that started it), first seen, lead.
``digests``    digests written: (date, format) -> path, counts.
``deliveries`` (date, target) -> pending / sent / failed: a digest is sent at
               most once per day and target.
``meta``       key/value, including ``schema_version``.

How it works
------------
One connection per :class:`Store`; every write unit runs in one
``BEGIN IMMEDIATE`` transaction (``Store.transaction``), so a crash or
``kill -9`` leaves whole units or nothing: WAL journaling keeps the file
consistent.  Times are stored as ISO 8601 UTC strings of one fixed format,
so they sort and compare as text.  ``open_store(url)`` picks the backend by
URL scheme from ``BACKENDS`` (a PostgreSQL store can register itself there).

Special cases
-------------
* Opening a store written by a newer digest (higher schema version) fails
  with a clear message instead of guessing.
* ``exclusive(name)`` takes an OS file lock next to the database; the OS
  drops it when the holder dies, so a killed daemon never blocks a restart.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import StoreError
from .records import Article

MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        location TEXT NOT NULL,
        etag TEXT, last_modified TEXT, permanent_url TEXT,
        last_fetch_at TEXT, last_ok_at TEXT, last_error TEXT, error_kind TEXT,
        failures INTEGER NOT NULL DEFAULT 0, first_failure_at TEXT,
        paused INTEGER NOT NULL DEFAULT 0, paused_reason TEXT,
        next_poll_at TEXT
    );
    CREATE TABLE articles (
        key TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        url TEXT, title TEXT NOT NULL, text TEXT NOT NULL,
        published TEXT, fetched TEXT NOT NULL, author TEXT,
        truncated INTEGER NOT NULL DEFAULT 0, priority REAL NOT NULL DEFAULT 0,
        junk TEXT, fingerprint BLOB NOT NULL,
        story_id TEXT NOT NULL, score REAL, score_detail TEXT
    );
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_fetched ON articles(fetched);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL, updated TEXT NOT NULL,
        lead_key TEXT NOT NULL
    );
    CREATE INDEX stories_first_seen ON stories(first_seen);
    CREATE TABLE digests (
        date TEXT NOT NULL, format TEXT NOT NULL, built_at TEXT NOT NULL,
        path TEXT, stories INTEGER,
        PRIMARY KEY (date, format)
    );
    CREATE TABLE deliveries (
        date TEXT NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, message_id TEXT,
        claimed_at TEXT, sent_at TEXT,
        PRIMARY KEY (date, target)
    );
    """,
]


def ts(dt: datetime | None) -> str | None:
    """A datetime as the store's fixed-format UTC text."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(slots=True)
class SourceState:
    name: str
    location: str
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None
    last_fetch_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    error_kind: str | None = None
    failures: int = 0
    first_failure_at: datetime | None = None
    paused: bool = False
    paused_reason: str | None = None
    next_poll_at: datetime | None = None

    def __str__(self) -> str:
        state = "paused" if self.paused else ("failing" if self.failures else "ok")
        last = self.last_ok_at.isoformat(timespec="seconds") if self.last_ok_at else "never"
        err = f" last error: {self.last_error}" if self.last_error and self.failures else ""
        return f"{self.name}: {state}, last ok {last}, {self.failures} failure(s){err}"


@dataclass(slots=True)
class StoredArticle:
    key: str
    source: str
    url: str | None
    title: str
    text: str
    published: datetime | None
    fetched: datetime
    author: str | None
    truncated: bool
    priority: float
    junk: list[str]
    fingerprint: bytes
    story_id: str
    score: float | None
    score_detail: dict[str, Any] | None


@dataclass(slots=True)
class StoredStory:
    id: str
    first_seen: datetime
    updated: datetime
    lead_key: str


_ARTICLE_COLS = (
    "key, source, url, title, text, published, fetched, author, truncated, priority, "
    "junk, fingerprint, story_id, score, score_detail"
)


def _article(row: sqlite3.Row) -> StoredArticle:
    return StoredArticle(
        key=row["key"],
        source=row["source"],
        url=row["url"],
        title=row["title"],
        text=row["text"],
        published=parse_ts(row["published"]),
        fetched=parse_ts(row["fetched"]) or datetime.now(UTC),
        author=row["author"],
        truncated=bool(row["truncated"]),
        priority=row["priority"],
        junk=json.loads(row["junk"]) if row["junk"] else [],
        fingerprint=bytes(row["fingerprint"]),
        story_id=row["story_id"],
        score=row["score"],
        score_detail=json.loads(row["score_detail"]) if row["score_detail"] else None,
    )


class SQLiteStore:
    """The embedded default store.  One instance per thread or process."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from None
        self.db.row_factory = sqlite3.Row
        self._depth = 0
        self._locks: dict[str, int] = {}
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=30000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise StoreError(f"{self.path}: not a usable digest store: {exc}") from None

    # -- schema ----------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: written by a newer digest (schema {current}, this one knows "
                f"{len(MIGRATIONS)}); upgrade digest"
            )
        for version in range(current + 1, len(MIGRATIONS) + 1):
            with self.transaction():
                for stmt in MIGRATIONS[version - 1].split(";"):
                    if stmt.strip():
                        self.db.execute(stmt)
                self.db.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work (nests: only the outermost commits)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        for fd in self._locks.values():
            os.close(fd)
        self._locks.clear()
        self.db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold a named OS lock (e.g. "daemon"); refuse if another process has it."""
        lock_path = self.path.with_name(f"{self.path.name}.{name}.lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreError(
                f"{self.path}: another digest {name} is already running (pid {other})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._locks[name] = fd
        try:
            yield
        finally:
            fd = self._locks.pop(name, fd)
            os.close(fd)

    # -- sources ---------------------------------------------------------
    def sync_sources(self, sources: Iterable[tuple[str, str]]) -> None:
        with self.transaction():
            for name, location in sources:
                self.db.execute(
                    "INSERT INTO sources(name, location) VALUES(?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET location=excluded.location",
                    (name, location),
                )

    def get_source_state(self, name: str) -> SourceState | None:
        row = self.db.execute("SELECT * FROM sources WHERE name=?", (name,)).fetchone()
        return self._source(row) if row else None

    def list_source_states(self) -> list[SourceState]:
        return [self._source(r) for r in self.db.execute("SELECT * FROM sources ORDER BY name")]

    @staticmethod
    def _source(row: sqlite3.Row) -> SourceState:
        d = dict(row)
        for k in ("last_fetch_at", "last_ok_at", "first_failure_at", "next_poll_at"):
            d[k] = parse_ts(d[k])
        d["paused"] = bool(d["paused"])
        return SourceState(**d)

    def save_source_state(self, st: SourceState) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO sources(name, location, etag, last_modified, permanent_url, "
                "last_fetch_at, last_ok_at, last_error, error_kind, failures, first_failure_at, "
                "paused, paused_reason, next_poll_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    st.name, st.location, st.etag, st.last_modified, st.permanent_url,
                    ts(st.last_fetch_at), ts(st.last_ok_at), st.last_error, st.error_kind,
                    st.failures, ts(st.first_failure_at), int(st.paused), st.paused_reason,
                    ts(st.next_poll_at),
                ),
            )

    # -- articles and stories ---------------------------------------------
    def has_article(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE key=?", (key,)).fetchone() is not None

    def has_articles(self, keys: Iterable[str]) -> set[str]:
        keys = list(keys)
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT key FROM articles WHERE key IN ({','.join('?' * len(chunk))})"
            found.update(r[0] for r in self.db.execute(q, chunk))
        return found

    def add_article(self, a: Article, fingerprint: bytes, story_id: str) -> bool:
        """Store a new article; False (and nothing written) if its key exists."""
        cur = self.db.execute(
            f"INSERT OR IGNORE INTO articles({_ARTICLE_COLS}) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                a.key, a.source, a.url, a.title, a.text, ts(a.published),
                ts(a.fetched or datetime.now(UTC)), a.author, int(a.truncated), a.priority,
                json.dumps(a.junk, ensure_ascii=False), fingerprint, story_id, None, None,
            ),
        )
        return cur.rowcount == 1

    def get_article(self, key: str) -> StoredArticle | None:
        row = self.db.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE key=?", (key,)).fetchone()
        return _article(row) if row else None

    def articles_since(self, since: datetime) -> Iterator[StoredArticle]:
        """Articles published since ``since`` (index-backed: cost follows the window)."""
        q = f"SELECT {_ARTICLE_COLS} FROM articles WHERE published >= ? ORDER BY published, key"
        for row in self.db.execute(q, (ts(since),)):
            yield _article(row)

    def save_story(
        self,
        story_id: str,
        *,
        lead_key: str,
        first_seen: datetime,
        scores: dict[str, tuple[float, dict[str, Any]]],
    ) -> None:
        now = ts(datetime.now(UTC))
        with self.transaction():
            self.db.execute(
                "INSERT INTO stories(id, first_seen, updated, lead_key) VALUES(?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET lead_key=excluded.lead_key, updated=excluded.updated, "
                "first_seen=min(stories.first_seen, excluded.first_seen)",
                (story_id, ts(first_seen), now, lead_key),
            )
            self.db.executemany(
                "UPDATE articles SET score=?, score_detail=? WHERE key=?",
                [(s, json.dumps(d), k) for k, (s, d) in scores.items()],
            )

    def merge_stories(self, *, keep: str, drop: str) -> None:
        """Move ``drop``'s articles into ``keep`` (first_seen = the earlier)."""
        with self.transaction():
            self.db.execute("UPDATE articles SET story_id=? WHERE story_id=?", (keep, drop))
            row = self.db.execute("SELECT first_seen FROM stories WHERE id=?", (drop,)).fetchone()
            if row:
                self.db.execute(
                    "UPDATE stories SET first_seen=min(first_seen, ?) WHERE id=?", (row[0], keep)
                )
            self.db.execute("DELETE FROM stories WHERE id=?", (drop,))

    def get_story(self, story_id: str) -> StoredStory | None:
        row = self.db.execute("SELECT * FROM stories WHERE id=?", (story_id,)).fetchone()
        return self._story(row) if row else None

    @staticmethod
    def _story(row: sqlite3.Row) -> StoredStory:
        return StoredStory(
            row["id"], parse_ts(row["first_seen"]) or datetime.now(UTC),
            parse_ts(row["updated"]) or datetime.now(UTC), row["lead_key"],
        )

    def stories_first_seen_between(self, start: datetime, end: datetime) -> list[StoredStory]:
        q = "SELECT * FROM stories WHERE first_seen >= ? AND first_seen < ? ORDER BY first_seen, id"
        return [self._story(r) for r in self.db.execute(q, (ts(start), ts(end)))]

    def story_versions(self, story_id: str) -> list[StoredArticle]:
        q = f"SELECT {_ARTICLE_COLS} FROM articles WHERE story_id=? ORDER BY published, key"
        return [_article(r) for r in self.db.execute(q, (story_id,))]

    def count_articles_fetched_between(self, start: datetime, end: datetime) -> int:
        q = "SELECT count(*) FROM articles WHERE fetched >= ? AND fetched < ?"
        return int(self.db.execute(q, (ts(start), ts(end))).fetchone()[0])

    # -- digests and deliveries --------------------------------------------
    def record_digest(self, date: str, fmt: str, path: str | None, stories: int) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO digests(date, format, built_at, path, stories) VALUES(?,?,?,?,?)",
                (date, fmt, ts(datetime.now(UTC)), path, stories),
            )

    def list_digest_dates(self) -> list[tuple[str, int]]:
        q = "SELECT date, max(stories) FROM digests GROUP BY date ORDER BY date DESC"
        return [(r[0], int(r[1] or 0)) for r in self.db.execute(q)]

    def claim_delivery(self, date: str, target: str, *, stale_after: float = 3600.0) -> bool:
        """Claim the (date, target) delivery; False if already sent or being sent."""
        now = datetime.now(UTC)
        with self.transaction():
            row = self.db.execute(
                "SELECT status, claimed_at FROM deliveries WHERE date=? AND target=?", (date, target)
            ).fetchone()
            if row and row["status"] == "sent":
                return False
            if row and row["status"] == "pending":
                claimed = parse_ts(row["claimed_at"])
                if claimed and (now - claimed).total_seconds() < stale_after:
                    return False
            self.db.execute(
                "INSERT INTO deliveries(date, target, status, attempts, claimed_at) VALUES(?,?,'pending',1,?) "
                "ON CONFLICT(date, target) DO UPDATE SET status='pending', attempts=attempts+1, "
                "claimed_at=excluded.claimed_at",
                (date, target, ts(now)),
            )
            return True

    def mark_sent(self, date: str, target: str, message_id: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE deliveries SET status='sent', message_id=?, sent_at=?, last_error=NULL "
                "WHERE date=? AND target=?",
                (message_id, ts(datetime.now(UTC)), date, target),
            )

    def mark_failed(self, date: str, target: str, error: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE deliveries SET status='failed', last_error=? WHERE date=? AND target=?",
                (error, date, target),
            )

    def delivery_status(self, date: str, target: str) -> str | None:
        row = self.db.execute(
            "SELECT status FROM deliveries WHERE date=? AND target=?", (date, target)
        ).fetchone()
        return row[0] if row else None


Store = SQLiteStore


def _sqlite(url: str) -> SQLiteStore:
    path = url.split("://", 1)[1]
    if path.startswith("/") and url.startswith("sqlite:///"):
        path = "/" + path.lstrip("/")
    return SQLiteStore(path)


#: URL scheme -> store factory.  Other backends register here.
BACKENDS: dict[str, Callable[[str], Any]] = {"sqlite": _sqlite}


def open_store(url: str) -> SQLiteStore:
    scheme = url.split("://", 1)[0].lower() if "://" in url else "sqlite"
    factory = BACKENDS.get(scheme.split("+")[0])
    if factory is None:
        raise StoreError(f"{url}: unknown database kind {scheme!r} (known: {', '.join(BACKENDS)})")
    store: SQLiteStore = factory(url if "://" in url else f"sqlite:///{url}")
    return store
