"""A paused source is tried again once a day and resumes by itself when it reads again.

Real parts: feeds on a loopback HTTP server, a SQLite store on disk, the daemon's poll
rounds under a controlled clock (as ``tests/test_daemon.py``).
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.service.daemon import Daemon
from tests.support.daemon import Clock, loopback_config, rss
from tests.support.httpd import TestServer


def _pause(d: Daemon, clock: Clock, name: str, hours: float) -> None:
    """Poll rounds until ``name`` is paused (failing for ``hours``)."""
    t0 = clock.now
    while True:
        d.poll_due()
        state = d.app.store.get_source_state(name)
        assert state is not None
        if state.paused:
            return
        assert clock.now - t0 < timedelta(hours=hours + 7)
        assert state.next_poll_at is not None
        clock.now = max(clock.now + timedelta(minutes=1), state.next_poll_at)


def test_a_paused_source_is_retried_daily_and_resumes_when_it_reads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv:
        srv.set("/down", b"down", status=500)
        srv.set("/gone", b"gone", status=410)
        cfg_path = loopback_config(
            tmp_path, srv, {"down": "/down", "gone": "/gone"},
            schedule={"poll_minutes": 1, "pause_after_hours": 1, "paused_retry_hours": 24},
        )
        clock = Clock()
        with open_app(cfg_path) as app:
            d = Daemon(app, rng=random.Random(3), clock=clock)
            with caplog.at_level(logging.WARNING, logger="digest"):
                _pause(d, clock, "down", 1)
            assert "tried again every 24 h" in caplog.text
            paused_at, hits, gone_hits = clock.now, srv.hits["/down"], srv.hits["/gone"]
            state = app.store.get_source_state("down")
            assert state is not None and state.next_poll_at is not None
            assert state.next_poll_at - paused_at == timedelta(hours=24)

            # not asked again within the day
            clock.now = paused_at + timedelta(hours=23, minutes=59)
            d.poll_due()
            assert srv.hits["/down"] == hits

            # a day later: one try, one line, still paused, the next a day later
            caplog.clear()
            clock.now = paused_at + timedelta(hours=24)
            with caplog.at_level(logging.WARNING, logger="digest"):
                d.poll_due()
            assert srv.hits["/down"] == hits + 1
            lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("down")]
            assert len(lines) == 1 and "still paused" in lines[0] and "next try in 24 h" in lines[0]
            state = app.store.get_source_state("down")
            assert state is not None and state.paused and state.next_poll_at == clock.now + timedelta(hours=24)
            assert main(["sources", "--config", str(cfg_path)]) == 0
            out = capsys.readouterr().out
            assert f"next try {state.next_poll_at:%Y-%m-%d %H:%M} UTC" in out  # the configured zone's

            # the site is back: at the next try it reads, stores, and is no longer paused
            srv.set("/down", rss("down", range(3)))
            clock.now = state.next_poll_at
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="digest"):
                assert d.poll_due().new_articles == 3
            assert "no longer paused" in caplog.text
            state = app.store.get_source_state("down")
            assert state is not None and not state.paused and state.paused_reason is None
            assert state.failures == 0
            assert (state.next_poll_at - clock.now) <= timedelta(minutes=2)  # polled as usual again

            # a feed the server called gone is never asked again
            assert srv.hits["/gone"] == gone_hits
            gone = app.store.get_source_state("gone")
            assert gone is not None and gone.paused


def test_with_no_retry_a_paused_source_waits_for_resume(tmp_path: Path) -> None:
    with TestServer() as srv:
        srv.set("/down", b"down", status=500)
        cfg_path = loopback_config(
            tmp_path, srv, {"down": "/down"},
            schedule={"poll_minutes": 1, "pause_after_hours": 1, "paused_retry_hours": 0},
        )
        clock = Clock()
        with open_app(cfg_path) as app:
            d = Daemon(app, rng=random.Random(3), clock=clock)
            _pause(d, clock, "down", 1)
            hits = srv.hits["/down"]
            srv.set("/down", rss("down", range(2)))
            for _ in range(4):
                clock.now += timedelta(days=2)
                d.poll_due()
            assert srv.hits["/down"] == hits
            state = app.store.get_source_state("down")
            assert state is not None and state.paused
