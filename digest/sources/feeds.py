"""Parse: feed bytes -> the project's own :class:`Entry` records.

Observations
------------
feedparser (6.0) reads RSS 0.9x/1.0/2.0 and Atom 0.3/1.0, tolerates
ill-formed XML (``bozo``: strict expat first, then its loose SGML parser)
and hands back loosely typed dicts whose keys depend on the format.  It does
*not* read JSON Feed (verified: 6.0.14 returns no entries), so JSON Feed is
parsed here with :mod:`json`.  Everything is converted at this boundary:
nothing downstream sees feedparser's dicts.  Which field of an entry is its
link, its date, its plain text: :mod:`digest.sources.fields`.

How it works
------------
* feedparser is always given an ``io.BytesIO``: given ``bytes`` it would try
  ``open(data)`` first (a short body such as ``/etc/passwd`` is a path!), and
  given a string it may fetch a URL.
* Content: the longest HTML/XHTML ``content`` is ``content_html``; plain-text
  content goes to ``text``; ``summary``/``description`` is ``summary_html``
  (plain-text summaries are HTML-escaped), dropped when it only repeats the
  content (feedparser copies content into summary); a summary saying clearly
  more than a stub of a content takes its place (``fields.fullest``).  Titles
  are plain text, their entities decoded even where escaped twice
  (``fields.title_text``); an episode with no ``<title>`` takes its ``<itunes:title>`` (an
  entry with neither is headed by its text: ``digest.text.prepare.title_of_text``).
  Content HTML comes as the feed wrote it (feedparser neither sanitizes it nor
  writes it out again to resolve its links: its SGML parser reads markup unlike
  a browser, and could turn a script into text).
* Links: only absolute http(s) links are kept (relative ones are resolved
  against the feed URL first); ``javascript:`` and friends become ``None``.
  An entry with no page links to its first enclosure (``fields.entry_link``); a link through
  a known redirect (a Google Alert's ``google.com/url?url=``) is its target's (``fields.unwrapped``).
* Dates: ``published``, else ``updated``, else ``created`` (see
  :mod:`digest.sources.dates`), aware UTC, the first plausible one (a published
  date in 2036 gives way to the updated one); with none, ``None`` and the
  caller uses the fetch time.
* Duplicate entry ids, textless entries, the cap on entries read: the rules of
  :mod:`digest.sources.entrylist`, the same for every format.
* Titles and authors are cut to ``records.TITLE_CHARS`` / ``AUTHOR_CHARS``
  (300 / 200 characters) at a word boundary, with an ellipsis
  (:func:`digest.text.shown.shorten`): a 1 MB title went into the digest whole.
* At most ``MAX_ENTRIES`` (20,000) entries are read from one document, the
  newest (:func:`digest.sources.entrylist.newest`).
* The feed's own refresh hint (RSS 2.0 ``<ttl>`` minutes; RSS 1.0
  ``sy:updatePeriod`` divided by ``sy:updateFrequency``) comes back as
  :attr:`Entries.ttl` in seconds, for polling; absurd values are ignored.

Special cases
-------------
* A document that yields no feed at all (HTML page, binary, empty, XML that
  is not a feed, JSON that is not a JSON Feed) raises :class:`ParseError`
  naming the source and the reason; so does an ill-formed document that
  yields no entry.  A valid but empty feed returns ``[]``.
* A feed cut off (the document ends before its root element closes:
  :mod:`digest.sources.cutoff`) keeps the entries read whole and says so in
  :attr:`Entries.note`, one line: ``feed ended early (XML not well-formed at
  line 40): 3 entries read``; the entry open at the cut is left out (it is
  read whole next time); with no entry read it raises ``broken feed``.
  Other bozo documents (an encoding overridden, an undefined entity) are
  whole and read silently.
* XML entities: before feedparser sees a document with a DOCTYPE, every
  entity declaration except short literals and single character references
  is removed (:func:`digest.sources.xmlscreen.screen_entities`: feedparser
  expands "safe" literal entities without limit).
* An element with more than ``xmlscreen.MAX_ATTRIBUTES`` attributes makes the
  document one error, before feedparser (whose time grows with their square:
  :func:`digest.sources.xmlscreen.crowded_element`); so does a document of more
  than ``params.MAX_ELEMENTS`` elements (feedparser's time grows with their
  number: :func:`digest.sources.xmlscreen.element_count`).
* These screens read the document as feedparser decodes it (a UTF-7 document's
  ``+ADw-`` is ``<``): feedparser is given that text as UTF-8
  (:func:`digest.sources.xmlscreen.as_feedparser_reads`).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from html import escape
from typing import Any

import feedparser

from ..errors import ParseError
from ..records import AUTHOR_CHARS, TITLE_CHARS, Entries, Entry
from ..text.shown import shorten, unicode_only
from .cutoff import json_cut, where_cut
from .entrylist import MAX_ENTRIES, finish, former_key, newest
from .fields import (
    ID_CHARS,
    entry_date_ahead,
    entry_date_stated,
    entry_language,
    entry_link,
    entry_outlet,
    former_json_link,
    former_link,
    fullest,
    get,
    http_url,
    json_date_ahead,
    json_date_stated,
    json_link,
    language_tag,
    plain,
    title_text,
    without_outlet,
    year_agrees,
)
from .params import MAX_ELEMENTS
from .xmlscreen import (
    MAX_ATTRIBUTES,
    UTF8_XML,
    as_feedparser_reads,
    crowded_element,
    element_count,
    screen_charrefs,
    screen_entities,
)

__all__ = ["MAX_ENTRIES", "feed_ttl", "parse_feed", "plain", "screen_entities", "year_agrees"]

# --------------------------------------------------------------------------
# Entry point


def parse_feed(
    data: bytes,
    *,
    source: str,
    url: str | None = None,
    content_type: str | None = None,
    fetched: datetime | None = None,
) -> Entries:
    """Parse feed bytes into entries; raise :class:`ParseError` if it is no feed."""
    fetched = fetched or datetime.now(UTC)
    if not isinstance(data, bytes | bytearray):
        raise ParseError(source, f"not a feed: expected bytes, got {type(data).__name__}")
    if not data.strip().strip(b"\x00"):
        raise ParseError(source, f"empty document from {url}" if url else "empty document", kind="empty")
    base = http_url(url, None)
    try:
        if _looks_json(data, content_type):
            return _json_feed(bytes(data), source=source, base=base, fetched=fetched)
        return _xml_feed(bytes(data), source=source, base=base, ctype=content_type, fetched=fetched)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(source, "cannot parse: document nested too deeply") from None
    except MemoryError:
        raise ParseError(source, "cannot parse: document too large", kind="too-large") from None
    except Exception as exc:  # feedparser/json on hostile bytes: one line, never a crash
        raise ParseError(source, f"cannot parse: {type(exc).__name__}: {_line(exc)}") from None


def _line(exc: object) -> str:
    import xml.sax

    if isinstance(exc, xml.sax.SAXParseException):
        return f"{exc.getMessage()} (line {exc.getLineNumber()})"[:200]
    text = str(exc).strip()
    return (text.splitlines() or ["unknown error"])[0][:200]


def _looks_json(data: bytes, content_type: str | None) -> bool:
    ctype = (content_type or "").lower()
    if "json" in ctype:
        return True
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


# --------------------------------------------------------------------------
# RSS / Atom through feedparser


def _xml_feed(
    data: bytes, *, source: str, base: str | None, ctype: str | None, fetched: datetime
) -> Entries:
    # No content-location: feedparser would rewrite relative ids against it,
    # and ids must not change when a feed moves.  Links are resolved below.
    text = as_feedparser_reads(data, ctype)
    # The content type: feedparser reads the decoded text as it is (UTF-8), or, when no codec
    # read the document, decodes it again as it would have.
    headers = {"content-type": UTF8_XML} if text is not data else {"content-type": ctype} if ctype else {}
    crowded = crowded_element(text)
    if crowded is not None:
        raise ParseError(
            source, f"not read: an element with {crowded} attributes (at most {MAX_ATTRIBUTES})", kind="too-large"
        )
    elements = element_count(text)
    if elements > MAX_ELEMENTS:
        raise ParseError(
            source, f"not read: {elements:,} elements (at most {MAX_ELEMENTS:,})", kind="too-large"
        )
    parsed = feedparser.parse(
        io.BytesIO(screen_charrefs(screen_entities(text))),
        response_headers=headers,
        sanitize_html=False,  # our own stripper reads script and style as a browser does (feedparser's kept a script's text after "<?<script>")
        # Content HTML is handed over as the feed wrote it: resolving its links wrote it out
        # again through feedparser's SGML parser, which reads markup unlike a browser ('<!<title>'
        # became '&lt;!<title>', an open title holding the next script as text). Nothing reads
        # the links inside content; entry links are resolved in _http_url.
        resolve_relative_uris=False,
    )
    raw = parsed.get("entries") or []
    reason = parsed.get("bozo_exception")
    if not raw and not parsed.get("version"):
        why = _line(reason) if reason else "no RSS, Atom or JSON Feed root element"
        raise ParseError(source, f"not a feed: {why}", kind="not-a-feed")
    cut = where_cut(data) if parsed.get("bozo") else None
    if cut is not None and cut.entry_open:
        raw = raw[:-1]  # the entry cut off: read whole next time (digest.sources.cutoff)
    feed = parsed.get("feed") or {}
    feed_link = http_url(feed.get("link"), base)
    keep = newest([entry_date_stated(e, fetched)[0] for e in raw], source) if len(raw) > MAX_ENTRIES else range(len(raw))
    entries = finish(
        [_entry(raw[i], source=source, base=base or feed_link, fetched=fetched, lang=feed.get("language"),
                feed_title=feed.get("title"))
         for i in keep]
    )
    if not entries and cut is not None:
        raise ParseError(source, f"broken feed: {cut.note(0)}")
    if not entries and raw and reason is not None and _is_syntax_error(reason):
        raise ParseError(source, f"broken feed: {_line(reason)}")
    entries.ttl = feed_ttl(feed)
    entries.note = cut.note(len(entries)) if cut is not None else None
    entries.title = _title(title_text(t, is_html=_detail_is_html(feed, "title"))) if isinstance(t := feed.get("title"), str) else ""
    return entries


#: Seconds per ``sy:updatePeriod`` (RSS 1.0 syndication module).
_SY_PERIOD = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400, "yearly": 365 * 86400}
#: A refresh hint beyond this is ignored as a typo (polling caps it anyway).
_MAX_HINT = 30 * 86400.0


def feed_ttl(feed: Any) -> float | None:
    """The feed's own refresh hint in seconds, or None (see the module docstring).  Numbers
    are ASCII digits: ``isdigit`` also takes "²", which ``int`` refuses."""
    ttl = get(feed, "ttl")
    seconds: float | None = None
    if isinstance(ttl, str) and ttl.strip().isascii() and ttl.strip().isdigit():
        seconds = int(ttl.strip()) * 60.0
    else:
        period = str(get(feed, "sy_updateperiod") or "").strip().lower()
        freq = str(get(feed, "sy_updatefrequency") or "1").strip()
        if period in _SY_PERIOD and freq.isascii() and freq.isdigit() and int(freq) > 0:
            seconds = _SY_PERIOD[period] / int(freq)
    if seconds is None or not 0 < seconds <= _MAX_HINT:
        return None
    return seconds


def _is_syntax_error(exc: object) -> bool:
    import xml.sax

    return isinstance(exc, xml.sax.SAXException)


def _detail_is_html(e: Any, key: str) -> bool:
    detail = get(e, key + "_detail") or {}
    return "html" in str(detail.get("type") or "text/html").lower()


def _content(e: Any) -> tuple[str | None, str | None]:
    """(longest HTML content, longest plain-text content) of an entry."""
    best_html: str | None = None
    best_text: str | None = None
    for c in get(e, "content") or []:
        value = c.get("value") if isinstance(c, dict) else None
        if not isinstance(value, str) or not value.strip():
            continue
        if "html" in str(c.get("type") or "text/html").lower():
            if best_html is None or len(value) > len(best_html):
                best_html = value
        elif best_text is None or len(value) > len(best_text):
            best_text = value
    return best_html, best_text


def _entry(
    e: Any, *, source: str, base: str | None, fetched: datetime, lang: object = None, feed_title: object = None
) -> Entry:
    content_html, content_text = _content(e)
    summary = get(e, "summary")
    summary_html: str | None = None
    copies = {c.get("value") for c in get(e, "content") or [] if isinstance(c, dict)}
    if isinstance(summary, str) and summary.strip() and summary not in copies:
        summary_html = summary if _detail_is_html(e, "summary") else escape(summary)
        body = content_html or content_text
        if body and plain(summary_html) == plain(body, is_html=content_html is not None):
            summary_html = None
    content_html, content_text, summary_html = fullest(content_html, content_text, summary_html)
    author = (get(e, "author_detail") or {}).get("name") or get(e, "author")
    raw_id = get(e, "id")
    entry_id = raw_id.strip()[:ID_CHARS] or None if isinstance(raw_id, str) else None
    title = get(e, "title")
    if not (isinstance(title, str) and title.strip()):
        title = get(e, "itunes_title")  # a podcast's episode may carry only <itunes:title>
        title = title if isinstance(title, str) else None
    url = entry_link(e, base)
    outlet = entry_outlet(e, feed_title)
    published, published_day = entry_date_stated(e, fetched)
    return Entry(
        source=source,
        title=_title(without_outlet(title_text(title, is_html=_detail_is_html(e, "title")), outlet))
        if isinstance(title, str) else "",
        url=url,
        entry_id=entry_id,
        former=former_key(entry_id, url, former_link(e, base)),
        content_html=content_html,
        summary_html=summary_html,
        text=content_text,
        published=published,
        published_day=published_day,
        date_ahead=published is None and entry_date_ahead(e, fetched),
        author=_author(plain(author)) if isinstance(author, str) else None,
        lang=entry_language(e, lang),
        outlet=outlet,
    )


def _title(text: str) -> str:
    return shorten(text, TITLE_CHARS)


def _author(text: str | None) -> str | None:
    return shorten(text, AUTHOR_CHARS) if text else None


# --------------------------------------------------------------------------
# JSON Feed (https://jsonfeed.org/version/1.1)


def _json_feed(data: bytes, *, source: str, base: str | None, fetched: datetime) -> Entries:
    cut = None
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        found = json_cut(data.decode("utf-8", errors="replace"))  # a cut may split a character
        if found is None:
            raise ParseError(source, f"not a feed: invalid JSON: {_line(exc)}", kind="not-a-feed") from None
        doc, cut = found
        if not doc.get("items"):
            raise ParseError(source, f"broken feed: {cut.note(0)}") from None
    if not isinstance(doc, dict):
        raise ParseError(source, "not a feed: JSON document is not an object", kind="not-a-feed")
    doc = unicode_only(doc)  # "\\ud800" is valid JSON, and no text the store can hold
    version = doc.get("version")
    is_jsonfeed = isinstance(version, str) and "jsonfeed.org" in version
    items = doc.get("items")
    if items is None and is_jsonfeed:
        return Entries()
    if not isinstance(items, list):
        raise ParseError(source, "not a feed: JSON without an 'items' list", kind="not-a-feed")
    home = http_url(doc.get("home_page_url"), base) or base
    feed_author = _json_author(doc)
    items = [item for item in items if isinstance(item, dict)]
    if len(items) > MAX_ENTRIES:
        items = [items[i] for i in newest([json_date_stated(item, fetched)[0] for item in items], source)]
    feed_lang = language_tag(doc.get("language"))  # JSON Feed 1.1: an item's, else the feed's
    entries = finish([_json_entry(item, source, home, feed_author, feed_lang, fetched) for item in items])
    entries.note = cut.note(len(entries)) if cut is not None else None
    entries.title = _title(title_text(t, is_html=False)) if isinstance(t := doc.get("title"), str) else ""
    return entries


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else []
    candidates = [*candidates, obj.get("author")]
    for a in candidates:
        if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip():
            return _author(plain(a["name"], is_html=False))
    return None


def _str(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    return None


def _json_entry(
    item: dict[str, Any],
    source: str,
    base: str | None,
    feed_author: str | None,
    feed_lang: str | None,
    fetched: datetime,
) -> Entry:
    raw_id = item.get("id")
    if isinstance(raw_id, bool):
        raw_id = None
    entry_id = str(raw_id).strip()[:ID_CHARS] or None if isinstance(raw_id, str | int | float) else None
    summary = _str(item.get("summary"))
    title = _str(item.get("title"))
    html, text, summary_html = fullest(
        _str(item.get("content_html")), _str(item.get("content_text")), escape(summary) if summary else None
    )
    url = json_link(item, base)
    json_stated = json_date_stated(item, fetched)
    return Entry(
        source=source,
        title=_title(title_text(title, is_html=False)) if title else "",
        url=url,
        entry_id=entry_id,
        former=former_key(entry_id, url, former_json_link(item, base)),
        content_html=html,
        summary_html=summary_html,
        text=text,
        published=(published := json_stated[0]),
        published_day=json_stated[1],
        date_ahead=published is None and json_date_ahead(item, fetched),
        author=_json_author(item) or feed_author,
        lang=language_tag(item.get("language")) or feed_lang,
    )
