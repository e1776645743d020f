"""The sources' stored addresses, read without opening the store for writing (``digest export-opml``).

Observations
------------
* ``digest export-opml`` opened the store as every command does (``open_store``): on
  PostgreSQL an empty schema got every table of the current digest ("new store (schema version
  20)"), and a SQLite file an older digest wrote was migrated (version 5 to 15, ten lines on
  standard error) by a command that only writes a list of feeds (stop 56).  An export must leave
  the store as it found it: the one it is about to leave, or one a newer digest wrote.
* What it reads (``sources``: ``name``, ``location``, ``permanent_url``) is in every schema
  since the first migration; a store without them is not a digest store of any version.

How it works
------------
:func:`read_addresses` opens SQLite with ``mode=rw`` and ``PRAGMA query_only`` (no file
made, nothing written, no migration; ``mode=ro`` left the WAL's two files beside the store)
and PostgreSQL in a read-only session (``default_transaction_read_only``), looks up the
``sources`` table's columns, and returns ``name -> (location, permanent_url)``.

Special cases
-------------
* A SQLite file that is not there, or a store without a ``sources`` table (an empty
  PostgreSQL schema: no digest ran on it yet): empty, no file or table made.
* A ``search_path`` that names no schema of the database: a StoreError, as opening the store
  says (it read as an empty schema, the feeds exported at their ``url:`` without a word).
* The table without a column it reads (a table no digest wrote): a
  :class:`~digest.errors.StoreError` whose line says what to do.
* A SQLite file held by a writer (a daemon polling): read as of its last commit (WAL).
"""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

from ..errors import StoreError
from .base import redact

#: The ``sources`` columns an export reads: in every schema since the first migration.
NEEDED = ("name", "location", "permanent_url")


def read_addresses(url: str) -> dict[str, tuple[str, str | None]]:
    """``name -> (location, permanent_url)`` of every source the store at ``url`` (a
    ``sqlite:///`` or ``postgresql://`` URL) knows, read only.  StoreError: not read (one line)."""
    if url.lower().startswith("sqlite"):
        return _sqlite(url)
    return _postgres(url)


def _missing(url: str, columns: set[str]) -> StoreError:
    lacks = ", ".join(c for c in NEEDED if c not in columns)
    return StoreError(f"{redact(url)}: its sources table has no {lacks} column: not a digest store; "
                      "check 'database:' in the configuration")


def _sqlite(url: str) -> dict[str, tuple[str, str | None]]:
    from .sqlite import path_of

    path = path_of(url)
    if not path.exists():
        return {}
    try:
        # not mode=ro: a connection that may not write makes the WAL's -wal and -shm files and
        # cannot remove them (two files left by each export); mode=rw makes no file, opens a
        # file the user may not write read-only, and query_only refuses every write
        db = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=10.0)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the store to read: {exc}") from None
    try:
        db.execute("PRAGMA query_only = ON")
        columns = {row[1] for row in db.execute("PRAGMA table_info(sources)")}
        if not columns:  # no digest wrote it yet
            return {}
        if not set(NEEDED) <= columns:
            raise _missing(url, columns)
        rows = db.execute("SELECT name, location, permanent_url FROM sources").fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot read the store: {exc}") from None
    finally:
        db.close()
    return {str(name): (str(loc), perm) for name, loc, perm in rows}


def _postgres(url: str) -> dict[str, tuple[str, str | None]]:
    try:  # the scale extra's: without it the store is not read, as opening it says (open_store)
        import psycopg

        from .postgres import libpq_url, one_line
    except ImportError as exc:
        raise StoreError(f"{redact(url)}: the postgresql store is not available ({exc})") from None

    try:
        with psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10) as db:
            db.execute("SET default_transaction_read_only = on")
            row = db.execute("SELECT current_schema()").fetchone()
            if row is None or row[0] is None:  # search_path names no schema there (a typo)
                raise StoreError(f"{redact(url)}: no schema to read (check search_path)")
            found = db.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'sources'"
            ).fetchall()
            columns = {str(row[0]) for row in found}
            if not columns:  # an empty schema: no digest ran on it yet
                return {}
            if not set(NEEDED) <= columns:
                raise _missing(url, columns)
            rows = db.execute("SELECT name, location, permanent_url FROM sources").fetchall()
    except psycopg.Error as exc:
        raise StoreError(f"{redact(url)}: cannot connect: {one_line(exc)}") from None
    return {str(name): (str(loc), perm) for name, loc, perm in rows}
