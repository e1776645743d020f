"""A request sent again when it went out on a kept-alive connection the server had closed.

httpcore's ``trace`` extension reports every connect: a request for which none
was opened went out on a connection kept alive.  :func:`send` is the sync
path (``digest.sources.fetch.fetch``), :func:`asend` the async one
(``fetch_many``); both are called with every hop of a fetch.
"""

from __future__ import annotations

import typing

import httpx

__all__ = ["asend", "send"]


class _Reuse:
    """Whether a request went out on a connection kept alive: none was opened for it
    (httpcore's ``trace`` extension reports every connect)."""

    def __init__(self, pool: int) -> None:
        self.opened = False
        #: Sends left: each stale connection tried is dropped from the pool, so a pool of
        #: ``pool`` idle connections the server has all closed takes ``pool`` tries before the
        #: one that opens a new connection; a transport that reports no connect (one a caller
        #: injected) must not loop for ever.
        self.left = pool

    def trace(self, name: str, info: dict[str, typing.Any]) -> None:
        if name.startswith("connection.connect_tcp"):
            self.opened = True

    async def atrace(self, name: str, info: dict[str, typing.Any]) -> None:
        self.trace(name, info)

    def again(self, exc: httpx.TransportError) -> bool:
        """Whether to send the request again: it went out on a connection kept alive and the
        server hung up (or reset) before any byte of its answer, as it does when it closed
        the connection while idle."""
        self.left -= 1
        stale = self.left >= 0 and not self.opened and (
            "without sending a response" in str(exc)
            if isinstance(exc, httpx.RemoteProtocolError)
            else isinstance(exc, httpx.ReadError | httpx.WriteError)
        )
        self.opened = False
        return stale


def send(client: httpx.Client, request: httpx.Request, pool: int) -> httpx.Response:
    """``client.send(request, stream=True)``, sent again, as browsers do (RFC 9112 9.3.1), while
    it went out on a kept-alive connection the server had closed; never again on a connection
    opened for it, and every try within the fetch's deadline.  (A server closing each connection
    after its answer without ``Connection: close`` failed 3 sources of 40 on its host in a run,
    20 of 40 when it closed 20 ms after answering: "Server disconnected without sending a
    response"; with ``per_host`` 4, a request once met four closed connections in a row and
    failed: ``pool`` is the most idle connections the client keeps, ``fetch.concurrency``.)"""
    reuse = _Reuse(pool)
    request.extensions["trace"] = reuse.trace
    while True:
        try:
            return client.send(request, stream=True)
        except httpx.TransportError as exc:
            if not reuse.again(exc):
                raise


async def asend(client: httpx.AsyncClient, request: httpx.Request, pool: int) -> httpx.Response:
    """The async twin of :func:`send`."""
    reuse = _Reuse(pool)
    request.extensions["trace"] = reuse.atrace
    while True:
        try:
            return await client.send(request, stream=True)
        except httpx.TransportError as exc:
            if not reuse.again(exc):
                raise
