"""HTTP's freshness and waiting headers, parsed: ``Retry-After``, ``Cache-Control``, ``Expires``.

Observations
------------
* A server says when to come back in two ways: ``Retry-After`` on a 429 or
  503 (seconds, or an HTTP date) and the freshness of a 200 (``Cache-Control:
  max-age``, else ``Expires`` against the response's own ``Date``).
* Headers are hostile like the rest of a feed: a number decoded from
  Latin-1 can hold "²", a date can be garbage, a wait can be years.

How it works
------------
Pure functions of header values; every wait is capped at ``MAX_WAIT`` (a
week), an invalid ``Expires`` means "already expired" (RFC 9111), and
``no-store``/``no-cache`` mean 0.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

import httpx

from ..errors import FetchError

#: The longest a server can make digest wait before it asks again (a week).
MAX_WAIT = 7 * 24 * 3600.0

#: How the error of a fetch :class:`Waits` held begins (no request went out for it).
NOT_ASKED = "not asked: "
#: The kind of that error (``SourceState.error_kind`` once stored): what
#: ``digest.sources.tracking.asked_last`` reads, not the line's words (it read their beginning:
#: a line reworded, or a source name the error did not begin with, held a host's feeds again).
HELD = "held"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` (delta-seconds or HTTP date) as seconds from now, >= 0."""
    if not value:
        return None
    value = value.strip()
    if _digits(value):
        return min(float(value), MAX_WAIT)
    when = _http_date(value)
    if when is None:
        return None
    now = now or datetime.now(UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_WAIT)


def parse_max_age(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """Freshness lifetime in seconds from Cache-Control/Expires (capped), or None."""
    directives: dict[str, str] = {}
    for part in headers.get("cache-control", "").split(","):
        name, _, arg = part.strip().partition("=")
        if name:
            directives[name.lower()] = arg.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    if "max-age" in directives:
        arg = directives["max-age"]
        if _digits(arg):
            return min(float(arg), MAX_WAIT)
        return 0.0
    expires = headers.get("expires")
    if expires is None:
        return None
    when = _http_date(expires)
    if when is None:
        return 0.0  # RFC 9111: an invalid Expires means "already expired"
    base = _http_date(headers.get("date", "")) or now or datetime.now(UTC)
    return min(max(0.0, (when - base).total_seconds()), MAX_WAIT)


def _digits(value: str) -> bool:
    """HTTP's delta-seconds: ASCII digits only (``str.isdigit`` also takes "²", which
    ``float`` refuses, and a header decoded as Latin-1 can hold it)."""
    return value.isascii() and value.isdigit()


def _http_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def server_of(url: str | httpx.URL) -> str:
    """The server a 429 holds: the URL's host, and its port where it is not the scheme's (another
    port of a host is another server: a user's own bridge beside another on this machine);
    "" for a URL httpx cannot read."""
    try:
        parsed = httpx.URL(url)
        return parsed.host.lower() + (f":{parsed.port}" if parsed.port else "")
    except (httpx.InvalidURL, TypeError, ValueError):
        return ""


class Waits:
    """The hosts that told a batch of fetches to wait (HTTP 429, a limit on the client, not on
    one address: a 503 can be one feed's): its fetches to them not started yet are not sent,
    each failing as the first did.  (Stop 48 review: a site answering 429 "retry after 600s"
    to one page was asked for the other 19 of a full-text batch, and every feed on it in a
    poll round.)"""

    def __init__(self) -> None:
        self._told: dict[str, FetchError] = {}

    def told(self, host: str, exc: FetchError) -> None:
        if exc.status == 429:
            self._told.setdefault(host, exc)

    def held(self, host: str, name: str) -> FetchError | None:
        """The error of a fetch to ``host`` not sent, named ``name``; None: send it."""
        first = self._told.get(host)
        if first is None:
            return None
        return FetchError(name, f"{NOT_ASKED}{host} said to wait ({first.problem})", kind=HELD,
                          status=first.status, retry_after=first.retry_after)
