"""Review of stop 61's operator changes, run against a real store, a real lock and a loopback
feed: a hand ``digest run`` beside a running daemon (``SourceTracker.keeps_schedule``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.cli import main
from digest.store.base import SourceState, open_store
from tests.support.daemon import loopback_config, rss
from tests.support.httpd import TestServer


def test_a_feed_a_hand_run_reads_again_beside_a_daemon_is_not_left_on_the_daemons_backoff(tmp_path: Path) -> None:
    """A feed failing for a while: the daemon waits hours between tries (its backoff, up to 6 h).
    The site is back; its owner checks with a hand ``digest run``: it reads.  The run kept the
    daemon's schedule, the backoff too: the feed that reads again was not read by the daemon for
    up to 6 hours (stop 61 review).  Now a run that ends a run of failures leaves the source due
    within its poll interval; one read on time keeps the daemon's time (stop 61's case)."""
    with TestServer() as srv:
        srv.set("/back", rss("back", range(2)))
        srv.set("/fine", rss("fine", range(2)))
        cfg = loopback_config(tmp_path, srv, {"back": "/back", "fine": "/fine"},
                              schedule={"digest_time": "00:00", "poll_minutes": 30})
        url = f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}"
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0  # the store made, both read
        now = datetime.now(UTC)
        backoff, scheduled = now + timedelta(hours=6), now + timedelta(minutes=20)
        with open_store(url) as daemon:  # a daemon runs: its lock held, its schedule stored
            assert daemon.acquire_lock("daemon")
            back = daemon.get_source_state("back")
            assert back is not None
            back.failures, back.first_failure_at, back.last_error, back.error_kind = 9, now - timedelta(hours=20), \
                "back: HTTP 503", "http-503"
            back.next_poll_at = backoff
            daemon.save_source_state(back)
            fine = daemon.get_source_state("fine")
            assert fine is not None
            fine.next_poll_at = scheduled
            daemon.save_source_state(fine)
            assert main(["run", "--config", str(cfg), "--quiet"]) == 0
            after = {n: daemon.get_source_state(n) for n in ("back", "fine")}
            daemon.release_lock("daemon")
    back_after, fine_after = after["back"], after["fine"]
    assert isinstance(back_after, SourceState) and isinstance(fine_after, SourceState)
    assert back_after.failures == 0 and back_after.next_poll_at is not None
    assert back_after.next_poll_at <= datetime.now(UTC) + timedelta(minutes=30), back_after.next_poll_at
    assert fine_after.next_poll_at == scheduled  # read on time: the daemon's time kept


def test_feeds_held_for_a_429_by_the_previous_version_are_asked_first_after_the_upgrade(tmp_path: Path) -> None:
    """Stop 61 knows a fetch held for its host's 429 by its stored ``error_kind`` ``held``; the
    version before stored the 429's own kind (``http-429``) for it, its line beginning "not
    asked: ".  A store written by it: the held feeds read as feeds that said 429 themselves,
    asked after the one that does, held by it again: a run more without them after the upgrade
    (stop 61 review).  Their line says what they were."""
    import sqlite3
    from contextlib import closing

    from tests.test_review_stop60_sources import _host_with_a_429, _write_429_config

    with TestServer() as srv:
        _host_with_a_429(srv)
        cfg = tmp_path / "feeds.yaml"
        _write_429_config(cfg, srv, "2026-11-20T08:00:00Z")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1  # Rate's 429 holds A, B and C
        assert srv.hits["/a"] == srv.hits["/b"] == srv.hits["/c"] == 0, srv.hits
        with closing(sqlite3.connect(tmp_path / "data" / "digest.sqlite3")) as con, con:
            held = con.execute("SELECT name, error_kind, last_error FROM sources WHERE name != 'Rate'").fetchall()
            assert [(n, k) for n, k, _ in held] == [("A", "held"), ("B", "held"), ("C", "held")], held
            assert all(line.startswith(f"{n}: not asked: ") for n, _, line in held), held
            con.execute("UPDATE sources SET error_kind = 'http-429' WHERE name != 'Rate'")  # as the version before
        _write_429_config(cfg, srv, "2026-11-20T09:00:00Z")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
    assert srv.hits["/a"] >= 1 and srv.hits["/b"] >= 1 and srv.hits["/c"] >= 1, srv.hits
