"""Review (stop 48): mail servers as they really behave, on loopback (aiosmtpd, and raw sockets for
what aiosmtpd will not do), through ``digest send`` and the daemon."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, message_from_string
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest.app import open_app
from digest.cli import main
from digest.output.mailer import DeliveryError, build_message, send
from digest.service.daemon import Daemon
from tests.support.daemon import Clock, Inbox, loopback_config, rss
from tests.support.httpd import TestServer
from tests.test_mailer import TZ, cert, email_cfg, server_ctx, smtpd, view

__all__ = ["cert"]  # the fixture, used below

ME, SECOND = "me@example.org", "second@example.org"


class Refusing(Inbox):
    """Refuses RCPT of ``address`` with ``answer`` until :meth:`lift`; keeps (recipients, message)."""

    def __init__(self, address: str, answer: str) -> None:
        super().__init__()
        self.address, self.answer = address, answer
        self.got: list[str] = []

    def lift(self) -> None:
        self.answer = ""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.answer and address == self.address:
            return self.answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.got += envelope.rcpt_tos
        return await super().handle_DATA(server, session, envelope)


server = smtpd  # an aiosmtpd server on loopback with the handler given: test_mailer's


def yesterday_read(tmp: Path, srv: TestServer, port: int, to: list[str], **email: Any) -> tuple[Path, str]:
    """A configuration mailing ``to`` via ``port``, its feed read as of this time yesterday."""
    srv.set("/a", rss("alpha", range(3)))
    cfg_path = loopback_config(
        tmp, srv, {"alpha": "/a"},
        email={"host": "127.0.0.1", "port": port, "security": "none", "from": "digest@example.org",
               "to": to, **email},
    )
    then = datetime.now(UTC) - timedelta(days=1)
    with open_app(cfg_path) as app:
        app.run(now=then)
    return cfg_path, then.date().isoformat()


# -- one recipient of several refused ------------------------------------------------------
def test_a_recipient_greylisted_gets_the_digest_on_the_retry_and_the_other_not_twice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server took the message for one recipient and greylisted the other (450 at RCPT):
    the delivery was recorded sent to both, "sent to" named both, and the one greylisted never
    got that day's digest.  Now the error line says whom it reached and whom the server refused,
    with its answer, and the daemon's retry mails the one refused, alone."""
    handler = Refusing(SECOND, "450 4.2.0 greylisted, try again later")
    with TestServer() as srv, server(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME, SECOND])
        clock = Clock()
        with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
            d = Daemon(app, rng=random.Random(1), clock=clock)
            d.digest(scheduled=True)
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert handler.got == [ME]
            assert len(errors) == 1, errors
            assert f"sent to {ME}" in errors[0] and f"{SECOND} (450 4.2.0 greylisted" in errors[0], errors
            assert "retrying in" in errors[0], errors
            handler.lift()
            assert d._retry_delivery_at is not None
            clock.now = d._retry_delivery_at
            caplog.clear()
            d._handle("poll")
            infos = [r.getMessage() for r in caplog.records if "sent" in r.getMessage()]
    assert handler.got == [ME, SECOND]  # each once
    assert infos == [f"digest {day}: sent to {SECOND}"], infos


def test_a_recipient_refused_for_good_is_said_and_owed_and_the_others_not_mailed_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """550 for one of two recipients: ``digest send`` said "sent to" both and exited 0.  Now it
    says whom it reached and the refusal (exit 2); once mended, a send mails the one refused."""
    handler = Refusing(SECOND, "550 5.1.1 <second@example.org>: user unknown")
    with TestServer() as srv, server(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME, SECOND])
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 2
        err = capsys.readouterr().err
        assert handler.got == [ME]
        assert f"sent to {ME}" in err and "550 5.1.1" in err and "user unknown" in err, err
        handler.lift()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        assert capsys.readouterr().err.splitlines() == [f"digest {day}: sent to {SECOND}"]
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        assert "already sent" in capsys.readouterr().err
    assert handler.got == [ME, SECOND]


# -- the answer to the end of the message ------------------------------------------------------
class Scanning(Inbox):
    """Takes ``seconds`` to answer the end of the message (a content scan), or (``cut``) closes
    the connection instead of answering, having kept the message."""

    def __init__(self, seconds: float = 0.0, *, cut: bool = False) -> None:
        super().__init__()
        self.seconds, self.cut = seconds, cut

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if self.cut:
            server.transport.close()
        await asyncio.sleep(self.seconds)
        return reply


