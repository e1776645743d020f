"""``digest send --again``: a lost digest mailed again on request, against real parts: a feed on
a loopback HTTP server, aiosmtpd on 127.0.0.1, SQLite on disk (PostgreSQL where it runs).

Before, a reader who lost a mailed digest could not get it again: ``digest send`` mails each day
at most once per address, and the line of a day counted sent "unconfirmed" only said how to build
it, to forward by hand."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from digest.app import open_app
from digest.cli import main
from digest.service.maildays import owed
from digest.store.base import open_store
from tests.support.daemon import loopback_config, rss
from tests.support.httpd import TestServer
from tests.test_mail_at_most_once import KILLED_SEND, killed_send, wait_for
from tests.test_mailer import Collector, parse, smtpd

ROOT = Path(__file__).resolve().parents[1]
ANN, BOB = "ann@x.example", "bob@x.example"


def _read_yesterday(tmp: Path, srv: TestServer, port: int, **settings: Any) -> tuple[Path, str]:
    """Mail to ann and bob via ``port``, the feed read as of this time yesterday (``settings``:
    more top-level keys, ``database``)."""
    srv.set("/a", rss("alpha", range(3)))
    cfg_path = loopback_config(
        tmp, srv, {"alpha": "/a"},
        email={"host": "127.0.0.1", "port": port, "security": "none", "from": "digest@example.org",
               "to": [ANN, BOB]}, **settings)
    then = datetime.now(UTC) - timedelta(days=1)
    with open_app(cfg_path) as app:
        app.run(now=then)
    return cfg_path, then.date().isoformat()


def _rows(cfg_path: Path, day: str) -> list[tuple[str, str, str | None, datetime | None, str | None]]:
    with open_app(cfg_path) as app:
        return [(r.target, r.status, r.message_id, r.sent_at, r.last_error) for r in app.store.deliveries_on(day)]


def _send(cfg_path: Path, day: str, *more: str) -> int:
    return main(["send", "--config", str(cfg_path), "--date", day, *more])


def _again_and_once_more(cfg_path: Path, day: str, handler: Collector, capsys: pytest.CaptureFixture[str]) -> None:
    """Mailed once, then ``--again``: each reader a new message that names the first; the rows
    as they were; then neither ``send`` nor the daemon's rules mail the day a third time."""
    assert _send(cfg_path, day) == 0
    first = {m[1][0]: parse(m[2])["Message-ID"] for m in handler.accepted}
    assert sorted(first) == [ANN, BOB]
    rows = _rows(cfg_path, day)
    capsys.readouterr()
    assert _send(cfg_path, day, "--again") == 0
    assert capsys.readouterr().err.splitlines() == [f"digest {day}: sent again to {ANN}, {BOB}"]
    copies = handler.accepted[2:]
    assert sorted(m[1][0] for m in copies) == [ANN, BOB]
    for _, (reader,), raw, _tls in copies:
        msg = parse(raw)
        assert msg["Message-ID"] != first[reader]  # a client holding the first drops a same-id copy
        assert msg["References"] == first[reader]  # threaded with it
        assert msg["To"] == reader
    assert _rows(cfg_path, day) == rows  # sent, its time and Message-ID kept: nothing written
    assert _send(cfg_path, day) == 0  # the automatic rule: already sent
    assert "not sent: already sent to" in capsys.readouterr().err
    with open_app(cfg_path) as app:
        assert not owed(app, date.fromisoformat(day))  # the daemon's catch-up owes it nobody
    assert len(handler.accepted) == 4


def test_again_mails_each_reader_reached_a_new_message_and_the_rows_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = _read_yesterday(tmp_path, srv, port)
        _again_and_once_more(cfg_path, day, handler, capsys)


