"""Stop 56: an operator's papercuts (docs/evaluation.md, "Stop 56: operator papercuts").

Real parts: SQLite files on disk (one as an older digest left it), PostgreSQL on loopback, a
loopback HTTP server, ``digest`` through its command line."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from digest.cli import main
from digest.store import migrations
from digest.store.sqlite import SQLiteStore
from tests.support.config import make_config
from tests.support.services import need_postgres, pg_schema

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
    need_postgres()  # first: without the driver this skips
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


def test_a_round_where_many_feeds_fail_alike_says_so_in_one_line_and_one_when_they_read_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The migration review's run before ``fetch.allow_hosts`` was set: every feed refused, a
    warning each, then after the fix a "reads again after 1 failed read" line each (18, or
    200 for an import of 200).  A round says the many in one line, how many and why; a source
    failing for a reason of its own keeps its own line; each source's line is at DEBUG, and
    ``digest sources`` still gives each its error."""
    import random

    from digest.app import open_app
    from digest.service.daemon import Daemon
    from tests.support.daemon import Clock, rss
    from tests.support.httpd import TestServer

    def daemon_round(cfg: Path, clock: Clock) -> list[tuple[int, str]]:
        caplog.clear()
        with open_app(cfg) as app, caplog.at_level(logging.DEBUG, logger="digest"):
            Daemon(app, rng=random.Random(1), clock=clock).poll_due()
        return [(r.levelno, r.getMessage()) for r in caplog.records
                if r.name in ("digest.daemon", "digest.sources.tracking")]

    with TestServer() as srv:
        feeds: dict[str, str | Path] = {f"Feed {i}": srv.url(f"/f{i}.xml") for i in range(5)}
        for i in range(5):
            srv.set(f"/f{i}.xml", rss(f"feed{i}", range(2)))
        (tmp_path / "notes.xml").write_bytes(b"\x00\x01 not a feed")
        sources = {**feeds, "Notes": tmp_path / "notes.xml"}  # fails for a reason of its own
        settings = {"timezone": "UTC", "schedule": {"poll_minutes": 1}}
        refused = make_config(tmp_path, sources, write=True, **settings).config_path
        assert refused is not None
        clock = Clock()
        said = daemon_round(refused, clock)
        warnings = [m for lv, m in said if lv == logging.WARNING]
        assert len(warnings) == 2, warnings
        alike = next(m for m in warnings if "alike" in m)
        assert alike.startswith("5 sources failed alike: refused: the host is a private or reserved address")
        assert "(see fetch.allow_hosts)" in alike and "Feed 0, Feed 1" in alike
        assert any(m.startswith("Notes: ") for m in warnings), warnings
        assert len([m for lv, m in said if lv == logging.DEBUG and "(failure 1; next try in" in m]) == 5
        with open_app(refused) as app:  # each source's own error, as before
            assert sum("last error: refused" in line for line in app.source_states()) == 5

        allowed = make_config(tmp_path, sources, write=True, **settings,
                              fetch={"allow_hosts": ["127.0.0.1"]}).config_path
        assert allowed is not None
        clock.now += timedelta(hours=1)
        said = daemon_round(allowed, clock)
        again = [m for lv, m in said if lv == logging.INFO and "read" in m and "again" in m]
        assert len(again) == 1 and again[0].startswith("5 sources read again after 1 failed read each ("), said
        assert all(name in again[0] for name in feeds)
        assert len([m for lv, m in said if lv == logging.DEBUG and "reads again" in m]) == 5


