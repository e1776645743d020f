"""Review of stop 56's changes (docs/evaluation.md, "Stop 56: review of today's changes").

Real parts: SQLite files on disk, ``digest`` through its command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.store.sqlite import SQLiteStore
from tests.support.config import make_config

FEED = "https://coast.example/feed.xml"


def test_export_opml_leaves_no_wal_files_beside_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The read-only export opened the SQLite file with ``mode=ro``: a connection that may not
    write makes the WAL's ``-wal`` and ``-shm`` files and cannot remove them, so each export
    left two files beside a store no process had open.  Now the file is opened as the store
    is, every statement read-only (``query_only``): its last connection removes them."""
    db = tmp_path / "d.sqlite3"
    with SQLiteStore(db) as store, store.transaction():
        store.db.execute("INSERT INTO sources(name, location) VALUES(?, ?)", ("Coast", FEED))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.sqlite3"]
    cfg = make_config(tmp_path, {"Coast": FEED}, write=True, database=f"sqlite:///{db}").config_path
    assert cfg is not None
    before = {p.name for p in tmp_path.iterdir()}
    assert main(["export-opml", "--config", str(cfg)]) == 0
    assert FEED in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == before


@contextmanager
def slow_feed_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str], poll_minutes: float,
                    ) -> Iterator[tuple[Callable[[], str], Callable[[], int], Path]]:
    """Three fast loopback feeds and one that never answers; ``run()`` one ``digest run`` (its
    standard error), ``hits()`` the slow feed's requests; the slow one timed out three runs in a row."""
    from tests.support.daemon import rss
    from tests.support.httpd import TestServer, never_answer

    with TestServer() as srv:
        for name in ("a", "b", "c"):
            srv.set(f"/{name}.xml", rss(name, range(2)))
        srv.handle("/slow.xml", never_answer)
        feeds: dict[str, str | Path] = {n: srv.url(f"/{n}.xml") for n in ("a", "b", "c")}
        cfg = make_config(tmp_path, {**feeds, "Slow": srv.url("/slow.xml")}, write=True, timezone="UTC",
                          fetch={"allow_hosts": ["127.0.0.1"], "read_timeout": 0.5},
                          schedule={"poll_minutes": poll_minutes}).config_path
        assert cfg is not None

        def run() -> str:
            capsys.readouterr()
            main(["run", "-q", "--config", str(cfg)])
            return capsys.readouterr().err

        for _ in range(3):
            assert "error: Slow: timed out reading" in run()
        assert srv.hits["/slow.xml"] == 3
        yield run, lambda: srv.hits["/slow.xml"], cfg


def test_a_slowed_feed_is_read_by_the_cron_run_one_interval_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The slowed feed's next try was its run's clock plus the poll interval; cron's next run
    comes the interval later, its clock read after its start-up (about 1 s, a few tenths more
    or less): a run that read it a moment sooner than the run before passed the feed over, and
    the wait of one interval was two, about one time in two.  A run less than a minute short of
    the next try reads it."""
    with slow_feed_runs(tmp_path, capsys, 30) as (run, hits, cfg), open_app(cfg) as app:
        state = app.store.get_source_state("Slow")
        assert state is not None and state.next_poll_at is not None
        state.next_poll_at = datetime.now(UTC) + timedelta(seconds=0.4)  # the next cron run, 0.4 s early
        app.store.save_source_state(state)
        err = run()
        assert hits() == 4 and "error: Slow: timed out reading" in err, err
        state = app.store.get_source_state("Slow")
        assert state is not None and state.next_poll_at is not None
        state.next_poll_at = datetime.now(UTC) + timedelta(minutes=10)  # still well ahead: passed over
        app.store.save_source_state(state)
        assert "Slow: not read this run" in run() and hits() == 4


def test_a_slowed_feed_read_twice_a_day_is_read_less_often_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed read every 12 h (``interval:``, or ``poll_minutes``) waited 12 h, past the 6 h cap
    :func:`~digest.sources.tracking.slowed` takes for a clock gone back: never passed over, every
    cron run waited its read timeout again.  Its wait is the cap."""
    with slow_feed_runs(tmp_path, capsys, 720) as (run, hits, cfg):
        assert "Slow: not read this run: its last reads timed out (3 failed reads in a row)" in run()
        assert hits() == 3
        with open_app(cfg) as app:
            state = app.store.get_source_state("Slow")
            assert state is not None and state.next_poll_at is not None
            assert state.next_poll_at - datetime.now(UTC) <= timedelta(hours=6)


