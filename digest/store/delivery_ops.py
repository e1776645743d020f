"""The digests written and the deliveries mailed: their rows, the same on every backend.

Observations
------------
* A delivery row's state is what keeps a day's mail at most once a reader across a kill
  (``digest.store.deliveries`` tells the states and the window each write closes): the
  Message-ID is written durably before the message is sent, the *whole* mark just before its
  end without waiting for the disk (a kill cannot undo it; a wait for the disk was a window in
  which a kill lost the day), and *sent* durably once the server answered.

How it works
------------
``DeliveryOps`` is a mixin of :class:`digest.store.ops.StoreOps`, its methods taking the
backend as ``self`` (``_Backend``: the shared SQL runner and the three transactions a backend
provides, ``transaction``, ``_durable`` and ``_unsynced``).  Claiming a row is each backend's
own (its locking); what follows the claim is here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from ..errors import StoreError
from .base import utcnow
from .deliveries import UNCONFIRMED, Delivery

#: The in-doubt mark on a claimed row (sent again on a new connection: marked again); its
#: parameters the time, the date and the target.  PostgreSQL sends it pipelined with the
#: message's end (``PostgresStore.send_whole_mark``), the same statement.
WHOLE_MARK = ("UPDATE deliveries SET status='whole', sent_at=? WHERE date=? AND target=? "
              "AND status IN ('pending', 'whole')")


def _nothing() -> None:
    """Nothing left to do once the end is written."""


class _Backend(Protocol):
    """What :class:`DeliveryOps` needs of the store it is mixed into."""

    def transaction(self) -> AbstractContextManager[Any]: ...
    def _durable(self) -> AbstractContextManager[Any]: ...
    def _unsynced(self) -> AbstractContextManager[Any]: ...
    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def _stamp(self, dt: datetime) -> Any: ...
    def get_delivery(self, date: str, target: str) -> Delivery | None: ...
    def mark_whole(self, date: str, target: str) -> None: ...


class DeliveryOps:
    """The writes of the ``digests`` and ``deliveries`` tables (mixed into ``StoreOps``)."""

    def delivery_status(self: _Backend, date: str, target: str) -> str | None:
        d = self.get_delivery(date, target)
        return None if d is None else d.status

    def record_digest(
        self: _Backend,
        date: str,
        fmt: str,
        path: str | None,
        stories: int,
        *,
        articles_read: int = 0,
        duplicates: int = 0,
        built_at: datetime | None = None,
    ) -> None:
        with self.transaction():
            self._run(
                "INSERT INTO digests(date, format, built_at, path, stories, articles_read, duplicates) "
                "VALUES(?,?,?,?,?,?,?) ON CONFLICT(date, format) DO UPDATE SET "
                "built_at=excluded.built_at, path=excluded.path, stories=excluded.stories, "
                "articles_read=excluded.articles_read, duplicates=excluded.duplicates",
                (date, fmt, self._stamp(built_at or utcnow()), path, stories, articles_read, duplicates),
            )

    def set_message_id(self: _Backend, date: str, target: str, message_id: str) -> None:
        """Record the Message-ID about to be sent (durably) on the claimed row."""
        with self._durable():
            cur = self._run(
                "UPDATE deliveries SET message_id=? WHERE date=? AND target=? AND status='pending'",
                (message_id, date, target),
            )
            if cur.rowcount != 1:
                raise StoreError(f"delivery {date} to {target}: not claimed, cannot send")

    def mark_whole(self: _Backend, date: str, target: str) -> None:
        """Record that the whole message but its end ("." alone) is about to leave on the claimed
        row: *whole*, in doubt, never claimed again (see ``digest.store.deliveries``); ``sent_at``
        now.  Committed without waiting for the disk (``_unsynced``: a kill cannot undo it, a power
        cut can, and the day is then sent again): a kill while the commit waited for the disk
        lost the day, the row whole and the end never written (7 of 96 such rows, Stop 58).
        Sending it again on a new connection (the old one cut before its end) marks it again."""
        with self._unsynced():
            cur = self._run(WHOLE_MARK, (self._stamp(utcnow()), date, target))
            if cur.rowcount != 1:
                raise StoreError(f"delivery {date} to {target}: not claimed, cannot send")

    def send_whole_mark(self: _Backend, date: str, target: str) -> Callable[[], None]:
        """``mark_whole``, committed before it returns (SQLite: its WAL write, no wait); what to
        call once the message's end is written: nothing here.  PostgreSQL sends the mark and
        reads its answer only after the end is written (``PostgresStore.send_whole_mark``)."""
        self.mark_whole(date, target)
        return _nothing

    def mark_unconfirmed(self: _Backend, date: str, target: str) -> bool:
        """Count a *whole* row (its sender died after the whole message left, before the
        server's answer) as sent, ``last_error`` saying it is unconfirmed (:data:`UNCONFIRMED`);
        True if there was such a row, False otherwise (nothing written)."""
        with self._durable():
            cur = self._run(
                "UPDATE deliveries SET status='sent', last_error=? WHERE date=? AND target=? AND status='whole'",
                (UNCONFIRMED, date, target),
            )
            return cur.rowcount == 1

    def mark_sent(self: _Backend, date: str, target: str, message_id: str) -> None:
        now = self._stamp(utcnow())
        with self._durable():
            self._run(
                "INSERT INTO deliveries(date, target, status, attempts, message_id, claimed_at, sent_at) "
                "VALUES(?,?,'sent',1,?,?,?) ON CONFLICT(date, target) DO UPDATE SET status='sent', "
                "message_id=excluded.message_id, sent_at=excluded.sent_at, last_error=NULL",
                (date, target, message_id, now, now),
            )

    def mark_failed(self: _Backend, date: str, target: str, error: str) -> None:
        """Record a failed attempt (never downgrades a 'sent' row; a *whole* one is failed: the
        sender saw the failure, and a later claim sends it again)."""
        with self.transaction():
            self._run(
                "INSERT INTO deliveries(date, target, status, attempts, last_error) "
                "VALUES(?,?,'failed',1,?) ON CONFLICT(date, target) DO UPDATE SET "
                "status='failed', last_error=excluded.last_error, sent_at=NULL WHERE deliveries.status != 'sent'",
                (date, target, error),
            )
