"""``digest status`` against real parts: a SQLite store on disk written by real ``digest run``
and ``digest send`` (a feed on a loopback HTTP server, a loopback SMTP server), a real daemon
process, killed with SIGKILL; PostgreSQL's lock when the server is there.  What it says, its
exit status, and that it leaves the store as it found it."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import yaml

from digest.cli import main
from tests.support.daemon import (
    free_port,
    loopback_config,
    refusing_smtpd,
    rss,
    running_daemon,
    smtpd,
)
from tests.support.httpd import Request, TestServer

ROOT = Path(__file__).resolve().parents[1]
#: The day read: 20 November 2026 (UTC); the daily digest is due at 07:00 the day after.
READ = "2026-11-20T20:00:00Z"


def _config(tmp: Path, srv: TestServer, port: int, **settings: Any) -> Path:
    """One feed read on 20 November (``clock``), mail to two readers on ``port``, digest at 07:00."""
    from datetime import datetime

    srv.set("/a", rss("alpha", range(3), datetime.fromisoformat(READ)))
    return loopback_config(
        tmp, srv, {"alpha": "/a"}, clock=READ, schedule={"digest_time": "07:00", "poll_minutes": 30},
        email={"host": "127.0.0.1", "port": port, "security": "none", "from": "digest@example.org",
               "to": ["ann@example.org", "Bob <bob@example.org>"]},
        **settings,
    )


def _set(cfg: Path, **top: Any) -> None:
    """Change top-level settings of the configuration file (the clock, the mail server's port)."""
    data = yaml.safe_load(cfg.read_text())
    for key, value in top.items():
        if isinstance(value, dict):
            data[key] = {**data.get(key, {}), **value}
        else:
            data[key] = value
    cfg.write_text(yaml.safe_dump(data))


def _status(cfg: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, list[str], str]:
    capsys.readouterr()
    code = main(["status", "--config", str(cfg), *more])
    said = capsys.readouterr()
    return code, said.out.splitlines(), said.err


def _files(data: Path) -> dict[str, str]:
    """Each file of the store's folder and its SHA-256."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data.iterdir())}


def test_status_of_a_store_read_and_mailed_reads_it_and_leaves_it_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg = _config(tmp_path, srv, port)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T08:00:00Z")  # the 20th's digest was due at 07:00
        assert main(["send", "--config", str(cfg)]) == 0
        assert len(inbox.messages) == 2
        data = tmp_path / "data"
        before = _files(data)
        code, out, err = _status(cfg, capsys)
        assert _files(data) == before  # nothing written, no -wal or -shm left, no lock file made
        assert not any(name.endswith(("-wal", "-shm")) for name in before)
    assert code == 0, out
    assert err == ""
    db = data / "digest.sqlite3"
    assert out[0].startswith(f"store: {db} (SQLite, schema version ")
    with closing(sqlite3.connect(db)) as con:  # after the check above: this one may write
        (articles,), (stories,) = (con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in ("articles", "stories"))
    assert articles == 3
    held = f"3 articles in {stories} {'story' if stories == 1 else 'stories'}"
    assert out[0].endswith(f": {held}, first day 2026-11-20")
    assert out[1] == "daemon: not running (never started on this store)"
    assert out[2] == "sources: last read 2026-11-20 20:00 UTC, 1 source"
    assert out[3] == "digest (daily): last written 2026-11-20, next due 2026-11-22 07:00 UTC"
    assert out[4].startswith("  ann@example.org: sent 2026-11-20 at 2026-1")
    assert out[5].startswith("  bob@example.org: sent 2026-11-20 at 2026-1")
    assert out[6:] == ["ok: nothing needs attention"]


def test_a_refused_delivery_needs_attention_until_it_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server refuses the 20th's digest: exit 1, the reader's line says failed with the
    server's answer, the day owed; sent later, exit 0."""
    with TestServer() as srv, refusing_smtpd() as bad:
        cfg = _config(tmp_path, srv, bad)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T07:05:00Z")  # within a poll interval of its time: the failure counts
        assert main(["send", "--config", str(cfg)]) != 0
        code, out, _ = _status(cfg, capsys)
        assert code == 1, out
        assert any(line.startswith("  ann@example.org: failed 2026-11-20") and "554" in line for line in out), out
        assert "  owed: 2026-11-20 (due 2026-11-21 07:00 UTC): failed: " in "\n".join(out)
        attention = [line for line in out if line.startswith("attention: ")]
        assert len(attention) == 1 and "digest of 2026-11-20: mailing failed (" in attention[0], out
        assert "554" in attention[0] and "not sent since" in attention[0]
        code, _, _ = _status(cfg, capsys, "--json")
        assert code == 1
        with smtpd() as (inbox, good):
            _set(cfg, email={"port": good})
            assert main(["send", "--config", str(cfg)]) == 0
            assert len(inbox.messages) == 2
        code, out, _ = _status(cfg, capsys)
    assert code == 0, out
    assert out[-1] == "ok: nothing needs attention" and not any("owed" in line for line in out)


def test_a_day_owed_needs_attention_only_a_poll_interval_past_its_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Mailing began (the 20th sent); the 21st's digest is due on the 22nd at 07:00.  At 07:20
    it is owed, said, and not yet a problem (a cron's send runs after the time); at 07:31
    (poll_minutes 30) it is."""
    from datetime import datetime

    with TestServer() as srv, smtpd() as (_, port):
        cfg = _config(tmp_path, srv, port)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T08:00:00Z")
        assert main(["send", "--config", str(cfg)]) == 0
        srv.set("/a", rss("alpha", range(3, 5), datetime.fromisoformat("2026-11-21T20:00:00Z")))
        _set(cfg, clock="2026-11-21T20:00:00Z")  # a story on the 21st: a quiet day is owed nothing
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-22T07:20:00Z")
        code, out, _ = _status(cfg, capsys)
        assert code == 0, out
        assert "  owed: 2026-11-21 (due 2026-11-22 07:00 UTC)" in out
        _set(cfg, clock="2026-11-22T07:31:00Z")
        code, out, _ = _status(cfg, capsys)
    assert code == 1, out
    assert out[-1].startswith("attention: digest of 2026-11-21: owed since 2026-11-22 07:00 UTC, not mailed")


def test_every_source_failing_needs_attention(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv, smtpd() as (_, port):
        cfg = _config(tmp_path, srv, port)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        srv.set("/a", b"down", status=500)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
        code, out, _ = _status(cfg, capsys)
    assert code == 1, out
    assert out[2] == "sources: last read 2026-11-20 20:00 UTC, 1 source, 1 failing now (alpha): see digest sources"
    assert out[-1] == "attention: every source is failing (1 source): see digest sources"


def test_no_store_yet_is_one_line_exit_2_and_makes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv:
        cfg = _config(tmp_path, srv, free_port())
        code, out, err = _status(cfg, capsys)
    assert code == 2 and out == []
    assert err.splitlines() == [f"error: no store yet at {tmp_path / 'data' / 'digest.sqlite3'}: run `digest run` first"]
    assert not (tmp_path / "data").exists()


def test_the_json_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv, smtpd() as (_, port):
        cfg = _config(tmp_path, srv, port)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T08:00:00Z")
        assert main(["send", "--config", str(cfg)]) == 0
        code, out, _ = _status(cfg, capsys, "--json")
    assert code == 0
    got = json.loads("\n".join(out))
    assert set(got) == {"ok", "attention", "timezone", "store", "daemon", "reading_now", "sources", "digests"}
    assert got["ok"] is True and got["attention"] == [] and got["timezone"] == "UTC"
    assert set(got["store"]) == {"where", "backend", "schema_version", "schema_latest", "articles", "stories", "first_day"}
    assert (got["store"]["articles"], got["store"]["first_day"]) == (3, "2026-11-20") and got["store"]["stories"] >= 1
    assert got["daemon"] == {"running": False, "pid": None, "since": None, "first_started": None}
    assert got["reading_now"] == {"running": False, "pid": None}
    assert got["sources"] == {"last_read": "2026-11-20T20:00:00+00:00", "count": 1, "failing": []}
    [d] = got["digests"]
    assert set(d) == {"name", "every", "last_written", "next_due", "mail", "readers", "owed"}
    assert (d["name"], d["every"], d["last_written"], d["next_due"]) == (None, "day", "2026-11-20", "2026-11-22T07:00:00+00:00")
    assert [(r["address"], r["day"], r["state"], r["error"]) for r in d["readers"]] == [
        ("ann@example.org", "2026-11-20", "sent", None), ("bob@example.org", "2026-11-20", "sent", None)]
    assert set(d["readers"][0]) == {"address", "day", "state", "error", "at", "last_sent"} and d["owed"] == []


def test_a_run_holding_the_run_lock_is_said_and_not_waited_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.store.sqlite import SQLiteStore

    with TestServer() as srv:
        cfg = _config(tmp_path, srv, free_port())
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        with SQLiteStore(tmp_path / "data" / "digest.sqlite3") as store:
            assert store.acquire_lock("run")
            started = time.monotonic()
            code, out, _ = _status(cfg, capsys)
            assert time.monotonic() - started < 5
            assert store.acquire_lock("run")  # still ours: status took nothing
    assert code == 0, out
    assert f"reading now: a run or poll round (pid {os.getpid()})" in out


def test_a_running_daemon_is_running_and_one_killed_is_not(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real daemon: "running since" with its pid; after kill -9 its lock file stays, with its
    pid in it, and reads as not running; a daemon not running is no problem by itself (exit 0)."""
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 30})
        log = tmp_path / "daemon.log"
        with running_daemon(cfg, log, lambda: "daemon started" in log.read_text()) as proc:
            code, out, _ = _status(cfg, capsys)
            assert code == 0, out
            daemon = [line for line in out if line.startswith("daemon: ")]
            assert len(daemon) == 1 and daemon[0].startswith("daemon: running since ")
            assert daemon[0].endswith(f" UTC (pid {proc.pid})")
            code, out, _ = _status(cfg, capsys, "--json")
            got = json.loads("\n".join(out))["daemon"]
            assert got["running"] is True and got["pid"] == str(proc.pid) and got["since"] is not None
        lock = tmp_path / "data" / "digest.sqlite3.daemon.lock"
        assert lock.read_text().strip() == str(proc.pid)  # stale: the dead daemon's pid
        data = tmp_path / "data"
        kept = {n: h for n, h in _files(data).items() if not n.endswith("-shm")}  # its WAL left as it was
        code, out, _ = _status(cfg, capsys)
        assert {n: h for n, h in _files(data).items() if not n.endswith("-shm")} == kept
    assert code == 0, out
    assert [line for line in out if line.startswith("daemon: ")] == [
        next(line for line in out if line.startswith("daemon: not running (first started "))]