@pytest.mark.slow  # four runs that each wait out a read timeout (3 s)
def test_feeds_that_all_time_out_together_are_read_again_as_soon_as_the_network_is_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A network that drops what is sent (a firewall, the upstream down behind the router) times
    out every feed: three such cron runs made every feed "read less often", and the run after
    the network came back read none of them (up to 6 h later).  Read side by side, they cost
    the run one read timeout, not one each: a run where every feed timed out slows none."""
    from tests.support.daemon import rss
    from tests.support.httpd import TestServer, never_answer

    with TestServer() as srv:
        names = ("a", "b", "c")
        for name in names:
            srv.handle(f"/{name}.xml", never_answer)
        cfg = make_config(tmp_path, {n: srv.url(f"/{n}.xml") for n in names}, write=True, timezone="UTC",
                          fetch={"allow_hosts": ["127.0.0.1"], "read_timeout": 0.5},
                          schedule={"poll_minutes": 30}).config_path
        assert cfg is not None
        for _ in range(3):
            capsys.readouterr()
            assert main(["run", "-q", "--config", str(cfg)]) == 1
            assert "3 sources failed alike: timed out reading" in capsys.readouterr().err
        for name in names:  # the network is back
            srv.set(f"/{name}.xml", rss(name, range(2)))
        assert main(["run", "-q", "--config", str(cfg)]) == 0
        assert "not read this run" not in capsys.readouterr().err
        assert [srv.hits[f"/{n}.xml"] for n in names] == [4, 4, 4]


def test_export_opml_says_the_postgresql_schema_it_is_pointed_at_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``search_path`` naming no schema (a typo): the read-only export read it as an empty
    schema, the feeds exported at their ``url:`` without a word, where opening the store says
    "no schema to write to"; now one line says the store is not read, and why."""
    from tests.support.services import need_postgres, schema_url

    need_postgres()
    url = schema_url("t_no_such_schema_56")
    cfg = make_config(tmp_path, {"Coast": FEED}, write=True, database=url).config_path
    assert cfg is not None
    assert main(["export-opml", "--config", str(cfg)]) == 0
    out = capsys.readouterr()
    assert FEED in out.out
    assert "the store is not read" in out.err and "no schema to read (check search_path)" in out.err, out.err


def test_a_title_of_only_invisible_characters_is_read_from_the_text(tmp_path: Path) -> None:
    """A feed item titled only a U+202E and a U+2066 (or a lone U+200F) was stored with that
    title: each output showed an empty heading (the page's ``<h2>``, the email's, the search's
    line), closed by stop 56's bidi containment but still showing nothing.  Such a title is no
    title: the text's first sentence is, as for an item without one."""
    from tests.test_postgres_text import app_on

    items = [{"id": "x", "title": "\u202e\u2066", "date_published": "2026-11-20T08:00:00Z",
              "content_text": "The ferry strike in the harbour ended after long talks on Monday. " * 3},
             {"id": "y", "title": "\u200f \u200b", "date_published": "2026-11-20T09:00:00Z",
              "content_text": "Library fees were scrapped by the council in Northgate today. " * 3},
             {"id": "z", "title": "\u2067שלום עולם\u2069", "date_published": "2026-11-20T10:00:00Z",
              "content_text": "A greeting in Hebrew, its title isolated as a browser writes it. " * 3}]
    with app_on(tmp_path, "sqlite", items) as app:
        assert app.run(now=datetime(2026, 11, 20, 21, tzinfo=UTC)).new_articles == 3
        titles = sorted(str(r[0]) for r in app.store.db.execute("SELECT title FROM articles"))  # type: ignore[attr-defined]
    assert titles == ["Library fees were scrapped by the council in Northgate today.",
                      "The ferry strike in the harbour ended after long talks on Monday.",
                      "\u2067שלום עולם\u2069"]
