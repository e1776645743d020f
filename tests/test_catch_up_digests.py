"""The daemon's start-up catch-up of every configured digest, each on its own latest due day.

The scheduler fires a digest run missed while the daemon was down only within its grace
(12 hours); the start's own catch-up took the first digest alone, and only when its day
was due on the weekday of the start: the other ``digests:`` of a longer outage, and a
weekly one started on another weekday, were never written or mailed.
Real parts: a store in SQLite on disk, aiosmtpd on loopback, ``Daemon.run`` in-process
with a pinned clock (its scheduler stopped where it would be resumed).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.app import open_app
from digest.service import daemon as daemon_mod
from digest.service.daemon import Daemon, make_scheduler
from tests.support.daemon import Clock, Inbox, smtpd
from tests.support.digests import WEEKLY, digests_config, ingest_stories

DAILY = """
  - name: morning
    sections: [World, Local]
    time: "06:00"
"""
EVENING = """
  - name: evening
    time: "07:00"
"""


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 9 November 2026 is a Monday


config = digests_config


ingest = ingest_stories


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Iterator[Any]:
    """``start(cfg_path, now, missed=())``: a daemon start (``Daemon.run``) at ``now``: its poll
    round and catch-up; then the runs the scheduler fires on resuming (``missed``: their wake
    words, as it puts them within its grace) are handled, and the daemon stops.  Its log lines."""
    daemon: list[Daemon] = []
    words: list[str] = []

    def paused(cfg: Any, *, tick: float) -> Any:
        sched = make_scheduler(cfg, tick=tick)

        def resume() -> None:  # where the scheduler would fire missed runs and then tick
            for word in words:
                daemon_mod.wake(word)
            daemon_mod.wake("stop")

        sched.resume = resume
        return sched

    def handle(kind: str) -> None:
        if kind == "stop":
            daemon[0].stop.requested = True
        elif kind != "poll":  # a tick left by another test in this process
            Daemon._handle(daemon[0], kind)

    monkeypatch.setattr(daemon_mod, "make_scheduler", paused)

    def run(cfg_path: Path, now: datetime, missed: Sequence[str] = ()) -> list[str]:
        while not daemon_mod._WAKE.empty():
            daemon_mod._WAKE.get_nowait()
        words[:] = missed
        caplog.clear()
        with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
            d = Daemon(app, clock=lambda: now)
            daemon[:] = [d]
            monkeypatch.setattr(d, "_handle", handle)
            assert d.run() == 0
        return [r.getMessage() for r in caplog.records if r.name == "digest.service.daemon"]

    yield run


def _files(tmp_path: Path) -> list[str]:
    return sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.html"))


def _mails(inbox: Inbox) -> list[tuple[str, str]]:
    return [(str(m["To"]), str(m["Subject"])) for m in inbox.messages]


MONDAY = [("Coast News", "quake_a1", _at(9, 8)), ("City Desk", "council_b", _at(9, 10))]


def test_two_daily_digests_missed_by_more_than_the_grace_are_each_written_and_mailed_once(
    tmp_path: Path, start: Any
) -> None:
    """Two daily digests at 06:00 and 07:00; the daemon is down from Monday 9 November 20:00 to
    Tuesday 20:00, past both and past the scheduler's 12 hours.  The start writes and mails
    Monday's digest of each (one mail each, the same reader); a restart right after writes
    and mails nothing more, and says so."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, DAILY + EVENING)
        ingest(cfg_path, MONDAY)
        said = start(cfg_path, _at(10, 20))
        assert "digest morning 2026-11-09: sent to me@example.org" in said, said
        assert "digest evening 2026-11-09: sent to me@example.org" in said, said
        assert _files(tmp_path) == ["evening/digest-evening-2026-11-09.html", "morning/digest-morning-2026-11-09.html"]
        assert _mails(inbox) == [("me@example.org", "digest for 2026-11-09: 2 stories")] * 2
        evening = inbox.messages[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Opunake" in evening and "Free buses" in evening, evening

        mtimes = [p.stat().st_mtime_ns for p in sorted((tmp_path / "out").rglob("*.html"))]
        said = start(cfg_path, _at(10, 20, 5))  # a restart right after
        assert not [line for line in said if " written: " in line], said
        assert "digest morning 2026-11-09: not sent: already sent to me@example.org" in " ".join(said), said
        assert "digest evening 2026-11-09: not sent: already sent to me@example.org" in " ".join(said), said
        assert len(inbox.messages) == 2
        assert [p.stat().st_mtime_ns for p in sorted((tmp_path / "out").rglob("*.html"))] == mtimes


def test_the_missed_runs_fired_after_the_catch_up_mail_nothing_twice(tmp_path: Path, start: Any) -> None:
    """Down from Monday 20:00 to Tuesday 10:00: within the grace, so on resuming the scheduler
    fires both missed runs right after the start's catch-up mailed them: each says it was
    already sent, and no second mail goes out."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, DAILY + EVENING)
        ingest(cfg_path, MONDAY)
        said = start(cfg_path, _at(10, 10), missed=["digest:morning", "digest:evening"])
        sent = [line.partition(" at ")[0] for line in said if "sent" in line]  # not when (the real clock)
        assert sent == [
            "digest morning 2026-11-09: sent to me@example.org",
            "digest evening 2026-11-09: sent to me@example.org",
            "digest evening 2026-11-09: not sent: already sent to me@example.org",
            "digest morning 2026-11-09: not sent: already sent to me@example.org",
        ], said
        assert len(inbox.messages) == 2


@pytest.mark.parametrize("digests", [WEEKLY, DAILY + WEEKLY], ids=["weekly", "daily-and-weekly"])
def test_a_weekly_digest_missed_on_its_monday_is_sent_on_a_wednesday_start(
    tmp_path: Path, start: Any, digests: str
) -> None:
    """A weekly digest mailed on Mondays at 08:00; the daemon is down from Sunday 15 November
    12:00 to Wednesday 18 November 10:00.  Its start writes the week 9-15 November and mails
    it once; a restart right after mails nothing more."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, digests)
        ingest(cfg_path, [*MONDAY, ("Terrace", "derby", _at(11, 9)), ("Coast News", "quake_b", _at(15, 11))])
        said = start(cfg_path, _at(18, 10))
        assert "digest weekly-sport 2026-11-15: sent to colleague@example.org" in said, said
        # the start's line says when each digest is built (it named schedule.digest_time alone)
        assert "on Mondays at 08:00 (UTC), written to " in said[0] and "digest weekly-sport on Mondays" in said[0], said
        assert "weekly-sport/digest-weekly-sport-2026-11-15.html" in _files(tmp_path)
        assert _mails(inbox) == [("colleague@example.org", "digest for 2026-11-09 – 2026-11-15: 4 stories")]
        weekly = inbox.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Harriers win the Coastal derby" in weekly

        said = start(cfg_path, _at(18, 10, 5))
        assert not [line for line in said if "weekly-sport" in line and " written: " in line], said
        assert any(line.startswith("digest weekly-sport 2026-11-15: not sent: already sent to colleague@example.org")
                   for line in said), said
        assert len(inbox.messages) == 1


def test_latest_due_day_of_a_daily_and_a_weekly_plan() -> None:
    """A daily digest's day is the one that ended before its latest time (or the day so far);
    a weekly one's is the last day of the latest week whose mailing has passed."""
    from digest.output.digests import Plan
    from digest.output.filters import Rules
    from digest.service.maildays import latest_due_day

    daily = Plan("morning", [], Rules([]), time="06:00")
    weekly = Plan("weekly", [], Rules([]), every="week", weekday=0, time="08:00")  # Mondays
    assert latest_due_day(daily, _at(10, 5, 59), UTC) == latest_due_day(daily, _at(9, 6), UTC) == _at(8, 0).date()
    assert latest_due_day(daily, _at(10, 6), UTC, day_offset=0) == _at(10, 0).date()
    for now, day in [(_at(16, 7, 59), 8), (_at(16, 8), 15), (_at(18, 10), 15), (_at(22, 23, 59), 15), (_at(23, 8), 22)]:
        assert latest_due_day(weekly, now, UTC) == _at(day, 0).date(), now
        assert latest_due_day(weekly, now, UTC, day_offset=0) == _at(day, 0).date(), now  # always the week that ended


def test_each_digest_whose_delivery_failed_on_start_is_retried(tmp_path: Path) -> None:
    """The mail server is down at the start: both digests' deliveries fail.  The retry on a
    later round mails each of them (it retried only the last that failed), once."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import free_port

    port = free_port()  # nobody listens yet
    cfg_path = config(tmp_path, port, DAILY + EVENING)
    ingest(cfg_path, MONDAY)
    clock = Clock()
    clock.now = _at(10, 20)
    with open_app(cfg_path) as app:
        d = Daemon(app, clock=clock)
        d.catch_up()
        # one failed round, though two digests failed: the first wait, not the second's double
        assert d._delivery_failures == 1 and d._retry_delivery_at == clock.now + timedelta(seconds=60)
        ctl = Controller(Inbox(), hostname="127.0.0.1", port=port, ready_timeout=10)
        ctl.start()
        try:
            clock.now = d._retry_delivery_at
            d._handle("poll")
            assert sorted(str(m["Subject"]) for m in ctl.handler.messages) == ["digest for 2026-11-09: 2 stories"] * 2
            assert d._retry_delivery_at is None
            clock.now += timedelta(hours=1)
            d._handle("poll")
            d.catch_up()  # and a restart
            assert len(ctl.handler.messages) == 2
        finally:
            ctl.stop()


def test_a_delivery_retried_after_the_next_days_time_still_mails_the_day_that_failed(tmp_path: Path) -> None:
    """The mail server is down from Tuesday's 06:00 digest (Monday's) until after Wednesday's.
    The retry worked the day out again when it ran: Wednesday's digest (Tuesday's), which its
    own run had just mailed, and Monday's was never mailed.  The retry keeps the day."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import free_port

    port = free_port()  # nobody listens yet
    cfg_path = config(tmp_path, port, DAILY)
    ingest(cfg_path, [*MONDAY, ("Coast News", "derby", _at(10, 9))])
    clock = Clock()
    clock.now = _at(10, 6, 0)
    with open_app(cfg_path) as app:
        d = Daemon(app, clock=clock)
        d.digest(scheduled=True, name="morning")  # Tuesday 06:00: Monday's, the server down
        assert d._retry_delivery_at is not None
        ctl = Controller(Inbox(), hostname="127.0.0.1", port=port, ready_timeout=10)
        ctl.start()
        try:
            clock.now = _at(11, 6, 0)
            d.digest(scheduled=True, name="morning")  # Wednesday 06:00: Tuesday's, sent
            assert d._retry_delivery_at is not None, "Monday's delivery is still to be retried"
            clock.now = max(clock.now, d._retry_delivery_at) + timedelta(minutes=1)
            d._handle("poll")  # the retry
            subjects = sorted(str(m["Subject"]) for m in ctl.handler.messages)
        finally:
            ctl.stop()
    assert subjects == ["digest for 2026-11-09: 2 stories", "digest for 2026-11-10: 1 story"]
    assert d._retry_delivery_at is None


