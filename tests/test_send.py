"""``digest send`` against real parts: a feed on a loopback HTTP server, SQLite on disk, a
loopback SMTP server (aiosmtpd): which days it mails, and what it says."""

from __future__ import annotations

import logging
import os
import random
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from digest.app import open_app
from digest.cli import main
from digest.config import load_config
from digest.output.days import sealed_at
from digest.service.daemon import Daemon
from digest.service.polling import digest_due
from digest.store.base import open_store
from tests.support.daemon import (
    Clock,
    config_with_mail,
    loopback_config,
    read_yesterday,
    rss,
    smtpd,
)
from tests.support.httpd import TestServer

ROOT = Path(__file__).resolve().parents[1]
#: 20:00 UTC on 20 November is 10:00 on 21 November in Kiritimati (UTC+14).
CLOCK = "2026-11-20T20:00:00Z"
ZONE = "Pacific/Kiritimati"


def _config(tmp: Path, srv: TestServer, port: int) -> Path:
    srv.set("/a", rss("alpha", range(3)))
    return loopback_config(
        tmp, srv, {"alpha": "/a"}, timezone=ZONE, clock=CLOCK,
        email={"host": "127.0.0.1", "port": port, "security": "none",
               "from": "digest@example.org", "to": ["me@example.org"]},
    )


def test_send_refuses_a_day_that_has_not_ended(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Mailing seals the day: sent before its end, the rest of it could fall in a window
    already mailed.  A day not over in the configured time zone is one error line, and
    nothing is written, sealed or mailed; the day before is sent (in UTC it is not over yet)."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg_path = _config(tmp_path, srv, port)
        assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0  # arrives on 21 November, local
        out = tmp_path / "out"
        for f in out.glob("digest-*"):
            f.unlink()
        capsys.readouterr()
        for day in ("2026-11-21", "2026-11-22"):  # today (local) and tomorrow
            assert main(["send", "--config", str(cfg_path), "--date", day]) == 2
            said = capsys.readouterr()
            preview = f"; 'digest build --date {day}' previews it" if day == "2026-11-21" else ""  # today's
            assert said.err.splitlines() == [
                f"error: {day} has not ended yet in {ZONE}: the last day that can be sent is 2026-11-20 "
                f"(nothing was written or sent{preview})"]
            assert said.out == ""
        assert not list(out.glob("digest-*")) and not inbox.messages
        cfg = load_config(cfg_path)
        with open_store(cfg.database_url) as store:
            assert sealed_at(store, date(2026, 11, 21)) is None and sealed_at(store, date(2026, 11, 22)) is None
            assert store.delivery_status("2026-11-21", "email:me@example.org") is None
        # the day that ended is not refused as not over, but as before the store's first day
        assert main(["send", "--config", str(cfg_path), "--date", "2026-11-20"]) == 2
        assert capsys.readouterr().err.splitlines() == [
            "error: 2026-11-20 has no digest: the store's first day is 2026-11-21 (nothing was written or sent)"]
        # 'build' of the day so far is a preview: written, not sealed (later arrivals stay the day's)
        assert main(["build", "--config", str(cfg_path), "--date", "2026-11-21", "--format", "md"]) == 0
        assert (out / "digest-2026-11-21.md").exists() and "alpha report" in (out / "digest-2026-11-21.md").read_text()
        with open_store(cfg.database_url) as store:
            assert sealed_at(store, date(2026, 11, 21)) is None
        assert not inbox.messages


def test_send_says_what_it_did_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``digest send`` printed its outcome twice: its own line, and the mailer's INFO log line
    (``digest D sent to email:ADDRESS (<message id>)``).  One line now; the daemon, which has
    no line of its own, logs the same words once."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg, yesterday = read_yesterday(tmp_path, srv, port)
        day = yesterday.isoformat()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "digest", "send", "--config", str(cfg), "--date", day],
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines() == [f"digest {day}: sent to me@example.org"], done.stderr
        assert [Path(p).name for p in done.stdout.split()] == [f"digest-{day}.md", f"digest-{day}.html"]
        assert len(inbox.messages) == 1
        # the daemon (the day so far, as --digest-day today): one line when it mails
        srv.set("/a", rss("alpha", range(3, 6)))  # three new items today
        clock = Clock()
        with open_app(cfg) as app, caplog.at_level(logging.DEBUG, logger="digest"):
            d = Daemon(app, day_offset=0, rng=random.Random(1), clock=clock)
            d.poll_due()
            caplog.clear()
            d.digest(scheduled=True)
            today = digest_due(clock.now, "00:00", UTC, day_offset=0).isoformat()
            infos = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
        assert len(inbox.messages) == 2
        said = [line for line in infos if "sent" in line]
        assert said == [f"digest {today}: sent to me@example.org"], infos


