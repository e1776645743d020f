"""Email delivery against a real SMTP server (aiosmtpd) on 127.0.0.1, with a real SQLite store.

TLS tests make a throw-away self-signed certificate with the ``openssl``
command (skipped, with the reason, when it is missing).
"""

from __future__ import annotations

import asyncio
import email
import shutil
import socket
import sqlite3
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest.config import EmailConfig
from digest.output.mailer import (
    QUIT_TIMEOUT,
    DeliveryError,
    build_message,
    default_target,
    deliver,
    message_id_for,
    send,
    subject_for,
)
from digest.records import DigestView, StoryView, VersionView
from digest.store.base import Store, open_store

TZ = ZoneInfo("Europe/Berlin")
DAY = "2026-03-14"
PASSWORD = "s3cret-Pa55word"


# -- a real SMTP server --------------------------------------------------------
class Collector:
    """aiosmtpd handler: answers DATA with ``reply`` and keeps accepted messages."""

    def __init__(self) -> None:
        self.reply = "250 OK"
        #: (mail from, recipients, raw message, whether the connection was TLS)
        self.accepted: list[tuple[str, list[str], bytes, bool]] = []
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.reply.startswith("250"):
            tls = (
                session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
            )
            self.accepted.append(
                (envelope.mail_from, list(envelope.rcpt_tos), envelope.content, tls)
            )
        return self.reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtpd(handler: Collector, **kwargs: Any) -> Iterator[int]:
    ctl = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10, **kwargs)
    ctl.start()
    try:
        yield ctl.port
    finally:
        ctl.stop()


def email_cfg(port: int, **kw: Any) -> EmailConfig:
    data: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from": "Digest <digest@news.example.org>",
        "to": ["reader@example.org", "second@example.org"],
    }
    data.update(kw)
    return EmailConfig.model_validate(data)


def view(title: str = "morning digest") -> DigestView:
    def v(source: str, title: str, url: str | None) -> VersionView:
        return VersionView(
            source, title, url, datetime(2026, 3, 14, 8, 30, tzinfo=UTC), "Body text. " * 20
        )

    return DigestView(
        date=DAY,
        stories=[
            StoryView(
                "s1",
                "Bridge reopens",
                v("Coast News", "Bridge reopens", "https://coast.example/b"),
                [v("Valley Wire", "Bridge open again", "https://valley.example/b")],
            ),
            StoryView("s2", "Council <b>vote</b>", v("Hill Post", "Council <b>vote</b>", None), []),
        ],
        articles_read=3,
        duplicates_collapsed=1,
        title=title,
        generated=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'digest.sqlite3'}")
    yield s
    s.close()


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


# -- tests ---------------------------------------------------------------------
def test_deliver_sends_one_multipart_message_to_each_reader_and_never_twice(store: Store) -> None:
    handler = Collector()
    with smtpd(handler) as port:
        cfg = email_cfg(port)
        assert deliver(store, view(), cfg, tz=TZ) is True
        assert deliver(store, view(), cfg, tz=TZ) is False  # same (date, target): nothing sent
    assert handler.attempts == 2 and len(handler.accepted) == 2
    assert [(m[1], parse(m[2])["To"]) for m in handler.accepted] == [
        (["reader@example.org"], "reader@example.org"), (["second@example.org"], "second@example.org")]
    mail_from, _, raw, tls = handler.accepted[0]
    assert tls is False
    assert mail_from == "digest@news.example.org"
    msg = parse(raw)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    text, html = parts[0].get_content(), parts[1].get_content()
    assert "Bridge reopens" in text and "Valley Wire" in text
    assert "<style" not in html.lower() and 'style="' in html
    assert "<b>vote</b>" not in html and "&lt;b&gt;vote&lt;/b&gt;" in html
    assert 'href="https://coast.example/b"' in html
    assert msg["Subject"] == f"digest for {DAY}: 2 stories"
    assert msg["Date"] is not None and msg["Date"].datetime.utcoffset() is not None
    row = store.get_delivery(DAY, default_target(cfg))
    assert row is not None and row.status == "sent"
    target = default_target(email_cfg(port, to=["reader@example.org"]))  # the reader's own row
    row = store.get_delivery(DAY, target)
    assert row is not None and row.status == "sent"
    assert msg["Message-ID"] == row.message_id == message_id_for(DAY, target, cfg)
    assert msg["Message-ID"].endswith("@news.example.org>")
    assert parse(handler.accepted[1][2])["Message-ID"] != msg["Message-ID"]


