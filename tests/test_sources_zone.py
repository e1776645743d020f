"""``digest sources`` writes its times in the configured ``timezone`` (stop 50's review).

A new user in Kiritimati (UTC+14) read "last ok 2026-12-05T10:00:00+00:00" from ``digest
sources`` where every other command, and the digest itself, wrote times in the configured
zone.  Real parts: a local HTTP server, ``digest run`` and ``digest sources`` through the CLI,
SQLite on disk."""

from __future__ import annotations

import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.app import open_app
from digest.cli import main
from digest.service.daemon import Daemon
from tests.support.daemon import loopback_config, rss
from tests.support.httpd import TestServer

ZONE = "Pacific/Kiritimati"


def test_sources_writes_times_in_the_configured_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, timezone=ZONE)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        with open_app(cfg) as app:  # a daemon round plans the next poll
            Daemon(app, rng=random.Random(1)).poll_due()
            state = app.store.get_source_state("alpha")
        assert state is not None and state.last_ok_at is not None and state.next_poll_at is not None
        capsys.readouterr()
        assert main(["sources", "--config", str(cfg)]) == 0
    line = capsys.readouterr().out.strip()
    zone = ZoneInfo(ZONE)
    last, nxt = state.last_ok_at.astimezone(zone), state.next_poll_at.astimezone(zone)
    assert line == (f"alpha: ok, last ok {last:%Y-%m-%d %H:%M} +14, no failures; "
                    f"next poll {nxt:%Y-%m-%d %H:%M} +14"), line


def test_a_paused_sources_reason_names_its_first_failure_in_the_configured_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """"failing continuously since 2026-12-05T10:00:00+00:00", stored with the pause, was UTC
    ISO 8601 in the same ``digest sources`` line as the zone's times."""
    from datetime import timedelta

    from tests.support.daemon import Clock

    with TestServer() as srv:
        srv.set("/a", b"oops", status=500)
        cfg = loopback_config(tmp_path, srv, {"down": "/a"}, timezone=ZONE,
                              schedule={"poll_minutes": 1, "pause_after_hours": 1, "paused_retry_hours": 24})
        clock = Clock()
        with open_app(cfg) as app:
            daemon = Daemon(app, rng=random.Random(1), clock=clock)
            for _ in range(100):  # failing for longer than pause_after_hours
                daemon.poll_due()
                state = app.store.get_source_state("down")
                if state is None or state.paused or state.next_poll_at is None:
                    break
                clock.now = max(clock.now + timedelta(minutes=1), state.next_poll_at)
        assert state is not None and state.paused and state.first_failure_at is not None
        capsys.readouterr()
        assert main(["sources", "--config", str(cfg)]) == 0
    since = state.first_failure_at.astimezone(ZoneInfo(ZONE))
    assert f"failing continuously since {since:%Y-%m-%d %H:%M} +14 (" in capsys.readouterr().out