def test_a_server_scanning_longer_than_the_timeout_mails_the_digest_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server scans the message before it answers the final dot (RFC 5321 gives it 10
    minutes).  Waited for ``email.timeout`` only, the send failed, the server delivered it
    anyway, and every retry (each `digest send`, the daemon's hourly) mailed it again."""
    handler = Scanning(1.0)  # twice the 0.5 s timeout below: a send waiting that long failed
    with TestServer() as srv, server(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME], timeout=0.5)
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0, capsys.readouterr().err
        assert capsys.readouterr().err.splitlines() == [f"digest {day}: sent to {ME}"]
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
    assert len(handler.messages) == 1


def test_a_connection_cut_before_the_answer_to_the_message_says_it_may_have_arrived(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The classic window: the whole message sent, the connection cut before the server's 250.
    The line was "SMTPServerDisconnected: Connection unexpectedly closed"; it says now that the
    message may have been delivered, and the next send carries the same Message-ID."""
    handler = Scanning(cut=True)
    with TestServer() as srv, server(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME])
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 2
        err = capsys.readouterr().err
        assert "SMTPServerDisconnected" not in err, err
        assert "closed the connection" in err and "may have been delivered" in err, err
        assert len(err.strip().splitlines()) == 1, err
        handler.cut = False
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
    first, again = handler.messages
    assert first["Message-ID"] == again["Message-ID"]


def test_a_server_that_never_answers_the_message_is_given_the_data_reply_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from digest.output import params

    monkeypatch.setattr(params, "DATA_REPLY_TIMEOUT", 1.0)
    handler = Scanning(3.0)
    with TestServer() as srv, server(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME], timeout=0.5)
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 2
        err = capsys.readouterr().err
    assert "timed out" in err and "may have been delivered" in err, err


# -- what the error line says ---------------------------------------------------------------
@pytest.fixture(scope="module")
def self_signed(cert: tuple[Path, Path]) -> ssl.SSLContext:
    """A server's TLS context with a self-signed certificate for 127.0.0.1 (test_mailer's)."""
    return server_ctx(cert)


def _refusal(port: int, **kw: Any) -> DeliveryError:
    cfg = email_cfg(port, **kw)
    with pytest.raises(DeliveryError) as err:
        send(build_message(view(), cfg, tz=TZ, html="<p>x</p>", text="x"), cfg, timeout=kw.pop("timeout", 2))
    assert "\n" not in str(err.value)
    return err.value


def test_a_self_signed_certificate_is_named_and_what_to_do_said(self_signed: ssl.SSLContext) -> None:
    """It was "TLS failed: CERTIFICATE_VERIFY_FAILED" (the same for an expired certificate or
    another host's)."""
    with server(Inbox(), tls_context=self_signed, require_starttls=True) as port:
        err = _refusal(port, security="starttls")
    assert "self-signed certificate" in str(err) and "certificate authorities" in str(err), err
    with server(Inbox(), ssl_context=self_signed) as port:
        err = _refusal(port, security="ssl")
    assert "self-signed certificate" in str(err), err


def test_implicit_tls_against_a_plain_port_says_which_security_to_set() -> None:
    """It was "TLS failed: WRONG_VERSION_NUMBER"."""
    with server(Inbox()) as port:
        err = _refusal(port, security="ssl")
    assert "does not speak TLS" in str(err) and "starttls" in str(err), err


def test_login_offered_only_after_starttls_is_a_configuration_error_said_so(
    self_signed: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``security: none`` (allowed on loopback) with a login, the server offering AUTH only
    after STARTTLS: it said "SMTP AUTH extension not supported by server." and, taken for an
    unreachable server, was retried hourly without end."""
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", "pw")
    with server(Inbox(), tls_context=self_signed, authenticator=lambda *a: None, auth_required=True) as port:
        err = _refusal(port, security="none", username="digest", password_env="DIGEST_TEST_SMTP_PASSWORD")
    assert "email.security to starttls" in str(err), err
    assert err.permanent and not err.unreachable


def test_a_message_over_the_servers_size_is_not_called_a_refused_sender() -> None:
    """RFC 1870: the server refuses MAIL FROM's SIZE with 552; the line said "sender
    digest@news.example.org refused", sending the user to look at ``email.from``."""
    with server(Inbox(), data_size_limit=500) as port:
        err = _refusal(port)
    assert "too large" in str(err) and "sender" not in str(err), err
    assert err.permanent


def test_a_server_that_never_greets_says_so() -> None:
    """It was "SMTPServerDisconnected: Connection unexpectedly closed: timed out"."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        err = _refusal(silent.getsockname()[1], timeout=0.5)
    assert "no greeting from the server (timed out)" in str(err), err
    assert err.unreachable


# -- logins ------------------------------------------------------------------------------------
class Logins:
    """aiosmtpd authenticator: takes ``user``/``password`` (by PLAIN or LOGIN) and keeps who logged in."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.logins: list[bytes] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (self.user, self.password)
        if ok:
            self.logins.append(data.login)
        return AuthResult(success=ok, handled=False)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_password_with_letters_other_than_ascii_logs_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mechanism: str
) -> None:
    """smtplib sends a login as ASCII: a password "Käsebrot-2026" was a UnicodeEncodeError
    traceback from `digest send` (and the daemon's digest never mailed).  Sent as UTF-8 now."""
    password = "Käsebrot-2026"
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", password)
    logins, inbox = Logins("zoë", password), Inbox()
    with TestServer() as srv, server(inbox, authenticator=logins, auth_require_tls=False,
                                     auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m != mechanism]) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [ME], username="zoë",
                                       password_env="DIGEST_TEST_SMTP_PASSWORD")
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0, capsys.readouterr().err
    assert logins.logins == ["zoë".encode()] and len(inbox.messages) == 1


