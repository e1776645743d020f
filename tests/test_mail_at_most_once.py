"""A kill never mails a digest twice: the reader's row is marked *whole* (in doubt) just before
the end of the message ("\\r\\n.\\r\\n") is written, and a later send counts such a row sent.

Before, a ``digest send`` killed after the whole message had left, before it recorded the
server's 250, left the row pending and the next send mailed the day again (4 of 40 kills 0-30 ms
after the server's acceptance, Stop 57).  Real parts: ``digest send`` processes killed with
SIGKILL (each kills itself at the exact point: after the end of the message is written, or
before it is), aiosmtpd on 127.0.0.1, SQLite on disk; the store's part on PostgreSQL too.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.cli import main
from digest.errors import StoreError
from digest.store.base import Store, open_store
from digest.store.sqlite import SQLiteStore
from tests.support.httpd import TestServer
from tests.support.services import pg_schema
from tests.test_mailer import Collector, parse, smtpd
from tests.test_review_stop48_smtp import yesterday_read

ROOT = Path(__file__).resolve().parents[1]
ME = "reader@example.org"

#: Run in the killed process: ``digest send``, its socket writes patched (smtplib's ``send``,
#: under the client's) to SIGKILL the process at ``POINT``: "after-end", once the end of the
#: message ("\r\n.\r\n") is written; "before-end", once all of the message but its end is
#: written, before the end and before anything the client does between the two.
KILLED_SEND = """
import os, signal, smtplib, sys

point, end = os.environ["POINT"], b"\\r\\n.\\r\\n"
send = smtplib.SMTP.send

def killing(self, s):
    if not (getattr(self, "_in_data", False) and isinstance(s, bytes)):
        return send(self, s)
    if point == "after-end":
        send(self, s)
        if s.endswith(end):
            os.kill(os.getpid(), signal.SIGKILL)
        return None
    if s.endswith(end) and len(s) > len(end):  # the message and its end in one write
        send(self, s[:-len(end)])
        os.kill(os.getpid(), signal.SIGKILL)
    send(self, s)
    if not s.endswith(end):  # the message without its end: written
        os.kill(os.getpid(), signal.SIGKILL)
    return None