def test_other_target_and_other_day_are_separate_deliveries(store: Store) -> None:
    handler = Collector()
    with smtpd(handler) as port:
        cfg = email_cfg(port)
        assert deliver(store, view(), cfg, tz=TZ, target="team")
        assert deliver(store, view(), cfg, tz=TZ)
        other = view()
        other.date = "2026-03-15"
        assert deliver(store, other, cfg, tz=TZ)
        assert not deliver(store, other, cfg, tz=TZ)
    ids = {parse(m[2])["Message-ID"] for m in handler.accepted}
    assert len(handler.accepted) == 6 and len(ids) == 6  # a message to each of two readers


def test_subject_is_one_line_and_cannot_inject_headers(store: Store) -> None:
    handler = Collector()
    with smtpd(handler) as port:
        cfg = email_cfg(port, to=["reader@example.org"], subject="{title} {date} ({stories})")
        deliver(store, view("news\r\nBcc: victim@evil.example\r\n\r\nbody"), cfg, tz=TZ)
    _, rcpts, raw, _ = handler.accepted[0]
    assert rcpts == ["reader@example.org"]
    msg = parse(raw)
    assert msg["Bcc"] is None
    assert msg["Subject"] == f"news Bcc: victim@evil.example body {DAY} (2)"


def test_the_text_part_is_plain_text_with_titles_outlets_and_links_on_their_own_lines(
    store: Store,
) -> None:
    """It was the Markdown: '**Coast News**', '[title](url)', '\\(74 million pounds\\)', '6\\.1'."""
    mail = view()
    lead = mail.stories[0].lead
    lead.title = "Bridge reopens after 6.1 million repair (74 million pounds)"
    lead.text = "The bridge [the old one] reopened. It cost 6.1 million euros (74 million pounds). " * 3
    handler = Collector()
    with smtpd(handler) as port:
        assert deliver(store, mail, email_cfg(port), tz=TZ, locale="en_GB")
    text, html = (p.get_content() for p in parse(handler.accepted[0][2]).iter_parts())
    for markup in ("**", "](", "\\(", "\\.", "\\[", "&lt;", "{:"):
        assert markup not in text, markup
    lines = text.splitlines()
    title = lines.index("Bridge reopens after 6.1 million repair (74 million pounds)")
    nb = "\u00a0"
    assert lines[title + 1 : title + 3] == [
        f"Coast News · Sat{nb}14{nb}Mar,{nb}09:30{nb}CET", "https://coast.example/b"
    ]
    assert lines[title + 4].startswith("The bridge [the old one] reopened. It cost 6.1 million euros")
    other = lines.index(f"* Valley Wire · Sat{nb}14{nb}Mar,{nb}09:30{nb}CET")
    assert lines[other + 1 : other + 3] == ["  Bridge open again", "  https://valley.example/b"]
    assert "Council <b>vote</b>" in lines and "Hill Post · Sat\u00a014\u00a0Mar,\u00a009:30\u00a0CET" in lines
    assert all(len(line) <= 72 for line in lines if not line.startswith(("http", "  http")))
    # the HTML part is the HTML digest still
    assert "<h2" in html and "&lt;b&gt;vote&lt;/b&gt;" in html


def test_the_default_subject_counts_one_story_as_one_story() -> None:
    """The default subject said "1 stories"; ``{count}`` says the number with its noun, and
    ``{stories}`` is still the bare number for a template of one's own."""
    mail = view()
    n = len(mail.stories)
    assert subject_for(mail, email_cfg(1)) == f"digest for {mail.dates}: {n} stories"
    mail.stories[1:] = []
    assert subject_for(mail, email_cfg(1)) == f"digest for {mail.dates}: 1 story"
    assert subject_for(mail, email_cfg(1, subject="{stories} new")) == "1 new"


