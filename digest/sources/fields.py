"""What the reader sees of a feed entry: its text made plain, its link and its date.

The choices :mod:`digest.sources.feeds` makes among the fields a feed entry offers (RSS,
Atom through feedparser's dicts, and JSON Feed), each in one function:

* :func:`plain`: an HTML fragment (or plain text) as one line of text.
* :func:`title_text`: a title as the reader reads it, its escaped entities decoded.
* :func:`fullest`: an entry's body, its content or its summary, whichever says more.
* :func:`http_url`: an absolute http(s) URL, relative ones resolved against a base.
* :func:`entry_link`, :func:`json_link`: the page an entry links to (FeedBurner's
  ``origLink`` first; a search engine's redirect to it read through: :func:`unwrapped`; with no
  page, a podcast's episode file).
* :func:`entry_date`, :func:`json_date`: an entry's publication time, its first plausible date.
* :func:`language_tag`, :func:`entry_language`: the language an entry is written in, as its
  feed states it (a BCP 47 tag, for the ``lang`` of the pages that show it).
* :func:`entry_outlet`, :func:`without_outlet`: the outlet an aggregator's entry names as its
  own (RSS ``<source>``, Atom ``<source><title>``: Google News, planets), and its title
  without the `` - Outlet`` such feeds append.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from ..records import TITLE_CHARS
from ..text.shown import shorten, shows_something
from .dates import day_only, from_string, from_struct, plausible

__all__ = ["entry_date", "entry_date_stated", "entry_language", "entry_link", "entry_outlet", "former_json_link", "former_link", "fullest", "get", "http_url", "json_date", "json_date_stated", "json_link", "language_tag", "plain", "title_text", "unwrapped", "without_outlet", "year_agrees"]

_WS = re.compile(r"\s+")
_YEAR = re.compile(r"(?<![\d+-])(\d{4})(?!\d)")
#: A whole character reference, ended by its semicolon ("Q&A" and "&copy" alone are text).
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
#: A language tag as feeds write it: a 2-3 letter language, then subtags ("de", "pt-BR",
#: "zh-Hant-TW", "en_US"); anything else ("english", "*", a quote) is no tag.
_LANG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}")


class _TextOf(HTMLParser):
    """Text content of an HTML fragment (script/style dropped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain(text: str | None, *, is_html: bool = True) -> str:
    """Tags stripped (if HTML), entities decoded, whitespace folded."""
    if not text:
        return ""
    if is_html and ("<" in text or "&" in text):
        parser = _TextOf()
        try:
            parser.feed(text)
            parser.close()
            text = "".join(parser.parts)
        except Exception:  # html.parser is lenient; this is a last resort
            text = unescape(re.sub(r"<[^>]*>", " ", text))
    return _WS.sub(" ", text).strip()


#: A link longer than this is no link (a feed's is dropped, a replayed record's refused).
URL_CHARS = 4096
#: An entry's id is cut to this many characters (a replayed record's longer id is refused).
ID_CHARS = 2000


def http_url(value: object, base: str | None) -> str | None:
    """An absolute http(s) URL, resolving relative ones against ``base``."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > URL_CHARS or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        if base and not urlsplit(url).scheme:
            url = urljoin(base, url)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def title_text(value: str, *, is_html: bool) -> str:
    """A title as one line of the text it shows, its entities decoded even where escaped twice.

    Publishers escape titles once too often: WordPress's JSON Feed writes "It&#8217;s" and
    "AT&amp;T" in a field that is plain text, an Atom ``type="text"`` title holds
    "AT&amp;amp;T", an HTML one "&amp;amp;". A reader never means the entity itself, so a
    whole reference left after the markup is read is decoded (twice at most).
    """
    text = plain(value, is_html=is_html)
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = _ENTITY.sub(lambda m: unescape(m.group()), text)
    return _WS.sub(" ", text).strip()


def _words(text: str | None, *, is_html: bool) -> int:
    return len(plain(text, is_html=is_html).split()) if text else 0


def _says_more(words: int, than: int) -> bool:
    """Twice the words and ten more: a feed's two texts of one article differ by a byline or
    "The post ... appeared first on ...", a stub by the article."""
    return words >= 2 * than and words >= than + 10


def fullest(
    html: str | None, text: str | None, summary: str | None
) -> tuple[str | None, str | None, str | None]:
    """(content HTML, content text, summary HTML) with the fullest text in the content's place.

    The text is read from the content, and from the summary only where the content is
    empty (:func:`digest.text.prepare.body_of`).  Some publishers put a stub in the
    content ("Read it.", "Continue reading →", a photo and its caption) and the article in
    the description; JSON Feed's ``content_html`` and ``content_text`` may differ the
    same way.  A summary that says clearly more than the content replaces it; a plain
    text that says clearly more than the HTML replaces it.
    """
    if not (summary or (html and text)):
        return html, text, summary
    html_words = _words(html, is_html=True)
    text_words = _words(text, is_html=False)
    if html_words and _says_more(text_words, html_words):
        html, html_words = None, 0
    body = html_words or text_words
    if body and summary and _says_more(_words(summary, is_html=True), body):
        return summary, None, None
    return html, text, summary


def get(e: Any, key: str) -> Any:
    """``e[key]`` without feedparser's aliases (``published`` -> ``updated``...)."""
    return dict.get(e, key) if isinstance(e, dict) else None


def entry_link(e: Any, base: str | None) -> str | None:
    """The page the entry links to: a FeedBurner feed's ``feedburner:origLink`` (its
    ``<link>`` is a redirect through feeds.feedburner.com), else ``link``, else the first
    ``rel="alternate"`` link, a redirect to it read through (:func:`unwrapped`); with no
    page, its first enclosure (a podcast's episode)."""
    page = _page_link(e, base)
    return unwrapped(page) if page else _first(get(e, "links"), "href", base, rel="enclosure")


#: Redirects that name their target in a parameter: (host, or the domain under which any host
#: is one, as "google."; path; the target's parameters in order).  Google Alerts links every
#: item through ``https://www.google.com/url?rct=j&sa=t&url=<article>&ct=ga&cd=...&usg=...``
#: (``usg`` and ``cd`` change from one poll to the next), Bing News through ``apiclick.aspx``,
#: Facebook through ``l.facebook.com/l.php?u=``.
REDIRECTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("google.", "/url", ("url", "q")),
    ("bing.com", "/news/apiclick.aspx", ("url",)),
    ("l.facebook.com", "/l.php", ("u",)),
)


