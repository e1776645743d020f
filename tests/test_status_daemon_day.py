"""``digest status`` of a store mailed by a ``--digest-day today`` daemon (a real one, on a
loopback HTTP and SMTP server, killed once it mailed): its day is due at its time on the day,
and a cron's ``digest send`` after it counts days as the cron does (meta ``daemon_digest_day``);
and a hand ``digest run`` or ``send`` beside a running daemon leaves its schedule and its day."""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from digest.cli import main
from tests.support.daemon import loopback_config, rss, running_daemon, smtpd
from tests.support.httpd import TestServer
from tests.test_status import _assert_said_stuck, _later, _set, _status


def _today_daemon_config(tmp: Path, srv: TestServer, port: int) -> Path:
    """A configuration for a ``--digest-day today`` daemon: one feed of two items, its digest
    at 00:00 mailed to one reader through ``port``."""
    srv.set("/a", rss("alpha", range(2)))
    return loopback_config(
        tmp, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 30},
        email={"host": "127.0.0.1", "port": port, "security": "none", "from": "digest@example.org",
               "to": ["ann@example.org"]})


def _sent(tmp: Path) -> str | None:
    """The day the daemon's mailing is recorded sent (None: not yet): the inbox has the message a
    moment before the store says so, and a daemon killed or stopped then left it unrecorded."""
    path = tmp / "data" / "digest.sqlite3"
    if not path.exists():
        return None
    with closing(sqlite3.connect(path)) as con:
        try:
            row = con.execute("SELECT date FROM deliveries WHERE status = 'sent'").fetchone()
        except sqlite3.OperationalError:  # no table yet
            return None
    return str(row[0]) if row else None


def test_a_today_daemon_stopped_owes_its_day_from_that_days_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest daemon --digest-day today`` mails day D at its time on D (the day so far).  A real
    one mails today's digest at its start (time 00:00) and is killed; a story arrives after (the
    next day's, its day mailed and sealed).  Status, its clock at 00:45
    tomorrow: tomorrow's digest was due at 00:00 and nobody mailed it: attention, exit 1 (read as
    a yesterday daemon's, it was owed only the day after: exit 0, a day late).  Its next time
    was tomorrow 00:00 while it ran."""
    from datetime import date, timedelta

    with TestServer() as srv, smtpd() as (_, port):
        cfg = _today_daemon_config(tmp_path, srv, port)
        with running_daemon(cfg, tmp_path / "daemon.log", lambda: _sent(tmp_path) is not None, "--digest-day", "today"):
            code, out, _ = _status(cfg, capsys)
        srv.set("/a", rss("alpha", range(2, 4)))  # read after its day was mailed (sealed): tomorrow's
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        with closing(sqlite3.connect(tmp_path / "data" / "digest.sqlite3")) as con:
            [(day,)] = con.execute("SELECT date FROM deliveries WHERE status = 'sent'").fetchall()
        today = date.fromisoformat(day)
        tomorrow = today + timedelta(days=1)
        assert code == 0, out
        assert f"digest (daily): last written {day}, next due {tomorrow} 00:00 UTC" in out, out
        assert any(line.startswith(f"  ann@example.org: sent {day} at ") for line in out), out
        _set(cfg, clock=f"{tomorrow}T00:20:00Z")  # due, owed, within a poll interval
        code, out, _ = _status(cfg, capsys)
        assert code == 0 and f"  owed: {tomorrow} (due {tomorrow} 00:00 UTC)" in out, out
        _set(cfg, clock=f"{tomorrow}T00:45:00Z")
        code, out, _ = _status(cfg, capsys)
    assert code == 1, out
    assert out[-1].startswith(f"attention: digest of {tomorrow}: owed since {tomorrow} 00:00 UTC, not mailed"), out


def test_a_cron_send_after_a_today_daemon_counts_days_as_the_cron_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user tried ``digest daemon --digest-day today`` once (a real one, killed once it mailed),
    then mails from cron (``digest send``: the day that ended).  The cron's send of day D+1 on
    D+2 at 08:00, with a story read on D+2 already: nothing is owed (the cron mails D+2 tomorrow).
    Read by the daemon's rule, D+2 was owed since 00:00 on D+2: attention, exit 1, every day."""
    from datetime import date, datetime, timedelta

    with TestServer() as srv, smtpd() as (inbox, port):
        cfg = _today_daemon_config(tmp_path, srv, port)
        with running_daemon(cfg, tmp_path / "daemon.log", lambda: _sent(tmp_path) is not None, "--digest-day", "today"):
            pass
        with closing(sqlite3.connect(tmp_path / "data" / "digest.sqlite3")) as con:
            [(day,)] = con.execute("SELECT date FROM deliveries WHERE status = 'sent'").fetchall()
        d1, d2 = date.fromisoformat(day) + timedelta(days=1), date.fromisoformat(day) + timedelta(days=2)
        srv.set("/a", rss("alpha", range(2, 4), datetime.fromisoformat(f"{d1}T12:00:00+00:00")))
        _set(cfg, clock=f"{d1}T12:00:00Z")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        srv.set("/a", rss("alpha", range(4, 6), datetime.fromisoformat(f"{d2}T07:00:00+00:00")))
        _set(cfg, clock=f"{d2}T07:00:00Z")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock=f"{d2}T08:00:00Z")
        assert main(["send", "--config", str(cfg)]) == 0  # the cron's: D+1, the day that ended
        assert len(inbox.messages) == 2  # the daemon's D, the cron's D+1
        code, out, _ = _status(cfg, capsys)
    assert code == 0, out
    assert not any(line.startswith("  owed") for line in out), out
    assert any(line.startswith(f"  ann@example.org: sent {d1} at ") for line in out), out