def test_a_send_held_off_by_another_sender_is_looked_at_again_a_minute_later_not_every_tick(
    tmp_path: Path,
) -> None:
    """``digest send`` holds the ``deliver`` lock: the daemon's send says "not sent now" and is
    looked at again a minute later.  Held off again, its retry time stayed the past one, and
    every poll tick (1-60 s) tried and logged it again."""
    from digest.store.base import open_store

    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, DAILY)
        ingest(cfg_path, MONDAY)
        clock = Clock()
        clock.now = _at(10, 6, 0)
        with open_app(cfg_path) as app, open_store(app.cfg.database_url) as other:
            d = Daemon(app, clock=clock)
            with other.exclusive("deliver"):  # a manual send, mid-way
                d.digest(scheduled=True, name="morning")
                assert d._retry_delivery_at == clock.now + timedelta(seconds=60)
                clock.now += timedelta(seconds=61)
                d._handle("poll")  # held off again
                assert d._retry_delivery_at == clock.now + timedelta(seconds=60)
            clock.now += timedelta(seconds=61)
            d._handle("poll")
            assert d._retry_delivery_at is None
        assert _mails(inbox) == [("me@example.org", "digest for 2026-11-09: 2 stories")]


def test_a_failed_delivery_is_mailed_by_a_start_after_the_next_day_was_due(tmp_path: Path, start: Any) -> None:
    """The mail server is down at Tuesday's 06:00 digest (Monday's); the daemon is stopped
    with that retry in memory and started again on Thursday, the server up.  The start mails
    Monday's and Tuesday's digests (it mailed the latest day's only, and Monday's was lost),
    writes Wednesday's (no stories: not mailed); a restart right after does and says nothing
    more of the earlier days."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import free_port

    port = free_port()  # nobody listens yet
    cfg_path = config(tmp_path, port, DAILY)
    said = start(cfg_path, _at(9, 7))  # the first start: Monday 07:00
    assert "digest morning 2026-11-08: none: the store's first day is 2026-11-09" in said, said
    ingest(cfg_path, MONDAY)
    clock = Clock()
    clock.now = _at(10, 6)
    with open_app(cfg_path) as app:
        d = Daemon(app, clock=clock)
        d.digest(scheduled=True, name="morning")  # Monday's: the server is down
        assert d._retry_delivery_at is not None  # and the daemon is stopped before the retry
    ingest(cfg_path, [("Coast News", "derby", _at(10, 9))])
    ctl = Controller(Inbox(), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        said = start(cfg_path, _at(12, 10))
        assert _mails(ctl.handler) == [
            ("me@example.org", "digest for 2026-11-09: 2 stories"),
            ("me@example.org", "digest for 2026-11-10: 1 story"),
        ], said
        assert "digest morning 2026-11-10: sent to me@example.org" in said, said
        assert "morning/digest-morning-2026-11-11.html" in _files(tmp_path)  # written, nothing to mail
        assert "digest morning 2026-11-11: not sent: no stories that day" in said, said

        said = start(cfg_path, _at(12, 10, 5))  # a restart right after
        assert not [line for line in said if "2026-11-09" in line or "2026-11-10" in line], said
        assert len(ctl.handler.messages) == 2
    finally:
        ctl.stop()


def test_a_first_start_mails_no_day_from_before_it(tmp_path: Path, start: Any) -> None:
    """A store that ``digest run`` filled from cron for days before the daemon's first start:
    the start writes and mails the latest due day only, not the days before it."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, DAILY)
        ingest(cfg_path, [*MONDAY, ("Coast News", "derby", _at(10, 9)), ("Coast News", "quake_b", _at(11, 9))])
        start(cfg_path, _at(12, 10))  # Thursday: Wednesday's digest is the latest due
        assert _mails(inbox) == [("me@example.org", "digest for 2026-11-11: 1 story")]
        assert _files(tmp_path) == ["morning/digest-morning-2026-11-11.html"]


