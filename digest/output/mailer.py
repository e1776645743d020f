"""Sending the daily digest by email, at most once per (day, target).

Observations
------------
* Mail clients drop ``<style>``: the HTML part is :func:`digest.output.render.render_email_html`
  (CSS written onto each element); the text part is plain text
  (:func:`digest.output.render.render_text`: not Markdown, whose escapes and link
  syntax read as noise in a mail client).  Both go in
  one ``multipart/alternative``, text first (clients show the *last* part
  they understand, so HTML wins where it can).  A long day's HTML part is kept under the
  size Gmail shows whole, the stories beyond it listed by title, the text part alike
  (:mod:`digest.output.mailsize`).
* Anything in a header that came from a feed or a template could carry CR/LF
  (header injection); the subject is flattened to one line before it is set,
  and ``email.policy`` refuses CR/LF in every other header value.
* An SMTP server accepts a message before we can record that it did, so
  "exactly once" is impossible; the store's delivery row makes it at most
  once in the normal case and at-least-once across a crash (see
  ``digest.store.base``).  The Message-ID is derived from (date, target) and
  recorded before sending, so a resend after a crash carries the same
  Message-ID and mail clients treat it as the same message.
* The delivery is recorded the moment ``send_message`` returns (the server
  said 250 to DATA), *before* QUIT: a server slow to answer QUIT (seen: 8 s)
  made the window between acceptance and record as long as its wait, and a
  kill in it mailed the digest twice.  QUIT is best effort (``QUIT_TIMEOUT``,
  errors ignored): the message is accepted whatever QUIT answers.  The
  window left is the time of one SQLite commit.
* That commit can fail (the store's disk filled while the message went out):
  the row was then marked failed, or left pending, and the next try mailed the
  digest again.  Now the process remembers what the server accepted
  (:class:`Unrecorded`, :func:`record_accepted`): the daemon's retry records
  it, not sends it; another process (a later ``digest send``) would resend it,
  with the same Message-ID.
* On PostgreSQL the record could fail for longer: a connection the server ended while
  the mail server took the message (a restart, an idle-session limit) left the row
  pending, and the next ``digest send`` mailed it again.  The record is made on a new
  connection (:func:`_connected_again`).

How it works
------------
:func:`deliver` claims the (date, target) row, renders, builds the message
(:func:`build_message`), sends it (:func:`send`) and marks the row sent as
soon as the server accepted it (before QUIT).  A failure marks the row failed (a later run
claims it again) and raises :class:`DeliveryError`: one line naming the
server and the problem, never the password.

Special cases
-------------
* ``security: none`` with a login is refused unless the server is on
  loopback: the password would cross the network in clear text.
* A server that refuses *some* recipients but accepts others: the message is recorded
  sent to the others (a row of their own: a retry would duplicate it for them), and
  :class:`DeliveryError` names whom it reached and each refusal with its answer.  The
  row of the whole list stays failed, so those refused are still owed it: a temporary
  refusal (450 greylisting, 452 too many recipients) is retried, to them alone, as a
  failed send is; a permanent one (550) with the next digest.  (It was recorded sent to
  all, "sent to" named them all, and one greylisted never got that day's digest.)
* ``email.subject`` is a ``str.format`` template with ``{date}``,
  ``{count}`` ("1 story", "3 stories"), ``{stories}`` (the number) and
  ``{title}``; an unknown field is a clear error.  A weekly
  digest's ``{date}`` is its week ("2026-11-17 – 2026-11-23").
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import smtplib
import socket
import ssl
import string
from collections.abc import Callable
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from typing import Any

import jinja2

from ..config import EmailConfig
from ..errors import DigestError, StoreError
from ..records import DigestView, plural
from ..store.base import Store
from .smtpclient import Client, SSLClient, body_options, tls_context

__all__ = [
    "DeliveryError",
    "build_message",
    "default_target",
    "deliver",
    "message_id_for",
    "send",
    "subject_for",
]

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
    temporary refusal (4xx) or an unreachable server."""

    def __init__(self, message: str, *, unreachable: bool = False, permanent: bool = True) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.permanent = permanent and not unreachable


class Unrecorded(StoreError):
    """The server accepted the digest but the store could not record it (its disk full): this
    process remembers it (:func:`record_accepted`) and mails it no more; another would."""


#: What the server accepted that the store could not record then: (store URL, date, target)
#: -> Message-ID, recorded by :func:`record_accepted` once the store can.
_ACCEPTED: dict[tuple[str, str, str], str] = {}


def record_accepted(store: Store, date: str, target: str) -> bool:
    """Record as sent what this process mailed to ``target`` for ``date`` and could not record
    then (:class:`Unrecorded`); True if there was such a mail (recorded now: not to be sent
    again), False if none.  Raises the store's error while it still cannot."""
    key = (store.url, date, target)
    message_id = _ACCEPTED.get(key)
    if message_id is None:
        return False
    store.mark_sent(date, target, message_id)
    del _ACCEPTED[key]
    return True


