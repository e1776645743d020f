"""Exceptions.  Every one carries a single human-readable line naming the
source (file, URL or configuration key) and the problem."""

from __future__ import annotations

import re
from urllib.parse import unquote

#: A URL's password (``https://me:pw@host/feed``, which a private feed's URL may hold and
#: httpx sends as Basic authentication), hidden as ``***`` in every source's error line: up to
#: the authority's last "@", as urlsplit and httpx read it (a user name that is an address,
#: ``https://me@corp.example:pw@host/feed``, and an "@" in the password, as typed).
_PASSWORD = re.compile(r"(://[^/:\s]*):[^/?#\s]*@")


def without_password(text: str) -> str:
    """``text`` with the password of each URL in it hidden (``https://me:***@host/feed``)."""
    return _PASSWORD.sub(r"\1:***@", text)


#: A path's part this long (at least) of letters and digits mixed, or hex digits, between ``-_.~``
#: is a secret, not a name: a private feed's token (``/feed/3f9a8c7b2e1d4f6a.../rss``).  A slug's
#: words, a year, a short id are shorter or all letters (stop 63).
SECRET_CHUNK = 16
#: A path's part this long (at least) of the base64url alphabet with capitals, small letters and
#: digits in it is a secret too (``aB3x-K9mQ_2pL7vN4wR8t``), however ``-`` and ``_`` cut it.
SECRET_PART = 20


def looks_secret(part: str) -> bool:
    """Whether a URL's path part looks like a credential rather than a name: a long run of
    letters and digits mixed (hex, base64), a UUID's 32 hex digits (:data:`SECRET_CHUNK`,
    :data:`SECRET_PART`)."""
    if any(len(c) >= SECRET_CHUNK and re.search(r"\d", c) and re.search(r"[A-Za-z]", c)
           for c in re.split(r"[-_.~+=]", part)):
        return True
    if re.fullmatch(r"[0-9A-Fa-f-]+", part) and len(part.replace("-", "")) >= 32:
        return True
    return (len(part) >= SECRET_PART and re.fullmatch(r"[A-Za-z0-9_\-+/=~]+", part) is not None
            and all(re.search(c, part) for c in (r"[A-Z]", r"[a-z]", r"\d")))


#: A query's keys whose value is a credential: a private feed's ``?token=``, ``?key=``,
#: ``?auth=``, ``?apikey=``, ``?sig=`` (stop 62 review; ``keyword``, ``author``,
#: ``country_code`` are none).  Never part of a source's name (``sources.naming``), its value
#: ``***`` in an error line (:func:`without_secrets`).
SECRET_KEY = re.compile(r"token|secret|pass(?!age)|pwd|auth(?!or)|signature|credential|session|key(?!word)"
                        r"|(?:^|[^a-z])(?:sig|sid|hash|private)(?:$|[^a-z])", re.IGNORECASE)
#: An http(s) URL in a line of text: its authority, its path, its query (up to a space or "#").
_URL_PARTS = re.compile(r"(https?://[^/\s?#]+)(/[^\s?#]*)?(\?[^\s#]*)?", re.IGNORECASE)
#: A query's ``key=value`` pair.
_QUERY_PAIR = re.compile(r"([?&;])([^=&;\s]*)=([^&;\s]*)")


def without_secrets(text: str) -> str:
    """``text`` with each URL's password hidden (:func:`without_password`), each part of its
    path that :func:`looks_secret` as ``***`` (``https://host/feed/***/rss``), and the value of
    each query key that names a credential (:data:`SECRET_KEY`: ``?token=***``): a source's
    error line is shown in the digest, the email and the archive's pages (stop 63: a private
    feed's token in its path was, "HTTP 404 Not Found from https://host/feed/3f9a8c.../rss";
    the review: in its query, ``?token=...``, it still was)."""
    def pair(m: re.Match[str]) -> str:
        secret = SECRET_KEY.search(unquote(m.group(2))) and m.group(3)
        return f"{m.group(1)}{m.group(2)}=***" if secret else m.group()

    def url(m: re.Match[str]) -> str:
        path = "/".join("***" if looks_secret(p) else p for p in (m.group(2) or "").split("/"))
        return m.group(1) + path + _QUERY_PAIR.sub(pair, m.group(3) or "")

    return _URL_PARTS.sub(url, without_password(text))


class DigestError(Exception):
    """Base class: ``str(exc)`` is one clear line for the user."""


class ConfigError(DigestError):
    """The configuration file is unreadable or invalid."""


class SourceError(DigestError):
    """One source could not be fetched or parsed.  Other sources go on."""

    def __init__(self, source: str, problem: str, *, kind: str = "error") -> None:
        problem = without_secrets(problem)  # a feed URL's password or token: not in logs, mail nor the store
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
        #: A short machine-readable category: timeout, too-large, http-404,
        #: redirects, blocked-address, parse, encoding, ...
        self.kind = kind


class FetchError(SourceError):
    """Network-level failure (timeout, too large, too many redirects, HTTP error)."""

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        kind: str = "fetch",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(source, problem, kind=kind)
        self.status = status
        self.retry_after = retry_after


class ParseError(SourceError):
    """The bytes could not be turned into entries."""

    def __init__(self, source: str, problem: str, *, kind: str = "parse") -> None:
        super().__init__(source, problem, kind=kind)


class StoreError(DigestError):
    """The store could not be opened or is locked by another process."""


class StoreDamaged(StoreError):
    """The store's file is damaged (SQLite: malformed, not a database): no source is to
    blame, and a command that meets it stops with this one line."""


class StoreFull(StoreError):
    """The store's disk is full (SQLite: database or disk is full): no source is to blame,
    and ``digest run`` stops with this one line."""


class StoreUnwritable(StoreError):
    """The store cannot be written now: its file or folder is read-only, or another process
    has held its write lock past the timeout.  No source is to blame: a round or a run stops
    with this one line, and the daemon goes on (it is tried again later)."""


class StoreLost(StoreError):
    """The connection to the database server (PostgreSQL) was lost mid-run: no source is to
    blame, and a run stops with this one line (what was committed stays)."""


class IndexUnavailable(DigestError):
    """The shared candidate index (Redis, ``index:``) cannot be reached or answered with an
    error: no source is to blame, and a run stops with this one line (nothing is stored of
    the source being clustered; its articles are read again next time)."""


#: What stops a round or a run with its one line: every source would fail alike, none is blamed.
NO_SOURCE_TO_BLAME = (StoreDamaged, StoreFull, StoreUnwritable, StoreLost, IndexUnavailable)