def test_bad_subject_template_is_one_clear_line(store: Store) -> None:
    cfg = email_cfg(1, subject="digest {day.__class__}")
    with pytest.raises(DeliveryError) as err:
        build_message(view(), cfg, tz=TZ, html="<p>x</p>", text="x")
    assert "email.subject" in str(err.value) and "{date}" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("reply", ["451 4.3.0 try again later", "421 4.7.0 too many connections"])
def test_a_temporary_refusal_is_not_taken_for_a_permanent_one(store: Store, reply: str) -> None:
    """A 4xx answer (greylisting, a busy server) is worth a retry: not ``permanent``, and not
    ``unreachable`` either (the server answered; 421 closes the connection)."""
    handler = Collector()
    handler.reply = reply
    with smtpd(handler) as port, pytest.raises(DeliveryError) as err:
        deliver(store, view(), email_cfg(port), tz=TZ)
    assert reply[:3] in str(err.value)
    assert not err.value.permanent


def test_refused_message_is_marked_failed_then_a_retry_sends_it(store: Store) -> None:
    handler = Collector()
    handler.reply = "550 5.7.1 message rejected as spam"
    with smtpd(handler) as port:
        cfg = email_cfg(port)
        target = default_target(cfg)
        with pytest.raises(DeliveryError) as err:
            deliver(store, view(), cfg, tz=TZ)
        msg = str(err.value)
        assert "550" in msg and "rejected as spam" in msg and f"127.0.0.1:{port}" in msg
        assert "\n" not in msg
        assert err.value.permanent and not err.value.unreachable  # a 5xx: RFC 5321's "do not repeat"
        row = store.get_delivery(DAY, target)
        assert row is not None and row.status == "failed" and "550" in (row.last_error or "")
        reader = default_target(email_cfg(port, to=["reader@example.org"]))
        first_id = store.get_delivery(DAY, reader).message_id  # type: ignore[union-attr]
        handler.reply = "250 OK"
        assert deliver(store, view(), cfg, tz=TZ) is True
        assert deliver(store, view(), cfg, tz=TZ) is False
    assert handler.attempts == 4 and len(handler.accepted) == 2  # a message to each of two readers
    row = store.get_delivery(DAY, target)
    assert row is not None and row.status == "sent" and row.attempts == 2
    row = store.get_delivery(DAY, reader)
    assert row is not None and row.status == "sent" and row.attempts == 2
    assert parse(handler.accepted[0][2])["Message-ID"] == first_id == row.message_id


class SlowQuit(Collector):
    """Answers QUIT only after ``delay`` seconds; notes the delivery row's status meanwhile."""

    def __init__(self, db: Path, delay: float) -> None:
        super().__init__()
        self.db, self.delay = db, delay
        self.status_at_quit: list[str] = []

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        con = sqlite3.connect(self.db, timeout=10)  # another connection, as another process
        try:
            self.status_at_quit += [r[0] for r in con.execute("SELECT status FROM deliveries")]
        finally:
            con.close()
        await asyncio.sleep(self.delay)
        return "221 Bye"


@pytest.mark.slow  # seconds by design: runs in CI (--run-slow), not in the README's quick run
def test_delivery_is_recorded_before_quit_and_a_slow_quit_is_not_waited_for(
    tmp_path: Path, store: Store
) -> None:
    handler = SlowQuit(tmp_path / "digest.sqlite3", delay=30.0)
    with smtpd(handler) as port:
        cfg = email_cfg(port)
        t0 = time.monotonic()
        assert deliver(store, view(), cfg, tz=TZ, timeout=60) is True
        took = time.monotonic() - t0
    # recorded as sent while the server still held QUIT: a kill there cannot resend it
    assert handler.status_at_quit == ["sent"] * 3  # the list's row and each reader's
    assert took < QUIT_TIMEOUT + 3, took  # QUIT is best effort, not the 60 s timeout
    assert len(handler.accepted) == 2
    assert store.delivery_status(DAY, default_target(cfg)) == "sent"


