"""Dates from feeds: struct_time tuples and date strings to aware UTC, or None.

Observations
------------
Feed dates are hostile like everything else: year 0, year 9999, dates in
the far future (scheduled or mistyped), 1970 epochs from broken CMSs,
timezone names nobody knows, and values that overflow ``datetime``.

How it works
------------
* :func:`from_struct` turns feedparser's UTC ``time.struct_time`` into an
  aware ``datetime``; anything that does not fit gives ``None``.
* :func:`from_string` tries ISO 8601 / RFC 3339 (``datetime.fromisoformat``),
  then RFC 822 (``email.utils``), then feedparser's own lenient date parser;
  a naive result is taken as UTC.  Zone names RFC 822 does not know but
  publishers write (``CEST``, ``AEDT``: :data:`ZONES`) are read as their offsets.
* :func:`plausible` keeps a date only if it is on or after 1995-01-01 and no
  more than two days after the fetch time; the caller then falls back to the
  fetch time (or a file's modification time).
* :func:`day_fits` says whether a calendar day asked for (``--date``,
  ``/day/YYYY-MM-DD``) has a start and an end in UTC: 9999-12-31 ends in the
  year 10000, and 0001-01-01 starts in the year 0 east of UTC, which
  ``datetime`` cannot hold (``OverflowError`` where the day's bounds are
  computed, ``digest.output.days.day_bounds``).  :func:`check_day` is the same
  as one clear error.

Nothing here raises on bad input but :func:`check_day`, by design.
"""

from __future__ import annotations

import calendar
import email.utils
import re
import time
from datetime import UTC, date, datetime, timedelta, tzinfo

from ..errors import DigestError

EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)


def from_struct(value: object) -> datetime | None:
    """feedparser's UTC ``struct_time`` (or a 9-tuple) as an aware datetime."""
    if not isinstance(value, tuple) or len(value) < 6:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def aware(dt: datetime) -> datetime | None:
    """``dt`` in UTC (a naive one taken as UTC), or None where the shift overflows."""
    try:
        if dt.tzinfo is None or dt.utcoffset() is None:
            return dt.replace(tzinfo=UTC)
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def from_string(value: object) -> datetime | None:
    """A date string in any common feed format, as aware UTC (None if unreadable)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    iso = text[:-1] + "+00:00" if text[-1:] in "zZ" else text
    try:
        return aware(datetime.fromisoformat(iso))
    except ValueError:
        pass
    text = _numeric_zone(text)
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is not None:
        return aware(parsed)
    return from_struct(_feedparser_date(text))


#: Zone names publishers write that RFC 822 (hence ``email.utils`` and feedparser) does not
#: know: each was read as UTC, a time hours off ("10:00 AEDT" shown 11 hours late).  Only
#: names with one meaning: IST (India, Ireland, Israel) is left out.
ZONES = {
    "WET": "+0000", "WEST": "+0100", "BST": "+0100", "CET": "+0100", "CEST": "+0200",
    "MET": "+0100", "MEST": "+0200", "EET": "+0200", "EEST": "+0300", "MSK": "+0300",
    "SAST": "+0200", "HKT": "+0800", "SGT": "+0800", "AWST": "+0800", "JST": "+0900",
    "KST": "+0900", "ACST": "+0930", "ACDT": "+1030", "AEST": "+1000", "AEDT": "+1100",
    "NZST": "+1200", "NZDT": "+1300", "AKST": "-0900", "AKDT": "-0800", "HST": "-1000",
}  # fmt: skip


def _numeric_zone(text: str) -> str:
    """``text`` with a trailing zone name of :data:`ZONES` written as its offset."""
    head, _, zone = text.rpartition(" ")
    offset = ZONES.get(zone.upper()) if head else None
    return f"{head} {offset}" if offset else text


def _feedparser_date(text: str) -> time.struct_time | None:
    try:
        from feedparser.datetimes import _parse_date
    except ImportError:  # pragma: no cover - private API moved
        return None
    try:
        result = _parse_date(text)
    except Exception:  # feedparser's date handlers are many and loose
        return None
    return result if isinstance(result, time.struct_time) else None


#: A time of day in a date as written: "09:00", "9:00", ISO 8601's basic "T0900".
_TIME_OF_DAY = re.compile(r"\d:\d\d|[Tt]\d{4}")


def day_only(raw: object, dt: datetime) -> bool:
    """Whether ``raw``, the value ``dt`` was read from, states a day without its time ("Tue, 19
    Nov 2019", "2019-11-19", a YAML or Python ``date``): read as 00:00 UTC, a time nobody stated,
    shown as the day alone.  A time stated as "00:00:00Z" is a time (stop 63: it was shown as a
    day, decided from the value read, not from what was written)."""
    if isinstance(raw, datetime):
        return False
    if isinstance(raw, date):
        return True
    at = dt.astimezone(UTC) if dt.tzinfo is not None else dt
    return isinstance(raw, str) and not _TIME_OF_DAY.search(raw) and (at.hour, at.minute, at.second) == (0, 0, 0)


def plausible(dt: datetime | None, fetched: datetime) -> datetime | None:
    """``dt`` if it can be a real publication date seen at ``fetched``, else None."""
    if dt is None:
        return None
    try:
        if dt < EARLIEST or dt > fetched + FUTURE_SLACK:
            return None
    except (OverflowError, TypeError):
        return None
    return dt


def day_fits(day: date, tz: tzinfo) -> bool:
    """Whether ``day`` (local in ``tz``) starts and ends at times ``datetime`` can hold in UTC."""
    try:
        start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        start.astimezone(UTC)
        (start + timedelta(days=1)).astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return True


def check_day(day: date, tz: tzinfo) -> date:
    """``day`` if it fits (:func:`day_fits`), else :class:`DigestError` naming it."""
    if not day_fits(day, tz):
        raise DigestError(
            f"date {day.isoformat()} is out of range: in time zone {tz} its start or end "
            "falls outside the years 1 to 9999 UTC"
        )
    return day
