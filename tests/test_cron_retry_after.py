"""A ``digest run`` from cron honours what a server asked on an earlier run (``Retry-After``).

Before: ``digest run`` kept nothing of a 429's or a 503's ``Retry-After`` (only the daemon's
tracker stored ``retry_after_until``), so a server that said "retry after 3600s" was asked again
at the next cron run, fifteen minutes later, and at every run after.  Now each run keeps it in the
store field the daemon keeps (``SourceState.retry_after_until``); a source whose wait has not
passed is not asked (by the prefetch either), the run says so in one line, is no failure for it
(exit 0), and still writes the digest from what is stored.  ``digest sources`` shows the wait.

Real parts: feeds on a loopback HTTP server, a SQLite store on disk, each run a new ``main``
(one of them a process of its own), the configuration's ``clock:`` moved between runs.
"""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.service.daemon import Daemon
from tests.support.config import make_config
from tests.support.daemon import Clock, rss
from tests.support.httpd import TestServer


def _config(tmp_path: Path, busy: TestServer, other: TestServer, at: datetime | None = None) -> str:
    """Busy on its own server (a 429 holds a whole server: ``freshness.Waits``), Alpha and Beta on
    another, read as if it were ``at`` (written again for each run; None: no ``clock:``, the daemon's)."""
    feeds = {"Busy": busy.url("/busy"), "Alpha": other.url("/a"), "Beta": other.url("/b")}
    settings = {"timezone": "UTC", "fetch": {"allow_hosts": ["127.0.0.1"], "deadline": 10},
                "schedule": {"digest_time": "00:00", "poll_minutes": 0.01}}
    path = make_config(tmp_path, feeds, write=True, **settings, **({"clock": at.isoformat()} if at else {}))
    assert path.config_path is not None
    return str(path.config_path)


def test_a_cron_run_does_not_ask_again_before_the_servers_retry_after(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t0 = datetime.now(UTC).replace(second=0, microsecond=0)
    with TestServer() as busy, TestServer() as srv:
        busy.set("/busy", b"slow down", status=429, headers={"Retry-After": "3600"})
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(2)))
        cfg = _config(tmp_path, busy, srv, t0)
        assert main(["run", "-q", "--config", cfg]) == 1  # the 429 itself is a failed read
        assert "error: Busy: HTTP 429" in capsys.readouterr().err
        with open_app(cfg) as app:
            state = app.store.get_source_state("Busy")
            assert state is not None and state.retry_after_until == t0 + timedelta(seconds=3600)

        # fifteen minutes later, a new process: Busy is not asked (the others are, side by side)
        cfg = _config(tmp_path, busy, srv, t0 + timedelta(minutes=15))
        done = subprocess.run([sys.executable, "-m", "digest", "run", "-q", "--config", cfg],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        until = (t0 + timedelta(hours=1)).strftime("%H:%M")
        if (t0 + timedelta(hours=1)).date() != (t0 + timedelta(minutes=15)).date():
            until = (t0 + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
        said = [line for line in done.stderr.splitlines() if line.startswith("Busy")]
        assert said == [f"Busy: not fetched: its server asked to wait until {until} UTC (Retry-After)"]
        assert busy.hits["/busy"] == 1 and srv.hits["/a"] == 2 and srv.hits["/b"] == 2
        assert "digest-" in done.stdout and ", 0 failed" in done.stderr  # the digest is still written

        assert main(["sources", "--config", cfg]) == 0
        listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Busy"))
        assert f"not asked before {t0 + timedelta(hours=1):%Y-%m-%d %H:%M} UTC (its server asked to wait" in listed

        # the wait is over: asked, read, and the wait forgotten
        busy.set("/busy", rss("busy", range(2)))
        cfg = _config(tmp_path, busy, srv, t0 + timedelta(minutes=61))
        assert main(["run", "-q", "--config", cfg]) == 0
        assert busy.hits["/busy"] == 2 and "not fetched" not in capsys.readouterr().err
        with open_app(cfg) as app:
            state = app.store.get_source_state("Busy")
            assert state is not None and state.retry_after_until is None and state.failures == 0


def test_the_daemon_and_a_cron_run_honour_each_others_retry_after(tmp_path: Path) -> None:
    """One store field for both: a run's 503 "retry after 1800s" holds the daemon's polls, and the
    daemon's the next run's (before, the run neither kept nor read it)."""
    with TestServer() as busy, TestServer() as srv:
        busy.set("/busy", b"down for a while", status=503, headers={"Retry-After": "1800"})
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(2)))
        t0 = datetime.now(UTC).replace(microsecond=0)
        assert main(["run", "-q", "--config", _config(tmp_path, busy, srv, t0)]) == 1
        clock = Clock()
        clock.now = t0 + timedelta(minutes=10)
        with open_app(_config(tmp_path, busy, srv)) as app:  # the daemon's clock is its own, not ``clock:``
            Daemon(app, rng=random.Random(1), clock=clock).poll_due()
            assert busy.hits["/busy"] == 1  # the run's Retry-After holds the daemon

            clock.now = t0 + timedelta(minutes=31)  # the daemon asks again, and is told to wait again
            Daemon(app, rng=random.Random(1), clock=clock).poll_due()
            assert busy.hits["/busy"] == 2
        assert main(["run", "-q", "--config", _config(tmp_path, busy, srv, t0 + timedelta(minutes=40))]) == 0
        assert busy.hits["/busy"] == 2  # the daemon's Retry-After holds the run


