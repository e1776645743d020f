"""Guards against hostile servers: no private networks, hard deadlines, bounded bodies.

Observations
------------
A feed URL is user input and every redirect ``Location`` is hostile input.
Left alone, an HTTP client will happily fetch ``http://169.254.169.254/``
(cloud metadata), ``http://localhost:6379/`` or a host whose DNS name
points at ``10.0.0.1`` -- the classic server-side request forgery.
Checking the name once and then letting the client resolve it again is not
enough either: a hostile DNS server can answer with a public address for
the check and a private one for the connection ("DNS rebinding").

How it works
------------
Which addresses and ports may be contacted is :class:`AddressPolicy`
(:mod:`digest.sources.addresses`: private networks refused unless
``allow_hosts`` names them, ports included).

The check sits where the connection is made: :class:`GuardedTransport`
is an ordinary ``httpx`` transport whose httpcore connection pool uses a
network backend (:class:`GuardedBackend`) that resolves the host *itself*,
drops every refused address, and opens the TCP connection to one of the
addresses it has just checked.  TLS still verifies the certificate against
the host *name* (httpcore passes the name as SNI/``server_hostname``), so
connecting by address is invisible to the server.  Every redirect hop opens
its connection through the same backend, so every hop is checked.  There is
no second resolution, hence no rebinding window.

The same backend enforces the per-fetch deadline (:func:`deadline_scope`):
each socket read, write and connect gets at most the time left before the
deadline, so a server dripping one byte a second is cut off on time even
though every single read is well within the read timeout.

:class:`BoundedBody` decodes ``gzip``/``deflate`` bodies with a bound on
every ``zlib`` call (``max_length``), so a gzip bomb is stopped at the cap
without ever being inflated further; ``httpx``'s own decoder inflates each
network chunk in one go (64 KiB of gzipped zeros become ~64 MiB).

Special cases
-------------
* Only ``identity``, ``gzip``/``x-gzip`` and ``deflate`` (zlib-wrapped or
  raw) are decoded; a token naming no compression (``utf-8``) is ignored.  A gzip body that ends early yields what was decoded,
  junk after a complete gzip member is ignored (as browsers do).
* Reusing a kept-alive connection does not re-check: the connection was
  made to a checked address for the same origin.  In ``fetch_many`` the pool
  is shared, so a redirect may reuse a connection another source's fetch
  was allowed to open (to a URL the configuration names, or a listed port).
* Environment proxies are ignored (``trust_env=False``): a proxy would make
  the checked address meaningless.
* ``GuardedTransport`` sets httpx's private ``_pool`` attribute (stable
  from httpx 0.18 to 0.28; httpx is pinned ``<1``).  Any other transport injected
  by a caller bypasses the backend; ``digest.sources.fetchsteps`` then checks each hop with
  :func:`check_host` before sending, which resolves the name a second time
  (rebinding window remains for injected transports only).
* System DNS resolution (``getaddrinfo``) cannot be interrupted in the sync
  path: a hung resolver can exceed the deadline.  The async path runs it in
  a worker thread under ``asyncio.timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import ssl
import time
import typing
import zlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

import httpcore
import httpx

from .addresses import (
    AddressPolicy,
    BlockedAddress,
    Origin,
    ResolveFailed,
    Resolver,
    check_host,
    current_origin,
    is_public,
    origin_of,
    origin_scope,
    parse_allow_entry,
    system_resolve,
)

__all__ = [
    "AddressPolicy",
    "AsyncGuardedBackend",
    "AsyncGuardedTransport",
    "BadEncoding",
    "BlockedAddress",
    "BodyTooLarge",
    "BoundedBody",
    "GuardedBackend",
    "GuardedTransport",
    "Origin",
    "ResolveFailed",
    "check_host",
    "deadline_scope",
    "is_public",
    "origin_of",
    "origin_scope",
    "parse_allow_entry",
    "system_resolve",
]

#: ``resolver(host, port) -> addresses`` (IP strings, in preference order).
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


# -- the per-fetch deadline ------------------------------------------------------------

_deadline: ContextVar[float | None] = ContextVar("digest_fetch_deadline", default=None)


@contextlib.contextmanager
def deadline_scope(deadline: float) -> Iterator[None]:
    """Within this block, guarded sockets never wait past ``deadline`` (monotonic)."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    """``timeout`` shortened to the time left before the current deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise exc("deadline exceeded")
    return left if timeout is None else min(timeout, left)


