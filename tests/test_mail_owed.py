"""Which earlier periods are owed, and to whom, from cron and the daemon: a digest renamed or
added, a refusal for good that lifts, an address no longer listed, an empty week, a cron
store handed to the daemon.  Real parts: SQLite on disk, aiosmtpd on loopback, ``digest
send`` and ``Daemon``.  (From a review of the catch-up: each failed before its fix.)"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.app import open_app
from digest.cli import main
from tests.support.daemon import Clock, Inbox, smtpd
from tests.support.digests import digests_config, ingest_stories

MORNING = """
  - name: morning
    sections: [World, Local]
    time: "06:00"
"""


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 9 November 2026 is a Monday


def _clock(cfg_path: Path, at: datetime) -> None:
    text = cfg_path.read_text()
    line = f"clock: {at.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
    text = re.sub(r"^clock: .*\n", line, text, flags=re.M) if re.search(r"^clock:", text, re.M) else line + text
    cfg_path.write_text(text)


def _subjects(inbox: Inbox) -> list[tuple[str, str]]:
    return [(str(m["To"]), str(m["Subject"]).partition(":")[0]) for m in inbox.messages]


def _cron_week(tmp_path: Path, port: int) -> Path:
    """A cron store, digest ``morning`` mailed by ``digest send`` on Tuesday, Wednesday and
    Thursday 07:00 (Monday's to Wednesday's stories); Thursday's story read."""
    cfg_path = digests_config(tmp_path, port, MORNING)
    for day, story in ((9, "quake_a1"), (10, "derby"), (11, "council_b"), (12, "quake_b")):
        ingest_stories(cfg_path, [("Coast News", story, _at(day, 9))])
        if day < 12:
            _clock(cfg_path, _at(day + 1, 7))
            assert main(["send", "--config", str(cfg_path)]) == 0
    return cfg_path


@pytest.mark.parametrize("change", ["renamed", "added"])
def test_a_digest_renamed_or_added_on_a_cron_store_gets_no_back_issues(
    tmp_path: Path, change: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``morning`` renamed to ``daily`` (the same readers), or a digest ``evening`` added for
    you@: the next cron ``digest send`` mails Thursday's period alone.  Counted from the
    store's first send, not the digest's own (``mail_since:NAME``: delivery rows are per
    digest), it mailed the week before too: the renamed digest's readers got Tuesday's and
    Wednesday's a second time, you@ back issues."""
    with smtpd() as (inbox, port):
        cfg_path = _cron_week(tmp_path, port)
        assert len(inbox.messages) == 3
        text = cfg_path.read_text()
        if change == "renamed":
            text = text.replace("name: morning", "name: daily")
        else:
            text += '\n  - name: evening\n    time: "06:00"\n    to: [you@example.org]\n'
        cfg_path.write_text(text)
        _clock(cfg_path, _at(13, 7))
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path)]) == 0
        said = capsys.readouterr().err.splitlines()
        new = _subjects(inbox)[3:]
        who = "me@example.org" if change == "renamed" else "you@example.org"
        assert new[-1] == (who, "digest for 2026-11-12")
        assert [m for m in new if m[0] == who] == [(who, "digest for 2026-11-12")], said