def test_postgresql_daemon_lock_is_read_from_pg_locks_and_nothing_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On PostgreSQL: an empty schema is "no store yet" and stays empty; the daemon's advisory
    lock held by another connection reads as running (its pid from ``locks``), released as not."""
    from tests.support.services import pg_schema

    with pg_schema() as url, TestServer() as srv:
        import psycopg

        from digest.store.base import open_store
        from tests.support.services import PG_URL

        cfg = _config(tmp_path, srv, free_port(), database=url)
        code, _, err = _status(cfg, capsys)
        assert code == 2 and "no store yet at " in err and len(err.splitlines()) == 1
        schema = url.rsplit("search_path%3D", 1)[1]
        with psycopg.connect(PG_URL) as admin:
            tables = admin.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema=%s",
                                   (schema,)).fetchone()
        assert tables == (0,)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        code, out, _ = _status(cfg, capsys)
        assert code == 0, out
        assert out[0].startswith("store: postgresql://") and "(PostgreSQL, schema version " in out[0]
        assert "daemon: not running (never started on this store)" in out
        with open_store(url) as holder:
            assert holder.acquire_lock("daemon")
            code, out, _ = _status(cfg, capsys)
            assert code == 0, out
            line = next(line for line in out if line.startswith("daemon: "))
            assert line.startswith("daemon: running since ") and line.endswith(f"(pid {os.getpid()})"), line
            assert holder.acquire_lock("daemon")  # status took nothing
            holder.release_lock("daemon")
        code, out, _ = _status(cfg, capsys)
    assert "daemon: not running (never started on this store)" in out


def test_several_digests_each_with_its_files_readers_and_next_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digests:``: a daily one mailed to one reader, a weekly one (Mondays) to another.  Each has
    its line: the last day written read from its files, its next time (the weekly one's the
    Monday after the week); each its own readers."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg = _config(tmp_path, srv, port, digests=[
            {"name": "morning", "time": "07:00", "to": ["ann@example.org"]},
            {"name": "week", "every": "week", "weekday": "monday", "time": "08:00", "to": ["bob@example.org"]},
        ])
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0  # Friday 20 November
        _set(cfg, clock="2026-11-21T08:00:00Z")
        assert main(["send", "--config", str(cfg), "--digest", "morning"]) == 0
        assert len(inbox.messages) == 1
        code, out, _ = _status(cfg, capsys)
    assert code == 0, out
    assert out[3:] == [
        "digest morning (daily): last written 2026-11-20, next due 2026-11-22 07:00 UTC",
        next(line for line in out if line.startswith("  ann@example.org: sent 2026-11-20 at ")),
        "digest week (weekly): last written none yet, next due 2026-11-23 08:00 UTC",
        "  bob@example.org: not mailed in the last 63 days",
        "ok: nothing needs attention",
    ]


def test_a_reader_whose_last_mailing_failed_needs_attention_after_it_is_owed_no_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 20th mailed by hand (``send --date``) and refused: two weeks later it is past the
    catch-up's week, owed no more, and nothing was sent to the readers since: exit 1, a line
    each.  Mailing by hand, the latest day is owed to nobody."""
    with TestServer() as srv, refusing_smtpd() as bad:
        cfg = _config(tmp_path, srv, bad)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T08:00:00Z")
        assert main(["send", "--config", str(cfg), "--date", "2026-11-20"]) != 0
        _set(cfg, clock="2026-12-05T12:00:00Z")
        code, out, _ = _status(cfg, capsys)
    assert code == 1, out
    assert not any(line.startswith("  owed: ") for line in out), out
    attention = [line for line in out if line.startswith("attention: ")]
    assert [line.split(" (")[0] for line in attention] == [
        "attention: digest to ann@example.org: mailing 2026-11-20 failed",
        "attention: digest to bob@example.org: mailing 2026-11-20 failed"], out
    assert all("554" in line and line.endswith("nothing was sent to them since") for line in attention)