def _connected_again(store: Store) -> bool:
    """Whether ``store``'s lost connection (PostgreSQL ended it while the mail server took the
    message: a restart, an idle-session limit) could be opened again, to record the send: left
    pending, it was mailed again by the next ``digest send`` or daemon start."""
    lost = getattr(store, "lost", None)
    if lost is None or lost() is None:
        return False
    try:
        store.reconnect()  # type: ignore[attr-defined]
    except StoreError as exc:
        if lost() is None:  # connected, a lock taken by another meanwhile: recorded (it stops the daemon)
            return True
        log.debug("cannot record the send on a new connection: %s", exc)
        return False
    return True


def _mark_sent(store: Store, date: str, target: str, message_id: str) -> None:
    """``store.mark_sent``; where PostgreSQL ended the connection meanwhile, on a new one."""
    try:
        store.mark_sent(date, target, message_id)
    except Exception:
        if not _connected_again(store):
            raise
        store.mark_sent(date, target, message_id)


def _permanent(exc: BaseException) -> bool:
    """Whether the server's answer in ``exc`` refused for good (a 5xx code; every recipient's
    when all were refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(int(code) >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and int(exc.smtp_code) >= 500


def _one_line(s: object) -> str:
    return " ".join(str(s).split())


def default_target(cfg: EmailConfig) -> str:
    """The delivery row's target for an email configuration: its recipients."""
    return "email:" + ",".join(sorted(a.strip().lower() for a in cfg.to))


def _domain(cfg: EmailConfig) -> str:
    addr = parseaddr(cfg.from_)[1]
    domain = addr.rpartition("@")[2].strip().lower()
    ok = domain and all(c.isalnum() or c in ".-" for c in domain)
    return domain if ok else "digest.invalid"


def message_id_for(date: str, target: str, cfg: EmailConfig) -> str:
    """A Message-ID that is the same every time (date, target) is sent."""
    digest = hashlib.sha256(f"{date}\0{target}".encode()).hexdigest()[:20]
    return f"<digest.{_one_line(date)}.{digest}@{_domain(cfg)}>"


class _Fields(string.Formatter):
    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if field_name not in kwargs:  # no attribute/index access into values
            raise KeyError(field_name)
        return kwargs[field_name], field_name


