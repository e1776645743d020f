"""Sending the daily digest by email, at most once per (day, target) and reader.

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
  "exactly once" is impossible.  It was at-least-once across a kill (of 40 sends killed
  0-30 ms after the server's 250, 4 mailed the day again; Stop 57).  Now at most once: the
  reader's row is marked *whole* (in doubt) and committed immediately before the end of the
  message ("\r\n.\r\n") is written (``Session.send``'s ``before_end``); a kill before it leaves
  the server an unfinished message it discards (the row pending: sent again), a kill after it
  a message the server delivers (the row whole: counted sent, "unconfirmed", never sent
  again; ``digest.service.delivery.send_digest`` logs it).  What is left to lose: a kill
  between that commit and the write of the end, or a server refusing the message after its
  end while the sender is dead (see ``digest.store.deliveries``).  The Message-ID is derived
  from (date, the reader's row) and recorded before sending, so a resend (a pending row
  claimed again, or a live failure after the end: no answer in time, sent again as before)
  carries the same Message-ID and mail clients treat it as the same message.
* All readers shared one ``To:``: every reader of a family's or a team's digest saw every
  other reader's address.  Each reader now gets a message of their own (``To:`` them alone,
  their own Message-ID and delivery row, so "at most once" holds per reader across a crash or
  a retry), the messages sent over one connection (:class:`digest.output.smtpsend.Session`).
  Not ``To:`` the sender with the readers in the envelope only: filters and spam scores read
  a ``To:`` that is not the reader's as a list or worse.
* A store of a digest before one message each may hold the list's row pending: killed while
  the server took the message To: all, its answer lost.  The readers' messages then carried
  Message-IDs of their own, each reader's second copy a message of its own in the mailbox;
  a reader with no row of their own now gets the list's Message-ID, as that version's resend
  did: any list of the day holding them (:func:`tried_lists`), the send's own list having
  changed since (narrowed to whom a later try did not reach, or ``to:`` edited).  This version gives the list's row of several readers no Message-ID before it is
  sent: it did, and after a try the server refused (connection refused at 07:05), the
  readers left untried were each mailed that one id, two messages under one Message-ID
  (a mailbox both reach, an alias or a forward, keeps one).
* The delivery is recorded the moment ``send_message`` returns (the server
  said 250 to DATA), *before* QUIT: a server slow to answer QUIT (seen: 8 s)
  made the window between acceptance and record as long as its wait, and a
  kill in it mailed the digest twice.  QUIT is best effort (``QUIT_TIMEOUT``,
  errors ignored): the message is accepted whatever QUIT answers.  (The window
  left, one SQLite commit, is now closed by the *whole* mark, above.)
* That commit can fail (the store's disk filled while the message went out):
  the row was then marked failed, or left pending, and the next try mailed the
  digest again.  Now the process remembers what the server accepted
  (:class:`Unrecorded`, :func:`record_accepted`): the daemon's retry records
  it, not sends it; another process (a later ``digest send``) finds the row *whole* (marked
  before the message's end) and counts it sent, unconfirmed.
* On PostgreSQL the record could fail for longer: a connection the server ended while
  the mail server took the message (a restart, an idle-session limit) left the row
  pending, and the next ``digest send`` mailed it again.  The record is made on a new
  connection (:func:`_connected_again`).

How it works
------------
:func:`deliver` claims the (date, target) row, renders, and for each reader claims their row
(one reader: the target's own), builds their message (:func:`build_message`), sends it (the
row marked *whole* just before the message's end) and
marks their row sent as soon as the server accepted it (before QUIT); the target's row is
marked sent once every reader's is.  A failure marks the rows failed (a later run claims them
again; a reader's row sent is passed over) and raises :class:`DeliveryError`: one line naming
the server and the problem, never the password.

Special cases
-------------
* ``security: none`` with a login is refused unless the server is on
  loopback: the password would cross the network in clear text.
* A server that refuses *some* readers but accepts others: theirs are recorded sent, and
  :class:`DeliveryError` names whom it reached and each refusal with its answer
  (:func:`_outcome`).  The row of the whole list stays failed, so those refused are still
  owed it: a temporary refusal (450 greylisting) is retried, to them alone, as a failed send
  is; a permanent one (550) with the next digest.  (It was recorded sent to all, "sent to"
  named them all, and one greylisted never got that day's digest.)  A connection lost midway
  leaves the rest not tried, named so.
* ``email.subject`` is a ``str.format`` template with ``{date}``,
  ``{count}`` ("1 story", "3 stories"; "2 stories + 8 earlier" with a new source's backlog,
  as the heading counts them), ``{stories}`` (the day's news, the number), ``{earlier}``
  (the backlog's, 0 without) and ``{title}``; an unknown field is a clear error.  A weekly
  digest's ``{date}`` is its week ("2026-11-17 – 2026-11-23").
* A line of a part beginning "From " (an excerpt wrapped before a sentence's "From", a title
  "From ... to ...") is the line an mbox separates messages at: a server or client storing the
  mail in an mbox (Postfix's and procmail's local delivery, Python's ``mailbox``, mutt) wrote
  it ">From ", and the text part's reader saw the ">" (stop 61).  Such a part goes out
  quoted-printable with the "F" as "=46" (RFC 2045 6.7's advice), the same text decoded
  (:func:`_armour_from`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import ssl
import string
from collections.abc import Callable
from datetime import datetime, tzinfo
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from typing import Any

import jinja2

from ..config import EmailConfig
from ..errors import StoreError
from ..records import DigestView
from ..store.base import Store
from ..store.deliveries import address_of, addresses_in
from ..text.shown import one_line
from .numbers import format_count
from .sanitize import shown_title
from .smtpsend import QUIT_TIMEOUT, DeliveryError, Session, refusals, send

__all__ = [
    "QUIT_TIMEOUT",
    "DeliveryError",
    "build_message",
    "default_target",
    "deliver",
    "message_id_for",
    "send",
    "subject_for",
]

log = logging.getLogger(__name__)


class Unrecorded(StoreError):
    """The server accepted the digest but the store could not record it (its disk full): this
    process remembers it (:func:`record_accepted`) and mails it no more; another counts its
    *whole* row sent, unconfirmed."""


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


def _on_a_new_connection(store: Store, write: Callable[[], None]) -> None:
    """``write`` (a delivery row's record); where PostgreSQL ended the connection meanwhile (a
    restart, an idle-session limit during the long wait for the answer to the message's end),
    again on a new one (:func:`_connected_again`)."""
    try:
        write()
    except Exception:
        if not _connected_again(store):
            raise
        write()


def _mark_sent(store: Store, date: str, target: str, message_id: str) -> None:
    """``store.mark_sent``, on a new connection where PostgreSQL ended the one it had."""
    _on_a_new_connection(store, lambda: store.mark_sent(date, target, message_id))


def _mark_failed(store: Store, date: str, target: str, error: str) -> None:
    """``store.mark_failed``, on a new connection where PostgreSQL ended the one it had.  The row
    was marked *whole* before the end: left so, the next send counted it sent, unconfirmed, and a
    message the server had refused (451 after the end) was never mailed (review of stop 58)."""
    _on_a_new_connection(store, lambda: store.mark_failed(date, target, error))


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
    return f"<digest.{one_line(date)}.{digest}@{_domain(cfg)}>"


class _Fields(string.Formatter):
    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if field_name not in kwargs:  # no attribute/index access into values
            raise KeyError(field_name)
        return kwargs[field_name], field_name


def subject_for(view: DigestView, cfg: EmailConfig, locale: str | None = None) -> str:
    """``cfg.subject`` filled with the date, story count (the heading's: the "also reported"
    lines are no stories, ``DigestView.story_count``; a new source's backlog, listed apart
    under "Earlier news", counted apart as the heading does: "2 stories + 8 earlier", not
    "10 stories") and title, on one line.  ``{count}``'s numbers are grouped in ``locale``
    ("1,204 stories"); ``{stories}`` and ``{earlier}`` stay numbers (a user's ``{stories:d}``)."""
    earlier = view.backlog
    n = view.story_count - earlier
    count = (f"{format_count(n, locale)} {'story' if n == 1 else 'stories'}"
             + (f" + {format_count(earlier, locale)} earlier" if earlier else ""))
    fields = {"date": view.dates, "count": count, "stories": n, "earlier": earlier, "title": view.title}
    try:
        text = _Fields().vformat(cfg.subject, (), fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise DeliveryError(
            f"email.subject: cannot fill {cfg.subject!r} ({type(exc).__name__}: {exc}); "
            "known fields: {date}, {count}, {stories}, {earlier}, {title}"
        ) from None
    return shown_title(text) or f"digest {view.dates}"  # the configuration's words: no control character


def build_message(
    view: DigestView,
    cfg: EmailConfig,
    *,
    tz: tzinfo,
    html: str,
    text: str,
    message_id: str | None = None,
    now: datetime | None = None,
    to: str | None = None,
    locale: str | None = None,
) -> EmailMessage:
    """The digest as a ``multipart/alternative`` email (text part, then HTML part), to ``to``
    (one reader, as :func:`deliver` sends it), else to every address of ``email.to``
    (``locale``: the subject's counts, :func:`subject_for`)."""
    msg = EmailMessage(policy=SMTP_POLICY)
    try:
        msg["Subject"] = subject_for(view, cfg, locale)
        msg["From"] = cfg.from_
        msg["To"] = to if to is not None else ", ".join(cfg.to)
        msg["Date"] = format_datetime((now or datetime.now(tz)).astimezone(tz))
        msg["Message-ID"] = message_id or message_id_for(view.date, default_target(cfg), cfg)
    except ValueError as exc:  # CR/LF or unparsable address in a header
        raise DeliveryError(f"email: invalid header value: {one_line(str(exc))}") from None
    msg["MIME-Version"] = "1.0"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    for part in msg.iter_parts():
        _armour_from(part)
    return msg


#: A line of a message body an mbox would take for the start of a message (RFC 4155).
_FROM_LINE = re.compile(r"^From ", re.MULTILINE)


def _armour_from(part: MIMEPart) -> None:
    """``part`` (a text part) with no line beginning "From ": quoted-printable, each such line's
    "F" written "=46" (an mbox's storing made it ">From "; see the module docstring)."""
    body = part.get_payload()
    if not isinstance(body, str) or not _FROM_LINE.search(body):
        return
    if part.get("Content-Transfer-Encoding", "").lower() != "quoted-printable":  # 7bit, 8bit
        part.set_content(part.get_content(), subtype=part.get_content_subtype(), charset="utf-8",
                         cte="quoted-printable")
        del part["MIME-Version"]  # set_content adds one; the message has its own
        body = part.get_payload()
    part.set_payload(_FROM_LINE.sub("=46rom ", str(body)))



def _readers(cfg: EmailConfig, target: str) -> list[tuple[str, str]]:
    """Each reader of ``email.to`` with the target of its own delivery row: the list's own
    ``target`` for a list of one; for several, ``target``'s head ("NAME:" of a digest, else a
    target not of the ``email:`` form and ":") and the reader's :func:`default_target`.
    An address listed again in another spelling ("Ann <ann@x>", "ANN@x") is one reader, as
    first listed: each spelling was a row and a message of its own."""
    if len(cfg.to) == 1:
        return [(cfg.to[0], target)]
    head = target.partition("email:")[0] if "email:" in target else target + ":"
    firsts: dict[str, str] = {}
    for entry in cfg.to:
        firsts.setdefault(address_of(entry), entry)
    return [(entry, head + default_target(cfg.model_copy(update={"to": [entry]}))) for entry in firsts.values()]


def tried_lists(store: Store, date: str, target: str) -> dict[str, str]:
    """Each address of a list row of the day (of several readers, under ``target``'s head: the
    same digest) not sent and holding a Message-ID, with that Message-ID (the latest claimed
    row's where several hold it).  Only a digest before one message each (b165539) left such a
    row: it was one message To: all, recorded before it was sent; this version gives a list's
    row of several no Message-ID until every reader has theirs.  Observed: that version
    killed while the server took the message, then this one's send cut off after ann (or a
    421 after bob), its retry narrowed the list to the rest ("email:bob,cy", a row of no
    Message-ID), and cy, with no row of their own, was mailed an id of their own: a second
    message; alike for every reader after ``to:`` changed between the tries."""
    if "email:" not in target:
        return {}
    head = target.partition("email:")[0] + "email:"
    rows = [r for r in store.deliveries_on(date)
            if r.target.startswith(head) and r.status != "sent" and r.message_id]
    found: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r.claimed_at.timestamp() if r.claimed_at else 0.0):
        addresses = addresses_in(row.target[len(head):])
        if len(addresses) > 1:
            found.update(dict.fromkeys(addresses, row.message_id or ""))
    return found


def _outcome(where: str, reached: list[str], failed: dict[str, DeliveryError], untried: list[str]) -> DeliveryError:
    """One line for readers not reached: the one failure as it was when it was all there is (a
    server refusing the connection: the rest not tried); else whom it reached, whom the server
    refused at RCPT with its answer, each other problem with its readers, and whom it did not try."""
    problems: dict[str, list[str]] = {}
    refused: dict[str, tuple[int, bytes]] = {}
    for entry, exc in failed.items():
        if exc.refused:
            refused.update(exc.refused)
        else:
            problems.setdefault(str(exc).removeprefix(where + ": "), []).append(entry)
    permanent = all(exc.permanent for exc in failed.values())
    if not reached and not refused and len(problems) == 1:
        problem = next(iter(problems))
        if len(failed) == 1 or not untried:  # the same for everyone tried
            first = next(iter(failed.values()))
            return DeliveryError(f"{where}: {problem}", unreachable=first.unreachable, permanent=permanent)
    parts = [f"the server refused {refusals(refused)}"] if refused else []
    parts += [f"{', '.join(readers)}: {problem}" for problem, readers in problems.items()]
    if untried:
        parts.append(f"not tried: {', '.join(untried)}")
    said = (f"sent to {', '.join(reached)}, but " if reached else "") + "; ".join(parts)
    return DeliveryError(f"{where}: {said}", permanent=permanent,
                         unreachable=not reached and all(exc.unreachable for exc in failed.values()))


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
    """Send the day's digest once to ``target``, one message to each reader of ``email.to``
    (:func:`_readers`: its own ``To:``, Message-ID and delivery row); False if it was already
    sent (or is being sent).

    A reader whose row says sent is not mailed again (a retry after some were reached); a
    pending one is taken over: ``target``'s claim, and the ``deliver`` lock of the caller,
    leave no other sender of it.  The list's row is marked sent once every reader is; on
    failure it is marked failed (retried by a later call) and one error is raised
    (:func:`_outcome`).
    """
    from .mailsize import email_parts

    target = target or default_target(cfg)
    date, where = view.date, f"email via {cfg.host}:{cfg.port}"
    reached: list[str] = []
    failed: dict[str, DeliveryError] = {}
    untried: list[str] = []

    def one(session: Session, entry: str, row: str) -> None:
        """Mail ``entry`` its own message, recorded sent the moment the server took it (before QUIT)."""
        previous = store.get_delivery(date, row)
        inherited = tried.get(address_of(entry), listed_id if row != target else None)  # a list of one: its row
        message_id = (previous and previous.message_id) or inherited or message_id_for(date, row, cfg)
        store.set_message_id(date, row, message_id)
        message = build_message(view, cfg, tz=tz, html=html, text=text, message_id=message_id, to=entry,
                                    locale=locale)
        try:  # the row marked *whole* (in doubt) the moment before the message's end is written
            session.send(message, before_end=lambda: store.send_whole_mark(date, row))
        except DeliveryError as exc:
            failed[entry] = exc
            if row != target:
                _mark_failed(store, date, row, str(exc))
            return
        try:
            _mark_sent(store, date, row, message_id)
        except Exception as exc:  # mailed: marked failed, it would be mailed again
            _ACCEPTED[store.url, date, row] = message_id
            raise Unrecorded(f"mailed to {row.partition('email:')[2]}, but not recorded as sent "
                             f"({exc}); until it is, another process counts it sent, unconfirmed") from exc
        reached.append(entry)

    # The list's try before: a reader with no row of their own may have had its message, To: all
    # (a digest before one message each was interrupted, the server's answer lost): theirs now
    # carries its Message-ID, a client takes it for the same one (theirs was a second message).
    # Any list of the day holding them, not only this one: ``to:`` changed since, or the list
    # narrowed to whom a later try did not reach (``tried_lists``).
    listed = store.get_delivery(date, target)
    listed_id = listed.message_id if listed is not None and listed.status != "sent" else None
    tried = tried_lists(store, date, target)
    if not store.claim_delivery(date, target):
        log.debug("digest %s to %s: already sent or being sent", date, target)
        return False
    try:
        # the list's row of several readers is of no message: it is given no Message-ID until
        # sent (its readers' own ids would be inherited from it after a failed try, ``tried``)
        readers = _readers(cfg, target)
        html, text = email_parts(view, env=env, tz=tz, excerpt_chars=excerpt_chars, locale=locale)
        with Session(cfg, timeout=timeout, ssl_context=ssl_context) as session:
            for entry, row in readers:
                if session.broken:  # the connection failed: so would theirs
                    untried.append(entry)
                elif row != target and (record_accepted(store, date, row)
                                        or not store.claim_delivery(date, row, stale_after=0)):
                    reached.append(entry)  # its row says sent: a try before reached it
                else:
                    one(session, entry, row)
            if failed or untried:  # those not reached are owed it: tried again as a failed send is
                raise _outcome(where, reached, failed, untried)
            if readers[0][1] != target:  # before QUIT too
                listed = store.get_delivery(date, target)
                _mark_sent(store, date, target, (listed and listed.message_id) or message_id_for(date, target, cfg))
    except DeliveryError as exc:
        _mark_failed(store, date, target, str(exc))
        raise
    except Unrecorded:
        raise
    except Exception as exc:
        _mark_failed(store, date, target, f"internal error: {type(exc).__name__}: {exc}")
        raise
    # the caller says what happened, once (``digest send``'s line, the daemon's log)
    log.debug("digest %s sent to %s", date, target)
    return True