def test_a_wait_asked_while_the_clock_ran_a_month_ahead_does_not_hold_the_source_once_it_is_set_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 429's "retry after 3600s" read while the machine's clock said a month later (booted
    without its real time, then set right): the source was not asked for a month, every run
    saying it waits until then.  A wait beyond a week (the most a server may ask) is no wait."""
    t0 = datetime.now(UTC).replace(second=0, microsecond=0)
    with TestServer() as busy, TestServer() as srv:
        busy.set("/busy", b"slow down", status=429, headers={"Retry-After": "3600"})
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(2)))
        assert main(["run", "-q", "--config", _config(tmp_path, busy, srv, t0 + timedelta(days=30))]) == 1
        busy.set("/busy", rss("busy", range(2)))
        capsys.readouterr()
        assert main(["run", "-q", "--config", _config(tmp_path, busy, srv, t0)]) == 0
        assert busy.hits["/busy"] == 2 and "not fetched" not in capsys.readouterr().err
        clock = Clock()
        busy.set("/busy", b"slow down", status=429, headers={"Retry-After": "3600"})
        assert main(["run", "-q", "--config", _config(tmp_path, busy, srv, t0 + timedelta(days=30))]) == 1
        clock.now = t0
        with open_app(_config(tmp_path, busy, srv)) as app:  # the daemon's clock is its own
            Daemon(app, rng=random.Random(1), clock=clock).poll_due()
        assert busy.hits["/busy"] == 4  # asked by the daemon too


def test_digest_sources_names_the_servers_wait_when_the_daemons_poll_comes_after_it() -> None:
    """The daemon polls a held source at its jittered time after the wait ("next poll 10:03:59"
    for a wait until 10:01:26): the line named only the poll, and ``digest run`` holding the source
    until 10:01:26 went unexplained.  Both are named."""
    from digest.store.base import SourceState

    wait = datetime(2026, 12, 8, 9, 1, 26, tzinfo=UTC)
    state = SourceState("Echo", "http://echo.example/feed", failures=1, next_poll_at=wait + timedelta(minutes=2),
                        retry_after_until=wait)
    line = state.line(held=True)
    assert f"next poll {wait + timedelta(minutes=2):%Y-%m-%d %H:%M} UTC" in line
    assert f"its server asked to wait until {wait:%Y-%m-%d %H:%M} UTC (Retry-After)" in line


def test_digest_sources_names_no_wait_that_has_passed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The wait is stored until the next read clears it; ``digest sources`` named it ("not asked
    before 10:00 ... Retry-After") after 10:00 too, and one read while the clock ran a month ahead
    for a month, where ``digest run`` reads the source.  It is named while it holds, by the
    clock the run reads (``clock:``), and not after."""
    t0 = datetime.now(UTC).replace(second=0, microsecond=0)

    def busy_line(at: datetime) -> str:
        capsys.readouterr()
        assert main(["sources", "--config", _config(tmp_path, busy, srv, at)]) == 0
        return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Busy"))

    with TestServer() as busy, TestServer() as srv:
        busy.set("/busy", b"slow down", status=429, headers={"Retry-After": "3600"})
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(2)))
        assert main(["run", "-q", "--config", _config(tmp_path, busy, srv, t0)]) == 1
        wait = f"not asked before {t0 + timedelta(hours=1):%Y-%m-%d %H:%M} UTC (its server asked to wait"
        assert wait in busy_line(t0 + timedelta(minutes=59))
        passed = busy_line(t0 + timedelta(minutes=61))  # the run reads it now: no wait named
        assert "Retry-After" not in passed and "next poll: at the next run or poll round" in passed and "HTTP 429" in passed

        # the daemon's path: its jittered poll after the wait is named with the wait, then alone
        clock = Clock()
        clock.now = t0 + timedelta(hours=2)
        with open_app(_config(tmp_path, busy, srv)) as app:
            Daemon(app, rng=random.Random(1), clock=clock).poll_due()
            state = app.store.get_source_state("Busy")
            assert state is not None and state.retry_after_until == clock.now + timedelta(hours=1)
            assert state.next_poll_at is not None and state.next_poll_at > state.retry_after_until
            until, poll = state.retry_after_until, state.next_poll_at
        held = busy_line(until - timedelta(minutes=1))
        assert f"next poll {poll:%Y-%m-%d %H:%M} UTC" in held
        assert f"wait until {until:%Y-%m-%d %H:%M} UTC (Retry-After)" in held
        assert "Retry-After" not in busy_line(until + timedelta(seconds=1))

        # read while the clock ran a month ahead: no wait once it is set right (the run reads it)
        assert main(["run", "-q", "--config", _config(tmp_path, busy, srv, t0 + timedelta(days=30))]) == 1
        assert "Retry-After" not in busy_line(t0 + timedelta(hours=3))
