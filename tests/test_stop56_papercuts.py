"""Stop 56: an operator's papercuts (docs/evaluation.md, "Stop 56: operator papercuts").

Real parts: SQLite files on disk (one as an older digest left it), PostgreSQL on loopback, a
loopback HTTP server, ``digest`` through its command line."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from digest.cli import main
from digest.store import migrations
from digest.store.sqlite import SQLiteStore
from tests.support.config import make_config
from tests.support.services import pg_schema

FEED, MOVED = "https://coast.example/feed.xml", "https://coast.example/rss/new.xml"


def _export(cfg: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str | None, str | None], str]:
    capsys.readouterr()
    assert main(["export-opml", "--config", str(cfg)]) == 0
    out = capsys.readouterr()
    return {o.get("text"): o.get("xmlUrl") for o in etree.fromstring(out.out.encode()).iter("outline")}, out.err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_opml_leaves_an_older_digests_sqlite_store_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export-opml`` on a store an older digest wrote (schema 5) migrated it to today's (15,
    ten lines on standard error): the file the operator was about to leave, or to hand back to
    that digest, was changed by a command that only lists the feeds.  It reads it as it is."""
    db = tmp_path / "old.sqlite3"
    every = migrations.load("sqlite")
    before = every[: next(i for i, m in enumerate(every) if "source_note" in m.name)]
    old = SQLiteStore(db, migrations=before)
    with old.transaction():
        old.db.execute("INSERT INTO sources(name, location, permanent_url) VALUES(?, ?, ?)", ("Coast", FEED, MOVED))
    old.close()
    version, was = sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0], _digest(db)
    cfg = make_config(tmp_path, {"Coast": FEED}, write=True, database=f"sqlite:///{db}").config_path
    assert cfg is not None
    urls, err = _export(cfg, capsys)
    assert urls == {"Coast": MOVED}  # the columns it reads are there: the moved address all the same
    assert "migrated" not in err and f"Coast: exported at {MOVED}" in err
    assert _digest(db) == was
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == version == len(before)


def test_export_opml_of_a_store_without_the_columns_it_reads_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file whose ``sources`` table lacks what the export reads (no digest wrote it): one
    line on what to check, the feeds exported at their ``url:``, the file untouched."""
    db = tmp_path / "other.sqlite3"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE sources (name TEXT, location TEXT)")
        con.execute("INSERT INTO sources VALUES ('Coast', ?)", (FEED,))
    con.close()
    was = _digest(db)
    cfg = make_config(tmp_path, {"Coast": FEED}, write=True, database=f"sqlite:///{db}").config_path
    assert cfg is not None
    urls, err = _export(cfg, capsys)
    assert urls == {"Coast": FEED}
    assert err.count("\n") == 1 and "not a digest store" in err and "'database:'" in err, err
    assert _digest(db) == was


def test_export_opml_makes_no_tables_in_an_empty_postgresql_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On PostgreSQL the export made every table of a new store ("new store (schema version
    20)") in the schema it was pointed at; it reads only, and a store there is read for the
    feeds' moved addresses."""
    import psycopg

    from digest.store.postgres import PostgresStore
    from tests.support.services import PG_URL

    with pg_schema() as url:
        schema = url.rsplit("search_path%3D", 1)[1]

        def tables() -> int:
            with psycopg.connect(PG_URL) as con:
                row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                                  (schema,)).fetchone()
            assert row is not None
            return int(row[0])

        cfg = make_config(tmp_path, {"Coast": FEED}, write=True, database=url).config_path
        assert cfg is not None
        urls, err = _export(cfg, capsys)
        assert urls == {"Coast": FEED} and "new store" not in err
        assert tables() == 0
        old = PostgresStore(url, migrations=migrations.load("postgresql")[:5])  # as an older digest left it
        old.db.execute("INSERT INTO sources(name, location, permanent_url) VALUES(%s, %s, %s)", ("Coast", FEED, MOVED))
        old.close()
        made = tables()
        urls, err = _export(cfg, capsys)
        assert urls == {"Coast": MOVED} and "migrated" not in err
        assert tables() == made
        with psycopg.connect(PG_URL) as con:
            assert con.execute(f"SELECT version FROM {schema}.digest_schema").fetchall() == [(5,)]