smtplib.SMTP.send = killing
from digest.cli import main
sys.exit(main(sys.argv[1:]))
"""


def killed_send(cfg_path: Path, day: str, point: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POINT": point}
    proc = subprocess.run([sys.executable, "-c", KILLED_SEND, "send", "--config", str(cfg_path), "--date", day],
                          env=env, capture_output=True, timeout=120)
    assert proc.returncode == -9, (proc.returncode, proc.stderr.decode(errors="replace"))


def wait_for(handler: Collector, attempts: int) -> None:
    deadline = time.monotonic() + 10
    while handler.attempts < attempts and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_send_killed_after_the_end_of_the_message_is_not_mailed_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Killed once the end of the message was written, before the server's 250 was read: the
    server delivers it (the kernel sent the end), and the next send mailed it again.  Now the
    row was marked whole before the end: the next send counts it sent, one line saying so."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME])
        killed_send(cfg_path, day, "after-end")
        wait_for(handler, 1)
        assert len(handler.accepted) == 1  # the server took it: the reader has the day
        capsys.readouterr()
        with caplog.at_level(logging.WARNING, logger="digest"):
            assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        said = capsys.readouterr().err.splitlines()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        # no wait for a second message: a send returns after the server's answer to it, so one
        # mailed again would be counted by now (the 10 s wait for it cost every run 10 s)
    assert [m[1] for m in handler.accepted] == [[ME]], handler.accepted  # once
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and warned[0].startswith(
        f"digest {day} to {ME}: counted as sent, not mailed again: the last send died after the whole "
        "message had left"), warned
    assert f"digest send --again --date {day} --to {ME} mails it again" in warned[0]
    assert len(said) == 1 and said[0].startswith(f"digest {day}: not sent: already sent to {ME} at "), said
    assert said[0].endswith("(unconfirmed: its send died after the whole message had left; if it never "
                            f"arrived, 'digest send --again --date {day} --to {ME}' mails it again)"), said
    with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:
        (row,) = s.deliveries_on(day)
        assert row.status == "sent" and row.unconfirmed and row.sent_at is not None
        assert row.message_id == parse(handler.accepted[0][2])["Message-ID"]


def test_a_send_killed_before_the_end_of_the_message_is_sent_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed with all of the message written but its end: the server holds an unfinished DATA
    and discards it, so the day must be sent again (a mark made any earlier would lose it)."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME])
        killed_send(cfg_path, day, "before-end")
        time.sleep(0.2)
        assert handler.attempts == 0  # the server never had a whole message
        with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:
            assert s.delivery_status(day, f"email:{ME}") == "pending"
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        said = capsys.readouterr().err.splitlines()
        wait_for(handler, 1)
    assert [m[1] for m in handler.accepted] == [[ME]]  # not lost
    assert said == [f"digest {day}: sent to {ME}"], said
    with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:
        (row,) = s.deliveries_on(day)
        assert row.status == "sent" and not row.unconfirmed


# -- the store's part, both backends ----------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        with open_store(f"sqlite:///{tmp_path / 'digest.sqlite3'}") as s:
            yield s
        return
    with pg_schema() as url, open_store(url) as s:  # skips without PostgreSQL
        yield s


def test_a_whole_row_is_never_claimed_and_is_counted_sent_unconfirmed(any_store: Store) -> None:
    s, day, target = any_store, "2026-12-05", f"email:{ME}"
    assert s.claim_delivery(day, target)
    s.set_message_id(day, target, "<m@x>")
    s.mark_whole(day, target)
    assert s.delivery_status(day, target) == "whole"
    assert not s.claim_delivery(day, target, stale_after=0)  # its sender died: not sent again
    assert s.mark_unconfirmed(day, target)
    row = s.get_delivery(day, target)
    assert row is not None and row.status == "sent" and row.unconfirmed
    assert row.message_id == "<m@x>" and row.sent_at is not None
    assert not s.mark_unconfirmed(day, target)  # once
    s.mark_failed(day, target, "late")  # never downgrades a sent row
    assert s.delivery_status(day, target) == "sent"


def test_a_live_failure_after_the_end_is_failed_and_claimed_again(any_store: Store) -> None:
    """The sender saw no answer to the end (the "may have been delivered" line): marked failed,
    sent again as before, with the same Message-ID; a row not claimed cannot be marked whole."""
    s, day, target = any_store, "2026-12-05", f"email:{ME}"
    with pytest.raises(StoreError):
        s.mark_whole(day, target)
    assert s.claim_delivery(day, target)
    s.set_message_id(day, target, "<m@x>")
    s.mark_whole(day, target)
    s.mark_whole(day, target)  # sent again on a new connection (the old one cut before the end)
    s.mark_failed(day, target, "no answer to the end of the message")
    row = s.get_delivery(day, target)
    assert row is not None and row.status == "failed" and row.sent_at is None and not row.unconfirmed
    assert s.claim_delivery(day, target)
    row = s.get_delivery(day, target)
    assert row is not None and row.message_id == "<m@x>"
    s.mark_sent(day, target, "<m@x>")
    row = s.get_delivery(day, target)
    assert row is not None and row.status == "sent" and not row.unconfirmed


def test_the_mark_sent_ahead_of_the_end_is_read_after_it(any_store: Store) -> None:
    """``send_whole_mark``: on PostgreSQL the UPDATE is written and its answer read only by the
    callable it returns, once the message's end is written (waiting for it first, a kill in the
    round trip lost the day: 4 of 74 *whole* rows in the campaign, Stop 58); the server has it
    before that, as another connection sees.  SQLite commits it before returning."""
    s, day, target = any_store, "2026-12-05", f"email:{ME}"
    assert s.claim_delivery(day, target)
    s.set_message_id(day, target, "<m@x>")
    confirm = s.send_whole_mark(day, target)
    if isinstance(s, SQLiteStore):
        assert s.delivery_status(day, target) == "whole"
    else:
        import psycopg

        from digest.store.postgres import libpq_url

        with psycopg.connect(libpq_url(s.url), autocommit=True) as other:
            deadline = time.monotonic() + 10
            status = None
            while status != "whole" and time.monotonic() < deadline:
                status = other.execute("SELECT status FROM deliveries WHERE date=%s AND target=%s",
                                       (day, target)).fetchone()[0]
        assert status == "whole"
        assert s.db.pgconn.is_busy() or s.db.pgconn.transaction_status != 0  # its answer not read yet
    confirm()
    assert s.delivery_status(day, target) == "whole"  # the connection usable again
    assert not s.claim_delivery(day, target, stale_after=0)


def test_a_mark_ahead_of_the_end_on_a_row_not_claimed(any_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """SQLite refuses before the end is written, as ``mark_whole``; PostgreSQL learns it after
    the end has gone: one line, not an error (the send goes on to its record)."""
    s, day, target = any_store, "2026-12-05", f"email:{ME}"
    if isinstance(s, SQLiteStore):
        with pytest.raises(StoreError):
            s.send_whole_mark(day, target)
        return
    with caplog.at_level(logging.WARNING, logger="digest"):
        s.send_whole_mark(day, target)()
    assert any("the row was not claimed" in r.getMessage() for r in caplog.records), caplog.records
    assert s.get_delivery(day, target) is None  # and the connection is usable