def unwrapped(url: str) -> str:
    """``url``, or the http(s) page it redirects to when it is a known redirect
    (``REDIRECTS``), read through as often as they nest (three times at most).

    The reader is sent to the article, its full text is fetched from it, and an entry
    without an id is known by it: Google's link changes at each poll, the article does not.
    A redirect whose target is missing or no http(s) URL is kept as it is.
    """
    for _ in range(3):
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower().removeprefix("www.")
        except ValueError:
            return url
        names = next(
            (names for at, path, names in REDIRECTS
             if (host.startswith(at) if at.endswith(".") else host == at or host.endswith("." + at))
             and parts.path == path),
            None,
        )
        if names is None:
            return url
        query = dict(parse_qsl(parts.query))
        target = next((t for name in names if (t := http_url(query.get(name), None))), None)
        if target is None:
            return url
        url = target
    return url


def former_link(e: Any, base: str | None) -> str | None:
    """The link digest read before stop 33 (no ``origLink``, no enclosure): the key of an
    entry without an id was made from it then (``Entry.former``)."""
    return _plain_link(e, base)


def _page_link(e: Any, base: str | None) -> str | None:
    return http_url(get(e, "feedburner_origlink"), base) or _plain_link(e, base)


def _plain_link(e: Any, base: str | None) -> str | None:
    raw = get(e, "link")
    if get(e, "guidislink") and raw == get(e, "id"):
        # RSS <guid> without isPermaLink="false" and no <link>: a link only
        # if it is one already ("1234" is not a path on the feed's site).
        return http_url(raw, None)
    return http_url(raw, base) or _first(get(e, "links"), "href", base, rel="alternate")