class Refusing(Inbox):
    """Refuses every message for good (554 at DATA)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "554 5.7.1 rejected by policy"


@pytest.mark.parametrize("digest_day", ["today", "yesterday"])
def test_the_refused_for_good_line_names_a_send_only_when_it_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], digest_day: str
) -> None:
    """The digest mailed at 18:00 is refused for good (554).  One error line says it is not
    retried hourly.  With ``--digest-day today`` the day so far has not ended: the line named
    ``digest send --date TODAY``, which refuses a day not over (exit 2); it names none now.
    With ``yesterday`` it names the command, and the command, run then, mails it."""
    from aiosmtpd.controller import Controller

    from digest.service.daemon import Daemon
    from tests.support.daemon import free_port

    port = free_port()
    cfg_path = digests_config(tmp_path, port, MORNING.replace('"06:00"', '"18:00"'))
    ingest_stories(cfg_path, [("Coast News", "quake_a1", _at(9, 9))])
    ctl = Controller(Refusing(), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        clock = Clock()
        clock.now = _at(9 if digest_day == "today" else 10, 18)
        with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
            d = Daemon(app, day_offset=0 if digest_day == "today" else -1, clock=clock)
            d.digest(scheduled=True, name="morning")
            assert d._retry_digests == {}
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "not retried hourly" in errors[0], errors
        command = re.search(r"'digest send (--date \S+ --digest \S+)'", errors[0])
    finally:
        ctl.stop()
    if digest_day == "today":
        assert command is None, errors
        return
    assert command is not None, errors
    with smtpd() as (inbox, port2):  # mended: the reader runs the command the line names
        cfg_path.write_text(cfg_path.read_text().replace(f"port: {port}", f"port: {port2}"))
        _clock(cfg_path, clock.now + timedelta(minutes=5))
        assert main(["send", "--config", str(cfg_path), *command.group(1).split()]) == 0
        assert _subjects(inbox) == [("me@example.org", "digest for 2026-11-09")]


class QuotaOnce(Inbox):
    """Refuses the first message with a 5xx that lifts by itself (a provider's daily sending
    quota: Gmail's "550 5.4.5 Daily user sending limit exceeded"), then takes everything."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.refused:
            self.refused += 1
            return "550 5.4.5 Daily user sending limit exceeded"
        return str(await super().handle_DATA(server, session, envelope))


def test_a_refusal_for_good_that_lifts_is_mailed_with_the_next_digest(tmp_path: Path) -> None:
    """Monday's digest (Tuesday 06:00) is refused with 550 5.4.5 (a sending quota: a 5xx that
    lifts by itself); the daemon runs on, no restart.  Not retried hourly, it is tried again
    at the next digest time, before Tuesday's digest (as a cron store's next ``digest send``
    does): it was never mailed, no scheduled run or retry round looking at it."""
    from aiosmtpd.controller import Controller

    from digest.service.daemon import Daemon
    from digest.service.maildays import mark_mail_start
    from tests.support.daemon import free_port

    port = free_port()
    cfg_path = digests_config(tmp_path, port, MORNING)
    ingest_stories(cfg_path, [("Coast News", "quake_a1", _at(9, 9)), ("Coast News", "derby", _at(10, 9))])
    handler = QuotaOnce()
    ctl = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        clock = Clock()
        with open_app(cfg_path) as app:
            mark_mail_start(app.store, "morning", _at(9, 7))  # the daemon mailing since Monday
            d = Daemon(app, clock=clock)
            clock.now = _at(10, 6)
            d._handle("digest:morning")  # Monday's: 550 5.4.5
            for hour in range(7, 24):  # the daemon runs on: its poll rounds
                clock.now = _at(10, hour)
                d._handle("poll")
            clock.now = _at(11, 6)
            d._handle("digest:morning")  # Tuesday's: goes through
            for hour in range(7, 24):
                clock.now = _at(11, hour)
                d._handle("poll")
        assert "digest for 2026-11-09" in [s for _to, s in _subjects(handler)], _subjects(handler)
    finally:
        ctl.stop()


def test_an_earlier_period_owed_to_nobody_listed_is_not_rewritten_and_said_every_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Monday's digest failed for old@ (server down at Tuesday's cron run); old@ is replaced
    by me@ in ``to:`` (added since: not owed it).  No later run writes Monday's files again or
    says a word of it: it is owed only to addresses still listed (each run of the week did)."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import free_port

    port = free_port()
    cfg_path = digests_config(tmp_path, port, MORNING)
    cfg_path.write_text(cfg_path.read_text().replace("to: [me@example.org]", "to: [old@example.org]"))
    ingest_stories(cfg_path, [("Coast News", "quake_a1", _at(9, 9))])
    _clock(cfg_path, _at(10, 7))
    assert main(["send", "--config", str(cfg_path)]) == 2  # the server is down
    cfg_path.write_text(cfg_path.read_text().replace("to: [old@example.org]", "to: [me@example.org]"))
    ingest_stories(cfg_path, [("Coast News", "derby", _at(10, 9)), ("Coast News", "council_b", _at(11, 9))])
    ctl = Controller(Inbox(), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        for day in (11, 12):
            _clock(cfg_path, _at(day, 7))
            capsys.readouterr()
            assert main(["send", "--config", str(cfg_path)]) == 0
            said = capsys.readouterr()
            if day == 12:
                assert not [line for line in said.err.splitlines() if "2026-11-09" in line], said.err
                assert "digest-morning-2026-11-09" not in said.out, said.out
    finally:
        ctl.stop()


def test_a_cron_send_does_not_build_the_week_before_on_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A busy store whose ``morning`` digest had nothing the last week (every story muted by
    its ``filters``): a daily ``digest send`` builds the view of its own day and at most a
    day or two more, not each of the 7 before (never tried, so owed; empty, so no row was
    ever left: each run built them all again).  An ended day found empty is recorded."""
    from digest.app import App

    with smtpd() as (inbox, port):
        cfg_path = digests_config(tmp_path, port, MORNING + '    filters:\n      - mute: "derby"\n')
        ingest_stories(cfg_path, [("Coast News", "quake_a1", _at(2, 9))])
        _clock(cfg_path, _at(3, 7))
        assert main(["send", "--config", str(cfg_path)]) == 0  # the first cron run: 2 November
        for day in range(3, 12):
            ingest_stories(cfg_path, [("Terrace", "derby", _at(day, 9))])
            _clock(cfg_path, _at(day + 1, 7))
            assert main(["send", "--config", str(cfg_path)]) == 0
        built: list[object] = []
        real = App.build_view
        monkeypatch.setattr(App, "build_view", lambda self, day, **kw: built.append(day) or real(self, day, **kw))
        _clock(cfg_path, _at(13, 7))
        assert main(["send", "--config", str(cfg_path)]) == 0
        assert len(built) <= 3, sorted({str(d) for d in built})
        assert _subjects(inbox) == [("me@example.org", "digest for 2026-11-02")]  # the rest all muted


def test_a_daemons_first_start_on_a_cron_store_does_not_rewrite_the_week_mailed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A cron store (``digest send`` mailed ``morning`` for Monday to Wednesday) switched to
    the daemon on Thursday 10:00.  Its first start neither mails nor writes those days again
    nor says a word of them: ``digest send`` records the files it wrote once the day was over
    as whole (``mark_written``), as the daemon does."""
    from digest.service.daemon import Daemon

    with smtpd() as (inbox, port):
        cfg_path = _cron_week(tmp_path, port)
        cfg_path.write_text(re.sub(r"^clock: .*\n", "", cfg_path.read_text(), flags=re.M))
        with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
            caplog.clear()
            Daemon(app, clock=lambda: _at(12, 10)).catch_up()
        said = [r.getMessage() for r in caplog.records if r.name == "digest.service.daemon"]
        assert len(inbox.messages) == 3, said
        assert not [line for line in said if "2026-11-10" in line or "2026-11-09" in line], said


def test_a_store_the_daemon_mailed_before_the_per_digest_marks_still_catches_up(tmp_path: Path) -> None:
    """A daemon's store from before mailing was marked per digest (``mail_since:NAME``): it
    has the daemon's first start and the digest's delivery rows.  Down on Wednesday and
    Thursday, its next start mails Tuesday's period too, as before, not only the latest
    (counted from the daemon's start, as the digest was mailed under its name)."""
    from digest.service.daemon import Daemon
    from digest.service.maildays import mark_daemon_start

    with smtpd() as (inbox, port):
        cfg_path = digests_config(tmp_path, port, MORNING)
        ingest_stories(cfg_path, [("Coast News", "quake_a1", _at(9, 9)), ("Coast News", "derby", _at(10, 9)),
                ("Coast News", "council_b", _at(11, 9))])
        with open_app(cfg_path) as app:
            mark_daemon_start(app.store, _at(9, 7))
            Daemon(app, clock=lambda: _at(10, 6)).digest(scheduled=True, name="morning")  # Monday's, mailed
        with open_app(cfg_path) as app:
            Daemon(app, clock=lambda: _at(12, 7)).catch_up()
        assert [s for _to, s in _subjects(inbox)] == [
            "digest for 2026-11-09", "digest for 2026-11-10", "digest for 2026-11-11"]
