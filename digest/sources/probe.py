"""A feed tried once before it is added to the configuration (``digest add``).

Observations
------------
* A user adds a feed by pasting what the browser shows: the feed's URL, the site's home
  page or an article's page, an ``http://`` link that moved to ``https://`` for good.  Added
  as it was pasted, a wrong address failed at every poll from the next run on, the reason
  in ``digest sources``; a page was followed to its feed at every poll until it stored the
  feed's URL; a source was named by hand.
* The feed names itself (RSS ``<channel><title>``, Atom ``<feed><title>``, JSON Feed
  ``title``): the name most users would type.

How it works
------------
:func:`probe` fetches the URL once through the guarded fetcher (``digest.sources.fetch``:
address checks, size and time limits, the configuration's ``fetch:``) and reads it as a
poll does (``digest.sources.discover.read_feed``: a page is followed to the first feed it
links).  :class:`Probe` is the URL to configure (the linked feed's for a page; the new
location after permanent redirects only, as polls store it), the feed's title, its entries
and the newest entry's date.  A fetch or parse failure raises the poll's own one-line error.

Special cases
-------------
* A feed that lists no entries now is still a feed: it is added, and the caller says so.
* A temporary redirect (302, 307) is not followed into the configuration: the site may send
  readers elsewhere for now, and the URL given is the one that lasts.
* A list of feeds (``digest import-opml --check``) is read as a poll reads its sources
  (:func:`probe_many`): ``fetch.concurrency`` at once, ``fetch.per_host`` per host, each
  failure its own line, none stopping the others.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ..config import FetchConfig
from ..errors import DigestError, FetchError
from .discover import read_feed
from .fetch import fetch
from .freshness import Waits, server_of


@dataclass(frozen=True, slots=True)
class Probe:
    """What one read of a feed found."""

    #: The URL to configure: the feed the page linked, or where a permanent redirect led.
    url: str
    #: The feed's own title ("" when it has none).
    title: str
    #: Entries read.
    entries: int
    #: The newest entry's publication time, when an entry states one.
    newest: datetime | None
    #: The page given, when the feed was found through it (its URL is then not ``url``).
    page: str | None = None


def probe(url: str, config: FetchConfig, *, now: datetime, source: str | None = None) -> Probe:
    """Read ``url`` once as a feed (following a page to the feed it links); raise the poll's
    ``FetchError`` / ``ParseError`` when it cannot be read."""
    name = source or url
    result = fetch(url, config=config, source=name)
    entries, followed = read_feed(result, source=name, config=config, fetched=now)
    if followed is not None:
        where, page = followed.permanent_url or followed.url, result.permanent_url or url
    else:
        where, page = result.permanent_url or url, None
    dates = [e.published for e in entries if e.published is not None]
    return Probe(url=where, title=entries.title, entries=len(entries), newest=max(dates, default=None), page=page)


def probe_many(
    feeds: Sequence[tuple[str, str]], config: FetchConfig, *, now: datetime
) -> list[Probe | DigestError]:
    """Each of ``feeds`` (name, URL) read once as :func:`probe` reads it, in order: its
    :class:`Probe`, or the one-line error that it could not be read."""
    hosts: dict[str, threading.Semaphore] = {}
    for _, url in feeds:
        hosts.setdefault(urlsplit(url).hostname or "", threading.Semaphore(config.per_host))
    waits = Waits()  # a host that said 429 is asked nothing more, as in fetch_many

    def one(feed: tuple[str, str]) -> Probe | DigestError:
        name, url = feed
        server = server_of(url)
        with hosts[urlsplit(url).hostname or ""]:
            if (held := waits.held(server, name)) is not None:
                return held
            try:
                return probe(url, config, now=now, source=name)
            except FetchError as exc:
                waits.told(server, exc)
                return exc
            except DigestError as exc:
                return exc

    if not feeds:
        return []
    with ThreadPoolExecutor(max_workers=min(config.concurrency, len(feeds))) as pool:
        return list(pool.map(one, feeds))
