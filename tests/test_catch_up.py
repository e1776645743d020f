"""The daemon's catch-up on start beside the ``digests`` rows other commands write.

``digest run`` records the day so far and ``digest build --date`` the day asked for, ended
or not; the catch-up took any row of the due day for its digest, written whole, and left
that day's files as the other command wrote them: without the day's later arrivals (and,
without email, the day unsealed, so those arrivals were in no digest file at all).
Real parts: feeds on loopback HTTP, SQLite on disk, aiosmtpd, the CLI; the daemon
in-process with a clock moved by hand (a restart is a new ``Daemon`` and its catch-up).
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from digest.app import open_app
from digest.cli import main
from digest.output.days import sealed_at
from digest.service.daemon import Daemon
from tests.support.daemon import Clock, loopback_config, rss, smtpd
from tests.support.httpd import TestServer

DAY = date(2026, 11, 20)
MAIL = {"host": "127.0.0.1", "port": 0, "security": "none", "from": "digest@example.org", "to": ["me@example.org"]}


def _at(hour: int, minute: int = 0, *, day: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _set_clock(cfg_path: Path, clock: datetime | None) -> None:
    """The configuration's ``clock`` (the reader's time for run, build, send): pinned, or removed
    (the daemon runs on its own)."""
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg.pop("clock", None)
    if clock is not None:
        cfg["clock"] = clock.isoformat()
    cfg_path.write_text(yaml.safe_dump(cfg))


def _restart(cfg_path: Path, now: datetime, caplog: pytest.LogCaptureFixture, *, day_offset: int = -1) -> list[str]:
    """A daemon start at ``now``: its catch-up (after the start's poll round); its log lines."""
    caplog.clear()
    with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
        Daemon(app, day_offset=day_offset, rng=random.Random(1), clock=lambda: now).digest(scheduled=False)
    return [r.getMessage() for r in caplog.records]


def _poll(cfg_path: Path, now: datetime) -> int:
    """The daemon's poll round at ``now``: how many new articles."""
    clock = Clock()
    clock.now = now
    with open_app(cfg_path) as app:
        return Daemon(app, rng=random.Random(1), clock=clock).poll_due().new_articles


@pytest.mark.parametrize("command", [["run", "--quiet"], ["build", "--date", DAY.isoformat()]])
def test_catch_up_writes_the_whole_day_another_command_wrote_part_of(
    tmp_path: Path, command: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The daemon reads 20 November at 10:00; ``digest run`` or ``build --date`` writes the day
    so far at 12:00; the daemon reads more at 15:00 and is down from then until 20:00 the
    next day, past its 07:00 digest and the 12 hours a missed run is fired in.  The start's
    catch-up writes the whole of 20 November and mails it once; a later start writes it
    no more."""
    with TestServer() as srv, smtpd() as (inbox, port):
        srv.set("/a", rss("alpha", range(3), _at(9)))
        cfg_path = loopback_config(tmp_path, srv, {"alpha": "/a"}, email={**MAIL, "port": port},
                                   schedule={"digest_time": "07:00", "poll_minutes": 30})
        html = tmp_path / "out" / f"digest-{DAY.isoformat()}.html"
        assert _poll(cfg_path, _at(10)) == 3
        _set_clock(cfg_path, _at(12))
        assert main([command[0], "--config", str(cfg_path), *command[1:]]) == 0
        _set_clock(cfg_path, None)
        assert "alpha report 2" in html.read_text() and "alpha report 5" not in html.read_text()
        srv.set("/a", rss("alpha", range(6), _at(9)))
        assert _poll(cfg_path, _at(15)) == 3

        said = _restart(cfg_path, _at(20, day=21), caplog)
        assert f"digest {DAY.isoformat()}: sent to me@example.org" in said, said
        text = html.read_text()
        assert all(f"alpha report {i}:" in text for i in range(6)), text
        assert len(inbox.messages) == 1
        assert "alpha report 5" in inbox.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        with open_app(cfg_path) as app:
            assert sealed_at(app.store, DAY) == _at(0, day=21)
            row = app.store.get_digest(DAY.isoformat(), "html")
        assert row is not None and row.stories >= 1

        mtime = html.stat().st_mtime_ns
        said = _restart(cfg_path, _at(21, day=21), caplog)  # once whole, never again
        assert not [line for line in said if "written" in line], said
        assert f"digest {DAY.isoformat()}: not sent: already sent to me@example.org" in " ".join(said)
        assert html.stat().st_mtime_ns == mtime and len(inbox.messages) == 1


def test_catch_up_of_the_day_so_far_seals_a_day_run_wrote_before_the_digest_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``--digest-day today``, no email: ``digest run`` writes 20 November at 06:00, before the
    07:00 digest; the daemon is down at 07:00 and starts at 20:00.  Its catch-up took the
    06:00 files for the day's digest and sealed nothing: the day's later arrivals were in
    neither its files nor the next day's.  Now it seals the day at 20:00 and writes it
    whole, once; what arrives later is the next day's."""
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(3), _at(9)))
        cfg_path = loopback_config(tmp_path, srv, {"alpha": "/a"},
                                   schedule={"digest_time": "07:00", "poll_minutes": 30})
        html = tmp_path / "out" / f"digest-{DAY.isoformat()}.html"
        _set_clock(cfg_path, _at(6))
        assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0
        _set_clock(cfg_path, None)
        srv.set("/a", rss("alpha", range(6), _at(9)))
        assert _poll(cfg_path, _at(20)) == 3  # the start's poll round

        said = _restart(cfg_path, _at(20), caplog, day_offset=0)
        assert [line for line in said if "written" in line], said
        assert all(f"alpha report {i}:" in html.read_text() for i in range(6))
        with open_app(cfg_path) as app:
            assert sealed_at(app.store, DAY) == _at(20)
        mtime = html.stat().st_mtime_ns
        assert not [line for line in _restart(cfg_path, _at(21), caplog, day_offset=0) if "written" in line]
        assert html.stat().st_mtime_ns == mtime
