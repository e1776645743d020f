"""Fetch source URLs over HTTP(S): safe, bounded, polite, conditional.

Observations
------------
Feed servers are many and not all are friendly: some never answer, some
drip a byte a second, some send gzip bombs, redirect in circles, point at
private addresses, or move for good (301) and expect clients to follow.
Most serve ``ETag``/``Last-Modified``; a conditional GET answered with 304
costs nothing on either side.

How it works
------------
One fetch is a small state machine (:class:`~digest.sources.fetchsteps.FetchSteps`) that builds each
request, judges each response (redirect? 304? error? body?) and turns
library exceptions into one-line :class:`~digest.errors.FetchError`\\ s.  It
does no I/O itself; :func:`fetch` (sync, ``httpx.Client``) and
:func:`fetch_many` (asyncio, ``httpx.AsyncClient``) are thin drivers around
it, so both paths share every check and limit.

* Redirects are followed by hand, one hop at a time, so every hop is
  checked: scheme, address policy (see :mod:`digest.sources.netguard`, which also
  connects only to checked addresses), hop count.
* The body is read raw (``iter_raw``) and decoded by
  :class:`~digest.sources.netguard.BoundedBody`, which bounds every ``zlib`` call:
  ``iter_bytes`` would inflate a whole network chunk at once (64 KiB of
  gzip can become ~64 MiB), allocating a gzip bomb before any cap looks.
* Deadline: every socket operation gets at most the time left (netguard);
  the body loop also checks the clock (for injected transports), and the
  async path wraps each fetch in ``asyncio.timeout``.

Limits (``FetchConfig``) and their defaults
-------------------------------------------
connect_timeout 10 s, read_timeout 20 s (each socket read), deadline 60 s
(whole fetch, all hops), max_bytes 15 MiB (after decompression),
max_redirects 5, block_private on (allow_hosts exempts names/IPs/CIDRs, each
optionally with a port: ``127.0.0.1:8080``; every hop is checked like the first URL,
and reaches a private address only when the configured URL is itself private),
concurrency 16 (fetch_many in total), per_host 2 (simultaneous fetches per
host), user_agent ``digest/0.1 (...)``.

Special cases
-------------
* 301/308 set ``permanent_url`` only while every hop so far was permanent:
  ``A -301-> B -302-> C`` stores ``B``; ``A -302-> B -301-> C`` keeps ``A``.
* 304 returns the validators that were sent when the server omits them, so
  callers can store ``result.etag`` unconditionally.  Validators are kept as
  the bytes the server sent (as Latin-1 text) and sent back as those bytes: an
  ETag may hold bytes 0x80-0xFF, which httpx decodes but will not send again.
* 410 is kind ``gone`` (the caller pauses the source).  Any error response
  carries ``retry_after`` when ``Retry-After`` is given (seconds or date).
* ``max_age``: ``Cache-Control: max-age`` wins over ``Expires``;
  ``no-cache``/``no-store`` or an unparsable ``Expires`` mean 0.  It and
  ``retry_after`` are capped at one week so that a hostile header cannot
  silence a source for years.
* Only ``identity``, ``gzip``/``x-gzip`` and ``deflate`` are decoded; another
  compression (``br``), or corrupt data, is kind ``encoding`` (``utf-8`` is no compression).
* No cookies are kept, environment proxies are ignored.
* A request that went out on a kept-alive connection the server had closed (it hung up
  before answering) is sent again on another (``resend.send``), never one on a new one.
* In :func:`fetch_many`, once a host answered 429 (Too Many Requests) its fetches
  not started yet are not sent: each fails as that one did (``freshness.Waits``).
* Per-host politeness counts the host of the first URL; a redirect to
  another host does not take that host's slot.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx

from ..config import FetchConfig
from ..errors import DigestError, FetchError, ParseError
from ..records import FetchResult
from .fetchsteps import FetchRequest, FetchSteps, error_line
from .freshness import Waits, server_of
from .lists import MAX_LIST
from .localfiles import read_capped
from .netguard import AsyncGuardedTransport, GuardedTransport
from .resend import asend, send

__all__ = ["FetchRequest", "fetch", "fetch_many", "read_list"]


def _client_options(config: FetchConfig) -> dict[str, Any]:
    return {
        "follow_redirects": False,
        "trust_env": False,
        # A policy that accepts no cookie: fetches share nothing and leak nothing.
        "cookies": CookieJar(DefaultCookiePolicy(allowed_domains=[])),
        "timeout": httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
    }


# -- drivers ---------------------------------------------------------------------------


def fetch(
    url: str,
    *,
    config: FetchConfig,
    etag: str | None = None,
    last_modified: str | None = None,
    source: str | None = None,
    origin: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> FetchResult:
    """Fetch one URL; raise :class:`FetchError` (one line, with a ``kind``) on failure.
    ``origin``: see :attr:`FetchRequest.origin`."""
    req = FetchRequest(url, etag, last_modified, source, origin)
    f = FetchSteps(req, config, transport)
    # An injected transport belongs to the caller: the client must not close it.
    client = httpx.Client(
        transport=transport or GuardedTransport(config), **_client_options(config)
    )
    try:
        with f.translating():
            return _drive(client, f)
    finally:
        if transport is None:
            client.close()


def _drive(client: httpx.Client, f: FetchSteps) -> FetchResult:
    while True:
        # sent again on a kept-alive connection the server closed
        resp = send(client, f.next_request(client), f.config.concurrency)
        try:
            step = f.on_response(resp)
            if step is None:
                continue
            if isinstance(step, FetchResult):
                return step
            for chunk in resp.iter_raw():
                f.feed(step, chunk)
            return f.result(resp, step)
        finally:
            resp.close()


async def _adrive(client: httpx.AsyncClient, f: FetchSteps) -> FetchResult:
    while True:
        resp = await asend(client, f.next_request(client), f.config.concurrency)
        try:
            step = f.on_response(resp)
            if step is None:
                continue
            if isinstance(step, FetchResult):
                return step
            async for chunk in resp.aiter_raw():
                f.feed(step, chunk)
            return f.result(resp, step)
        finally:
            await resp.aclose()


async def fetch_many(
    requests: Sequence[FetchRequest],
    *,
    config: FetchConfig,
    transport: httpx.AsyncBaseTransport | None = None,
    budget: float | None = None,
) -> list[FetchResult | FetchError]:
    """Fetch many URLs concurrently; results (or errors) in input order.

    At most ``config.concurrency`` fetches run at once, and at most
    ``config.per_host`` per host.  One failure never stops the others.
    ``budget``: seconds after which a fetch still waiting for its turn is not
    started (kind ``timeout``); one started runs to its own deadline.
    """
    total = asyncio.Semaphore(config.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    waits = Waits()  # a host that said 429 is asked nothing more
    ends = None if budget is None else time.monotonic() + budget

    async def one(req: FetchRequest) -> FetchResult | FetchError:
        try:
            host = httpx.URL(req.url).host.lower()
        except (httpx.InvalidURL, TypeError, ValueError):
            host = ""
        slot = hosts.setdefault(host, asyncio.Semaphore(config.per_host))
        f: FetchSteps | None = None
        try:
            async with slot, total:
                if ends is not None and time.monotonic() >= ends:
                    return FetchError(
                        req.source or req.url,
                        f"not fetched: the {budget:g}s for this batch's pages ran out",
                        kind="timeout",
                    )
                if (held := waits.held(server_of(req.url), req.source or req.url)) is not None:
                    return held
                f = FetchSteps(req, config, transport)
                with f.translating():
                    async with asyncio.timeout(config.deadline):
                        return await _adrive(client, f)
        except FetchError as exc:  # the host that answered (a redirect's target), not the first
            waits.told(server_of(f.url if f is not None else req.url), exc)
            return exc
        except Exception as exc:  # a bug must not take the other sources down
            return FetchError(
                req.source or req.url,
                f"unexpected {type(exc).__name__}: {error_line(exc)}",
                kind="internal",
            )

    client = httpx.AsyncClient(
        transport=transport or AsyncGuardedTransport(config), **_client_options(config)
    )
    try:
        return list(await asyncio.gather(*(one(r) for r in requests)))
    finally:
        if transport is None:
            await client.aclose()


def read_list(where: str, fetch_config: FetchConfig) -> bytes:
    """The bytes of the list at ``where`` (``digest import-opml``): a file, or an http(s) URL
    fetched under ``fetch_config``'s limits (sizes, time, private addresses); a problem is a
    :class:`DigestError` of one line."""
    if where.lower().startswith(("http://", "https://")):
        try:
            result = fetch(where, config=fetch_config, source=where)
        except FetchError as exc:
            raise DigestError(str(exc)) from None
        if result.content is None:
            raise DigestError(f"{where}: no content")
        return result.content
    if Path(where).is_dir():  # it said "cannot read: Is a directory" (stop 62)
        raise DigestError(f"{where}: a folder, not an OPML file (give the file your feed reader exported; "
                          "a folder of feeds or articles is a source's 'path:')")
    try:
        return read_capped(Path(where), MAX_LIST)
    except ParseError as exc:
        raise DigestError(str(exc)) from None