def test_a_store_of_an_older_schema_is_read_not_migrated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from digest.store import migrations
    from digest.store.sqlite import SQLiteStore

    every = migrations.load("sqlite")
    db = tmp_path / "data" / "digest.sqlite3"
    SQLiteStore(db, migrations=every[:-1]).close()
    with TestServer() as srv:
        cfg = _config(tmp_path, srv, free_port())
        before = _files(db.parent)
        code, out, _ = _status(cfg, capsys)
        assert _files(db.parent) == before
    assert code == 0, out
    old, new = len(every) - 1, len(every)
    assert out[0] == (f"store: {db} (SQLite, schema version {old} (this digest's is {new}: the next run or "
                      "daemon start migrates it)): 0 articles in 0 stories")
    assert out[2] == "sources: not read yet, 1 source"


def test_a_damaged_store_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.stores import damage

    with TestServer() as srv:
        cfg = _config(tmp_path, srv, free_port())
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        damage(tmp_path / "data" / "digest.sqlite3", "sources")
        code, out, err = _status(cfg, capsys)
    assert code == 2 and out == []
    assert len(err.splitlines()) == 1 and err.startswith(f"error: {tmp_path / 'data' / 'digest.sqlite3'}: "), err


def _assert_said_stuck(cfg: Path, capsys: pytest.CaptureFixture[str], pid: int) -> None:
    """``digest status`` exits 1 with one line saying the daemon ``pid`` runs but has read no
    source due since a time."""
    code, out, _ = _status(cfg, capsys)
    assert code == 1, out
    stuck = [line for line in out if "has read no source due since" in line]
    assert len(stuck) == 1 and f"the daemon (pid {pid}) runs" in stuck[0], out


