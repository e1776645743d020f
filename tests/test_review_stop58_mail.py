"""Review of stop 58 (mail at most once across a kill): what the next send says and does about
a reader's row left *whole*.  Real parts: aiosmtpd on 127.0.0.1, SQLite on disk, ``digest send``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.output.mailer import DeliveryError, default_target, deliver
from digest.store.base import open_store
from tests.support.httpd import TestServer
from tests.support.services import pg_schema
from tests.test_mail_readers import ADDRESSES, FAMILY
from tests.test_mailer import DAY, TZ, Collector, email_cfg, smtpd, view
from tests.test_review_stop48_smtp import yesterday_read


def test_the_interrupted_line_does_not_name_a_reader_counted_sent_unconfirmed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The state a ``digest send`` killed after bob's message's end leaves: the list's row
    pending, ann's sent, bob's *whole*.  The next send counts bob's sent (one line: not mailed
    again) and mails cy alone; its "interrupted; sending again" line named bob among those it
    was "sending again" to (the readers it names were computed before bob's row was counted)."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, FAMILY)
        url = f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}"
        with open_store(url) as s:  # as the kill leaves it (tests/test_mail_readers: the slow run)
            listed = "email:" + ",".join(sorted(a.lower() for a in FAMILY))
            assert s.claim_delivery(day, listed)
            ann, bob = (f"email:{a}" for a in ADDRESSES[:2])
            assert s.claim_delivery(day, ann, stale_after=0)
            s.set_message_id(day, ann, "<ann@x>")
            s.mark_sent(day, ann, "<ann@x>")
            assert s.claim_delivery(day, bob, stale_after=0)
            s.set_message_id(day, bob, "<bob@x>")
            s.mark_whole(day, bob)
        capsys.readouterr()
        with caplog.at_level(logging.WARNING, logger="digest"):
            assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        said = capsys.readouterr().err.splitlines()
    assert [m[1] for m in handler.accepted] == [["cy@home.example"]]  # cy alone
    assert said == [f"digest {day}: sent to cy@home.example"], said
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned[0].startswith(f"digest {day} to bob@home.example: counted as sent, not mailed again"), warned
    again = [w for w in warned if "sending again" in w]
    assert again == [f"digest {day}: the last send (to cy@home.example) was interrupted; sending again"], warned


class CutsTheStore(Collector):
    """Ends the store's PostgreSQL connection while it holds the message's answer (an
    idle-session limit, a restart: the long wait for the answer to the end), then refuses the
    message (451), once."""

    def __init__(self, pid: int) -> None:
        super().__init__()
        self.pid, self.reply = pid, "451 4.3.0 try again later"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.pid:
            import psycopg

            from tests.support.services import PG_URL

            with psycopg.connect(PG_URL, autocommit=True) as con:
                con.execute("SELECT pg_terminate_backend(%s)", (self.pid,))
            self.pid = 0
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("to", [["reader@example.org"], ["reader@example.org", "second@example.org"]])
def test_a_refusal_after_the_end_is_recorded_failed_on_a_new_connection_and_sent_again(to: list[str]) -> None:
    """The server refused the message after its end (451) while PostgreSQL ended the store's
    connection: the row, marked *whole* before the end, could not be marked failed, and the next
    send counted it sent, unconfirmed (a message the server refused: the day lost, the
    process alive and told).  The send's record is made on a new connection
    (``_connected_again``); so is its failure now: failed, and sent again."""
    with pg_schema() as url:
        with open_store(url) as s, smtpd(CutsTheStore(s.db.info.backend_pid)) as port:  # type: ignore[attr-defined]
            cfg = email_cfg(port, to=to)
            with pytest.raises(DeliveryError, match="451"):
                deliver(s, view(), cfg, tz=TZ)
        with open_store(url) as s:
            reader = default_target(email_cfg(port, to=to[:1]))
            assert s.delivery_status(DAY, reader) == "failed", s.deliveries_on(DAY)
            handler = Collector()
            with smtpd(handler) as again:
                assert deliver(s, view(), email_cfg(again, to=to), tz=TZ)
            assert sorted(m[1][0] for m in handler.accepted) == sorted(to)


def test_the_unconfirmed_line_of_a_named_digest_says_how_to_mail_that_digest_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A *whole* row of one of ``digests:`` (``weekly:email:ann@x``) is counted sent with a line
    saying how to get the day to the reader: "digest send --again --date D --digest weekly --to
    ann@x" (it said "digest build --date D --format html", to forward).  Without ``--digest
    weekly`` that mails the single daily digest, or every one of ``digests:``: never the weekly
    one alone, which the reader missed."""
    from digest.service.delivery import settle_whole

    day, row = "2026-12-06", "weekly:email:ann@x.example"
    with open_store(f"sqlite:///{tmp_path / 'digest.sqlite3'}") as s:
        assert s.claim_delivery(day, row)
        s.set_message_id(day, row, "<w@x>")
        s.mark_whole(day, row)
        with caplog.at_level(logging.WARNING, logger="digest"):
            assert settle_whole(s, day, "weekly:email:") == [row]
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"digest send --again --date {day} --digest weekly --to ann@x.example" in line, line
