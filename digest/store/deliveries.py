"""The rows of the digests written and mailed, and when a delivery may be claimed.

Deliveries: at most once across a kill, the loss window microseconds
--------------------------------------------------------------------
``claim_delivery`` marks (date, target) *pending* before sending; a *sent*
row is never claimed again; a *pending* row is left alone unless older than
``stale_after`` (its sender died), then it may be reclaimed.  The SMTP server
accepts a message before ``mark_sent`` can record it: a kill in between (of 40
``digest send`` killed 0-30 ms after the server's 250, 4; Stop 57) mailed the
day again.  So the sender commits a mark first, ``mark_whole`` (status
*whole*: in doubt), immediately before the end of the message ("\r\n.\r\n")
is written (``digest.output.smtpclient.Client.send``).  Before that point the
server holds an unfinished DATA and discards it if the sender dies: a pending
row is safely sent again.  After it, a kill -9 still lets the kernel deliver
the end, and the server the message.  A *whole* row is never claimed: the next
lock holder (``digest.service.delivery.send_digest``) counts it sent, with
:data:`UNCONFIRMED` as its ``last_error`` (``mark_unconfirmed``), and logs one
line naming the day and the reader.  The mark is committed without waiting for
the disk (``_unsynced``: SQLite's WAL commit at synchronous=NORMAL, no checkpoint;
PostgreSQL's ``synchronous_commit`` off): a kill cannot undo it once the commit is
in the OS's (the server's) hands, and a wait for the fsync was a window in which a
kill left the row whole and the end unwritten (7 days lost in 96 such rows; Stop
58).  A power cut can undo it (the store stays whole): the day is then sent again,
as before.  On PostgreSQL the commit is a round trip, a window too (4 days lost in 74 *whole*
rows): its mark is written ahead of the end and its answer read after the end is written
(``send_whole_mark``; 0 lost in 68).  A day is lost only if the kill falls
between the mark's write and the write of five bytes, or the server refuses the
message after its end (or dies) while the sender is dead.  A live failure after the end (no
answer in time) is marked failed as before and sent again with the same
Message-ID: the sender saw it fail, and a server that has not answered in
``DATA_REPLY_TIMEOUT`` may well have dropped it.  The Message-ID is recorded with
``set_message_id`` before sending (durably) and reused when a row is claimed
again, so a resend carries the same Message-ID, which mail clients treat as the
same message.  (A digest before this version reads a *whole* row as pending.)

A mail row's target is ``email:`` and its list, the entries of ``to:`` as written, lower case
and comma-joined (``digest.output.mailer.default_target``), after a digest's ``NAME:``; its
readers are read back as addresses (:func:`addresses_in`), each entry of ``to:`` as its address
(:func:`address_of`), so one reader is one address whatever its spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses, parseaddr

#: ``last_error`` of a row counted as sent without the server's answer (``mark_unconfirmed``).
UNCONFIRMED = "unconfirmed: the sender died after the whole message had left, before the server's answer"


@dataclass(slots=True)
class DigestRecord:
    date: str
    format: str
    built_at: datetime
    path: str | None
    stories: int
    articles_read: int
    duplicates: int


@dataclass(slots=True)
class Delivery:
    date: str
    target: str
    status: str  # 'pending' | 'whole' (in doubt: the whole message left) | 'sent' | 'failed'
    attempts: int
    last_error: str | None
    message_id: str | None
    claimed_at: datetime | None
    sent_at: datetime | None

    @property
    def unconfirmed(self) -> bool:
        """Counted as sent without the server's answer (its sender died after the whole message
        left: ``mark_unconfirmed``)."""
        return self.status == "sent" and self.last_error == UNCONFIRMED


@dataclass(slots=True)
class DayCounts:
    """Counts for a digest window [start, end)."""

    articles_read: int  # articles fetched in the window
    stories: int  # stories first seen in the window
    duplicates: int  # versions beyond the lead, over those stories


def may_claim(status: str | None, claimed_at: datetime | None, now: datetime, stale_after: float) -> bool:
    """Whether a delivery row in ``status`` may be claimed (see the module docstring)."""
    if status is None or status == "failed":
        return True
    if status in ("sent", "whole"):  # whole: the message left, the server delivers it (not again)
        return False
    # pending: someone is sending, unless the claim is stale (its sender died)
    return claimed_at is None or (now - claimed_at).total_seconds() >= stale_after


def address_of(entry: str) -> str:
    """The address of an entry of ``to:`` ("Jane <j@x>": "j@x"), lower case: "Ann <ann@x>" and
    "ANN@x" are one reader; "Doe, Ann <ann@x>" (a name with a comma, not quoted): "ann@x", not
    the "doe" ``parseaddr`` gives first (stop 65)."""
    named = [a for _, a in getaddresses([entry]) if "@" in a]
    return (named[0] if len(named) == 1 else parseaddr(entry)[1] or entry).strip().lower()


def addresses_in(listed: str) -> set[str]:
    """The addresses of a mail target's list (its part after ``email:``), lower case: read as
    addresses, not split at commas (a name "Doe, Jane" holds one)."""
    return {a.strip().lower() for _, a in getaddresses([listed]) if a}