def _set_clock(cfg_path: Path, clock: str) -> None:
    """Pin the configuration's ``clock`` (the reader's time) at ``clock``."""
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["clock"] = clock
    cfg_path.write_text(yaml.safe_dump(cfg))


def test_send_writes_nothing_for_a_day_before_the_store_began(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron ``digest send`` (no ``--date``) the morning after the install, or before anything
    was read, wrote and recorded an empty digest for a day before the store's first: the
    first day of the archive was a day nothing could be in.  The daemon's rule now holds
    for it too: nothing written, recorded, sealed or mailed; one line says why."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg_path = config_with_mail(tmp_path, srv, port)
        _set_clock(cfg_path, "2026-11-20T10:00:00Z")  # digest_time 00:00 UTC: 19 November is due
        out, cfg = tmp_path / "out", load_config(cfg_path)

        def nothing_of(day: str) -> None:
            assert not list(out.glob(f"digest-{day}*"))
            with open_store(cfg.database_url) as store:
                assert store.get_digest(day, "html") is None and store.get_digest(day, "md") is None
                assert sealed_at(store, date.fromisoformat(day)) is None
                assert store.delivery_status(day, "email:me@example.org") is None
            assert not inbox.messages

        assert main(["send", "--config", str(cfg_path)]) == 2  # nothing read yet: no store made (stop 64)
        said = capsys.readouterr()
        assert said.err.splitlines() == [
            f"error: no store yet at {tmp_path / 'data' / 'digest.sqlite3'}: run `digest run` first "
            "(nothing written or sent)"]
        assert said.out == "" and not (tmp_path / "data").exists()

        assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0  # the install: 20 November
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path)]) == 0
        said = capsys.readouterr()
        assert said.err.splitlines() == [
            "digest 2026-11-19: not written or sent: the store's first day is 2026-11-20"]
        assert said.out == ""
        nothing_of("2026-11-19")

        # the install day is sent when it has ended
        _set_clock(cfg_path, "2026-11-21T00:05:00Z")
        assert main(["send", "--config", str(cfg_path)]) == 0
        assert capsys.readouterr().err.splitlines() == ["digest 2026-11-20: sent to me@example.org"]
        assert len(inbox.messages) == 1
        assert "alpha report" in inbox.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_send_and_build_refuse_a_given_day_before_the_store_began(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest send --date D`` with D before the store's first day wrote an empty digest and
    recorded it: the archive then listed D with 0 stories (a new user's walkthrough, stop 50).
    ``send`` without ``--date`` said "the store's first day is ..."; a given day is now refused
    the same way, one error line and exit 2, and ``build --date D`` too: nothing written,
    recorded, sealed or mailed, no delivery row, no day in the archive."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg_path = config_with_mail(tmp_path, srv, port)
        _set_clock(cfg_path, "2026-11-20T10:00:00Z")
        out, cfg = tmp_path / "out", load_config(cfg_path)
        for argv in (["send"], ["build", "--format", "md"]):  # nothing read yet: no store made (stop 64)
            assert main([*argv, "--config", str(cfg_path), "--date", "2026-11-18"]) == 2
            done = "written or sent" if argv == ["send"] else "written"
            assert capsys.readouterr().err.splitlines() == [
                f"error: no store yet at {tmp_path / 'data' / 'digest.sqlite3'}: run `digest run` first (nothing {done})"]
        assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0  # the install: 20 November
        for f in out.glob("digest-*"):
            f.unlink()
        _set_clock(cfg_path, "2026-11-21T10:00:00Z")
        capsys.readouterr()
        for argv in (["send"], ["build", "--format", "md"], ["build", "-o", "-"]):
            assert main([*argv, "--config", str(cfg_path), "--date", "2026-11-19"]) == 2
            said = capsys.readouterr()
            done = "written or sent" if argv == ["send"] else "written"
            assert said.err.splitlines() == [
                f"error: 2026-11-19 has no digest: the store's first day is 2026-11-20 (nothing was {done})"]
            assert said.out == ""
        assert not list(out.glob("digest-*")) and not inbox.messages
        with open_store(cfg.database_url) as store:
            assert store.get_digest("2026-11-19", "html") is None and store.get_digest("2026-11-19", "md") is None
            assert sealed_at(store, date(2026, 11, 19)) is None
            assert not store.deliveries_on("2026-11-19")
        # the first day itself is sent
        assert main(["send", "--config", str(cfg_path), "--date", "2026-11-20"]) == 0
        assert capsys.readouterr().err.splitlines() == ["digest 2026-11-20: sent to me@example.org"]


def test_run_of_a_given_day_before_the_store_began_reads_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest run --date D`` with D before the store's first day wrote an empty digest of D
    (the papercut ``send`` and ``build`` had, stop 50): the sources are read and stored, the
    run's summary line says so (it was not printed), the day is refused in one error line,
    exit 2, and no file or stored digest of D is made."""
    with TestServer() as srv, smtpd() as (_inbox, port):
        cfg_path = config_with_mail(tmp_path, srv, port)
        _set_clock(cfg_path, "2026-11-20T10:00:00Z")
        out, cfg = tmp_path / "out", load_config(cfg_path)
        assert main(["run", "--config", str(cfg_path), "--quiet", "--date", "2026-11-19"]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err[-1] == ("error: 2026-11-19 has no digest: the store's first day is 2026-11-20 "
                           "(nothing was written; the sources were read)")
        # what was read is said before it (the run's summary line, no digest it did not write)
        assert re.fullmatch(r"1 source, \d+ entries, [1-9]\d* new articles?, 0 not modified, 0 failed \(\d+\.\ds\)",
                            err[-2]), err
        assert not list(out.glob("digest-*"))
        with open_store(cfg.database_url) as store:
            assert store.get_digest("2026-11-19", "html") is None
            assert store.count_articles_fetched_between(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC)) > 0  # read and kept
        assert main(["run", "--config", str(cfg_path), "--quiet", "--date", "2026-11-20"]) == 0
        assert [f.name for f in sorted(out.glob("digest-*"))] == [
            "digest-2026-11-20.html", "digest-2026-11-20.md"]


def test_send_seals_the_day_by_the_configured_clock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Mailing seals the day (what arrives later is the next day's) at the reader's time: the
    configured ``clock`` when set, as everything else reads it.  Sealed by the wall clock, a
    day sent under a clock ahead of it was sealed at its start: the mail, built after the
    seal, had no stories ("not sent: no stories that day"), and what arrived in the day was
    in no digest."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg_path = config_with_mail(tmp_path, srv, port)
        _set_clock(cfg_path, "2031-03-10T12:00:00Z")  # ahead of the wall clock
        assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0  # arrives on 10 March
        _set_clock(cfg_path, "2031-03-11T09:00:00Z")
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path)]) == 0
        assert capsys.readouterr().err.splitlines() == ["digest 2031-03-10: sent to me@example.org"]
        assert len(inbox.messages) == 1
        assert "alpha report" in inbox.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        with open_store(load_config(cfg_path).database_url) as store:  # sealed at its end (10 March was over)
            assert sealed_at(store, date(2031, 3, 10)) == datetime(2031, 3, 11, tzinfo=UTC)


def test_the_day_so_far_leaves_later_arrivals_to_the_next_days_mail(tmp_path: Path) -> None:
    """``--digest-day today`` mails the day so far at ``digest_time`` and seals it there: what
    arrives later that day is new in the next day's digest, mailed at the next
    ``digest_time`` (docs/daemon.md), not in no mail."""
    with TestServer() as srv, smtpd() as (inbox, port):
        dated = datetime(2026, 11, 20, 9, tzinfo=UTC)  # the items' dates, before the clock
        cfg = config_with_mail(tmp_path, srv, port, dated)  # alpha reports 0-2
        data = yaml.safe_load(cfg.read_text())
        data["schedule"]["digest_time"] = "18:00"
        cfg.write_text(yaml.safe_dump(data))
        clock = Clock()
        clock.now = datetime(2026, 11, 20, 10, tzinfo=UTC)
        with open_app(cfg) as app:
            d = Daemon(app, day_offset=0, rng=random.Random(1), clock=clock)
            assert d.poll_due().new_articles == 3
            clock.now = datetime(2026, 11, 20, 18, tzinfo=UTC)
            d.digest(scheduled=True)  # the day so far: 20 November, mailed at 18:00
            srv.set("/a", rss("alpha", range(6), dated))  # reports 3-5 arrive at 20:00
            clock.now = datetime(2026, 11, 20, 20, tzinfo=UTC)
            assert d.poll_due().new_articles == 3
            clock.now = datetime(2026, 11, 21, 18, tzinfo=UTC)
            d.digest(scheduled=True)  # 21 November: the evening's arrivals of the 20th
        subjects = [str(m["Subject"]) for m in inbox.messages]
        assert len(subjects) == 2 and "2026-11-20" in subjects[0] and "2026-11-21" in subjects[1], subjects
        first, second = (m.get_body(("plain",)).get_content() for m in inbox.messages)  # type: ignore[union-attr]
        assert "alpha report 2:" in first and "alpha report 5:" not in first
        assert all(f"alpha report {i}:" in second for i in (3, 4, 5))
        assert "alpha report 5:" not in (tmp_path / "out" / "digest-2026-11-20.md").read_text()


def test_a_recipient_added_later_gets_the_digest_and_the_others_not_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The delivery record was kept per recipient list: after ``to:`` gained an address, the
    next ``digest send`` of a day already mailed (the daemon's catch-up on its restart, a cron
    run, a retry) mailed everyone again.  Now only the addresses it has not reached get it."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg_path, yesterday = read_yesterday(tmp_path, srv, port)
        day = yesterday.isoformat()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        cfg = yaml.safe_load(cfg_path.read_text())
        cfg["email"]["to"] = ["me@example.org", "You@Example.org"]
        cfg_path.write_text(yaml.safe_dump(cfg))
        capsys.readouterr()
        for _ in range(2):
            assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        said = capsys.readouterr().err.splitlines()
    assert [m["To"] for m in inbox.messages] == ["me@example.org", "You@Example.org"]
    assert said == [f"digest {day}: sent to you@example.org",
                    f"digest {day}: not sent: already sent to me@example.org, you@example.org"]


def _friday_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Path]:
    """A cron store: Friday 20 November's reports read, Friday's digest failed at Saturday's
    ``digest send`` (nobody listens on ``port``), Saturday's reports read; the clock at Sunday
    00:05, the next run's.  The mail server's port (nobody listens yet), the configuration."""
    from tests.support.daemon import free_port

    port = free_port()
    with TestServer() as srv:
        cfg_path = config_with_mail(tmp_path, srv, port)
        _set_clock(cfg_path, "2026-11-20T10:00:00Z")
        assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0  # Friday's reports
        _set_clock(cfg_path, "2026-11-21T00:05:00Z")
        assert main(["send", "--config", str(cfg_path)]) != 0  # the server is down
        said = capsys.readouterr()
        assert "\nerror: digest 2026-11-20: email via 127.0.0.1" in said.err, said.err
        assert "digest-2026-11-20.html" in said.out  # its files are written, and said
        srv.set("/a", rss("alpha", range(3, 5)))
        _set_clock(cfg_path, "2026-11-21T10:00:00Z")
        assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0  # Saturday's reports
    _set_clock(cfg_path, "2026-11-22T00:05:00Z")
    capsys.readouterr()
    return port, cfg_path


def test_a_cron_send_that_failed_is_mailed_by_the_next_days_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest send`` from cron: the mail server is down at Saturday's run (Friday's digest),
    up at Sunday's.  Sunday's run mails Friday's digest as well as Saturday's (it mailed
    Saturday's only, and Friday's was never mailed unless asked for with ``--date``); the
    run after says nothing of Friday."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import Inbox

    port, cfg_path = _friday_failed(tmp_path, capsys)
    ctl = Controller(Inbox(), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        assert main(["send", "--config", str(cfg_path)]) == 0
        assert capsys.readouterr().err.splitlines() == [
            "digest 2026-11-20: sent to me@example.org", "digest 2026-11-21: sent to me@example.org"]
        assert [str(m["Subject"]).partition(":")[0] for m in ctl.handler.messages] == [
            "digest for 2026-11-20", "digest for 2026-11-21"]
        assert main(["send", "--config", str(cfg_path)]) == 0
        said = capsys.readouterr().err.splitlines()
        assert len(said) == 1 and said[0].startswith("digest 2026-11-21: not sent: already sent"), said
        assert len(ctl.handler.messages) == 2
    finally:
        ctl.stop()


def test_an_earlier_period_failing_again_does_not_hold_up_the_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Friday's digest failed at Saturday's cron run; at Sunday's, the server refuses Friday's
    message for good (554) and takes the others.  Sunday's run says so and still writes and
    mails Saturday's digest (the first failure ended the run: Saturday's was never tried, and
    dropped out of the week a few days on), and exits 1."""
    from typing import Any

    from aiosmtpd.controller import Controller

    from tests.support.daemon import Inbox

    class Refusing(Inbox):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            if b"2026-11-20" in envelope.content.split(b"\r\n\r\n")[0]:
                return "554 5.3.4 message too big for system"
            return str(await super().handle_DATA(server, session, envelope))

    port, cfg_path = _friday_failed(tmp_path, capsys)
    ctl = Controller(Refusing(), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        assert main(["send", "--config", str(cfg_path)]) == 1
        said = capsys.readouterr()
        err = said.err.splitlines()
        assert len(err) == 2 and err[0].startswith("digest 2026-11-20: not sent: email") and "554" in err[0], err
        assert err[1] == "digest 2026-11-21: sent to me@example.org", err
        assert "digest-2026-11-21.html" in said.out
        assert [str(m["Subject"]).partition(":")[0] for m in ctl.handler.messages] == ["digest for 2026-11-21"]
    finally:
        ctl.stop()


def test_periods_whose_cron_run_never_came_are_mailed_by_the_next_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest send`` from cron, the machine off at two of its times.  Reports read on
    Wednesday and Thursday; the first ``digest send`` (Friday 00:05) mails Thursday's alone
    (Wednesday's was never the cron's to mail); Friday's reports read, the machine off at
    Saturday's and Sunday's runs and all Saturday (no reports), Sunday's reports read.
    Monday's run mails Friday's and Sunday's digests, oldest first, and says nothing of
    Saturday (no stories).  Friday's was mailed by nothing before: only a period tried and
    failed was caught up."""
    from aiosmtpd.controller import Controller

    from tests.support.daemon import Inbox, free_port

    port = free_port()
    ctl = Controller(Inbox(), hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    try:
        with TestServer() as srv:
            cfg_path = config_with_mail(tmp_path, srv, port)
            for n, clock in enumerate(["2026-11-18T10:00:00Z", "2026-11-19T10:00:00Z", "2026-11-20T00:05:00Z",
                                       "2026-11-20T10:00:00Z", "2026-11-22T10:00:00Z"]):
                _set_clock(cfg_path, clock)
                if clock.endswith("00:05:00Z"):
                    capsys.readouterr()
                    assert main(["send", "--config", str(cfg_path)]) == 0
                    assert [line for line in capsys.readouterr().err.splitlines() if line.startswith("digest ")] == [
                        "digest 2026-11-19: sent to me@example.org"]
                    continue
                srv.set("/a", rss("alpha", range(3 * n, 3 * n + 3)))
                assert main(["run", "--config", str(cfg_path), "--quiet"]) == 0
        capsys.readouterr()
        _set_clock(cfg_path, "2026-11-23T00:05:00Z")
        assert main(["send", "--config", str(cfg_path)]) == 0
        said = capsys.readouterr()
        assert [line for line in said.err.splitlines() if line.startswith("digest ")] == [
            "digest 2026-11-20: sent to me@example.org", "digest 2026-11-22: sent to me@example.org"]
        assert "digest-2026-11-21" not in said.out
        assert [str(m["Subject"]).partition(":")[0] for m in ctl.handler.messages] == [
            "digest for 2026-11-19", "digest for 2026-11-20", "digest for 2026-11-22"]
        assert main(["send", "--config", str(cfg_path)]) == 0  # the run after: nothing owed
        said_after = [line for line in capsys.readouterr().err.splitlines() if line.startswith("digest ")]
        assert len(said_after) == 1 and said_after[0].startswith("digest 2026-11-22: not sent: already sent")
        assert len(ctl.handler.messages) == 3
    finally:
        ctl.stop()
