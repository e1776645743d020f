"""The SMTP client :class:`digest.output.smtpsend.Session` talks with: smtplib's, as real servers need it.

Observations
------------
* A server scans a message before it answers its end (spam, viruses: half a minute under
  load is common); RFC 5321 4.5.3.2.6 gives it 10 minutes.  Given up after ``email.timeout``,
  the server delivered it all the same, and each retry mailed it again.
* smtplib sends a login as ASCII (3.11 does): a password with an "ä" raised
  ``UnicodeEncodeError`` (a traceback, the daemon's digest never mailed).  RFC 4616 (PLAIN)
  says UTF-8; LOGIN and CRAM-MD5 servers take the password's UTF-8 bytes too.

* A text part of another script than English in short lines goes as ``8bit`` (the email
  package's choice) and smtplib sent it without ``BODY=8BITMIME`` (RFC 6152 asks it of the
  client), and as it was to a server that does not offer 8BITMIME, whose next hop may cut
  the eighth bit.

How it works
------------
:class:`Client` waits :data:`digest.output.params.DATA_REPLY_TIMEOUT` for the answer to the end
of the message and notes when the whole message went out (``sent_whole``: a failure after it
may have been delivered).  It writes the message in two parts, all but its end ("\r\n.\r\n"),
then the end, and calls ``before_end`` between them: the sender's "in doubt" mark, committed
(``digest.store.deliveries``), so a kill before the mark leaves the server an unfinished
DATA it discards (sent again, not lost) and a kill after it a message the server delivers (not
sent again).  Its ``auth`` is smtplib's with UTF-8 where smtplib has ASCII.
:func:`body_options` declares 8-bit content to a server that offers 8BITMIME, and makes it
7-bit (quoted-printable or base64) for one that does not.  :func:`tls_context` trusts the
system's certificate authorities and those of ``email.ca_file`` (a self-hosted server's own
authority), the server's name checked as ever.
"""

from __future__ import annotations

import base64
import copy
import hmac
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.base64mime import body_encode
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from . import params

__all__ = ["Client", "SSLClient", "body_options", "ca_problem", "tls_context"]

#: The end of DATA (RFC 5321 4.1.1.4): the line break ending the message, "." alone on a line.
_END = b"\r\n.\r\n"


class Client(smtplib.SMTP):
    """smtplib's client, patient with the answer to the message, and a login in UTF-8."""

    sent_whole = False
    _in_data = False
    #: Called after the message but its end ("\r\n.\r\n") is written, before the end is: a
    #: failure in it (an exception) leaves the end unsent, and the server discards the message.
    #: It may return a callable, called once the end is written (a mark sent to the store ahead of
    #: the end, its answer read after it: PostgreSQL's ``send_whole_mark``).
    before_end: Callable[[], Callable[[], None] | None] | None = None

    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> tuple[int, bytes]:
        """smtplib's, the connection's small writes sent at once (``TCP_NODELAY``): the end of
        a message ("\r\n.\r\n", written after the message) waited for the server's delayed
        acknowledgement of the message, 40 ms a message on Linux (2 s for 50 readers)."""
        reply = super().connect(host, port, source_address)
        if self.sock is not None and self.sock.family in (socket.AF_INET, socket.AF_INET6):
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reply

    def data(self, msg: Any) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:
        if not (self._in_data and isinstance(s, bytes)):  # not the message (DATA itself is a str)
            super().send(s)
            return
        # the message, ended by "\r\n.\r\n" (smtplib's ``data``): until that end is written the
        # server holds an unfinished DATA and drops it if we die; once it is, a kill -9 still lets
        # the kernel deliver it.  ``before_end`` (the store's in-doubt mark) goes in between.
        end = len(_END) if s.endswith(_END) else 0
        super().send(s[:len(s) - end])
        confirm = self.before_end() if self.before_end is not None else None
        try:
            super().send(s[len(s) - end:])
        finally:
            if confirm is not None:  # the mark's answer, read once the end is written (never raises)
                confirm()
        self.sent_whole = True
        if self.sock is not None:
            self.sock.settimeout(max(self.timeout, params.DATA_REPLY_TIMEOUT))

    def auth(self, mechanism: str, authobject: Callable[..., str], *, initial_response_ok: bool = True) -> Any:
        """smtplib's ``auth``, each response sent as UTF-8 (it sent ASCII, refusing any other)."""

        def encoded(text: str) -> str:
            return body_encode(text.encode("utf-8"), eol="")

        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            code, resp = self.docmd("AUTH", f"{mechanism} {encoded(initial)}")
            self._auth_challenge_count = 1  # smtplib's auth_login reads it: the user, then the password
        else:
            code, resp = self.docmd("AUTH", mechanism)
            self._auth_challenge_count = 0
        while code == 334:  # the server's challenge: answered
            self._auth_challenge_count += 1
            code, resp = self.docmd(encoded(authobject(base64.decodebytes(resp))))
            if self._auth_challenge_count > 5:  # smtplib's _MAXCHALLENGE
                raise smtplib.SMTPException(f"Server AUTH mechanism infinite loop. Last response: {(code, resp)!r}")
        if code in (235, 503):
            return code, resp
        raise smtplib.SMTPAuthenticationError(code, resp)

    def auth_cram_md5(self, challenge: bytes | None = None) -> str | None:  # type: ignore[override]
        if challenge is None:
            return None
        mac = hmac.HMAC(self.password.encode("utf-8"), challenge, "md5").hexdigest()
        return f"{self.user} {mac}"