# the server wants a login without TLS on purpose: aiosmtpd warns it is unsafe (2 of the run's warnings)
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_a_server_wanting_starttls_or_a_login_first_says_what_to_set(self_signed: ssl.SSLContext) -> None:
    """530 to MAIL FROM (RFC 3207, 4954) read "sender digest@news.example.org refused", sending
    the user to look at ``email.from``."""
    with server(Inbox(), tls_context=self_signed, require_starttls=True) as port:
        err = _refusal(port)
    assert "sender" not in str(err) and "set email.security to starttls" in str(err), err
    with server(Inbox(), authenticator=lambda *a: None, auth_required=True, auth_require_tls=False) as port:
        err = _refusal(port)
    assert "sender" not in str(err) and "set email.username and email.password_env" in str(err), err
    assert err.permanent


def test_a_busy_answer_to_ehlo_is_temporary_not_a_missing_starttls() -> None:
    """A server that greets, then answers EHLO "421 too busy": smtplib goes on without its
    extensions, and the line said STARTTLS is not supported (a wrong setting, not retried
    hourly); it is the server's temporary answer."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)

        def answer() -> None:
            conn, _ = busy.accept()
            with conn:
                conn.sendall(b"220 mail.example.org ESMTP\r\n")
                conn.recv(1024)
                conn.sendall(b"421 4.3.2 mail.example.org too busy, try again later\r\n")

        threading.Thread(target=answer, daemon=True).start()
        err = _refusal(busy.getsockname()[1], security="starttls")
    assert "421 4.3.2" in str(err) and "STARTTLS" not in str(err), err
    assert not err.permanent


# -- the message as a mail client reads it ----------------------------------------------------
class Options(Inbox):
    """Keeps each mail's MAIL FROM options; without ``eight_bit``, does not offer 8BITMIME."""

    def __init__(self, *, eight_bit: bool = True) -> None:
        super().__init__()
        self.eight_bit = eight_bit
        self.options: list[list[str]] = []

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        return [r for r in responses if self.eight_bit or "8BITMIME" not in r]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.options.append([o for o in envelope.mail_options if o.startswith("BODY=")])
        return await super().handle_DATA(server, session, envelope)


def _mail(tmp_path: Path, inbox: Inbox, title: str, **kw: Any) -> bytes:
    from digest.output.mailer import deliver
    from digest.store.base import open_store

    with server(inbox, **kw.pop("server", {})) as port:
        store = open_store(f"sqlite:///{tmp_path / 'digest.sqlite3'}")
        try:
            assert deliver(store, view(title), email_cfg(port, **kw), tz=TZ)
        finally:
            store.close()
    raw = inbox.raw[0]
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\r" not in raw.replace(b"\r\n", b"") and b"\n" not in raw.replace(b"\r\n", b"")
    return raw


TITLE = "Nachrichten – Überblick für Zoë 東京"


