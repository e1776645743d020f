"""Feed autodiscovery: a site's page given where its feed was meant.

Observations
------------
People paste a site's address, or an article's, where the feed URL goes.
Pages announce their feeds in the head, as ``<link rel="alternate"
type="application/rss+xml" href="...">`` (or ``application/atom+xml``,
``application/feed+json``); a blog's first such link is its main feed, later
ones its comments or categories.  Read as a feed, the page only gave
feedparser's ``not a feed: syntax error (line 2)``.

How it works
------------
:func:`read_feed` parses fetched bytes as a feed; when they are an HTML page
(:func:`is_html_page`: an HTML start before any feed root, in the first 4 KB,
of a document that is not JSON)
it takes the first linked feed (:func:`feed_links`, relative links resolved
against ``<base href>`` or the page's URL), fetches it once through the same
guarded fetcher (``digest.sources.fetch``: address checks, size and time
limits; judged as a link from the page's URL: a public page's link reaches no
private address) and parses that.  The caller stores the feed's URL as the source's
``permanent_url``, so later polls ask the feed directly and ``digest sources``
shows it; a new URL in the configuration starts over from the page.

Special cases
-------------
* A page that links no feed is one error saying so (an HTML page, not a feed).
  From a source read as a feed before (``last_ok_at``, cleared when its
  location changes) it is a page for now (maintenance, a login wall): the
  error says so and that it will be retried, not to give another URL.  Such a
  page is not followed even when it links a feed: the stored URL would move
  for good to whatever it links (a site template's comments feed, a portal's
  own); a feed that really moved answers with a redirect, which is followed,
  and the error names the linked feed for the reader to decide.
* A linked document that is no feed either is an error naming the feed URL;
  pages are never followed further (no chains, no loops).
* A document that is no feed (nor a page) is the parser's error naming the address it was
  read from and the ``Content-Type`` it was served as.
* Only the first 512 KB of the page is read for links (the head comes first);
  only http(s) links count.
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from ..config import FetchConfig
from ..errors import ParseError, without_secrets
from ..records import Entries, FetchResult
from .feeds import parse_feed
from .fetch import fetch
from .opml import is_opml

__all__ = ["FEED_TYPES", "feed_links", "is_html_page", "read_feed"]

#: Link types that announce a feed, in no order of preference (document order decides).
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
_LINK_BYTES = 512 * 1024
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>/]", re.I)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)


def is_html_page(data: bytes) -> bool:
    """Whether fetched bytes are an HTML page rather than a feed (or anything else)."""
    head = data[:4096]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False  # JSON (a JSON Feed's content_html may hold a whole <html> document)
    html = _HTML_START.search(head)
    if html is None:
        return False
    root = _FEED_ROOT.search(head)
    return root is None or html.start() < root.start()


class _Links(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "base" and a.get("href") and not self.found:
            self.base = urljoin(self.base, a["href"])
        elif tag == "link" and "alternate" in a.get("rel", "").lower().split():
            kind = a.get("type", "").lower().split(";")[0].strip()
            if kind in FEED_TYPES and a.get("href"):
                url = urljoin(self.base, a["href"])
                if url.lower().startswith(("http://", "https://")) and url not in self.found:
                    self.found.append(url)

    handle_startendtag = handle_starttag


def feed_links(data: bytes, base: str) -> list[str]:
    """The feeds a page links (``rel="alternate"`` of a feed type), in document order."""
    parser = _Links(base)
    try:
        parser.feed(data[:_LINK_BYTES].decode("utf-8", errors="replace"))
        parser.close()
    except Exception:  # html.parser is lenient; whatever it found before stays
        pass
    return parser.found


def _page_for_now(source: str, url: str, link: str | None = None) -> ParseError:
    """A source read before gives a page: said so, without asking for another URL; the feed
    the page links, when another, named for the reader to decide."""
    moved = f" (the page links {link}: if the feed moved there, give that URL)" if link and link != url else ""
    return ParseError(
        source,
        f"{url} returned an HTML page instead of its feed (perhaps down for maintenance, or a login page); "
        f"it read fine before and will be retried{moved}",
        kind="not-a-feed",
    )


#: The note of a feed that read before and now lists no entry (a whole, well-formed document:
#: a generator that broke, a feed emptied by a site's move).  Not a failure: what was read is
#: kept and nothing is taken back; but silent, a reader would never learn the feed stopped.
EMPTY_NOTE = "the feed lists no entries now (its stored articles are kept)"

#: The note of a feed that listed no entry at its first read, kept while it lists none (stop 60
#: review: six such feeds of a new user's were said nothing at the first run, then "lists no
#: entries now (its stored articles are kept)" at the second, when nothing had changed or been
#: stored).
EMPTY_YET = "the feed lists no entries yet"


def empty_note(entries: Entries, stored: str | None) -> None:
    """Keep :data:`EMPTY_YET` on ``entries`` of a feed that has listed none since its first read
    (``stored``: the note of its last read)."""
    if entries.note == EMPTY_NOTE and stored == EMPTY_YET:
        entries.note = EMPTY_YET


def read_feed(
    result: FetchResult, *, source: str, config: FetchConfig, fetched: datetime, read_before: bool = False
) -> tuple[Entries, FetchResult | None]:
    """The entries of a fetched document, following an HTML page to the feed it links.

    Returns the entries and, when a page was followed, the feed's own fetch
    result (its URL and validators are what the caller stores).  ``read_before``:
    the source was read as a feed at its location before, so a page it gives now
    is a passing state (maintenance, a login wall), not a wrong URL, and a whole feed
    that lists no entry now has :data:`EMPTY_NOTE` for its note.
    """
    assert result.content is not None
    url = result.final_url or result.url
    if is_opml(result.content):  # its <head> would pass for a page's
        raise ParseError(
            source,
            f"{url} is an OPML list of feeds, not a feed: add its feeds with 'digest import-opml {url}'",
            kind="not-a-feed",
        )
    if not is_html_page(result.content):
        entries = _parsed(result.content, source=source, url=url, content_type=result.content_type,
                          fetched=fetched)
        if not entries and entries.note is None:  # said once, kept for `digest sources` while it lasts
            entries.note = EMPTY_NOTE if read_before else EMPTY_YET
        return entries, None
    links = feed_links(result.content, url)
    if read_before:  # a passing page is never followed: the feed it links (comments, another
        raise _page_for_now(source, url, links[0] if links else None)  # site's) would stay for good
    if not links:
        raise ParseError(
            source,
            f"{url} is an HTML page, not a feed, and links no feed "
            '(<link rel="alternate" type="application/rss+xml" ...>): give the feed\'s URL',
            kind="not-a-feed",
        )
    feed = fetch(links[0], config=config, source=source, origin=result.url)
    if feed.content is None or is_html_page(feed.content):
        raise ParseError(source, f"the feed {url} links ({links[0]}) is an HTML page too", kind="not-a-feed")
    entries = _parsed(feed.content, source=source, url=feed.final_url or feed.url,
                      content_type=feed.content_type, fetched=fetched)
    return entries, feed


def _parsed(data: bytes, *, source: str, url: str, content_type: str | None, fetched: datetime) -> Entries:
    """:func:`parse_feed`, its error naming the address read and what it was served as: "Foo:
    not a feed: syntax error (line 2)" named neither, where every failed fetch names its address
    (a feed moved for good, or found through a page, is read where the configuration does not say)."""
    try:
        return parse_feed(data, source=source, url=url, content_type=content_type, fetched=fetched)
    except ParseError as exc:
        if url in exc.problem or without_secrets(url) in exc.problem:  # (its password, its token hidden there)
            raise
        served = f" (served as {content_type.split(';')[0].strip()[:80]})" if content_type else ""
        raise ParseError(source, f"{exc.problem} from {url}{served}", kind=exc.kind) from None
