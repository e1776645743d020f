"""Talking with the mail server: one connection for one message or several, and what a
failure means, in one line.

Observations
------------
* A digest for several readers is one message each (:func:`digest.output.mailer.deliver`),
  sent over one connection: a connection each would be a TLS handshake and a login per
  reader, and servers limit connections per client (Postfix's ``anvil``).  After a refusal
  of one message smtplib says RSET and the connection takes the next; after a connection
  lost (or 421) the rest are not tried (:attr:`Session.broken`), unless that connection
  carried a message: then the server ended it by its count (Exim's
  ``smtp_accept_max_per_connection``, a provider's messages per session), and a new one
  takes the rest, the message it cut off again when it was not sent whole.  Before, a
  server answering 421 after 10 messages left readers 11-50 of a 50-reader digest owed: 10
  more each retry (the daemon's 1, 2, 4, 8 minutes on; ``digest send`` from cron, 10 a day).
  A new connection that carries none ends the session (a rate limit answers the new one
  alike): at most one connection more than messages.
* After a message the socket's time-out is the long one for the answer to DATA
  (``Client.send``): it is set back to ``email.timeout`` before the next, and
  ``sent_whole`` cleared, or a later message's failure would be said to "may have been
  delivered".

How it works
------------
:class:`Session` connects at its first message (none when every reader has it already):
TLS as ``email.security`` says, trusting ``email.ca_file`` too
(:func:`digest.output.smtpclient.tls_context`), then the login.  Each failure is a
:class:`DeliveryError`: one line naming the server and the problem, never the password.
:func:`send` is one message in a session of its own.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from types import TracebackType

from ..config import EmailConfig
from ..errors import DigestError
from ..text.shown import one_line
from .smtpclient import Client, SSLClient, body_options, tls_context

__all__ = ["QUIT_TIMEOUT", "DeliveryError", "Session", "refusals", "send"]

log = logging.getLogger(__name__)

#: Seconds to wait for the answer to QUIT: the message is accepted and recorded by then.
QUIT_TIMEOUT = 5.0


class DeliveryError(DigestError):
    """The digest could not be sent (one line naming the server and the problem).
    ``unreachable``: the server could not be reached or talked to (refused, timed out, cut off,
    TLS), so any other message would fail too; not for its answer refusing this one.
    ``permanent``: sending it again as it is fails again: the server's answer was a permanent
    refusal (5xx: RFC 5321 says the client should not repeat the request), or the
    configuration is wrong (the subject, a header, the password's variable); not for a
    temporary refusal (4xx) or an unreachable server.
    ``refused``: the recipients the server refused at RCPT (address -> (code, answer)) when that
    was the failure."""

    def __init__(self, message: str, *, unreachable: bool = False, permanent: bool = True,
                 refused: dict[str, tuple[int, bytes]] | None = None) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.permanent = permanent and not unreachable
        self.refused = refused or {}


def _permanent(exc: BaseException) -> bool:
    """Whether the server's answer in ``exc`` refused for good (a 5xx code; every recipient's
    when all were refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(int(code) >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and int(exc.smtp_code) >= 500


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _password(cfg: EmailConfig) -> str:
    if not cfg.password_env:
        raise DeliveryError(
            f"email: username {cfg.username!r} is set but email.password_env is not "
            "(name the environment variable that holds the password)"
        )
    value = os.environ.get(cfg.password_env)
    if value is None:
        raise DeliveryError(
            f"email: environment variable {cfg.password_env} (email.password_env) is not set"
        )
    return value


def _describe(exc: BaseException, cfg: EmailConfig | None = None, *, greeted: bool = True) -> str:
    """``exc`` in words, with what to set when the configuration is the likely cause
    (``greeted``: the server said its 220 greeting, over TLS for ``security: ssl``)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{addr}: {code} {_decode(msg)}" for addr, (code, msg) in exc.recipients.items()]
        return "all recipients refused (" + "; ".join(parts) + ")"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        if exc.smtp_code == 552:  # RFC 1870: the size MAIL FROM announced is over the server's limit
            return f"the message is too large for the server: {exc.smtp_code} {_decode(exc.smtp_error)}"
        if exc.smtp_code == 530 and cfg is not None:  # RFC 3207, 4954: STARTTLS or a login first
            wants = [w for w, lacking in (("email.security to starttls", cfg.security == "none"),
                                          ("email.username and email.password_env", not cfg.username)) if lacking]
            hint = f" ({'; '.join(f'set {w}' for w in wants)})" if wants else ""
            return f"the server takes mail only after STARTTLS or a login: 530 {_decode(exc.smtp_error)}{hint}"
        return f"sender {exc.sender} refused: {exc.smtp_code} {_decode(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused: {exc.smtp_code} {_decode(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server said {exc.smtp_code} {_decode(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):  # smtplib's for a read that failed
        timed_out = isinstance(exc.__context__, socket.timeout | TimeoutError)
        if not greeted:
            said = "no greeting from the server (timed out)" if timed_out else "the server closed the connection at once"
            return said + _port_hint(cfg)
        return "timed out waiting for the server's answer" if timed_out else "the server closed the connection"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        hint = ""
        if cfg is not None and cfg.security == "none" and "AUTH" in str(exc):
            hint = " (many servers offer a login only after STARTTLS: set email.security to starttls)"
        return f"not supported by the server: {exc}{hint}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        hint = ""
        if exc.verify_code in (18, 19, 20):  # self-signed, or signed by an authority not trusted here
            hint = ("; digest trusts the system's certificate authorities and email.ca_file's: set "
                    "email.ca_file to the PEM of the authority that signed it (or of the certificate itself)")
        return f"TLS failed: the server's certificate is not trusted ({one_line(exc.verify_message)}){hint}"
    if isinstance(exc, ssl.SSLError) and exc.reason == "WRONG_VERSION_NUMBER":  # plain text answered
        return ("TLS failed: the server does not speak TLS at once on this port (security: ssl is "
                "for a port that does, usually 465; for this one set email.security to starttls)")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return f"TLS failed: {getattr(exc, 'reason', None) or exc}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out" + ("" if greeted else _port_hint(cfg))
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host ({exc.strerror})"
    return f"{type(exc).__name__}: {exc}"


def _port_hint(cfg: EmailConfig | None) -> str:
    """What to set when no greeting came on port 465 without ``security: ssl`` (the server
    waits for TLS first)."""
    if cfg is not None and cfg.port == 465 and cfg.security != "ssl":
        return " (port 465 speaks TLS from the start: set email.security to ssl)"
    return ""


def refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    """The recipients a server refused, each with its answer: "b@x (550 5.1.1 no such user)"."""
    return "; ".join(f"{addr} ({code} {_decode(msg)})" for addr, (code, msg) in sorted(refused.items()))


def _decode(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return one_line(text)


#: ``Session.send``'s ``before_end``: the in-doubt mark, returning what to call once the end of the
#: message is written (or None).
EndMark = Callable[[], Callable[[], None] | None]


class Session:
    """A connection to the configured server for one message or several (a context manager:
    QUIT at its end, best effort: ``QUIT_TIMEOUT``, errors ignored).  It connects at the first
    :meth:`send`; ``broken`` once a failure closed the connection (the rest would fail alike)."""

    def __init__(self, cfg: EmailConfig, *, timeout: float = 30, ssl_context: ssl.SSLContext | None = None) -> None:
        self.cfg, self.timeout, self.ssl_context = cfg, timeout, ssl_context
        self.where = f"email via {cfg.host}:{cfg.port}"
        self.client: Client | None = None
        self.broken = False
        #: Messages the server took on the connection now open (a connection that carried some
        #: and was ended by the server is replaced: :meth:`send`).
        self.carried = 0
        #: The connection that failed had carried messages and the server ended it (421, or
        #: closed) without a time-out: a new one may take the rest.
        self._renewable = False
        #: ... and the message it failed was not sent whole: the new connection sends it again.
        self._resend = False
        self._password: str | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """QUIT, waiting at most ``QUIT_TIMEOUT`` (the messages are accepted and recorded by then)."""
        if self.client is not None:
            _quit(self.client, min(QUIT_TIMEOUT, self.timeout))
            self.client = None

    def send(self, message: EmailMessage, *, before_end: EndMark | None = None) -> dict[str, tuple[int, bytes]]:
        """Hand ``message`` to the server: the recipients it refused (address -> (code, answer);
        empty when it took them all), :class:`DeliveryError` when it took none or could not be
        talked to.  The answer to the end of the message is waited for
        :data:`digest.output.params.DATA_REPLY_TIMEOUT` (the server scans it then); without one,
        the error says it may have been delivered.

        A connection the server ended (421, closed) after it carried a message is replaced by a
        new one, and ``message`` sent again on it when it was not sent whole on the old one.

        ``before_end`` is called once all but the end of the message is written, before the end
        is (``Client.before_end``: the store's in-doubt mark); its exception ends the
        connection, the message unfinished (the server discards it).  What it returns, if
        anything, is called once the end is written (the mark's answer read)."""
        try:
            return self._send(message, before_end)
        except DeliveryError:
            if not self._resend:  # sent whole, it may have been delivered: not again
                raise
            self._resend = False
            return self._send(message, before_end)

    def _send(self, message: EmailMessage, before_end: EndMark | None = None) -> dict[str, tuple[int, bytes]]:
        if self.broken and self._renewable:  # ended by the server after messages: a new one
            self.broken, self._renewable, self.carried = False, False, 0
        if self.broken:
            raise DeliveryError(f"{self.where}: not tried: the connection failed before", permanent=False)
        if self.client is None:
            try:
                self._open()
            except DeliveryError:  # a setting, or a server that cannot be talked to: the rest alike
                self.broken = True
                raise
        client = self.client
        assert client is not None
        try:
            client.sent_whole = False  # a message before was sent whole, not this one
            if client.sock is not None:
                client.sock.settimeout(self.timeout)  # the long wait for DATA's answer was the last message's
            message, options = body_options(client, message)
            client.before_end = before_end
            refused = client.send_message(message, mail_options=options)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failure(exc, client) from None
        except BaseException:
            self._drop()
            raise
        finally:
            client.before_end = None
        self.carried += 1
        return refused

    def _open(self) -> Client:
        cfg, where, timeout = self.cfg, self.where, self.timeout
        if cfg.username:
            if cfg.security == "none" and not _is_loopback(cfg.host):
                raise DeliveryError(
                    f"{where}: refusing to send the password unencrypted; "
                    "set email.security to starttls or ssl"
                )
            self._password = _password(cfg)
        try:
            context = self.ssl_context or tls_context(cfg.ca_file)
        except ValueError as exc:  # the file changed since the configuration was read
            raise DeliveryError(f"{where}: email.ca_file: {exc}") from None
        client: Client | None = None
        try:
            if cfg.security == "ssl":
                client = SSLClient(cfg.host, cfg.port, timeout=timeout, context=context)
            else:
                client = Client(cfg.host, cfg.port, timeout=timeout)
            self.client = client
            _ehlo(client)
            if cfg.security == "starttls":
                client.starttls(context=context)
                _ehlo(client)
            if cfg.username and self._password is not None:
                client.login(cfg.username, self._password)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failure(exc, client) from None
        except BaseException:
            self._drop()
            raise
        return client

    def _drop(self) -> None:
        """Close the connection without QUIT; no message is sent on it again."""
        if self.client is not None:
            self.client.close()
            self.client = None
        self.broken = True

    def _failure(self, exc: BaseException, client: Client | None) -> DeliveryError:
        """``exc`` as one line; the connection dropped unless the server answered and keeps it
        (smtplib said RSET after a refusal; it closes after 421)."""
        cfg, password = self.cfg, self._password
        problem = _describe(exc, cfg, greeted=client is not None)
        # smtplib's word for a server offering no login it knows (only XOAUTH2, say): a wrong setting
        no_login = type(exc) is smtplib.SMTPException and "authentication method" in str(exc)
        if no_login and client is not None:
            offered = client.esmtp_features.get("auth", "").strip() or "none"
            problem = f"the server offers no login digest can use (it offers {offered}; digest uses PLAIN, LOGIN, CRAM-MD5)"
        # the server's answer, or its want (STARTTLS, a login, SMTPUTF8 not offered): not unreachable
        answered = no_login or isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused
                                          | smtplib.SMTPNotSupportedError)
        if client is not None and client.sent_whole and not answered:
            problem = (f"no answer to the end of the message ({problem}): it may have been delivered "
                       "all the same; sent again, it carries the same Message-ID")
        if password:
            problem = problem.replace(password, "***")
        keeps = isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError)
        if not (keeps and client is not None and client.sock is not None):
            self._drop()
            self._renewable = self.carried > 0 and _ended_by_server(exc)
            self._resend = self._renewable and client is not None and not client.sent_whole
        return DeliveryError(f"{self.where}: {problem}", unreachable=not answered,
                             permanent=_permanent(exc) or no_login or isinstance(exc, smtplib.SMTPNotSupportedError),
                             refused=exc.recipients if isinstance(exc, smtplib.SMTPRecipientsRefused) else None)


def _ended_by_server(exc: BaseException) -> bool:
    """Whether ``exc`` is the server ending the connection by its own choice: 421 (RFC 5321:
    "closing transmission channel") to any command, or a close, not a time-out."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(int(code) == 421 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code) == 421
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return not isinstance(exc.__context__, socket.timeout | TimeoutError)
    return False


def send(
    message: EmailMessage,
    cfg: EmailConfig,
    *,
    timeout: float = 30,
    ssl_context: ssl.SSLContext | None = None,
    accepted: Callable[[dict[str, tuple[int, bytes]]], None] | None = None,
) -> None:
    """Hand ``message`` to the configured SMTP server (a :class:`Session` of its own);
    :class:`DeliveryError` on failure.

    ``accepted`` is called as soon as the server has accepted the message, with the
    recipients it refused (address -> (code, answer); empty when it took them all), before
    QUIT: QUIT is best effort, so a server slow to say goodbye neither fails the send nor
    widens the window in which a crash resends.  ``ssl_context`` defaults to the system's
    verified context, trusting also ``email.ca_file``'s authorities.
    """
    with Session(cfg, timeout=timeout, ssl_context=ssl_context) as session:
        refused = session.send(message)
        if accepted is not None:
            accepted(refused)
        elif refused:
            log.warning("%s: some recipients refused: %s", session.where, refusals(refused))


def _ehlo(client: smtplib.SMTP) -> None:
    """EHLO; a refusal of it raised as the server's answer: temporary (421: the server shutting
    down, too busy) or for good (554 "your host is listed at ..."), but for 500 and 502 (EHLO
    not known).  smtplib goes on, and the line said STARTTLS is not supported (a wrong setting)
    or "sender refused: 503 send HELO first", the server's reason lost."""
    code, answer = client.ehlo()
    if 400 <= code < 600 and code not in (500, 502):
        raise smtplib.SMTPResponseException(code, answer)


def _quit(client: smtplib.SMTP, timeout: float = QUIT_TIMEOUT) -> None:
    """Say QUIT, waiting at most ``timeout`` for the answer; then close, whatever happened."""
    try:
        if client.sock is not None:
            client.sock.settimeout(timeout)
        client.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        client.close()