def _read(raw: bytes) -> EmailMessage:
    """The message as a client reads it (UTF-8 headers, RFC 6532, read as such; an 8-bit body as bytes)."""
    head = raw.partition(b"\r\n\r\n")[0]
    msg = (message_from_bytes(raw, policy=default_policy) if head.isascii()
           else message_from_string(raw.decode("utf-8"), policy=default_policy))
    assert isinstance(msg, EmailMessage) and not msg.defects
    assert msg.get_content_type() == "multipart/alternative"
    assert [(p.get_content_type(), p.get_content_charset()) for p in msg.iter_parts()] == [
        ("text/plain", "utf-8"), ("text/html", "utf-8")]
    return msg


@pytest.mark.parametrize("smtputf8", [True, False])
def test_names_and_a_subject_in_other_scripts_read_as_written(tmp_path: Path, smtputf8: bool) -> None:
    """Held: encoded words without SMTPUTF8, UTF-8 headers with it (an address in UTF-8)."""
    to = ["Jürgen Groß <j@example.org>", *(["jürgen@example.org"] if smtputf8 else [])]
    inbox = Inbox()
    _mail(tmp_path, inbox, TITLE, server={"enable_SMTPUTF8": smtputf8}, subject="{title} ({count})",
          to=to, **{"from": "Zoë Digest <digest@news.example.org>"})
    assert len(inbox.raw) == len(to)  # one message a reader
    for raw, reader in zip(inbox.raw, ["Jürgen Groß", *to[1:]], strict=True):
        head = raw.partition(b"\r\n\r\n")[0]
        assert smtputf8 or head.isascii()
        msg = _read(raw)
        assert msg["Subject"] == f"{TITLE} (2 stories)"
        assert msg["From"].addresses[0].display_name == "Zoë Digest"
        assert [a.display_name or a.addr_spec for a in msg["To"].addresses] == [reader]
        assert msg["Date"].datetime.utcoffset() == datetime.now(TZ).utcoffset()


def test_an_8bit_text_part_is_declared_to_a_server_offering_8bitmime(tmp_path: Path) -> None:
    """The text part of a day in German in short lines goes as 8bit: smtplib sent it without
    ``BODY=8BITMIME`` (RFC 6152 asks the client to say so)."""
    inbox = Options()
    raw = _mail(tmp_path, inbox, TITLE)
    assert b"Content-Transfer-Encoding: 8bit" in raw
    assert inbox.options == [["BODY=8BITMIME"]] * 2  # a message to each of two readers
    assert TITLE.partition(" 東京")[0] in next(_read(raw).iter_parts()).get_content()


def test_a_server_without_8bitmime_gets_seven_bits(tmp_path: Path) -> None:
    """Not offered 8BITMIME, the server got the 8-bit part as it was (its next hop may cut
    the eighth bit); base64 now, the same text read back."""
    inbox = Options(eight_bit=False)
    raw = _mail(tmp_path, inbox, TITLE)
    assert raw.isascii() and inbox.options == [[], []]  # a message to each of two readers
    assert TITLE.partition(" 東京")[0] in next(_read(raw).iter_parts()).get_content()


class OAuthOnly(Inbox):
    """Offers XOAUTH2 alone (a provider that turned password logins off)."""

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        return AuthResult(success=False, handled=False)


def test_a_server_offering_no_login_digest_knows_says_what_it_offers(monkeypatch: pytest.MonkeyPatch) -> None:
    """It said "SMTPException: No suitable authentication method found." and, taken for an
    unreachable server, was retried hourly without end."""
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", "pw")
    with server(OAuthOnly(), authenticator=lambda *a: None, auth_require_tls=False,
                auth_exclude_mechanism=["PLAIN", "LOGIN"]) as port:
        err = _refusal(port, username="digest", password_env="DIGEST_TEST_SMTP_PASSWORD")
    assert "SMTPException" not in str(err) and "XOAUTH2" in str(err), err
    assert err.permanent and not err.unreachable


def test_a_recipient_named_last_first_is_not_mailed_again_when_another_is_retried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``to: ['"Doe, Jane" <me@example.org>', ...]``: a delivery's recipient list was read back
    by splitting at commas, so Jane's was '"doe' and ' jane" <me@example.org>'; the retry of the
    one refused (or an address added to ``to:``) took her for not reached and mailed her again."""
    handler = Refusing(SECOND, "450 4.2.0 greylisted, try again later")
    with TestServer() as srv, server(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, [f'"Doe, Jane" <{ME}>', SECOND])
        capsys.readouterr()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 2
        handler.lift()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        assert capsys.readouterr().err.splitlines()[-1] == f"digest {day}: sent to {SECOND}"
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        assert "already sent" in capsys.readouterr().err
    assert handler.got == [ME, SECOND]
