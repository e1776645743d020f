"""The server store: PostgreSQL through psycopg 3, shared by several workers.

How it works
------------
Same tables and meaning as the SQLite store (``digest/store/migrations/
postgresql/``; versions 1-2 mirror SQLite's, version 3 adds the shared log
of :mod:`digest.store.log`; 14, the keys ``digest prune`` removed, is SQLite's 11;
18, the keys of a link's or an http(s) id's spellings, is SQLite's 14; the prune itself: :mod:`digest.store.prune_pg`).  The connection is in autocommit mode and
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
* PostgreSQL's text cannot hold NUL: every string sent loses its NUL
  characters (an id, an author, a source name of a JSON Feed or an archive
  may hold one; the cleaner drops them from titles and texts).  Such a
  string made the whole unit fail ("write failed, nothing stored"), so a
  replay stopped, a feed failed at every poll, and ``/story/a%00b`` was a
  500 where SQLite answers 404; it is looked up without them as well.
* A connection lost mid-run (:meth:`lost`) stops the run with one line;
  each later source used to fail on its own, "internal error:
  OperationalError: the connection is closed", one line a source.
"""

from __future__ import annotations

import logging
import os
import re
import select
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime
from typing import Any

import psycopg
from psycopg.abc import Buffer
from psycopg.rows import dict_row
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

from ..errors import StoreError, StoreLost
from . import migrations as _migrations
from . import params, pg_watch
from .base import (
    NewArticle,
    SearchHit,
    redact,
    utcnow,
)
from .deliveries import may_claim
from .delivery_ops import WHOLE_MARK
from .ops import StoreOps, sql_for
from .pg_locks import PgCoordination
from .search import parse as parse_query
from .search import tsquery_terms

log = logging.getLogger(__name__)

_Row = dict[str, Any]


def one_line(exc: BaseException) -> str:
    """A server's message on one line (libpq adds hints on lines of their own)."""
    return " ".join(str(exc).split())


def libpq_url(url: str) -> str:
    """The URL as libpq takes it (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return re.sub(r"^postgres(?:ql)?(?:\+[\w-]+)?://", "postgresql://", url, flags=re.I)


class _TextWithoutNul(StrDumperUnknown):
    """Strings as text without NUL characters (PostgreSQL's text cannot hold them)."""

    def dump(self, obj: str) -> Buffer | None:
        return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)


