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
One fetch is a small state machine (:class:`_Fetch`) that builds each
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
import contextlib
import ssl
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from ..config import FetchConfig
from ..errors import FetchError, without_password
from ..records import FetchResult
from .freshness import Waits, parse_max_age, parse_retry_after, server_of
from .netguard import (
    AddressPolicy,
    AsyncGuardedTransport,
    BadEncoding,
    BlockedAddress,
    BodyTooLarge,
    BoundedBody,
    GuardedTransport,
    ResolveFailed,
    check_host,
    connect_reason,
    deadline_scope,
    origin_of,
    origin_scope,
)
from .resend import asend, send

__all__ = ["FetchRequest", "fetch", "fetch_many"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_STATUSES = frozenset({301, 308})
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One URL to fetch, with the validators stored from last time."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    source: str | None = None
    #: The configured URL ``url`` was found through (an item's link: the source's URL); its
    #: host and port are the fetch's origin (``digest.sources.addresses``).  None: ``url``
    #: itself; ``""``: a local file (no host: public addresses only).
    origin: str | None = None


# -- one fetch, without I/O ------------------------------------------------------------


class _Fetch:
    """The checks, limits and decisions of one fetch; the drivers do the I/O."""

    def __init__(
        self,
        req: FetchRequest,
        config: FetchConfig,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
    ) -> None:
        self.req = req
        self.config = config
        self.name = req.source or req.url
        self.start = time.monotonic()
        self.deadline = self.start + config.deadline
        #: Check each hop's address here when the transport does not (injected ones).
        guarded = transport is None or isinstance(
            transport, GuardedTransport | AsyncGuardedTransport
        )
        self.policy = None if guarded else AddressPolicy.from_config(config)
        self.hops: list[str] = []
        self.permanent_url: str | None = None
        self.cookies = False  # a redirect set one: a cookie wall looping without it
        self._permanent_run = True
        self.url = self._valid(req.url, "bad URL", "url")
        #: Every hop's address and port are judged against the URL the user configured: the
        #: first URL, or the one a link came from (netguard, addresses).
        self.origin = _origin(self.url if req.origin is None else req.origin)

    def error(
        self,
        kind: str,
        problem: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> FetchError:
        return FetchError(self.name, problem, kind=kind, status=status, retry_after=retry_after)

    def check_deadline(self) -> None:
        if time.monotonic() >= self.deadline:
            raise self._deadline_error()

    def _deadline_error(self) -> FetchError:
        return self.error(
            "timeout", f"deadline of {self.config.deadline:g}s exceeded for {self.url}"
        )

    def _valid(self, url: str | httpx.URL, what: str, kind: str, shown: str = "") -> httpx.URL:
        try:
            parsed = httpx.URL(url)
            host = parsed.host  # an A-label that is no punycode ("xn--") raises idna's error here
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise self.error(kind, f"{what}: {_one_line(exc)}") from None
        said = without_password(shown or str(url))[:200]  # its password hidden before the cut
        if parsed.scheme not in ("http", "https") or not host:
            raise self.error(kind, f"{what}: only http(s) URLs with a host are fetched: {said}")
        if parsed.port is not None and not 0 < parsed.port < 65536:  # httpx takes :99999, and the
            # async connect failed on it as "unexpected ExceptionGroup: unhandled errors in a TaskGroup"
            raise self.error(kind, f"{what}: port {parsed.port} is out of range (1-65535): {said}")
        return parsed

    def next_request(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        self.check_deadline()
        if self.policy is not None:
            check_host(self.policy, self.url.host, _port(self.url), origin=origin_of(*self.origin))
        self.hops.append(str(self.url))
        headers: dict[str, str | bytes] = {
            "User-Agent": self.config.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
        if self.req.etag:
            headers["If-None-Match"] = _as_sent(self.req.etag)
        if self.req.last_modified:
            headers["If-Modified-Since"] = _as_sent(self.req.last_modified)
        left = max(0.001, self.deadline - time.monotonic())
        timeout = httpx.Timeout(
            connect=min(self.config.connect_timeout, left),
            read=min(self.config.read_timeout, left),
            write=min(self.config.read_timeout, left),
            pool=min(self.config.connect_timeout, left),
        )
        raw = [(k.encode("ascii"), v if isinstance(v, bytes) else v.encode("ascii")) for k, v in headers.items()]
        return client.build_request("GET", self.url, headers=raw, timeout=timeout)

    def on_response(self, resp: httpx.Response) -> FetchResult | BoundedBody | None:
        """None: follow the redirect; FetchResult: done (304); BoundedBody: read the body."""
        status = resp.status_code
        if status in REDIRECT_STATUSES and "location" in resp.headers:
            self.cookies = self.cookies or "set-cookie" in resp.headers
            self._redirect(status, resp.headers["location"])
            return None
        retry_after = parse_retry_after(resp.headers.get("retry-after"))
        if status == 304:
            return self._result(resp, None)
        if status == 410:
            raise self.error("gone", f"HTTP 410 Gone: {self.url} was removed", status=410)
        if not 200 <= status < 300:
            reason = resp.reason_phrase or ""
            wait = f", retry after {retry_after:g}s" if retry_after is not None else ""
            raise self.error(
                f"http-{status}",
                f"HTTP {status} {reason}".rstrip() + f" from {self.url}{wait}",
                status=status,
                retry_after=retry_after,
            )
        length = resp.headers.get("content-length", "")
        if (
            length.isdigit()
            and not resp.headers.get("content-encoding")
            and int(length) > self.config.max_bytes
        ):
            raise BodyTooLarge(self.config.max_bytes, f" (Content-Length {length})")
        return BoundedBody(self.config.max_bytes, resp.headers.get("content-encoding", ""))

    def _redirect(self, status: int, location: str) -> None:
        try:
            target = self.url.join(location)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise self.error("redirects", f"bad redirect Location from {self.url}: {exc}") from None
        target = self._valid(target, f"bad redirect from {self.url}", "redirects", location)
        if len(self.hops) > self.config.max_redirects:
            counts = Counter([*self.hops, str(target)])
            looped = [u for u, n in counts.items() if n > 1]
            what = f"redirect loop through {looped[0]}" if looped else "too many redirects"
            wall = ": the server sets cookies as it redirects, and digest keeps none" if self.cookies else ""
            raise self.error(
                "redirects",
                f"{what} (more than {self.config.max_redirects}) starting at {self.hops[0]}{wall}",
            )
        if status in PERMANENT_STATUSES and self._permanent_run:
            self.permanent_url = str(target)
        else:
            self._permanent_run = False
        self.url = target

    def feed(self, body: BoundedBody, chunk: bytes) -> None:
        self.check_deadline()  # also covers injected transports
        body.feed(chunk)

    def result(self, resp: httpx.Response, body: BoundedBody) -> FetchResult:
        return self._result(resp, body.finish())

    def _result(self, resp: httpx.Response, content: bytes | None) -> FetchResult:
        h = resp.headers
        not_modified = resp.status_code == 304
        return FetchResult(
            url=self.req.url,
            status=resp.status_code,
            content=content,
            etag=_as_received(h, b"etag") or (self.req.etag if not_modified else None),
            last_modified=_as_received(h, b"last-modified")
            or (self.req.last_modified if not_modified else None),
            final_url=str(self.url),
            permanent_url=self.permanent_url,
            content_type=h.get("content-type"),
            retry_after=parse_retry_after(h.get("retry-after")),
            max_age=parse_max_age(h),
        )

    @contextlib.contextmanager
    def translating(self) -> Iterator[None]:
        """Run a driver under the deadline, turning every failure into one FetchError."""
        try:
            with deadline_scope(self.deadline), origin_scope(*self.origin):
                yield
        except FetchError:
            raise
        except BlockedAddress as exc:
            hint = "" if exc.public_origin is not None else " (see fetch.allow_hosts)"
            raise self.error("blocked-address", f"refused {self.url}: {exc}{hint}") from None
        except ResolveFailed as exc:
            raise self.error("dns", str(exc)) from None
        except BodyTooLarge as exc:
            raise self.error("too-large", f"{exc} from {self.url}") from None
        except BadEncoding as exc:
            raise self.error("encoding", f"{exc} from {self.url}") from None
        except (httpx.TimeoutException, TimeoutError) as exc:
            if time.monotonic() >= self.deadline - 0.05:
                raise self._deadline_error() from None
            connecting = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            phase = "connecting to" if connecting else "reading from"
            limit = self.config.connect_timeout if connecting else self.config.read_timeout
            raise self.error(
                "timeout", f"timed out {phase} {self.url} (limit {limit:g}s)"
            ) from None
        except httpx.ConnectError as exc:
            tls = (
                isinstance(exc.__context__, ssl.SSLError)
                or "SSL" in str(exc)
                or "certificate" in str(exc)
            )
            kind = "tls" if tls else "connect"
            why = connect_reason(exc) or _one_line(exc)
            raise self.error(kind, f"cannot connect to {self.url.host}: {why}") from None
        except httpx.RemoteProtocolError as exc:
            raise self.error(
                "protocol", f"broken HTTP response from {self.url}: {_one_line(exc)}"
            ) from None
        except (httpx.InvalidURL, UnicodeError) as exc:  # httpx builds each redirect's request,
            # followed or not: a Location it cannot make one of (``javascript:x``; a host "xn--",
            # idna's IDNAError, a UnicodeError) raises here, before on_response
            raise self.error("redirects", f"bad redirect Location from {self.url}: {_one_line(exc)}") from None
        except httpx.HTTPError as exc:  # ReadError, WriteError, other transport errors
            raise self.error(
                "network", f"{type(exc).__name__} from {self.url}: {_one_line(exc)}"
            ) from None


def _as_received(headers: httpx.Headers, name: bytes) -> str | None:
    """A validator's bytes as Latin-1 text (one character a byte), so that :func:`_as_sent`
    gives the server back exactly the bytes it sent.  (RFC 9110 lets an ETag hold bytes
    0x80-0xFF; httpx decodes them as UTF-8 or Latin-1 and will not encode its text again.)"""
    values = [v for k, v in headers.raw if k.lower() == name]
    return b", ".join(values).decode("latin-1") if values else None


def _as_sent(value: str) -> bytes:
    """A stored validator as the bytes to send (Latin-1; text stored before as UTF-8)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _origin(url: str | httpx.URL) -> tuple[str, int]:
    """``(host, port)`` of a fetch's origin; ``("", 0)``, public, when it names no host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "", 0
    return (parsed.host, _port(parsed)) if parsed.host else ("", 0)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


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
    f = _Fetch(req, config, transport)
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


def _drive(client: httpx.Client, f: _Fetch) -> FetchResult:
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


async def _adrive(client: httpx.AsyncClient, f: _Fetch) -> FetchResult:
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
        f: _Fetch | None = None
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
                f = _Fetch(req, config, transport)
                with f.translating():
                    async with asyncio.timeout(config.deadline):
                        return await _adrive(client, f)
        except FetchError as exc:  # the host that answered (a redirect's target), not the first
            waits.told(server_of(f.url if f is not None else req.url), exc)
            return exc
        except Exception as exc:  # a bug must not take the other sources down
            return FetchError(
                req.source or req.url,
                f"unexpected {type(exc).__name__}: {_one_line(exc)}",
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
