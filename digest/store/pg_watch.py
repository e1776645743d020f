"""A statement waiting on a PostgreSQL server that stopped answering: its connection is cut.

Observations
------------
* A server frozen (``SIGSTOP``, a paused VM, a host whose kernel still answers TCP while
  PostgreSQL does not) left a statement waiting for good: libpq has no client-side time
  limit, the server's ``statement_timeout`` runs on the frozen server, and TCP keepalives
  are answered by the kernel.  A ``digest run``, a worker or the daemon hung without a line
  (reviews, stop 48: a daemon still silent minutes later, going on only once resumed).
* A statement may rightly wait long: for the clustering lock another worker holds, for a
  delivery row another sender has claimed.  The server answers a new connection then.

How it works
------------
One thread for the process looks every second at each open store's connection.  One with
a statement in flight (libpq: ``ACTIVE``) for :data:`~digest.store.params.STALL_SECONDS`
has its server probed: a new connection within ``PROBE_TIMEOUT``.  A server that answers
(an error is an answer too) is left alone, and probed again a stall later; one that does
not has the stuck connection's socket shut down: the statement fails at once, the
connection is lost, and the caller's one line follows (``StoreLost``; the daemon connects
again at its next round).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import weakref
from typing import Any, Protocol

import psycopg
from psycopg import pq

from . import params

log = logging.getLogger(__name__)


class _Watched(Protocol):
    db: psycopg.Connection[Any]

    def _probe_url(self) -> str: ...


_stores: weakref.WeakSet[Any] = weakref.WeakSet()
_busy: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_thread: threading.Thread | None = None


def watch(store: _Watched) -> None:
    """Watch ``store``'s connection for as long as the store lives."""
    global _thread
    with _lock:
        _stores.add(store)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="digest-pg-watch", daemon=True)
            _thread.start()


class Connection:
    """A connection of another's making (APScheduler's job store), watched as a store's."""

    def __init__(self, db: psycopg.Connection[Any]) -> None:
        self.db = db

    def _probe_url(self) -> str:
        return self.db.info.dsn

    @classmethod
    def watched(cls, dbapi_connection: Any, record: Any) -> None:
        """SQLAlchemy's ``connect`` event: watch the new connection while its pool keeps it."""
        if isinstance(dbapi_connection, psycopg.Connection):
            record.info["digest_watch"] = watched = cls(dbapi_connection)
            watch(watched)


def _loop() -> None:
    while True:
        time.sleep(1.0)
        with _lock:
            stores = list(_stores)
        for store in stores:
            try:
                check(store)
            except Exception as exc:  # the watch never stops the process
                log.debug("pg watch: %s", exc)


def check(store: _Watched, now: float | None = None) -> bool:
    """Look at ``store`` once; True when its connection was cut."""
    now = time.monotonic() if now is None else now
    db = store.db
    if db.closed or db.pgconn.transaction_status != pq.TransactionStatus.ACTIVE:
        _busy.pop(store, None)
        return False
    since = _busy.setdefault(store, now)
    if now - since < params.STALL_SECONDS:
        return False
    _busy[store] = now  # probed: again a stall later, if it still waits
    if answers(store._probe_url()):
        return False
    if db.closed or db.pgconn.transaction_status != pq.TransactionStatus.ACTIVE:
        return False  # it ended while the probe waited (its socket may be closed, its number reused)
    cut(db)
    return True


def answers(url: str) -> bool:
    """Whether the server at ``url`` answers a new connection within ``PROBE_TIMEOUT``."""
    try:
        psycopg.connect(url, connect_timeout=params.PROBE_TIMEOUT).close()
    except psycopg.OperationalError as exc:
        return "timeout expired" not in str(exc)  # refused, a full server, a login: it answered
    except psycopg.Error:
        return True
    return True


def cut(db: psycopg.Connection[Any]) -> None:
    """Shut the connection's socket down: the statement waiting on it fails at once."""
    fd = db.pgconn.socket
    sock = socket.socket(fileno=os.dup(fd))
    try:
        sock.shutdown(socket.SHUT_RDWR)
    finally:
        sock.close()
