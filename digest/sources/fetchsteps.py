"""One fetch, step by step and without I/O: each request built, each answer judged.

:class:`FetchSteps` builds each request (validators, per-hop timeouts within the
deadline, the address check an injected transport does not make), judges
each response (redirect? 304? error? body?) and turns library exceptions into
one-line :class:`~digest.errors.FetchError`\\ s; :func:`digest.sources.fetch.fetch`
and :func:`~digest.sources.fetch.fetch_many` drive it, so both paths share every
check and limit (the limits and special cases: ``digest.sources.fetch``).
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ..errors import FetchError, without_password
from ..records import FetchResult
from .freshness import parse_max_age, parse_retry_after
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

if TYPE_CHECKING:
    from ..config import FetchConfig

__all__ = ["FetchRequest", "FetchSteps", "error_line"]

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


class FetchSteps:
    """The checks, limits and decisions of one fetch; the drivers (``digest.sources.fetch``) do the I/O."""

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
            raise self.error(kind, f"{what}: {error_line(exc)}") from None
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
                any(isinstance(e, ssl.SSLError) for e in causes(exc))
                or "SSL" in str(exc)
                or "certificate" in str(exc)
            )
            kind = "tls" if tls else "connect"
            why = connect_reason(exc) or cause_line(exc)
            raise self.error(kind, f"cannot connect to {host_port(self.url)}: {why}") from None
        except httpx.RemoteProtocolError as exc:
            raise self.error(
                "protocol", f"broken HTTP response from {self.url}: {error_line(exc)}"
            ) from None
        except (httpx.InvalidURL, UnicodeError) as exc:  # httpx builds each redirect's request,
            # followed or not: a Location it cannot make one of (``javascript:x``; a host "xn--",
            # idna's IDNAError, a UnicodeError) raises here, before on_response
            raise self.error("redirects", f"bad redirect Location from {self.url}: {error_line(exc)}") from None
        except httpx.HTTPError as exc:  # ReadError, WriteError, other transport errors
            raise self.error(
                "network", f"{type(exc).__name__} from {self.url}: {error_line(exc)}"
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


def host_port(url: httpx.URL) -> str:
    """Where a fetch connects, as a line names it: "127.0.0.1:8081", "[::1]:443" (the port
    given, else the scheme's).  "cannot connect to 127.0.0.1" named no port: of two feeds
    served on one machine, which one was down was not said."""
    host = url.host
    return f"[{host}]:{_port(url)}" if ":" in host else f"{host}:{_port(url)}"


def _origin(url: str | httpx.URL) -> tuple[str, int]:
    """``(host, port)`` of a fetch's origin; ``("", 0)``, public, when it names no host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "", 0
    return (parsed.host, _port(parsed)) if parsed.host else ("", 0)


def error_line(exc: BaseException) -> str:
    """An exception's message on one line, at most 300 characters (its type's name when it has none)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def causes(exc: BaseException, depth: int = 8) -> Iterator[BaseException]:
    """``exc``, then what caused it (``__cause__``, else ``__context__``), at most ``depth``."""
    seen: BaseException | None = exc
    for _ in range(depth):
        if seen is None:
            return
        yield seen
        seen = seen.__cause__ or seen.__context__


def cause_line(exc: BaseException) -> str:
    """:func:`error_line` of the first of ``exc``'s :func:`causes` that says something: the async
    fetch's ``ConnectError`` of a TLS handshake the server cut short is empty, its cause
    (``anyio.EndOfStream``) too, the ``ssl.SSLEOFError`` under them not; "cannot connect to
    host:443: ConnectError" named no problem (stop 60 review; the plain fetch said the TLS one)."""
    for e in causes(exc):
        if " ".join(str(e).split()):
            return error_line(e)
    return error_line(exc)
