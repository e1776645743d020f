"""Days and times as a reader reads them: the configured locale's way (babel, CLDR), whole.

Observations
------------
* A date wrapped across two lines ("Fri, 20" / "Nov 2026") reads as two
  things, so every day and time written here has no-break spaces and
  hyphens (:func:`unbreakable`).
* A time on the digest's own day still carries its date (one format
  everywhere); the year only when it is not the digest's.

Special cases: a naive datetime is UTC; a day that is not a date is written
as it is; no locale configured means ``DEFAULT_LOCALE``.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, tzinfo

from babel import Locale
from babel import dates as babel_dates

#: U+00A0: a space a line never breaks at.
NBSP = "\u00a0"
#: The locale dates are written in when none is configured (``Config.locale``).
DEFAULT_LOCALE = "en_GB"
#: U+2011: a hyphen a line never breaks at (a date written with hyphens stays whole).
NB_HYPHEN = "\u2011"
_SPACE = re.compile(r"\s")


@functools.lru_cache(maxsize=16)
def _locale(name: str | None) -> Locale:
    return Locale.parse((name or DEFAULT_LOCALE).replace("-", "_"))


def unbreakable(text: str) -> str:
    """``text`` with no place a line may break: no-break spaces and hyphens."""
    return _SPACE.sub(NBSP, text).replace("-", NB_HYPHEN)


def format_time(
    dt: datetime | None, tz: tzinfo | None = None, *, day: str | None = None,
    locale: str | None = None,
) -> str:
    """``dt`` in ``tz``, written the locale's way: "Tue 1 Dec, 10:06 UTC" (en_GB).

    The year is shown when it is not the year of ``day`` (the digest's own day,
    YYYY-MM-DD), and always without a ``day``.  Empty for None; naive means UTC.
    One format everywhere (a time on the digest's day has its date too), and
    no place to wrap: no-break spaces and hyphens (:func:`unbreakable`).
    """
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    local = dt.astimezone(tz or UTC)
    loc = _locale(locale)
    same_year = day is not None and day[:4] == f"{local.year:04d}"
    when = str(loc.datetime_formats["medium"]).replace("'", "").format(
        babel_dates.format_time(local, "short", locale=loc),
        babel_dates.format_skeleton("MMMEd" if same_year else "yMMMEd", local, locale=loc),
    )
    zone = local.strftime("%Z")
    return unbreakable(f"{when} {zone}" if zone else when)


def date_lang(locale: str | None = None) -> str:
    """The language dates are written in, as an HTML ``lang`` ("de-DE"), or "" for English.

    The pages' own words are English (``<html lang="en">``): a date in another language is
    marked as such (WCAG 3.1.2), or a screen reader reads "Freitag" with English sounds."""
    loc = _locale(locale)
    return "" if loc.language == "en" else str(loc).replace("_", "-")


def short_day(day: date, locale: str | None = None) -> str:
    """A day written short, the locale's way, whole: "Fri, 20 Nov 2026" (en_GB)."""
    return unbreakable(babel_dates.format_skeleton("yMMMEd", day, locale=_locale(locale)))


def format_month(day: date, locale: str | None = None) -> str:
    """The month that holds ``day``, written out the locale's way: "March 2026" (en_GB),
    "März 2026" (de_DE)."""
    return babel_dates.format_skeleton("yMMMM", day, locale=_locale(locale))


def format_day(day: str | date, locale: str | None = None) -> str:
    """A day (YYYY-MM-DD) written out the locale's way: "Friday, 20 November 2026" (en_GB).

    A string that is not a date is returned as it is."""
    try:
        d = day if isinstance(day, date) else date.fromisoformat(day)
    except ValueError:
        return str(day)
    return babel_dates.format_date(d, "full", locale=_locale(locale))


def format_days(first: str | date, last: str | date, locale: str | None = None) -> str:
    """The days from ``first`` to ``last`` written the locale's way: "17 – 23 November 2026"
    (en_GB), "November 27 – December 3, 2026" (en_US); one day as :func:`format_day`.

    The locale's interval pattern for months in full (CLDR ``yMMMMd``: "5–11 de julio de
    2026", es), where CLDR has one; else its pattern for abbreviated months (``yMMMd``;
    babel's ``format_interval`` would keep "Nov") with the month written out, as CLDR's own
    rule of adjusting a field's width does.  (Adjusting the abbreviated pattern lost the
    "de" Spanish writes with a month in full: "5–11 julio 2026".)  Strings that are not
    dates are joined as they are."""
    try:
        a = first if isinstance(first, date) else date.fromisoformat(first)
        b = last if isinstance(last, date) else date.fromisoformat(last)
    except ValueError:
        return f"{first} – {last}"
    if a == b:
        return format_day(a, locale)
    loc = _locale(locale)
    patterns = loc.interval_formats.get("yMMMMd") or loc.interval_formats.get("yMMMd") or {}
    for fld, differs in (("y", a.year != b.year), ("M", (a.year, a.month) != (b.year, b.month)), ("d", True)):
        if differs and fld in patterns:
            return "".join(
                babel_dates.parse_pattern(_MONTH_ABBR.sub("MMMM", p)).apply(d, loc)
                for p, d in zip(patterns[fld], (a, b), strict=True)
            )
    return babel_dates.format_interval(a, b, "yMMMd", locale=loc)


#: An abbreviated month in a date pattern (not a longer one).
_MONTH_ABBR = re.compile(r"(?<!M)MMM(?!M)")


def version_time(
    published: datetime | None, updated: datetime | None, tz: tzinfo | None = None, *,
    day: str | None = None, locale: str | None = None, day_only: bool = False,
) -> str:
    """A version's time as a digest shows it: its publication, or ``updated`` (when an entry
    its site updated in place was read again: it keeps its first publication time) as
    "updated Wed 11 Nov, 09:00 GMT".  ``day_only``: ``published`` was stated as a day without
    its time (``StoredArticle.published_day``: a saved page's "2019-11-19", a feed's date-only
    ``pubDate``), shown as that day: 27 of the 181 scrapinghub pages read "00:00 UTC", a time
    nobody stated, and in a zone west of UTC the day before (stop 62, saved pages).  Told from
    what was stated, not from the time: a feed's item stated at 00:00:00Z was shown as a day
    (stop 63)."""
    if updated is not None:
        return "updated " + format_time(updated, tz, day=day, locale=locale)
    if published is not None and day_only:
        return format_date(published, day=day, locale=locale)
    return format_time(published, tz, day=day, locale=locale)


def format_date(dt: datetime, *, day: str | None = None, locale: str | None = None) -> str:
    """The UTC day of ``dt`` alone, as :func:`format_time` writes its date ("Tue, 19 Nov 2019";
    the year left out in the year of ``day``)."""
    at = dt if dt.tzinfo is None else dt.astimezone(UTC)
    loc = _locale(locale)
    same_year = day is not None and day[:4] == f"{at.year:04d}"
    return unbreakable(babel_dates.format_skeleton("MMMEd" if same_year else "yMMMEd", at, locale=loc))
