"""A real HTTP server on 127.0.0.1 for tests, with a route table you can change live.

How it works
------------
:class:`TestServer` runs a :class:`http.server.ThreadingHTTPServer` on an
ephemeral loopback port in a background thread.  Each path maps to a
:class:`Route`: either a canned :class:`Reply` (status, headers, body) or a
handler function ``fn(request) -> Reply | None``; a handler that returns
``None`` has written the raw response itself through ``request.wfile``
(slow drips, broken responses, never answering).  Every request is counted
per path and recorded (method, path, headers) for assertions.

    with TestServer() as srv:
        srv.set("/feed.xml", b"<rss/>", headers={"Content-Type": "application/rss+xml"},
                etag='"v1"')
        fetch(srv.url("/feed.xml"), ...)
        assert srv.hits["/feed.xml"] == 1
        assert srv.requests[-1].headers["User-Agent"].startswith("digest")

Special cases
-------------
* Canned replies are conditional like a real server: a route given an
  ``etag`` and/or ``last_modified`` answers 304 to a matching
  ``If-None-Match``/``If-Modified-Since``.  ``gzip=True`` compresses the body
  (``Content-Encoding: gzip``).
* The query string is ignored for routing; unknown paths get 404.
* Handlers that block must wait on ``request.stopping`` (an Event set when
  the server shuts down) so that leaving the ``with`` block never hangs.
"""

from __future__ import annotations

import gzip as gzip_module
import http.server
import io
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from types import TracebackType
from urllib.parse import urlsplit


@dataclass
class Reply:
    """A complete response: status, headers, body."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """What a handler (and the request log) sees of one request."""

    method: str
    path: str
    query: str
    headers: Message
    client: tuple[str, int]
    #: Raw output, for handlers that write their own response.
    wfile: io.BufferedIOBase
    #: Set when the server is shutting down: blocking handlers must wait on it.
    stopping: threading.Event


Handler = Callable[[Request], Reply | None]


@dataclass
class Route:
    reply: Reply | None = None
    handler: Handler | None = None
    etag: str | None = None
    last_modified: str | None = None


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    #: The body, written after the headers, is sent at once (``TCP_NODELAY``), as web servers
    #: do: with Nagle's algorithm it waited for the client's delayed acknowledgement of the
    #: headers, 40 ms a request on a kept-alive connection (50 requests: 2.2 s, now 0.03 s).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: TestServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up early (timeouts, size caps) is what tests provoke.
        if isinstance(sys.exc_info()[1], ConnectionError) or self.owner.stopping.is_set():
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class TestServer:
    """A ThreadingHTTPServer on 127.0.0.1:<ephemeral>; a context manager."""

    __test__ = False  # not a pytest test class

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._httpd = _Server((host, 0), _RequestHandler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> TestServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    # -- routes ---------------------------------------------------------------------

    def set(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
    ) -> None:
        """Serve fixed bytes at ``path`` (replaces what was there; safe while running)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        hdrs = dict(headers or {})
        if gzip:
            data = gzip_module.compress(data)
            hdrs["Content-Encoding"] = "gzip"
        if etag is not None:
            hdrs["ETag"] = etag
        if last_modified is not None:
            hdrs["Last-Modified"] = last_modified
        route = Route(Reply(data, status, hdrs), etag=etag, last_modified=last_modified)
        with self._lock:
            self._routes[path] = route

    def handle(self, path: str, handler: Handler) -> None:
        """Serve ``path`` with ``handler(request) -> Reply | None``."""
        with self._lock:
            self._routes[path] = Route(handler=handler)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.set(path, status=status, headers={"Location": location})

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)

    def headers_of(self, path: str) -> list[Message]:
        """Request headers of every request made to ``path``, oldest first."""
        with self._lock:
            return [r.headers for r in self.requests if r.path == path]

    # -- serving --------------------------------------------------------------------

    def _serve(self, h: _RequestHandler) -> None:
        parts = urlsplit(h.path)
        req = Request(
            method=h.command,
            path=parts.path,
            query=parts.query,
            headers=h.headers,
            client=(str(h.client_address[0]), int(h.client_address[1])),
            wfile=h.wfile,
            stopping=self.stopping,
        )
        with self._lock:
            self.hits[req.path] += 1
            self.requests.append(req)
            route = self._routes.get(req.path)
        if route is None:
            reply: Reply | None = Reply(b"not found\n", 404, {"Content-Type": "text/plain"})
        elif route.handler is not None:
            reply = route.handler(req)
            if reply is None:
                h.close_connection = True
                return
        else:
            reply = self._conditional(route, req)
        assert reply is not None
        h.send_response(reply.status)
        for name, value in reply.headers.items():
            h.send_header(name, value)
        if "content-length" not in {k.lower() for k in reply.headers}:
            h.send_header("Content-Length", str(len(reply.body)))
        h.end_headers()
        if req.method != "HEAD" and reply.status not in (204, 304):
            h.wfile.write(reply.body)

    @staticmethod
    def _conditional(route: Route, req: Request) -> Reply:
        assert route.reply is not None
        inm = req.headers.get("If-None-Match")
        ims = req.headers.get("If-Modified-Since")
        fresh = False
        if route.etag is not None and inm is not None:
            fresh = route.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif route.last_modified is not None and ims is not None:
            fresh = ims.strip() == route.last_modified
        if fresh:
            keep = {k: v for k, v in route.reply.headers.items() if k.lower() != "content-encoding"}
            return Reply(b"", 304, keep)
        return route.reply


# -- ready-made handlers -------------------------------------------------------------------


def never_answer(req: Request) -> None:
    """Accept the request and never answer (until the server stops)."""
    req.stopping.wait()


def drip(body: bytes, interval: float = 1.0, status: int = 200) -> Handler:
    """Send headers at once, then the body one byte every ``interval`` seconds."""

    def handler(req: Request) -> None:
        head = f"HTTP/1.1 {status} OK\r\nContent-Length: {len(body)}\r\nContent-Type: text/plain\r\n\r\n"
        try:
            req.wfile.write(head.encode("ascii"))
            req.wfile.flush()
            for i in range(len(body)):
                if req.stopping.wait(interval):
                    return
                req.wfile.write(body[i : i + 1])
                req.wfile.flush()
        except OSError:  # the client gave up: that is the point
            return

    return handler


def delayed(reply: Reply, seconds: float) -> Handler:
    """Answer ``reply`` after ``seconds`` (or at shutdown)."""

    def handler(req: Request) -> Reply:
        req.stopping.wait(seconds)
        return reply

    return handler


def stream_chunks(
    chunks: Callable[[], Iterable[bytes]], headers: dict[str, str] | None = None
) -> Handler:
    """Send a body of unknown length, closing the connection at the end.

    ``chunks()`` is called per request and consumed lazily, so a huge body is
    never built in memory; writing stops quietly when the client disconnects.
    """

    def handler(req: Request) -> None:
        lines = ["HTTP/1.1 200 OK", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        try:
            req.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            for chunk in chunks():
                req.wfile.write(chunk)
            req.wfile.flush()
        except OSError:
            return

    return handler


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until true or ``timeout``; returns its last value."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