def test_a_cron_run_where_many_feeds_fail_alike_says_so_in_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest run`` from cron with every feed refused mailed an error line per feed; the
    many are one line (how many, why, the first names), a source failing otherwise its own,
    and ``digest sources`` names each with its error."""
    from tests.support.daemon import rss
    from tests.support.httpd import TestServer

    with TestServer() as srv:
        feeds: dict[str, str | Path] = {f"Feed {i}": srv.url(f"/f{i}.xml") for i in range(7)}
        for i in range(7):
            srv.set(f"/f{i}.xml", rss(f"feed{i}", range(2)))
        (tmp_path / "notes.xml").write_bytes(b"\x00\x01 not a feed")
        cfg = make_config(tmp_path, {**feeds, "Notes": tmp_path / "notes.xml"}, write=True,
                          timezone="UTC").config_path
        assert cfg is not None
        assert main(["run", "-q", "--config", str(cfg)]) == 1
        errors = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("error: ")]
        assert len(errors) == 2, errors
        assert errors[0] == ("error: 7 sources failed alike: refused: the host is a private or reserved address "
                             "(see fetch.allow_hosts) (Feed 0, Feed 1, Feed 2, Feed 3, Feed 4 and 2 more; "
                             "digest sources names each)")
        assert errors[1].startswith("error: Notes: ")
        assert main(["sources", "--config", str(cfg)]) == 0
        listed = capsys.readouterr().out.splitlines()
        assert sum("last error: refused http://127.0.0.1" in ln for ln in listed) == 7


def test_a_feed_that_times_out_run_after_run_is_read_less_often_by_digest_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A host that takes the connection and never answers: every cron run waited its read
    timeout (20 s a run beside 0.1 s for 20 fast feeds, read side by side).  From the third
    timeout in a row ``digest run`` passes it over until its next try (the poll interval,
    doubling), says so in a line, and ``digest sources`` says it is read less often; the
    other feeds are read every run; once the wait is over it is asked, and a read that works
    ends it."""
    from datetime import UTC, datetime

    from digest.app import open_app
    from tests.support.daemon import rss
    from tests.support.httpd import TestServer, never_answer

    with TestServer() as srv:
        for name in ("a", "b", "c"):
            srv.set(f"/{name}.xml", rss(name, range(2)))
        srv.handle("/slow.xml", never_answer)
        feeds: dict[str, str | Path] = {n: srv.url(f"/{n}.xml") for n in ("a", "b", "c")}
        cfg = make_config(tmp_path, {**feeds, "Slow": srv.url("/slow.xml")}, write=True, timezone="UTC",
                          fetch={"allow_hosts": ["127.0.0.1"], "read_timeout": 0.5},
                          schedule={"poll_minutes": 30}).config_path
        assert cfg is not None

        def run() -> tuple[int, str]:
            capsys.readouterr()
            code = main(["run", "-q", "--config", str(cfg)])
            return code, capsys.readouterr().err

        for _ in range(3):
            code, err = run()
            assert code == 1 and "error: Slow: timed out reading" in err
        assert srv.hits["/slow.xml"] == 3
        before = datetime.now(UTC)
        code, err = run()
        assert code == 0 and srv.hits["/slow.xml"] == 3 and srv.hits["/a.xml"] == 4  # the others every run
        assert "Slow: not read this run: its last reads timed out (3 failed reads in a row); read less often until it answers" in err
        assert main(["sources", "--config", str(cfg)]) == 0
        slow = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Slow:"))
        assert "3 failures" in slow and slow.endswith("; read less often: its last reads timed out"), slow
        with open_app(cfg) as app:
            state = app.store.get_source_state("Slow")
            assert state is not None and state.next_poll_at is not None
            wait = (state.next_poll_at - before).total_seconds()
            assert 29 * 60 < wait <= 30 * 60, wait  # the poll interval, from the third
            state.next_poll_at = datetime.now(UTC)  # its wait is over
            app.store.save_source_state(state)
        code, err = run()
        assert code == 1 and srv.hits["/slow.xml"] == 4  # asked again: a fourth timeout waits twice as long
        with open_app(cfg) as app:
            state = app.store.get_source_state("Slow")
            assert state is not None and state.next_poll_at is not None
            assert 59 * 60 < (state.next_poll_at - datetime.now(UTC)).total_seconds() <= 60 * 60
            state.next_poll_at = datetime.now(UTC)
            app.store.save_source_state(state)
        srv.set("/slow.xml", rss("slow", range(2)))
        code, err = run()
        assert code == 0 and srv.hits["/slow.xml"] == 5
        assert main(["sources", "--config", str(cfg)]) == 0
        slow = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Slow:"))
        assert "read less often" not in slow and "next poll: at the next run or poll round" in slow, slow