def test_again_on_postgresql(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same on a PostgreSQL store: the rows read (and left) alike."""
    from tests.support.services import pg_schema

    handler = Collector()
    with pg_schema() as url, TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = _read_yesterday(tmp_path, srv, port, database=url)
        _again_and_once_more(cfg_path, day, handler, capsys)


def test_again_to_one_reader_and_to_an_address_not_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--to`` one of the recipients (any spelling): that reader alone.  An address not on the
    list is one error line naming it and the digest, nothing mailed; ``--to`` without
    ``--again`` is refused (a digest is mailed once to every recipient)."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = _read_yesterday(tmp_path, srv, port)
        assert _send(cfg_path, day) == 0
        capsys.readouterr()
        assert _send(cfg_path, day, "--again", "--to", "Bob <BOB@x.example>") == 0
        assert capsys.readouterr().err.splitlines() == [f"digest {day}: sent again to {BOB}"]
        assert [m[1] for m in handler.accepted[2:]] == [[BOB]]
        assert _send(cfg_path, day, "--again", "--to", "cy@x.example") == 2
        assert capsys.readouterr().err.splitlines() == [
            f"error: cy@x.example is not a recipient of the daily digest (its to: {ANN}, {BOB}); nothing was sent"]
        assert _send(cfg_path, day, "--to", ANN) == 2
        assert "--to goes with --again" in capsys.readouterr().err
        from digest.errors import DigestError
        from digest.service.resend import resend_digest

        with open_app(cfg_path) as app, pytest.raises(DigestError, match=r"^cy@x\.example is not a recipient of the "):
            resend_digest(app, date.fromisoformat(day), to="cy@x.example")  # not "never sent to" nobody
        assert len(handler.accepted) == 3


def test_again_on_a_day_never_sent_says_so_and_mails_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A day never mailed is one line naming the command that mails it once (recorded: the
    automatic sends then leave it); nothing mailed, no row written, no file."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = _read_yesterday(tmp_path, srv, port)
        capsys.readouterr()
        assert _send(cfg_path, day, "--again") == 2
        said = capsys.readouterr()
        assert said.err.splitlines() == [
            f"error: digest {day}: never sent to {ANN}, {BOB}: nothing was mailed again "
            f"('digest send --date {day}' mails it, once)"]
        assert said.out == "" and not handler.accepted and _rows(cfg_path, day) == []
        assert _send(cfg_path, day) == 0  # the normal send: once
        assert len(handler.accepted) == 2


def test_the_unconfirmed_line_names_again_which_mails_the_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A send killed after the end of the message: the next one counts it sent, unconfirmed, in a
    line that named only ``digest build``; now it names ``digest send --again``, which mails it."""
    handler = Collector()
    me = "reader@example.org"
    with TestServer() as srv, smtpd(handler) as port:
        srv.set("/a", rss("alpha", range(3)))
        cfg_path = loopback_config(
            tmp_path, srv, {"alpha": "/a"},
            email={"host": "127.0.0.1", "port": port, "security": "none", "from": "digest@example.org", "to": [me]})
        then = datetime.now(UTC) - timedelta(days=1)
        with open_app(cfg_path) as app:
            app.run(now=then)
        day = then.date().isoformat()
        killed_send(cfg_path, day, "after-end")
        wait_for(handler, 1)
        with caplog.at_level(logging.WARNING, logger="digest"):
            assert _send(cfg_path, day) == 0
        (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        command = f"digest send --again --date {day} --to {me}"
        assert command in line, line
        capsys.readouterr()
        assert main([*command.split()[1:], "--config", str(cfg_path)]) == 0
        assert capsys.readouterr().err.splitlines() == [f"digest {day}: sent again to {me}"]
        wait_for(handler, 2)
    assert [m[1] for m in handler.accepted] == [[me], [me]]
    (row,) = _rows(cfg_path, day)
    assert row[1] == "sent" and row[2] == parse(handler.accepted[0][2])["Message-ID"]  # still the first's


def test_a_resend_killed_mid_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """``--again`` killed once a copy's end was written (the server has it), and once before it:
    the rows are as they were, the automatic send mails nothing, and ``--again`` works again."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = _read_yesterday(tmp_path, srv, port)
        assert _send(cfg_path, day) == 0
        rows = _rows(cfg_path, day)
        for point in ("after-end", "before-end"):
            env = {**os.environ, "PYTHONPATH": str(ROOT), "POINT": point}
            proc = subprocess.run([sys.executable, "-c", KILLED_SEND, "send", "--config", str(cfg_path),
                                   "--date", day, "--again"], env=env, capture_output=True, timeout=120)
            assert proc.returncode == -9, (proc.returncode, proc.stderr.decode(errors="replace"))
            assert _rows(cfg_path, day) == rows
        wait_for(handler, 3)
        assert len(handler.accepted) == 3  # the two first, one copy (the one killed after its end)
        assert _send(cfg_path, day) == 0 and len(handler.accepted) == 3
        assert _send(cfg_path, day, "--again", "--to", BOB) == 0  # the lock was released by the kill
        wait_for(handler, 4)
    assert [m[1] for m in handler.accepted[3:]] == [[BOB]]
    with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:
        assert {r.status for r in s.deliveries_on(day)} == {"sent"}


def test_again_with_the_server_down_is_one_error_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No copy went through (the server gone): one error line naming the digest and the server,
    exit 2, the rows as they were; ``--again`` once it is back mails the copies."""
    handler = Collector()
    with TestServer() as srv:
        with smtpd(handler) as port:
            cfg_path, day = _read_yesterday(tmp_path, srv, port)
            assert _send(cfg_path, day) == 0
        rows = _rows(cfg_path, day)
        capsys.readouterr()
        assert _send(cfg_path, day, "--again") == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(f"error: digest {day}: email via 127.0.0.1:{port}: "), line
        assert _rows(cfg_path, day) == rows
        from aiosmtpd.controller import Controller

        back = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)  # the same port
        back.start()
        try:
            assert _send(cfg_path, day, "--again") == 0
        finally:
            back.stop()
    assert sorted(m[1][0] for m in handler.accepted[2:]) == [ANN, BOB]


def test_again_of_one_of_digests_goes_to_the_digest_whose_list_holds_the_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two of ``digests:``: a daily one to me@, a weekly one to a colleague.  ``--again --to``
    the colleague (no ``--digest``) mails the weekly one alone, under its own rows; an address
    on neither list names both digests; ``--digest morning --to`` the colleague names that one."""
    from tests.support.daemon import smtpd as inbox_smtpd
    from tests.support.digests import WEEKLY, digests_config, ingest_stories

    morning = '\n  - name: morning\n    sections: [World, Local]\n    time: "06:00"\n'
    colleague = "colleague@example.org"
    with inbox_smtpd() as (inbox, port):
        cfg_path = digests_config(tmp_path, port, morning + WEEKLY, extra='clock: "2026-11-17T12:00:00Z"\n')
        ingest_stories(cfg_path, [("Coast News", "quake_a1", datetime(2026, 11, 10, 8, tzinfo=UTC)),
                                  ("Terrace", "derby", datetime(2026, 11, 11, 9, tzinfo=UTC))])
        day = "2026-11-10"
        assert _send(cfg_path, day) == 0
        first = {m["To"]: m["Message-ID"] for m in inbox.messages}
        assert sorted(first) == [colleague, "me@example.org"]
        capsys.readouterr()
        assert _send(cfg_path, day, "--again", "--to", colleague) == 0
        said = capsys.readouterr().err.splitlines()  # after --date's line naming the weekly one's week
        assert said[-1:] == [f"digest weekly-sport 2026-11-15: sent again to {colleague}"], said
        (copy,) = inbox.messages[2:]
        assert copy["To"] == colleague and copy["References"] == first[colleague]
        assert copy["Message-ID"] != first[colleague]
        assert _send(cfg_path, day, "--again", "--to", "dan@example.org") == 2
        assert capsys.readouterr().err.splitlines()[-1:] == [
            "error: dan@example.org is not a recipient of any digest (digest morning, digest weekly-sport); "
            "nothing was sent (--digest NAME chooses one)"]
        assert _send(cfg_path, day, "--again", "--digest", "morning", "--to", colleague) == 2
        assert capsys.readouterr().err.splitlines()[-1:] == [
            f"error: {colleague} is not a recipient of digest morning (its to: me@example.org); nothing was sent"]
        assert _send(cfg_path, day) == 0  # neither digest a third time
        assert len(inbox.messages) == 3


def test_the_copys_date_is_when_it_is_mailed_as_the_first_ones_is_under_a_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stop 62: with ``clock:`` set (reading the examples, replaying a day), ``digest send`` dated
    its message by the real time but ``--again`` by the clock: the copy asked for today was dated
    days back, and a client sorting by ``Date:`` put it below the first.  Both are the real time."""
    from tests.support.daemon import smtpd as inbox_smtpd

    then = datetime.now(UTC) - timedelta(days=3)
    clock = then + timedelta(days=1)
    with TestServer() as srv, inbox_smtpd() as (inbox, port):
        srv.set("/a", rss("alpha", range(3), then))
        cfg_path = loopback_config(
            tmp_path, srv, {"alpha": "/a"}, clock=clock.isoformat(),
            email={"host": "127.0.0.1", "port": port, "security": "none", "from": "digest@example.org", "to": [ANN]})
        with open_app(cfg_path) as app:
            app.run(now=then)
        day = then.date().isoformat()
        assert _send(cfg_path, day) == 0
        assert _send(cfg_path, day, "--again") == 0, capsys.readouterr().err
        first, copy = inbox.messages
        assert copy["References"] == first["Message-ID"]
        for message in (first, copy):
            sent = parsedate_to_datetime(message["Date"])
            assert abs(sent - datetime.now(UTC)) < timedelta(minutes=2), (message["Date"], clock)