def _first(links: object, key: str, base: str | None, *, rel: str | None = None) -> str | None:
    """The first http(s) URL under ``key`` of a list of link dicts (of ``rel``, when given:
    a link without ``rel`` is an alternate one)."""
    for ln in links if isinstance(links, list) else []:
        if isinstance(ln, dict) and (rel is None or ln.get("rel", "alternate") == rel):
            url = http_url(ln.get(key), base)
            if url:
                return url
    return None


def json_link(item: dict[str, Any], base: str | None) -> str | None:
    """A JSON Feed item's ``url``, else its ``external_url`` (a redirect read through:
    :func:`unwrapped`), else its first attachment's."""
    page = http_url(item.get("url"), base) or http_url(item.get("external_url"), base)
    return unwrapped(page) if page else _first(item.get("attachments"), "url", base)


def former_json_link(item: dict[str, Any], base: str | None) -> str | None:
    """A JSON Feed item's link before stop 33 (no attachment): see :func:`former_link`."""
    return http_url(item.get("url"), base) or http_url(item.get("external_url"), base)


def _stated_dates(e: Any) -> Iterator[datetime]:
    """The dates an entry states, in the order they count: ``published``, ``updated``,
    ``created``; each read by our own parser first (feedparser's took "+0530" after a space for
    +05:00 and a zone it does not know, "CEST", "AEDT", for UTC), one whose string names a year
    far from the parsed one left out (:func:`year_agrees`)."""
    for dt, _ in _stated_dates_as_written(e):
        yield dt


def _stated_dates_as_written(e: Any) -> Iterator[tuple[datetime, object]]:
    """:func:`_stated_dates`, each with the value it was read from."""
    for key in ("published", "updated", "created"):
        raw = get(e, key)
        dt = from_string(raw) or from_struct(get(e, key + "_parsed"))
        if dt is not None and year_agrees(dt, raw):
            yield dt, raw


def entry_date(e: Any, fetched: datetime) -> datetime | None:
    """The first plausible of ``published``, ``updated`` and ``created``: a publication time
    in the future or before 1995 (a year mistyped, a CMS's 1970) is passed over for the
    entry's next date, not for the fetch time."""
    return entry_date_stated(e, fetched)[0]


def entry_date_stated(e: Any, fetched: datetime) -> tuple[datetime | None, bool]:
    """:func:`entry_date`, and whether the value it was read from states a day only, no time
    (:func:`~.dates.day_only`: an RSS ``pubDate`` of "Tue, 19 Nov 2019", a ``2019-11-19``)."""
    for dt, raw in _stated_dates_as_written(e):
        if (found := plausible(dt, fetched)) is not None:
            return found, day_only(raw, found)
    return None, False


def entry_date_ahead(e: Any, fetched: datetime) -> bool:
    """Whether ``e`` states a date (``published``, ``updated``, ``created``) that
    :func:`entry_date` passed over as ahead of ``fetched`` (a feed's clock or time zone wrong):
    not the same as stating none (stop 56)."""
    return any(plausible(dt, fetched) is None and dt > fetched for dt in _stated_dates(e))


def _json_stated_dates(item: dict[str, Any]) -> Iterator[datetime]:
    """A JSON Feed item's ``date_published`` and ``date_modified``, those that parse."""
    for key in ("date_published", "date_modified"):
        if (dt := from_string(item.get(key))) is not None:
            yield dt


def json_date_ahead(item: dict[str, Any], fetched: datetime) -> bool:
    """:func:`entry_date_ahead` for a JSON Feed item."""
    return any(plausible(dt, fetched) is None and dt > fetched for dt in _json_stated_dates(item))


def json_date(item: dict[str, Any], fetched: datetime) -> datetime | None:
    """A JSON Feed item's first plausible of ``date_published`` and ``date_modified``."""
    return json_date_stated(item, fetched)[0]


def json_date_stated(item: dict[str, Any], fetched: datetime) -> tuple[datetime | None, bool]:
    """:func:`json_date`, and whether its value states a day only (:func:`entry_date_stated`)."""
    for key in ("date_published", "date_modified"):
        raw = item.get(key)
        if (dt := from_string(raw)) is not None and (found := plausible(dt, fetched)) is not None:
            return found, day_only(raw, found)
    return None, False