def test_an_address_added_gets_the_latest_period_alone_not_the_week_before(tmp_path: Path, start: Any) -> None:
    """The daemon mails Monday's to Thursday's digests to me@; you@ is added to ``to:`` and the
    daemon restarted on Friday.  you@ gets Thursday's digest alone: the earlier periods were
    mailed (to the list of then), nobody is owed them."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, DAILY)
        start(cfg_path, _at(9, 7))  # the first start, Monday 07:00
        # a story of its own each day: a copy of one read before is no news, and not mailed
        for day, fixture in zip((9, 10, 11, 12), ("quake_a1", "derby", "council_a", "council_b"), strict=True):
            ingest(cfg_path, [("Coast News", fixture, _at(day, 9))])
            start(cfg_path, _at(day + 1, 7))  # each morning's digest, as the running daemon mails it
        assert [str(m["To"]) for m in inbox.messages] == ["me@example.org"] * 4
        cfg_path.write_text(cfg_path.read_text().replace("to: [me@example.org]", "to: [me@example.org, you@example.org]"))
        said = start(cfg_path, _at(13, 10))
        assert _mails(inbox)[4:] == [("you@example.org", "digest for 2026-11-12: 1 story")], said


def test_a_failed_period_caught_up_after_an_address_was_added_goes_to_the_old_list_alone(
    tmp_path: Path, start: Any
) -> None:
    """Monday's digest fails for me@ (the server down); you@ is added to ``to:`` and the
    daemon restarted on Wednesday, the server up.  Monday's digest goes to me@ alone (it was
    owed to the list of then: you@ got it too), Tuesday's, the latest, to both."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import free_port

    port = free_port()  # nobody listens yet
    cfg_path = config(tmp_path, port, DAILY)
    start(cfg_path, _at(9, 7))  # the first start: Monday 07:00
    ingest(cfg_path, MONDAY)
    clock = Clock()
    clock.now = _at(10, 6)
    with open_app(cfg_path) as app:
        Daemon(app, clock=clock).digest(scheduled=True, name="morning")  # Monday's: the server is down
    ingest(cfg_path, [("Coast News", "derby", _at(10, 9))])
    cfg_path.write_text(cfg_path.read_text().replace("to: [me@example.org]", "to: [me@example.org, you@example.org]"))
    ctl = Controller(Inbox(), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        said = start(cfg_path, _at(11, 7))
        assert _mails(ctl.handler) == [
            ("me@example.org", "digest for 2026-11-09: 2 stories"),
            ("me@example.org", "digest for 2026-11-10: 1 story"),  # a message each reader
            ("you@example.org", "digest for 2026-11-10: 1 story"),
        ], said
    finally:
        ctl.stop()


def test_the_latest_day_is_the_one_the_earlier_days_were_counted_from(tmp_path: Path) -> None:
    """A start on Wednesday a moment before 06:00 whose catch-up of the earlier days runs past
    06:00 (mail time-outs make it long): the latest day is the one counted at the start
    (Monday's), not the clock's again (Tuesday's, which the scheduler's 06:00 run mails
    anyway): Monday's was never mailed."""
    from digest.service.maildays import mark_mail_start

    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, DAILY)
        ingest(cfg_path, [("Coast News", "quake_a1", _at(9, 9)), ("Coast News", "derby", _at(10, 9))])
        with open_app(cfg_path) as app:
            mark_mail_start(app.store, "morning", _at(9, 7))  # the daemon mailing since Monday
            times = iter([_at(11, 5, 59)])
            Daemon(app, clock=lambda: next(times, _at(11, 6, 1))).catch_up()  # down since Monday 20:00
        assert _mails(inbox) == [("me@example.org", "digest for 2026-11-09: 1 story")]