def subject_for(view: DigestView, cfg: EmailConfig) -> str:
    """``cfg.subject`` filled with the date, story count (the heading's: the "also reported"
    lines are no stories, ``DigestView.story_count``) and title, on one line."""
    n = view.story_count
    fields = {"date": view.dates, "count": plural(n, "story", "stories"), "stories": n, "title": view.title}
    try:
        text = _Fields().vformat(cfg.subject, (), fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise DeliveryError(
            f"email.subject: cannot fill {cfg.subject!r} ({type(exc).__name__}: {exc}); "
            "known fields: {date}, {count}, {stories}, {title}"
        ) from None
    return _one_line(text) or f"digest {view.dates}"


def build_message(
    view: DigestView,
    cfg: EmailConfig,
    *,
    tz: tzinfo,
    html: str,
    text: str,
    message_id: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The digest as a ``multipart/alternative`` email (text part, then HTML part)."""
    msg = EmailMessage(policy=SMTP_POLICY)
    try:
        msg["Subject"] = subject_for(view, cfg)
        msg["From"] = cfg.from_
        msg["To"] = ", ".join(cfg.to)
        msg["Date"] = format_datetime((now or datetime.now(tz)).astimezone(tz))
        msg["Message-ID"] = message_id or message_id_for(view.date, default_target(cfg), cfg)
    except ValueError as exc:  # CR/LF or unparsable address in a header
        raise DeliveryError(f"email: invalid header value: {_one_line(exc)}") from None
    msg["MIME-Version"] = "1.0"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


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
        return f"TLS failed: the server's certificate is not trusted ({_one_line(exc.verify_message)}){hint}"
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


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    """The recipients a server refused, each with its answer: "b@x (550 5.1.1 no such user)"."""
    return "; ".join(f"{addr} ({code} {_decode(msg)})" for addr, (code, msg) in sorted(refused.items()))


def _decode(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return _one_line(text)


def send(
    message: EmailMessage,
    cfg: EmailConfig,
    *,
    timeout: float = 30,
    ssl_context: ssl.SSLContext | None = None,
    accepted: Callable[[dict[str, tuple[int, bytes]]], None] | None = None,
) -> None:
    """Hand ``message`` to the configured SMTP server; :class:`DeliveryError` on failure.

    ``accepted`` is called as soon as the server has accepted the message, with the
    recipients it refused (address -> (code, answer); empty when it took them all), before
    QUIT: QUIT is best effort (``QUIT_TIMEOUT``, errors ignored), so a
    server slow to say goodbye neither fails the send nor widens the window
    in which a crash resends.  The answer to the end of the message is waited for
    :data:`digest.output.params.DATA_REPLY_TIMEOUT` (the server scans it then); without one, the error says it
    may have been delivered.  ``ssl_context`` defaults to the system's
    verified context, trusting also ``email.ca_file``'s authorities.
    """
    where = f"email via {cfg.host}:{cfg.port}"
    password: str | None = None
    if cfg.username:
        if cfg.security == "none" and not _is_loopback(cfg.host):
            raise DeliveryError(
                f"{where}: refusing to send the password unencrypted; "
                "set email.security to starttls or ssl"
            )
        password = _password(cfg)
    try:
        context = ssl_context or tls_context(cfg.ca_file)
    except ValueError as exc:  # the file changed since the configuration was read
        raise DeliveryError(f"{where}: email.ca_file: {exc}") from None
    client: Client | None = None
    try:
        if cfg.security == "ssl":
            client = SSLClient(cfg.host, cfg.port, timeout=timeout, context=context)
        else:
            client = Client(cfg.host, cfg.port, timeout=timeout)
        _ehlo(client)
        if cfg.security == "starttls":
            client.starttls(context=context)
            _ehlo(client)
        if cfg.username and password is not None:
            client.login(cfg.username, password)
        message, options = body_options(client, message)
        refused = client.send_message(message, mail_options=options)
    except (smtplib.SMTPException, OSError) as exc:
        if client is not None:
            client.close()
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
        raise DeliveryError(f"{where}: {problem}", unreachable=not answered,
                            permanent=_permanent(exc) or no_login or isinstance(exc, smtplib.SMTPNotSupportedError)) from None
    except BaseException:
        if client is not None:
            client.close()
        raise
    try:
        if accepted is not None:
            accepted(refused)
        elif refused:
            log.warning("%s: some recipients refused: %s", where, _refusals(refused))
    finally:
        _quit(client, min(QUIT_TIMEOUT, timeout))


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


def deliver(
    store: Store,
    view: DigestView,
    cfg: EmailConfig,
    *,
    tz: tzinfo,
    target: str | None = None,
    env: jinja2.Environment | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
    timeout: float = 30,
    ssl_context: ssl.SSLContext | None = None,
) -> bool:
    """Send the day's digest once to ``target``; False if it was already sent (or is being sent).

    On failure the delivery is marked failed (retried by a later call) and
    the error is raised.
    """
    from .mailsize import email_parts

    target = target or default_target(cfg)
    accepted = recorded = False
    refusal: DeliveryError | None = None

    def record(refused: dict[str, tuple[int, bytes]]) -> None:  # accepted: recorded before QUIT
        nonlocal accepted, recorded, refusal
        accepted = True
        if refused:  # sent to the others: theirs is recorded sent; the row of all stays owed
            got = [a for a in cfg.to if parseaddr(a)[1].lower() not in {r.lower() for r in refused}]
            head = target.partition("email:")[0] if "email:" in target else ""
            sub = cfg.model_copy(update={"to": got})
            _mark_sent(store, view.date, head + default_target(sub), message_id)
            refusal = DeliveryError(
                f"email via {cfg.host}:{cfg.port}: sent to {', '.join(got)}, but the server refused "
                f"{_refusals(refused)}",
                permanent=all(int(code) >= 500 for code, _ in refused.values()))
        else:
            _mark_sent(store, view.date, target, message_id)
        recorded = True

    if not store.claim_delivery(view.date, target):
        log.debug("digest %s to %s: already sent or being sent", view.date, target)
        return False
    try:
        previous = store.get_delivery(view.date, target)
        message_id = (previous and previous.message_id) or message_id_for(view.date, target, cfg)
        store.set_message_id(view.date, target, message_id)
        html, text = email_parts(view, env=env, tz=tz, excerpt_chars=excerpt_chars, locale=locale)
        message = build_message(view, cfg, tz=tz, html=html, text=text, message_id=message_id)
        send(message, cfg, timeout=timeout, ssl_context=ssl_context, accepted=record)
        if refusal is not None:  # those refused are owed it: tried again as a failed send is
            raise refusal
    except DeliveryError as exc:
        store.mark_failed(view.date, target, str(exc))
        raise
    except Exception as exc:
        if accepted and not recorded:  # mailed: marked failed, it would be mailed again
            _ACCEPTED[store.url, view.date, target] = message_id
            raise Unrecorded(f"mailed to {target.partition('email:')[2]}, but not recorded as sent "
                             f"({exc}); until it is, another process would mail it again") from exc
        if not recorded:
            store.mark_failed(view.date, target, f"internal error: {type(exc).__name__}: {exc}")
        raise
    # the caller says what happened, once (``digest send``'s line, the daemon's log)
    log.debug("digest %s sent to %s (%s)", view.date, target, message_id)
    return True
