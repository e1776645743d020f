"""The rows of the digests written and mailed, and when a delivery may be claimed.

Deliveries: at-least-once, with a small window
----------------------------------------------
``claim_delivery`` marks (date, target) *pending* before sending; a *sent*
row is never claimed again; a *pending* row is left alone unless older than
``stale_after`` (its sender died), then it may be reclaimed.  The SMTP server
accepts a message before ``mark_sent`` can record it, so a kill exactly in
between resends once after the stale timeout: the choice is at-least-once
over losing a digest.  The sender records it as soon as the server answered
DATA, before QUIT (``digest.output.mailer.deliver``), so the window is one
commit long.  The sender narrows it by recording the Message-ID
with ``set_message_id`` before sending (durably) and reusing
``get_delivery(...).message_id`` when it reclaims: the resend then carries
the same Message-ID, which mail clients treat as the same message.

A mail row's target is ``email:`` and its list, the entries of ``to:`` as written, lower case
and comma-joined (``digest.output.mailer.default_target``), after a digest's ``NAME:``; its
readers are read back as addresses (:func:`addresses_in`), each entry of ``to:`` as its address
(:func:`address_of`), so one reader is one address whatever its spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses, parseaddr


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
    status: str  # 'pending' | 'sent' | 'failed'
    attempts: int
    last_error: str | None
    message_id: str | None
    claimed_at: datetime | None
    sent_at: datetime | None


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
    if status == "sent":
        return False
    # pending: someone is sending, unless the claim is stale (its sender died)
    return claimed_at is None or (now - claimed_at).total_seconds() >= stale_after


def address_of(entry: str) -> str:
    """The address of an entry of ``to:`` ("Jane <j@x>": "j@x"), lower case: "Ann <ann@x>" and
    "ANN@x" are one reader."""
    return (parseaddr(entry)[1] or entry).strip().lower()


def addresses_in(listed: str) -> set[str]:
    """The addresses of a mail target's list (its part after ``email:``), lower case: read as
    addresses, not split at commas (a name "Doe, Jane" holds one)."""
    return {a.strip().lower() for _, a in getaddresses([listed]) if a}