def test_after_one_delivery_times_out_the_start_does_not_wait_out_the_others(tmp_path: Path) -> None:
    """The mail server takes connections and never answers (a firewall that drops, a hung
    server), ``timeout: 1``.  The daemon was down since Monday; its start owes Monday's to
    Wednesday's digests.  One delivery waits out the time-out, the others wait for its retry
    (each waited the time-out in turn: minutes before the first poll at 30 s each).  When the
    server answers, the retry mails each day once."""
    import socket
    import threading

    from digest.service.maildays import mark_mail_start

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    accepted: list[socket.socket] = []

    def take() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(silent.accept()[0])

    taker = threading.Thread(target=take, daemon=True)
    taker.start()
    cfg_path = config(tmp_path, port, DAILY)
    cfg_path.write_text(cfg_path.read_text().replace("  security: none\n", "  security: none\n  timeout: 1\n"))
    ingest(cfg_path, [("Coast News", n, _at(d, 9)) for n, d in (("quake_a1", 9), ("derby", 10), ("council_b", 11))])
    clock = Clock()
    clock.now = _at(12, 10)
    with open_app(cfg_path) as app:
        mark_mail_start(app.store, "morning", _at(9, 7))  # the daemon mailing since Monday
        d = Daemon(app, clock=clock)
        began = time.monotonic()
        d.catch_up()
        assert time.monotonic() - began < 15, "email.timeout (1 s) is the server's time, not 30 s"
        assert len(accepted) == 1, "one delivery waited out the time-out, not each"
        assert sorted(day.day for _name, day in d._retry_digests) == [9, 10, 11]
        silent.shutdown(socket.SHUT_RDWR)  # wakes its accept(); the port is free again
        silent.close()
        taker.join(5)
        for conn in accepted:
            conn.close()
        inbox = _retry_round(d, clock, Inbox(), port)
        assert sorted(str(m["Subject"]).partition(":")[0] for m in inbox.messages) == [
            f"digest for 2026-11-{day:02d}" for day in (9, 10, 11)]
        assert d._retry_delivery_at is None


