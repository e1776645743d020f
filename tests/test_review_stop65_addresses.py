"""Stop 65: a mail address written "Last, First <addr>" (Outlook's form: a display name holding
a comma, not quoted) is one address in ``email.to`` and ``send --again --to``, through the
command line on real parts (a loopback HTTP server, aiosmtpd on 127.0.0.1, SQLite on disk)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.headerregistry import Address
from pathlib import Path

import pytest

from digest.app import open_app
from digest.config import load_config
from tests.support.daemon import loopback_config, rss
from tests.support.httpd import TestServer
from tests.test_mailer import Collector, parse, smtpd
from tests.test_send_again import ANN, BOB, _send

DOE = f"Doe, Ann <{ANN}>"


def _doe_config(tmp: Path, srv: TestServer, port: int) -> tuple[Path, str]:
    """Mail to "Doe, Ann <ann@...>" and bob, as a YAML block list's plain items, the feed read
    as of this time yesterday."""
    srv.set("/a", rss("alpha", range(3)))
    cfg_path = loopback_config(tmp, srv, {"alpha": "/a"})
    cfg_path.write_text(cfg_path.read_text() + f"email:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
                        f"  from: digest@example.org\n  to:\n    - {DOE}\n    - {BOB}\n")
    then = datetime.now(UTC) - timedelta(days=1)
    with open_app(cfg_path) as app:
        app.run(now=then)
    return cfg_path, then.date().isoformat()


def test_last_first_in_email_to_is_one_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``- Doe, Ann <ann@...>`` in ``email.to`` was refused as "holds 2 addresses" ("Doe" and
    "Ann <ann@...>", as the standard reads a To: line); now one reader, mailed To: the name
    quoted, and ``--again --to`` in that form (or quoted, or another case) mails her alone."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = _doe_config(tmp_path, srv, port)
        email = load_config(cfg_path).email
        assert email is not None and email.to == [f'"Doe, Ann" <{ANN}>', BOB]
        assert _send(cfg_path, day) == 0
        assert sorted(m[1][0] for m in handler.accepted) == [ANN, BOB]
        [to] = [parse(m[2])["To"] for m in handler.accepted if m[1] == [ANN]]
        assert to.addresses == (Address("Doe, Ann", addr_spec=ANN),)  # one, the name whole
        capsys.readouterr()
        for spelling in (DOE, f'"Doe, Ann" <{ANN}>', f"Doe , Ann Marie <{ANN.upper()}>"):
            sent = len(handler.accepted)
            assert _send(cfg_path, day, "--again", "--to", spelling) == 0, capsys.readouterr().err
            assert capsys.readouterr().err.splitlines() == [f"digest {day}: sent again to {ANN}"]
            assert [m[1] for m in handler.accepted[sent:]] == [[ANN]]
        sent = len(handler.accepted)
        assert _send(cfg_path, day, "--again", "--to", f"{ANN}, {BOB}") == 2  # two stay two
        assert capsys.readouterr().err.splitlines() == [
            f"error: --to takes one address ({ANN}, {BOB}: 2); nothing was sent"]
        assert _send(cfg_path, day, "--again", "--to", f"Doe, Ann <{ANN}>, {BOB}") == 2
        assert capsys.readouterr().err.splitlines() == [
            f"error: --to takes one address ({ANN}, {BOB}: 2); nothing was sent"]
        assert len(handler.accepted) == sent
        from digest.service.resend import resend_digest
        from digest.store.deliveries import address_of

        assert address_of(DOE) == ANN  # not "doe", as parseaddr has it
        with open_app(cfg_path) as app:  # the library's own call, not through --to's check
            assert resend_digest(app, date.fromisoformat(day), to=DOE).mailed == [ANN]


@pytest.mark.parametrize(("entry", "said"), [
    (f"{ANN}, {BOB}", f"'{ANN}, {BOB}' holds 2 addresses: list each as an entry of its own"),
    (f"Doe, Ann <{ANN}>, {BOB}", f"'Doe, Ann <{ANN}>, {BOB}' holds 2 addresses: list each as an entry of its own"),
    ("Doe, Ann <ann@@x.example>", "'Doe, Ann <ann@@x.example>' is not a mail address"),
])
def test_two_addresses_in_one_entry_stay_two(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             entry: str, said: str) -> None:
    """The line for two addresses in one entry is as before, and counts addresses only (not
    "Doe", which the standard's parser gives as a third); a bad address is said as written."""
    from digest.cli import main

    (tmp_path / "a.rss").write_text("<rss version='2.0'><channel><title>A</title></channel></rss>")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: A\n    path: a.rss\nemail:\n  host: 127.0.0.1\n  port: 1\n"
                   f"  security: none\n  from: d@example.org\n  to:\n    - {entry}\n")
    assert main(["status", "--config", str(cfg)]) == 2
    [err] = capsys.readouterr().err.strip().splitlines()
    assert err.startswith(f"error: {cfg}:10: email.to[0]: {said}"), err


@pytest.mark.parametrize("entry", ["Doe,\nAnn <ann@x.example>", "Doe,\r\nBcc: eve <ann@x.example>"])
def test_a_line_break_in_last_first_never_reaches_the_to_line(entry: str) -> None:
    """A name "Last, First" wrapped over two lines (a YAML string with "\\n"): quoted with its
    line break kept, the entry loaded and every send failed "invalid header value" (before stop
    65 it was refused when the file loaded); its spaces folded, it is one reader on one line."""
    from email.message import EmailMessage
    from email.policy import SMTP

    from digest.config import mail_address

    quoted = mail_address(entry)
    assert "\n" not in quoted and "\r" not in quoted, quoted
    msg = EmailMessage(policy=SMTP)
    msg["To"] = quoted  # as ``mailer.build_message`` sets it
    assert [a.addr_spec for a in msg["To"].addresses] == ["ann@x.example"]