def test_unreachable_server_is_a_clear_error_and_marked_failed(store: Store) -> None:
    cfg = email_cfg(free_port())
    with pytest.raises(DeliveryError, match="connection refused"):
        deliver(store, view(), cfg, tz=TZ, timeout=5)
    assert store.delivery_status(DAY, default_target(cfg)) == "failed"


class Auth:
    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.logins: list[bytes] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user,
            self.password,
        )
        if ok:
            self.logins.append(data.login)
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def test_login_uses_the_password_from_the_environment(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, auth = Collector(), Auth("digest", PASSWORD)
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", PASSWORD)
    with smtpd(handler, authenticator=auth, auth_require_tls=False) as port:
        cfg = email_cfg(port, username="digest", password_env="DIGEST_TEST_SMTP_PASSWORD")
        assert deliver(store, view(), cfg, tz=TZ)
    assert auth.logins == [b"digest"] and len(handler.accepted) == 2  # two readers, one login


def test_wrong_or_missing_password_never_shows_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, auth = Collector(), Auth("digest", "the-right-one")
    with smtpd(handler, authenticator=auth, auth_require_tls=False) as port:
        cfg = email_cfg(port, username="digest", password_env="DIGEST_TEST_SMTP_PASSWORD")
        monkeypatch.delenv("DIGEST_TEST_SMTP_PASSWORD", raising=False)
        with pytest.raises(DeliveryError, match=r"DIGEST_TEST_SMTP_PASSWORD.*not set"):
            deliver(store, view(), cfg, tz=TZ)
        monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", PASSWORD)
        with pytest.raises(DeliveryError) as err:
            deliver(store, view(), cfg, tz=TZ)
    assert "login refused" in str(err.value) and "535" in str(err.value)
    row = store.get_delivery(DAY, default_target(cfg))
    assert row is not None and row.status == "failed"
    assert PASSWORD not in str(err.value) and PASSWORD not in (row.last_error or "")
    assert handler.accepted == []


def test_password_is_not_sent_in_clear_to_a_remote_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", PASSWORD)
    cfg = email_cfg(
        25, host="mail.example.invalid", username="u", password_env="DIGEST_TEST_SMTP_PASSWORD"
    )
    msg = build_message(view(), cfg, tz=TZ, html="<p>x</p>", text="x")
    with pytest.raises(DeliveryError, match="unencrypted"):
        send(msg, cfg)


# -- TLS -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed: cannot make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def server_ctx(cert: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    return ctx


def client_ctx(cert: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert[0]))


def test_starttls_with_login(
    store: Store, cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, auth = Collector(), Auth("digest", PASSWORD)
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", PASSWORD)
    # auth_require_tls stays True: the server only offers AUTH after STARTTLS
    with smtpd(handler, tls_context=server_ctx(cert), require_starttls=True, authenticator=auth,
               auth_required=True) as port:  # fmt: skip
        cfg = email_cfg(
            port, security="starttls", username="digest", password_env="DIGEST_TEST_SMTP_PASSWORD"
        )
        assert deliver(store, view(), cfg, tz=TZ, ssl_context=client_ctx(cert))
    assert handler.accepted[0][3] is True and auth.logins == [b"digest"]


def test_starttls_refuses_an_untrusted_certificate(store: Store, cert: tuple[Path, Path]) -> None:
    handler = Collector()
    with smtpd(handler, tls_context=server_ctx(cert), require_starttls=True) as port:
        cfg = email_cfg(port, security="starttls")
        with pytest.raises(DeliveryError, match="TLS failed"):
            deliver(store, view(), cfg, tz=TZ)  # system CAs do not trust our certificate
    assert handler.accepted == []


def test_implicit_tls(store: Store, cert: tuple[Path, Path]) -> None:
    handler = Collector()
    with smtpd(handler, ssl_context=server_ctx(cert)) as port:
        cfg = email_cfg(port, security="ssl")
        assert deliver(store, view(), cfg, tz=TZ, ssl_context=client_ctx(cert))
    assert len(handler.accepted) == 2 and all(m[3] for m in handler.accepted)