class RefusingColleague(Inbox):
    """A mail server that refuses the weekly digest's reader for now (450: try again later),
    or for good (``code`` 550), and takes everyone else."""

    def __init__(self, code: int = 450) -> None:
        super().__init__()
        self.code = code

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == "colleague@example.org":
            return "550 5.1.1 user unknown" if self.code == 550 else "450 4.2.1 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.parametrize("order", ["weekly first", "daily first"])
def test_one_digests_refused_mail_holds_up_no_other_and_the_backoff_steps_once_a_round(
    tmp_path: Path, order: str
) -> None:
    """Both digests owed at a start with the server unreachable: one is tried, the other waits
    for the retry.  The retry round finds the server up, refusing the weekly digest's reader.
    Weekly first: a refusal is of that message only, so the morning digest is still tried
    and mailed (taken for an unreachable server, it waited behind the weekly one for good).
    Daily first: the round failed, so the backoff is one step longer (the morning digest's
    success had started it over)."""

    from digest.service.polling import backoff_delay
    from tests.support.daemon import free_port

    port = free_port()  # nobody listens yet
    cfg_path = config(tmp_path, port, WEEKLY + DAILY if order == "weekly first" else DAILY + WEEKLY)
    ingest(cfg_path, [*MONDAY, ("Terrace", "derby", _at(11, 9)), ("Coast News", "quake_b", _at(16, 9))])
    clock = Clock()
    clock.now = _at(17, 10)  # Tuesday: the week 9-15 and Monday 16 are owed
    with open_app(cfg_path) as app:
        d = Daemon(app, clock=clock)
        d.catch_up()
        assert d._delivery_failures == 1 and len(d._retry_digests) == 2
        inbox = _retry_round(d, clock, RefusingColleague(), port)
        assert _mails(inbox) == [("me@example.org", "digest for 2026-11-16: 1 story")]
        assert [name for name, _day in d._retry_digests] == ["weekly-sport"]
        assert d._delivery_failures == 2
        assert d._retry_delivery_at == clock.now + timedelta(seconds=backoff_delay(60.0, 2, cap=3600.0))


