"""waitress serving the archive's WSGI application: its limits, its proxy settings, its stop.

Observations
------------
* The standard library's ``http.server`` listened with a backlog of 5 and kept a thread
  per connection with no timeout (300 half-sent requests held 301 threads).  Now the
  server is waitress: an event loop reads each request whole before a worker of a fixed
  pool (``THREADS``) sees it (a slow or stalled client costs a socket, not a thread), a
  listen backlog of ``BACKLOG``, a cap on connections (``CONNECTIONS``) and an idle
  timeout (``IDLE_TIMEOUT``).

Special cases
-------------
* Behind a reverse proxy, ``trusted_proxy`` lets waitress take the reader's scheme and
  host from that address's ``X-Forwarded-*`` (``PROXY_HEADERS``; from others they are
  dropped), and ``url_prefix`` becomes every request's ``SCRIPT_NAME``.
* waitress's "Task queue depth" warning is said at most once a ``QUEUE_LOG_EVERY``
  seconds: a queue is the design.
"""

from __future__ import annotations

import logging
import re
import resource
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from waitress import wasyncore
from waitress.server import create_server
from waitress.trigger import trigger as _Trigger

from ..errors import DigestError

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


#: Workers rendering pages (the event loop does the reading and writing).
THREADS = 8
#: Pending connections the kernel queues before the server accepts them.
BACKLOG = 1024
#: Open connections at most (stalled ones included); fewer when the process may open fewer files.
CONNECTIONS = 1000
#: A connection idle this long (no byte read or sent) is closed; checked every CLEANUP seconds.
IDLE_TIMEOUT = 30
CLEANUP = 5
#: waitress warns "Task queue depth is N" for each request that finds every worker busy (ten
#: readers for the eight workers: 1,244 lines in 25 s); a queue is the design (the event loop
#: holds the waiting requests), so it is said at most once this many seconds.
QUEUE_LOG_EVERY = 60.0


class _QueueNotes(logging.Filter):
    """Lets waitress's queue warning through at most once a ``QUEUE_LOG_EVERY`` seconds."""

    said = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.said < QUEUE_LOG_EVERY:
            return False
        self.said = now
        return True


class ArchiveServer:
    """waitress serving the archive, with the interface of ``socketserver``:
    ``serve_forever()`` in one thread, ``shutdown()`` from another, ``server_close()``."""

    def __init__(
        self, app: WSGIApp, host: str, port: int, *, url_prefix: str = "", trusted_proxy: str | None = None
    ) -> None:
        queue = logging.getLogger("waitress.queue")
        if not any(isinstance(f, _QueueNotes) for f in queue.filters):
            queue.addFilter(_QueueNotes())
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        limit = CONNECTIONS if soft == resource.RLIM_INFINITY else max(50, min(CONNECTIONS, soft - 100))
        self._map: dict[int, Any] = {}
        self._server = create_server(
            app, map=self._map, host=host.strip("[]"), port=port, threads=THREADS, backlog=BACKLOG,
            connection_limit=limit, channel_timeout=IDLE_TIMEOUT, cleanup_interval=CLEANUP,
            asyncore_use_poll=True, ident="digest", expose_tracebacks=False,
            **proxy_options(url_prefix, trusted_proxy),
        )  # fmt: skip
        listening = getattr(self._server, "effective_listen", None) or [
            (self._server.effective_host, self._server.effective_port)
        ]
        self.server_address: tuple[str, int] = (str(listening[0][0]), int(listening[0][1]))
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._running = False
        self._closed = False
        self._closing = threading.Lock()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until :meth:`shutdown`; then close every connection and stop the workers."""
        self._running = True
        self._stopped.clear()
        try:
            while not self._stop.is_set() and self._map:
                wasyncore.loop(timeout=poll_interval, map=self._map, use_poll=True, count=1)
        finally:
            self._close()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread) and wait for it to return."""
        self._stop.set()
        with self._closing:  # the loop may be closing the trigger right now: not after that
            if not self._closed:
                for d in list(self._map.values()):
                    if isinstance(d, _Trigger):
                        d.pull_trigger()  # wakes the loop now rather than at its next poll
        if self._running:
            self._stopped.wait()

    def server_close(self) -> None:
        if not self._running:
            self._close()

    def _close(self) -> None:
        with self._closing:
            if self._closed:
                return
            self._closed = True
            wasyncore.close_all(self._map, ignore_all=True)
            self._server.task_dispatcher.shutdown(timeout=5)


#: What a trusted reverse proxy may tell: the client's address, and the scheme, host and port
#: the reader used (the Atom feed's absolute URLs).  From anyone else these headers are dropped.
PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"})


def proxy_options(url_prefix: str, trusted_proxy: str | None) -> dict[str, Any]:
    """waitress's settings for serving behind a reverse proxy: ``url_prefix`` (``/news``) becomes
    every request's ``SCRIPT_NAME``, whether the proxy strips it from the path or not; from
    ``trusted_proxy`` (an address, or ``*``) the ``X-Forwarded-*`` headers are believed."""
    out: dict[str, Any] = {}
    prefix = url_prefix.strip()
    if prefix and prefix != "/":
        if not _PREFIX.fullmatch(prefix):
            raise DigestError(f"serve: --url-prefix {prefix!r}: expected a path such as /news (letters, digits, - _ . ~ /)")
        out["url_prefix"] = prefix
    if trusted_proxy:
        out.update(trusted_proxy=trusted_proxy, trusted_proxy_headers=set(PROXY_HEADERS),
                   clear_untrusted_proxy_headers=True)  # fmt: skip
    return out


_PREFIX = re.compile(r"/?[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*/?")