def _later(hours: float) -> str:
    """The real time ``hours`` on, as ``clock:`` takes it."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_daemon_that_runs_but_reads_nothing_needs_attention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real daemon, then stopped (SIGSTOP: its process and lock live on, it polls no more, as a
    daemon hung on a read or a lock does).  Status said "running", exit 0, however long its
    sources went unread.  Read with the clock two hours on (``clock:``, which the stopped daemon
    does not see), its source's next poll is long past: attention, exit 1.  Once it is killed,
    the same store and clock are a cron user's: nothing to say about polling."""
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 30})

        def read_once() -> bool:  # the round stored, the source's next poll set
            return any(line.startswith("sources: last read") for line in _status(cfg, capsys)[1])

        with running_daemon(cfg, tmp_path / "daemon.log", read_once) as proc:
            proc.send_signal(signal.SIGSTOP)
            code, out, _ = _status(cfg, capsys)
            assert code == 0 and not [line for line in out if line.startswith("attention")], out
            _set(cfg, clock=_later(2))
            _assert_said_stuck(cfg, capsys, proc.pid)
        code, out, _ = _status(cfg, capsys)
    assert not [line for line in out if "has read no source" in line], out


def test_a_daemon_hung_before_its_first_read_needs_attention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real daemon whose first read never ends (its feed's server takes the request and does
    not answer), stopped there (SIGSTOP: hung, its lock held): no source has a next poll, and
    status said "running", exit 0, however long.  Two hours on it is said stuck since its start,
    exit 1; within STALL_AFTER of its start, not."""
    import threading

    asked = threading.Event()

    def hang(req: Request) -> None:
        asked.set()
        req.stopping.wait()

    with TestServer() as srv:
        srv.handle("/a", hang)
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, schedule={"digest_time": "00:00", "poll_minutes": 30})
        with running_daemon(cfg, tmp_path / "daemon.log", asked.is_set) as proc:
            proc.send_signal(signal.SIGSTOP)  # in its first read: hung before any poll was recorded
            code, out, _ = _status(cfg, capsys)
            assert code == 0, out
            assert "sources: not read yet, 1 source" in out and any(
                line.startswith("daemon: running since ") for line in out), out
            _set(cfg, clock=_later(0.2))  # 12 minutes: within STALL_AFTER
            assert _status(cfg, capsys)[0] == 0
            _set(cfg, clock=_later(2))
            code, out, _ = _status(cfg, capsys)
            assert code == 1, out
            stuck = [line for line in out if line.startswith("attention: ")]
            assert len(stuck) == 1 and stuck[0].startswith(
                f"attention: the daemon (pid {proc.pid}) runs but has read no source since it started "), out
        code, out, _ = _status(cfg, capsys)
    assert code == 0 and not [line for line in out if "has read no source" in line], out


def test_a_quiet_day_is_owed_to_nobody(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Mailing began (the 20th sent); nothing was read on the 21st.  On the 22nd past its time
    the 21st is no day owed and no attention (a send then mails nothing: "no stories that
    day"); the 23rd, with a story read on the 22nd, is."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg = _config(tmp_path, srv, port)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T08:00:00Z")
        assert main(["send", "--config", str(cfg)]) == 0
        _set(cfg, clock="2026-11-22T09:00:00Z")
        code, out, _ = _status(cfg, capsys)
        assert code == 0 and not any(line.startswith("  owed") for line in out), "\n".join(out)
        assert main(["send", "--config", str(cfg)]) == 0  # what a send does of it: nothing to mail
        assert len(inbox.messages) == 2
        from datetime import datetime

        srv.set("/a", rss("alpha", range(3, 5), datetime.fromisoformat("2026-11-22T20:00:00Z")))
        _set(cfg, clock="2026-11-22T20:00:00Z")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-23T09:00:00Z")
        code, out, _ = _status(cfg, capsys)
    assert code == 1, out
    assert "  owed: 2026-11-22 (due 2026-11-23 07:00 UTC)" in out
    assert out[-1].startswith("attention: digest of 2026-11-22: owed since 2026-11-23 07:00 UTC, not mailed")