class _BinaryTextWithoutNul(StrBinaryDumper):
    def dump(self, obj: str) -> Buffer | None:
        return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)


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
        #: A lock of this process's another took while the connection was lost (:meth:`reconnect`).
        self.taken: StoreError | None = None
        self._timeout = max(1, int(connect_timeout))
        self.db: psycopg.Connection[_Row] = self._connect()
        pg_watch.watch(self)  # a statement the server never answers (from the first): the connection is cut
        try:
            self.db.execute("SET TIME ZONE 'UTC'")
            schema = self._one_row("SELECT current_schema() AS s")["s"]
            if schema is None:
                raise StoreError(f"{redact(url)}: no schema to write to (check search_path)")
            self.schema: str = schema
            self._migrate(list(migrations) if migrations is not None else _migrations.load("postgresql"))
        except psycopg.Error as exc:  # ended or cut (a frozen server) as it opened: one line
            self.db.close()
            raise self._unreached(exc) from None
        except BaseException:
            self.db.close()
            raise

    def _probe_url(self) -> str:
        return libpq_url(self.url)

    def _unreached(self, exc: psycopg.Error) -> StoreError:
        """The one line of a connection not made, or ended or cut as it was set up."""
        return StoreError(f"{redact(self.url)}: cannot connect: {one_line(exc)}")

    def _connect(self) -> psycopg.Connection[_Row]:
        """A new connection whose strings lose their NUL characters (set to UTC by its caller, once
        it is ``self.db``: watched, see :mod:`~digest.store.pg_watch`)."""
        try:
            db = psycopg.connect(libpq_url(self.url), autocommit=True, row_factory=dict_row,
                                 connect_timeout=self._timeout)
        except psycopg.Error as exc:
            raise self._unreached(exc) from None
        db.adapters.register_dumper(str, _TextWithoutNul)
        db.adapters.register_dumper(str, _BinaryTextWithoutNul)
        return db

    def reconnect(self) -> None:
        """Connect again after :meth:`lost` (the daemon's next round, the server back): the
        session locks held before went with the old connection and are taken again.
        StoreError while the server cannot be reached, or when another process took one of
        those locks meanwhile (then the new connection stays: :meth:`lost` is None)."""
        if self.lost() is None:
            return
        held = sorted(self._locks)
        with suppress(psycopg.Error):
            self.db.close()  # what is left of the lost one
        try:
            self.db = self._connect()
            self.db.execute("SET TIME ZONE 'UTC'")
            self._locks.clear()
            self._depth = 0
            for name in held:
                regain = time.monotonic() + params.REGAIN_SECONDS
                while not self.acquire_lock(name):
                    if self.lock_holder(name) == str(os.getpid()) and time.monotonic() < regain:
                        time.sleep(0.5)  # our old session: the server has not ended it yet
                        continue
                    self.taken = self.held_by_another(name, ": it started while the connection was lost")
                    raise self.taken
        except psycopg.Error as exc:  # lost again as it was taken: the locks are taken next time
            self._locks.update(held)
            raise self._unreached(exc) from None

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
            new = current == 0
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
                log.log(logging.DEBUG if new else logging.INFO, "%s: schema migrated to version %d (%s)",
                        redact(self.url), mig.version, mig.name)
            if new and latest:
                log.info("%s: new store (schema version %d)", redact(self.url), latest)

    def lost(self) -> StoreLost | None:
        """StoreLost when the connection is gone (server restarted, connection killed)."""
        if not (self.db.closed or self.db.broken):
            return None
        return StoreLost(
            f"{redact(self.url)}: the connection to PostgreSQL was lost; the run stops (what was "
            "stored stays, the rest is read next time): restart digest once the server is back"
        )

    # -- transactions --------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work.  Nested blocks are savepoints."""
        self._depth += 1
        try:
            with self.db.transaction():
                yield
        except psycopg.Error as exc:
            raise StoreError(f"{redact(self.url)}: write failed, nothing stored: {one_line(exc)}") from exc
        finally:
            self._depth -= 1

    # -- what StoreOps builds on ---------------------------------------------------
    def _run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[_Row]:
        return self.db.execute(sql_for("postgresql", sql), params)

    def _run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        return sum(self.db.execute(sql_for("postgresql", sql), row).rowcount for row in rows)

    def _stamp(self, dt: datetime) -> datetime:
        return dt

    def _when(self, value: datetime | None) -> datetime | None:
        return value

    @contextmanager
    def _story_write(self) -> Iterator[None]:
        """A transaction holding the clustering lock: merges and moves reach the log in order."""
        with self.transaction():
            self.cluster_lock()
            yield

    def _durable(self) -> AbstractContextManager[None]:
        """Commits are durable on the server (``synchronous_commit``)."""
        return self.transaction()

    @contextmanager
    def _unsynced(self) -> Iterator[None]:
        """A transaction whose commit does not wait for the server's WAL flush
        (``synchronous_commit`` off: a crash of the server can undo it, a kill of this process
        cannot).  The in-doubt mark's: a wait for the flush is a window in which a kill loses the day."""
        with self.transaction():
            self.db.execute("SET LOCAL synchronous_commit TO OFF")
            yield

    def send_whole_mark(self, date: str, target: str) -> Callable[[], None]:
        """``mark_whole`` pipelined with the message's end: the UPDATE is written to the server,
        the mailer writes the end of the message right after it, and the UPDATE's answer is read
        only then (the callable returned).  A kill cannot undo a statement the server has read
        (20 of 20 processes killed after writing a COMMIT left it committed, Stop 58); waiting
        for the answer before the end, the row was *whole* with the end unwritten for a round
        trip, and a kill in it lost the day (4 of 74 *whole* rows in the mail campaign under
        load).  The window now is the time between two writes, as SQLite's.  One statement in
        autocommit: no transaction is left open, whatever its answer.  Inside a transaction, or
        with the connection not idle: ``mark_whole``, waited for.  An answer that is an error,
        or a row not changed, is logged, not raised: the end has gone, and the send goes on to
        the server's answer and ``mark_sent`` (killed before that, the reader's day is sent
        again: at least once in that double failure, as for a failure the sender sees)."""
        pg = self.db.pgconn
        if self._depth > 0 or pg.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self.mark_whole(date, target)
            return lambda: None
        try:
            numbered = iter(range(1, 4))  # libpq's placeholders: $1, $2, $3
            pg.send_query_params(
                re.sub(r"\?", lambda _: f"${next(numbered)}", WHOLE_MARK).encode(),
                [utcnow().isoformat().encode(), date.replace("\x00", "").encode(), target.replace("\x00", "").encode()],
            )
            while pg.flush():  # nonblocking: written whole before the end of the message is
                select.select([], [pg.socket], [], 1.0)
        except psycopg.Error as exc:  # not sent: the end is not written either (nothing marked)
            raise StoreError(f"{redact(self.url)}: delivery {date} to {target}: mark not sent: {one_line(exc)}") from exc

        def confirm() -> None:
            problem = _answer(pg, time.monotonic() + params.MARK_ANSWER_WAIT)
            if problem is not None:
                log.warning("%s: delivery %s to %s: the in-doubt mark went with the message's end, its "
                            "answer: %s", redact(self.url), date, target, problem)
                if problem.startswith("no answer"):
                    with suppress(Exception):
                        self.db.close()  # its state unknown: the record of the send reconnects

        return confirm

    def _log_regroup(self, kept: str, dropped: str, article: str | None = None) -> None:
        """Record a merge (``article`` None) or a move in the shared log."""
        self.db.execute(
            "INSERT INTO merges(kept, dropped, article) VALUES(%s,%s,%s)", (kept, dropped, article)
        )

    # -- what differs -------------------------------------------------------------
    def has_articles(self, keys: Iterable[str], *, source: str | None = None) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        # a key `digest prune` removed is known too: a feed still listing it makes nothing new
        return {r["key"] for r in self._all_rows(
            "SELECT key FROM articles WHERE key = ANY(%s) AND (%s::text IS NULL OR source = %s) "
            "UNION ALL SELECT key FROM pruned WHERE key = ANY(%s) AND (%s::text IS NULL OR source = %s)",
            (wanted, source, source, wanted, source, source),
        )}

    def content_hashes(self, keys: Iterable[str]) -> dict[str, str | None]:
        wanted = list(dict.fromkeys(keys))
        rows = self._all_rows("SELECT key, content_hash FROM articles WHERE key = ANY(%s)", (wanted,))
        return {r["key"]: r["content_hash"] for r in rows}

    def _insert(self, item: NewArticle, now: datetime) -> bool:
        """Under the clustering lock: log numbers (``seq``) become visible in order."""
        self.cluster_lock()
        return super()._insert(item, now)

    def search(
        self, query: str, *, since: datetime | None = None, limit: int = 20, newest: bool = False
    ) -> list[SearchHit]:
        keep, drop = tsquery_terms(parse_query(query))
        if not keep:
            return []
        # every word, as FTS5 (migrations 9, 19); a term matches as any of its phrases (search.forms),
        # its letters folded by the function that folded the index's (diacritics, migration 19),
        # a letter of a script without spaces a word of its own (migration 20)
        def phrases(forms: tuple[str, ...]) -> str:
            one = "phraseto_tsquery('digest_english', digest_search_words(%s))"
            return "(" + " || ".join([one] * len(forms)) + ")"

        parts = [phrases(f) for f in keep] + [f"!!{phrases(f)}" for f in drop]
        q = (
            "SELECT story_id, max(ts_rank(search, t.q)) AS rank, max(fetched) AS at FROM articles "
            f"CROSS JOIN (SELECT {' && '.join(parts)} AS q) AS t "
            "WHERE search @@ t.q AND (%s::timestamptz IS NULL OR fetched >= %s) "
            f"GROUP BY story_id ORDER BY {'at' if newest else 'rank'} DESC, story_id LIMIT %s"
        )
        texts = [text for forms in (*keep, *drop) for text in forms]
        rows = self._all_rows(q, (*texts, since, since, limit))
        return [SearchHit(r["story_id"], float(r["rank"]), r["at"]) for r in rows]

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


def from_url(url: str) -> PostgresStore:
    """The ``BACKENDS`` factory for ``postgresql://`` and ``postgres://`` URLs."""
    return PostgresStore(url)


def _answer(pg: Any, deadline: float) -> str | None:
    """The pipelined mark's answer (``PostgresStore.send_whole_mark``), read from ``pg`` (libpq,
    nonblocking) by ``deadline``: None when it changed its one row, else what went wrong."""
    try:
        while True:
            pg.consume_input()
            if not pg.is_busy():
                break
            left = deadline - time.monotonic()
            if left <= 0:
                return "no answer in time"
            select.select([pg.socket], [], [], min(left, 1.0))
        problems = []
        while (res := pg.get_result()) is not None:
            if res.status != psycopg.pq.ExecStatus.COMMAND_OK:
                problems.append((res.error_message or b"").decode("utf-8", "replace").strip() or "failed")
            elif res.command_tuples != 1:
                problems.append("the row was not claimed")
        return "; ".join(problems) or None
    except psycopg.Error as exc:
        return f"no answer ({one_line(exc)})"