class SSLClient(Client, smtplib.SMTP_SSL):
    """:class:`Client` over implicit TLS."""


def body_options(client: smtplib.SMTP, message: EmailMessage) -> tuple[EmailMessage, list[str]]:
    """The message to send and the MAIL FROM options its body needs: ``BODY=8BITMIME`` for 8-bit
    content when the server offers it (not when smtplib adds it itself, for SMTPUTF8), else the
    message as 7 bits (its 8-bit parts quoted-printable or base64).  The message is not changed."""
    if message.as_bytes().isascii():
        return message, []
    addresses = [a for _, a in getaddresses([str(v) for k in ("From", "To") for v in message.get_all(k, [])])]
    if not all(a.isascii() for a in addresses) and client.has_extn("smtputf8"):
        return message, []  # smtplib's SMTPUTF8 mail says BODY=8BITMIME
    if client.has_extn("8bitmime"):
        return message, ["BODY=8BITMIME"]
    seven, policy = copy.deepcopy(message), message.policy.clone(cte_type="7bit")
    for part in seven.walk():  # (the generator's own 7-bit re-encoding garbles UTF-8)
        if part.get("Content-Transfer-Encoding") == "8bit" and isinstance(part, EmailMessage):
            text, subtype = part.get_content(), part.get_content_subtype()
            part.policy = policy  # quoted-printable or base64, as the email package finds shorter
            part.set_content(text, subtype=subtype, charset="utf-8")
            del part["MIME-Version"]  # set_content adds one; the message has its own
    return seven, []


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """The system's verified TLS context (host name checked), trusting also the authorities in
    the PEM file ``ca_file`` (``email.ca_file``: a self-hosted server's private one, where the
    only way out was ``security: none``).  :class:`ValueError` saying what is wrong with the
    file (:func:`ca_problem`)."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except FileNotFoundError:
            raise ValueError(f"no such file: {ca_file}") from None
        except IsADirectoryError:
            raise ValueError(f"a folder, not a PEM file: {ca_file}") from None
        except ssl.SSLError as exc:  # DER, a key alone, any other file: none found; a broken block
            why = "" if exc.reason == "NO_CERTIFICATE_OR_CRL_FOUND" else f": {exc.reason or exc}"
            raise ValueError(f"no PEM certificate in {ca_file}{why} (it takes the authority's certificate "
                             "as '-----BEGIN CERTIFICATE-----' text)") from None
        except OSError as exc:
            raise ValueError(f"cannot read {ca_file}: {exc.strerror or exc}") from None
    return context


def ca_problem(ca_file: Path) -> str | None:
    """What is wrong with ``ca_file`` as ``email.ca_file`` (missing, unreadable, no certificate
    in PEM), or None; the configuration reports it at its line."""
    try:
        tls_context(ca_file)
    except ValueError as exc:
        return str(exc)
    return None