def year_agrees(dt: datetime, raw: object) -> bool:
    """False when the string names a 4-digit year far from the parsed one.

    feedparser reads ``01 Jan 0000`` as the year 2000; such dates are wrong.
    """
    if not isinstance(raw, str):
        return True
    years = [int(y) for y in _YEAR.findall(raw[:100])]
    return not years or any(abs(dt.year - y) <= 1 for y in years)


def language_tag(value: object) -> str | None:
    """A language tag in its usual case ("pt-BR", "zh-Hant-TW"), or None when ``value`` is
    none: RSS ``<language>`` is free text in practice ("English", "en-us", "*"), and the tag
    goes into a ``lang`` attribute, so only letters, digits and hyphens pass."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > 35 or not _LANG.fullmatch(value):
        return None
    first, *rest = value.replace("_", "-").split("-")
    subtags = [first.lower()]
    for sub in rest:
        if len(sub) == 2 and sub.isalpha():
            subtags.append(sub.upper())  # a region
        elif len(sub) == 4 and sub.isalpha():
            subtags.append(sub.title())  # a script
        else:
            subtags.append(sub.lower())
    return "-".join(subtags)


def entry_language(e: Any, feed_language: object) -> str | None:
    """An entry's language: its own (Atom ``xml:lang`` on its content, title or summary, as
    feedparser reports it), else its feed's (RSS ``<language>``, Atom ``xml:lang`` on the
    feed)."""
    details = [*(get(e, "content") or []), get(e, "title_detail"), get(e, "summary_detail")]
    for detail in details:
        if isinstance(detail, dict) and (tag := language_tag(detail.get("language"))):
            return tag
    return language_tag(feed_language)


#: An outlet's name longer than this is no name (a feed's description in ``<source>``).
OUTLET_CHARS = 80
#: What an aggregator puts between a headline and its outlet ("Storm hits coast - Reuters").
_OUTLET_SEP = re.compile(r"\s+[-\u2013\u2014|\u00b7]\s+$")


def entry_outlet(e: Any, feed_title: object) -> str | None:
    """The outlet an entry names as its own: RSS ``<source url="...">Reuters</source>`` (a
    Google News item; feedparser's ``source.title``), or an Atom entry's ``<source>`` feed
    title (a planet's post from Jane's blog), without the characters nobody sees
    (:func:`visible_name`: an item's U+202E turned the rest of each line naming it around);
    None when it names none, names the feed itself, or names it in more than ``OUTLET_CHARS``
    characters."""
    source = get(e, "source")
    title = source.get("title") if isinstance(source, dict) else None
    if not isinstance(title, str):
        return None
    name = visible_name(plain(title))
    own = plain(feed_title) if isinstance(feed_title, str) else ""
    if not name or len(name) > OUTLET_CHARS or name.casefold() == own.casefold():
        return None
    return name


def without_outlet(title: str, outlet: str | None) -> str:
    """``title`` without the outlet's name an aggregator appends to it ("Storm hits coast -
    Reuters", "... | Reuters", "... \u2014 Reuters"); a title that is only the name is kept."""
    if not outlet or not title.casefold().endswith(outlet.casefold()):
        return title
    head = title[: len(title) - len(outlet)]
    m = _OUTLET_SEP.search(head)
    return head[: m.start()] if m and m.start() > 0 else title


#: Characters a name is not seen in: bidi controls, zero-width spaces, byte order marks, soft
#: hyphens (joiners stay: they spell Persian and Indic words and emoji).
#: Control characters too (C0, DEL, C1): an outline's ESC sequence drove the terminal of each
#: line naming the source (colours, a window title, a screen cleared).
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000e-\u001f\u007f-\u009f"
    "\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def visible_name(title: str) -> str:
    """A feed's title as a source's name (``digest add``, an OPML list's outline): one line,
    without the characters nobody sees or types (a title's U+202E turned the rest of each line
    that names the source around, in ``digest sources`` and the logs); "" when no letter,
    digit, punctuation or symbol is left (a title of zero-width spaces)."""
    name = shorten(" ".join(_INVISIBLE.sub("", title).split()), TITLE_CHARS)  # a list's 1 MB name
    return name if shows_something(name) else ""
