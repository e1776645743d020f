"""What a saved web page says of itself: its title and when it was published.

Observations
------------
* A page states its publication time in many places, most of them to the
  minute: ``article:published_time`` and other meta tags, JSON-LD
  ``datePublished``, ``<time itemprop=datePublished>``.  htmldate finds more
  pages' dates, but keeps only the day: a page published at 14:40 read
  "00:00" in the digest, so it is asked only when the page states no time.
* ``og:title`` is the headline without the site's name; ``<title>`` often
  carries it (`` | Site``), so it is cleaned (``text.extract.clean_title``).

Special cases: a date before ``dates.EARLIEST`` or after the clock is not
believed (:func:`believed`); only the first ``HEAD_CHARS`` of a page are
searched for its title and stated time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..records import TITLE_CHARS
from ..text.extract import clean_title, without_site_name
from ..text.shown import shorten
from .dates import EARLIEST
from .feeds import plain
from .fields import language_tag

_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
_TIME_TAG = re.compile(r"<time\b[^>]*>", re.I)
#: A tag's attribute.  Its name starts where a name's characters start (not inside a run of
#: them) and is not read again shorter: ``([\w:.-]+)\s*=`` tried every start and every length
#: of a run with no ``=`` after it, and a local page's ``<meta`` of 200,000 letters held a core
#: ~5 minutes (40,000 took 13 s; stop 42).
_ATTR = re.compile(r"(?<![\w:.-])([\w:.-]++)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))")
_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"')
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
#: Meta keys (``property``, ``name`` or ``itemprop``, lower case) that state when a page
#: was published, most specific first.
_PUBLISHED_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
)
#: Characters of a page searched for its title and date (the head, and a little more).
HEAD_CHARS = 200_000


def page_date(page: str, metas: dict[str, str], now: datetime) -> datetime | None:
    """The publication date a saved web page (with its meta tags, ``metas``) states, if
    plausible."""
    stated = stated_time(page[:HEAD_CHARS], metas)
    if stated is not None:
        return believed(stated, now)
    try:
        from htmldate import find_date

        found = find_date(
            page[:500_000],
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%dT%H:%M:%S",
        )
    except Exception:  # htmldate on hostile markup: no date rather than no article
        return None
    if not found:
        return None
    try:
        dt = datetime.fromisoformat(found).replace(tzinfo=UTC)
    except ValueError:
        return None
    return believed(dt, now)


def believed(dt: datetime | None, now: datetime) -> datetime | None:
    """A date a local file states, if plausible: not before ``dates.EARLIEST``, not after
    ``now`` (no slack: a file is read when it is, not fetched from a clock-skewed server)."""
    return dt if dt is not None and EARLIEST <= dt <= now else None


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in _ATTR.finditer(tag)
    }


def metas(head: str) -> dict[str, str]:
    """``property``/``name``/``itemprop`` (lower case) -> ``content`` of a page's meta tags."""
    found: dict[str, str] = {}
    for tag in _META.finditer(head):
        attrs = _attrs(tag.group(0))
        content = attrs.get("content")
        if content is None:
            continue
        for key in ("property", "name", "itemprop"):
            if key in attrs:
                found.setdefault(attrs[key].strip().lower(), content)
    return found


def html_lang(head: str, metas: dict[str, str]) -> str | None:
    """The page's language: ``<html lang>`` (or ``xml:lang``), else its ``og:locale``
    ("de_DE"), else a ``content-language`` meta; None when none is a language tag."""
    m = _HTML_TAG.search(head)
    attrs = _attrs(m.group(0)) if m else {}
    for value in (attrs.get("lang"), attrs.get("xml:lang"), metas.get("og:locale"), metas.get("content-language")):
        if tag := language_tag(value):
            return tag
    return None


def html_title(head: str, metas: dict[str, str]) -> str:
    """The page's headline: ``og:title``, else ``twitter:title``, else ``<title>`` (less a short
    suffix), else its ``<h1>``; less the site's name the page states (``og:site_name``,
    ``application-name``) before or after a separator."""
    names = [plain(metas.get("og:site_name", "")), plain(metas.get("application-name", ""))]
    for key in ("og:title", "twitter:title"):
        title = plain(metas.get(key, ""))
        if title:
            return shorten(without_site_name(title, names), TITLE_CHARS)
    m = _TITLE.search(head)
    if m:
        title = clean_title(plain(m.group(1))) or ""
        if title:
            return shorten(without_site_name(title, names), TITLE_CHARS)
    m = _H1.search(head)
    return shorten(plain(m.group(1)), TITLE_CHARS) if m else ""


def _stamp(value: str) -> datetime | None:
    """An ISO 8601 date *with a time* (a date alone says nothing of the hour), in UTC."""
    value = value.strip()
    if not _STAMP.match(value):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def stated_time(head: str, metas: dict[str, str]) -> datetime | None:
    """The publication time a page's head states to the minute (meta tags, JSON-LD,
    ``<time>``)."""
    values = [metas[k] for k in _PUBLISHED_KEYS if k in metas]
    values += _LD_PUBLISHED.findall(head)
    for tag in _TIME_TAG.finditer(head):
        attrs = _attrs(tag.group(0))
        published = attrs.get("itemprop", "").lower() == "datepublished" or "pubdate" in attrs
        if "datetime" in attrs and published:
            values.append(attrs["datetime"])
    for value in values:
        dt = _stamp(value)
        if dt is not None:
            return dt
    return None
