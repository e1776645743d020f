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
from ..text.extract import as_heading, clean_title, without_site_name
from ..text.shown import shorten
from .dates import EARLIEST, from_string
from .feeds import plain
from .fields import language_tag
from .params import PAGE_HEAD_CHARS

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
#: An ISO 8601 time's offset at its end ("Z", "+05:30", "-0500").
_ISO_ZONE = re.compile(r"(?:[zZ]|[+-]\d{2}:?\d{2})$")
#: A date written another way with a time and an explicit zone ("Mon, 18 Nov 2019 16:07:38 -0600",
#: "20 Nov 2019 08:02 GMT", a script's "Tue Nov 19 2019 03:05:46 GMT+0000"); one with a zone
#: name of several meanings or none ("07:47 PM EST", "01:38 PM IST") is not read.
_OTHER_STAMP = re.compile(r"\b\d{4}\b.*\b\d{1,2}:\d{2}\b.*(?:\b(?:GMT|UTC)(?:[+-]\d{4})?|[+-]\d{4})$", re.I)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}$")
#: A script's zone, "GMT" and its offset in one word ("GMT-0500"): the offset alone is the zone
#: (``email.utils`` read "GMT-0500" as GMT, a time 5 hours off, stop 62 second review).
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)(?=[+-]\d{4}$)", re.I)
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
#: Characters of a page searched for its title and date (``params.PAGE_HEAD_CHARS``).
HEAD_CHARS = PAGE_HEAD_CHARS


def page_date(page: str, metas: dict[str, str], now: datetime) -> datetime | None:
    """The publication date a saved web page (with its meta tags, ``metas``) states, if
    plausible."""
    return page_date_stated(page, metas, now)[0]


def page_date_stated(page: str, metas: dict[str, str], now: datetime) -> tuple[datetime | None, bool]:
    """:func:`page_date`, and whether it is a day stated without its time (a ``datePublished``
    of "2019-11-19", or htmldate's, which keeps the day only): shown as the day (stop 63: a
    page's "T00:00:00Z" is a time, not a day)."""
    stated, day = _stated(page[:HEAD_CHARS], metas)
    if stated is not None:
        return believed(stated, now), day
    try:
        from htmldate import find_date

        found = find_date(
            page[:500_000],
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%dT%H:%M:%S",
        )
    except Exception:  # htmldate on hostile markup: no date rather than no article
        return None, False
    if not found:
        return None, False
    try:
        dt = datetime.fromisoformat(found).replace(tzinfo=UTC)
    except ValueError:
        return None, False
    # htmldate writes a day it found alone as 00:00:00; a time it found (a ``<meta name="date">``
    # of "2026-11-20 14:35:00") is a time: it was shown as the day alone (stop 63 review)
    return believed(dt, now), (dt.hour, dt.minute, dt.second) == (0, 0, 0)


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
    ``application-name``) before or after a separator, and less a last part after a separator
    where the rest is the page's ``<h1>`` (``extract.as_heading``)."""
    names = [plain(metas.get("og:site_name", "")), plain(metas.get("application-name", ""))]
    m = _H1.search(head)
    heading = plain(m.group(1)) if m else ""
    for key in ("og:title", "twitter:title"):
        title = plain(metas.get(key, ""))
        if title:
            return shorten(as_heading(without_site_name(title, names), heading), TITLE_CHARS)
    m = _TITLE.search(head)
    if m:
        title = clean_title(plain(m.group(1))) or ""
        if title:
            return shorten(as_heading(without_site_name(title, names), heading), TITLE_CHARS)
    return shorten(heading, TITLE_CHARS)


def _stamp(value: str) -> tuple[datetime, bool] | None:
    """A date *with a time* (a date alone says nothing of the hour), in UTC, and whether the
    value stated its offset: ISO 8601, or another form with an explicit zone
    (``_OTHER_STAMP``)."""
    value = value.strip()
    if _STAMP.match(value):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
        if dt.tzinfo is None:
            return dt.replace(tzinfo=UTC), False
        return dt.astimezone(UTC), bool(_ISO_ZONE.search(value))
    other = from_string(_GMT_OFFSET.sub("", value)) if len(value) <= 60 and _OTHER_STAMP.search(value) else None
    if other is not None:
        return other, True
    return None


def stated_time(head: str, metas: dict[str, str]) -> datetime | None:
    """:func:`_stated`'s time alone."""
    return _stated(head, metas)[0]


def _stated(head: str, metas: dict[str, str]) -> tuple[datetime | None, bool]:
    """The publication time a page's head states to the minute (meta tags, JSON-LD,
    ``<time>``): the first value stating its offset, else the first without one (read as
    UTC), else a day stated alone (``2019-11-19``) at 00:00 UTC; and whether it is that day
    alone (:func:`page_date_stated`).  A placeholder before
    ``dates.EARLIEST`` ("0001-01-01T00:00:00Z") is passed over.

    A page's ``sailthru.date`` ("2019-11-18 20:58:46", local time) came before its JSON-LD
    "2019-11-19T04:58:46Z" and was shown 8 hours early; a placeholder stated first stopped
    the search, and the page was dated by its file's modification time, an old article
    read as today's (stop 62, saved pages)."""
    values = [metas[k] for k in _PUBLISHED_KEYS if k in metas]
    values += _LD_PUBLISHED.findall(head)
    for tag in _TIME_TAG.finditer(head):
        attrs = _attrs(tag.group(0))
        published = attrs.get("itemprop", "").lower() == "datepublished" or "pubdate" in attrs
        if "datetime" in attrs and published:
            values.append(attrs["datetime"])
    naive: datetime | None = None
    for value in values:
        found = _stamp(value)
        if found is None or found[0] < EARLIEST:
            continue
        if found[1]:
            return found[0], False
        naive = naive or found[0]
    if naive is not None:
        return naive, False
    for value in values:
        if _DAY.match(value.strip()):
            try:
                stated_day = datetime.fromisoformat(value.strip()).replace(tzinfo=UTC)
            except ValueError:
                continue
            if stated_day >= EARLIEST:
                return stated_day, True
    return None, False