def test_a_digest_refused_for_good_is_not_retried_every_hour_and_a_restart_tries_it_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, start: Any
) -> None:
    """The weekly digest's reader is refused for good (550 user unknown: RFC 5321's permanent
    refusal, the same answer each time): the daemon said so and retried it hourly without
    end.  Now one error line says it is not retried and how to send it once mended; no retry
    is pending, the daily digest is mailed.  A restart (the reader's address mended on the
    server) tries it again, once."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import free_port

    port = free_port()
    cfg_path = config(tmp_path, port, WEEKLY + DAILY)
    ingest(cfg_path, [*MONDAY, ("Terrace", "derby", _at(11, 9)), ("Coast News", "quake_b", _at(16, 9))])
    clock = Clock()
    clock.now = _at(17, 10)  # Tuesday: the week 9-15 and Monday 16 are owed
    ctl = Controller(RefusingColleague(550), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
            d = Daemon(app, clock=clock)
            d.catch_up()
            assert d._retry_digests == {} and d._retry_delivery_at is None and d._delivery_failures == 0
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and errors[0].startswith("digest weekly-sport 2026-11-15: email via"), errors
        assert "550" in errors[0] and "not retried" in errors[0], errors
        assert "'digest send --date 2026-11-15 --digest weekly-sport'" in errors[0], errors
        assert _mails(ctl.handler) == [("me@example.org", "digest for 2026-11-16: 1 story")]
    finally:
        ctl.stop()
    with smtpd() as (inbox, port2):
        cfg_path.write_text(cfg_path.read_text().replace(f"port: {port}", f"port: {port2}"))
        start(cfg_path, _at(17, 11))
        assert [subject.partition(":")[0] for _to, subject in _mails(inbox)] == ["digest for 2026-11-09 – 2026-11-15"]


def _retry_round(d: Daemon, clock: Clock, inbox: Inbox, port: int) -> Inbox:
    """The mail server up on ``port`` (``inbox`` its handler): the daemon's retry round, at its time."""
    from aiosmtpd.controller import Controller

    ctl = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        assert d._retry_delivery_at is not None
        clock.now = d._retry_delivery_at
        d._handle("poll")
    finally:
        ctl.stop()
    return inbox


