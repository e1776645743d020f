"""The SMTP client :func:`digest.output.mailer.send` talks with: smtplib's, as real servers need it.

Observations
------------
* A server scans a message before it answers its end (spam, viruses: half a minute under
  load is common); RFC 5321 4.5.3.2.6 gives it 10 minutes.  Given up after ``email.timeout``,
  the server delivered it all the same, and each retry mailed it again.
* smtplib sends a login as ASCII (3.11 does): a password with an "ä" raised
  ``UnicodeEncodeError`` (a traceback, the daemon's digest never mailed).  RFC 4616 (PLAIN)
  says UTF-8; LOGIN and CRAM-MD5 servers take the password's UTF-8 bytes too.

How it works
------------
:class:`Client` waits :data:`digest.output.params.DATA_REPLY_TIMEOUT` for the answer to the end
of the message and notes when the whole message went out (``sent_whole``: a failure after it
may have been delivered); its ``auth`` is smtplib's with UTF-8 where smtplib has ASCII.
"""

from __future__ import annotations

import base64
import hmac
import smtplib
from collections.abc import Callable
from email.base64mime import body_encode
from typing import Any

from . import params

__all__ = ["Client", "SSLClient"]


class Client(smtplib.SMTP):
    """smtplib's client, patient with the answer to the message, and a login in UTF-8."""

    sent_whole = False
    _in_data = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:
        super().send(s)
        if self._in_data and isinstance(s, bytes):  # the message, ended by "." (DATA itself is a str)
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