# -- sync backend ----------------------------------------------------------------------


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore backend: resolve, check, connect to a checked address, bound by deadline."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolve) -> None:
        self.policy = policy
        self.resolver = resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = check_host(self.policy, host, port, self.resolver)
        last: Exception | None = None
        for address in addresses:
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(
                    address, port, bounded, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:  # the next address: one
                last = exc  # that does not answer (a dead node of several, IPv6 routed nowhere) failed
                continue  # the fetch, the others never tried
            return _Stream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by digest")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def connect_reason(exc: BaseException) -> str | None:
    """The system's reason a connection could not be made ("Connection refused", "Network is
    unreachable"), from the error's causes; None when none of them is the system's.

    Both fetch paths hid it: the async one (every daemon round) said anyio's "All connection
    attempts failed" alone, the plain one (``digest run`` of one URL source, ``digest add``)
    the socket's text, "[Errno 111] Connection refused" (stop 54).  A TLS error is an OSError
    too, its errno the TLS library's, and a resolver's (``socket.gaierror``) a negative one:
    neither is read here."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if (isinstance(seen, OSError) and not isinstance(seen, ssl.SSLError | socket.gaierror)
                and isinstance(seen.errno, int) and seen.errno > 0):
            return os.strerror(seen.errno)
        seen = seen.__cause__ or seen.__context__
    return None


# -- async backend ---------------------------------------------------------------------


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    """The asyncio twin of :class:`GuardedBackend` (same policy and resolver)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolve) -> None:
        self.policy = policy
        self.resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        addresses = await loop.run_in_executor(
            None, check_host, self.policy, host, port, self.resolver, current_origin()
        )
        last: Exception | None = None
        for address in addresses:
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            try:
                stream = await self._inner.connect_tcp(
                    address, port, bounded, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:  # as GuardedBackend
                last = exc
                continue
            return _AsyncStream(stream)
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by digest")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# -- bounded body decoding -------------------------------------------------------------


class BodyTooLarge(Exception):
    """The (decoded) body passed the size cap."""

    def __init__(self, cap: int, detail: str = "") -> None:
        size = f"{cap / 1048576:g} MiB" if cap >= 1048576 else f"{cap} bytes"
        super().__init__(f"response larger than {size}{detail}")
        self.cap = cap


class BadEncoding(Exception):
    """The body's Content-Encoding is unsupported or the compressed data is corrupt."""


#: The content codings of HTTP's registry (and x- twins), decoded here or not (br, zstd: refused).
_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "compress", "x-compress", "exi",
                      "pack200-gzip", "aes128gcm", "dcb", "dcz"})


class BoundedBody:
    """Accumulates a response body, decoding it with every step bounded by ``cap``.

    ``encoding`` is the ``Content-Encoding`` header.  Raises
    :class:`BodyTooLarge` as soon as the decoded size passes ``cap`` (never
    having held more than ``cap`` + one bounded step), :class:`BadEncoding`
    for corrupt or unsupported encodings.
    """

    def __init__(self, cap: int, encoding: str = "") -> None:
        self._cap = cap
        self._parts: list[bytes] = []
        self._size = 0
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        # a token that names no compression ("utf-8", "none", "binary": a charset or a word a
        # server put there by mistake) is ignored, as browsers and feed readers do; the read
        # failed with "unsupported Content-Encoding 'utf-8'" where they all read the feed
        codings = [c for c in codings if c in _CODINGS]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise BadEncoding(f"unsupported Content-Encoding {encoding[:80]!r}")
        self._coding = codings[0] if codings else None
        self._wbits = zlib.MAX_WBITS | 16 if self._coding != "deflate" else zlib.MAX_WBITS
        self._z = zlib.decompressobj(self._wbits) if self._coding is not None else None
        self._started = False
        self._members = 0
        self._done = False

    def feed(self, raw: bytes) -> None:
        if self._z is None:
            self._append(raw)
            return
        data = raw
        while data and not self._done:
            try:
                out = self._z.decompress(data, self._cap - self._size + 1)
            except zlib.error as exc:
                if self._started:
                    raise BadEncoding(f"cannot decode {self._coding} body: {exc}") from None
                if self._members:  # junk after a complete gzip member: ignored, as browsers do
                    self._done = True
                    return
                if self._coding == "deflate" and self._wbits != -zlib.MAX_WBITS:
                    # "deflate" is often sent raw, without the zlib wrapper.
                    self._wbits = -zlib.MAX_WBITS
                    self._z = zlib.decompressobj(self._wbits)
                    continue
                raise BadEncoding(f"cannot decode {self._coding} body: {exc}") from None
            self._started = True
            self._append(out)
            data = self._z.unconsumed_tail
            if self._z.eof:
                self._members += 1
                data = self._z.unused_data
                if self._coding == "deflate":
                    self._done = True
                else:  # another gzip member may follow
                    self._z = zlib.decompressobj(self._wbits)
                    self._started = False

    def finish(self) -> bytes:
        if self._z is not None and self._started and not self._z.eof:
            self._append(self._z.flush())
        return b"".join(self._parts)

    def _append(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self._cap:
            raise BodyTooLarge(self._cap)
        self._parts.append(data)


# -- transports ------------------------------------------------------------------------


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for all transports (building one costs ~30 ms)."""
    return httpx.create_ssl_context(trust_env=False)


def _pool_options(config: typing.Any) -> dict[str, typing.Any]:
    return {
        "ssl_context": _ssl_context(),
        "max_connections": config.concurrency,
        "max_keepalive_connections": config.concurrency,
        "keepalive_expiry": 5.0,
        "http1": True,
        "http2": False,
    }


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose connections go only to addresses the policy allows."""

    def __init__(self, config: typing.Any, *, resolver: Resolver = system_resolve) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        self._pool = httpcore.ConnectionPool(
            network_backend=GuardedBackend(AddressPolicy.from_config(config), resolver),
            **_pool_options(config),
        )


class AsyncGuardedTransport(httpx.AsyncHTTPTransport):
    """The async twin of :class:`GuardedTransport`."""

    def __init__(self, config: typing.Any, *, resolver: Resolver = system_resolve) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            network_backend=AsyncGuardedBackend(AddressPolicy.from_config(config), resolver),
            **_pool_options(config),
        )