@pytest.mark.parametrize(("template", "said"), [
    ("{{ broken \n", "digest.md.j2:1"),  # does not parse
    ("# {{ title }}\n\n{{ articles_read + ' read' }}\n", "digest.md.j2:3: TypeError"),  # Python's error
])
def test_a_broken_template_at_digest_time_stops_no_daemon_and_the_next_digest_time_writes_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, template: str, said: str
) -> None:
    """The user's ``digest.md.j2`` breaks (a typo, or an expression Python refuses) before
    Tuesday's 06:00 digest: the write raised out of the daemon's loop and the daemon died (and
    died again at each restart's catch-up).  One error line now, nothing mailed; the template
    mended, Wednesday's digest time writes and mails Monday's period first, then Tuesday's."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port, DAILY)
        (tmp_path / "tpl").mkdir()
        cfg_path.write_text(cfg_path.read_text() + "templates: tpl\n")
        ingest(cfg_path, [*MONDAY, ("Coast News", "derby", _at(10, 9))])
        clock = Clock()
        with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
            d = Daemon(app, clock=clock)
            clock.now = _at(9, 7)
            d.catch_up()  # the first start: nothing due yet (Sunday is before the store)
            (tmp_path / "tpl" / "digest.md.j2").write_text(template)
            clock.now = _at(10, 6)
            d._handle("digest:morning")
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert len(errors) == 1 and errors[0].startswith("digest morning 2026-11-09: not written or sent: templates: "), errors
            assert said in errors[0] and inbox.messages == []
            (tmp_path / "tpl" / "digest.md.j2").unlink()  # mended: the default template again
            clock.now = _at(11, 6)
            d._handle("digest:morning")
        assert [s for _to, s in _mails(inbox)] == ["digest for 2026-11-09: 2 stories", "digest for 2026-11-10: 1 story"]