def test_a_hand_send_beside_a_running_today_daemon_leaves_its_day_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``--digest-day today`` daemon runs (a real one, mailed its day, then stopped so it does
    not take the clock moved on in its configuration); a hand ``digest send`` the day after, no
    ``--date``: the cron's rule (meta ``daemon_digest_day`` "yesterday") was recorded though the
    daemon still ran, and status read its days a day late until it restarted (stop 61).  The
    daemon's rule stays while its lock is held; once it is gone, the next send records the cron's."""
    from datetime import date, timedelta

    def day_rule() -> str:
        with closing(sqlite3.connect(tmp_path / "data" / "digest.sqlite3")) as con:
            [(value,)] = con.execute("SELECT value FROM meta WHERE key = 'daemon_digest_day'").fetchall()
        return str(value)

    with TestServer() as srv, smtpd() as (_, port):
        cfg = _today_daemon_config(tmp_path, srv, port)
        with running_daemon(cfg, tmp_path / "daemon.log", lambda: _sent(tmp_path) is not None,
                            "--digest-day", "today") as proc:
            proc.send_signal(signal.SIGSTOP)
            day = str(_sent(tmp_path))
            assert day_rule() == "today"
            _set(cfg, clock=f"{date.fromisoformat(day) + timedelta(days=1)}T08:00:00Z")
            main(["send", "--config", str(cfg)])
            assert day_rule() == "today"
        main(["send", "--config", str(cfg)])
    assert day_rule() == "yesterday"


def test_a_hand_run_beside_a_running_daemon_is_no_stuck_daemon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real daemon (polling every 10 minutes), read once, then a hand ``digest run`` 20 minutes
    on (``clock:``; the daemon, stopped so its next tick does not read the source again at once,
    does not see it).  The run cleared the source's next poll (due at the daemon's next tick), and
    status read it as a daemon that read nothing since it started 20 minutes before: "is it
    stuck?", exit 1, until that tick (stop 61).  Beside a running daemon a run now leaves its
    schedule: ok; and the daemon stopped is said stuck once its next poll is long past."""
    from datetime import datetime

    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 10})

        def read_once() -> bool:
            return any(line.startswith("sources: last read") for line in _status(cfg, capsys)[1])

        def next_poll() -> str:
            with closing(sqlite3.connect(tmp_path / "data" / "digest.sqlite3")) as con:
                return str(con.execute("SELECT next_poll_at FROM sources").fetchone()[0])

        with running_daemon(cfg, tmp_path / "daemon.log", read_once) as proc:
            proc.send_signal(signal.SIGSTOP)
            scheduled = next_poll()
            _set(cfg, clock=_later(1 / 3))
            hits = srv.hits["/a"]
            assert main(["run", "--config", str(cfg), "--quiet"]) == 0
            assert srv.hits["/a"] == hits + 1 and next_poll() == scheduled  # read, the daemon's time kept
            code, out, _ = _status(cfg, capsys)
            assert code == 0 and not [line for line in out if line.startswith("attention")], out
            _set(cfg, clock=_later(0.75))
            _assert_said_stuck(cfg, capsys, proc.pid)
        assert datetime.fromisoformat(scheduled)  # a time, not NULL
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0  # no daemon: the cron's rule
    assert next_poll() == "None"
