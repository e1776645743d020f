"""The time of day an article's opening says its event happened, and the pairs whose times conflict.  Pure.

Observations
------------
* Two events of one kind at one place, told alike (two 6.1 quakes on one island, issue #19),
  differ in a few words, one of them the minute it happened: "at 7:48 a.m. local time", "7 : 48
  am (2248 GMT Tuesday)" against "at 0737 GMT", "07 : 37 a. m. UTC (3 : 37 a. m. EDT)".  Rewrites
  of one report keep its minute (``benchmarks.event_time``, stop 61: of the ECB+ dev pairs of one
  topic whose openings both state one, 1 of 127 same-event pairs conflict against 51 of 134
  sibling pairs; GVC val 0 of 11 same-incident pairs).
* Stop 34 read every clock time and dropped the cue (52% of same-event pairs shared none): a
  press conference's hour, a game clock ("with 7:42 left") and a rounded "about 7 p.m." against
  "7:01 p.m." each made one event two.  This reads the event's time only and compares it as
  precisely as it is told.

How it works
------------
* :func:`stated_times`: the times of day a text states, each (minutes after midnight, in UTC,
  exact).  Forms: "7:48 a.m.", "7 : 48 am", "3.45pm", "9 p.m.", "0737 GMT"; a zone after it
  (GMT, UTC, EDT, PST, ...) puts it in UTC, "local time" or none leaves it local.  Not read: a
  game clock ("with 7:42 left", "at the 2:15 mark"), a time something was over by or lasted until
  ("by 6:40 a.m."), a scheduled one ("set for 11 a.m.", "kickoff"), a report's own stamp
  ("Update, 9:45 a.m."), and a bare "H:MM" with neither a.m./p.m. nor a zone (a score, a ratio).
  Exact: a minute not a multiple of 5 ("7:37"; "about 7:30" and "3 p.m." are rounded).
* :func:`event_times`: those of the title and the first ``CLOCK_CHARS`` characters of the text,
  as codes (minutes x 4 + 2 if in UTC + 1 if exact).
* :func:`compatible`: two times may be one event's when both are in UTC, or both local, and
  within ``CLOCK_EXACT`` minutes (both exact) or ``CLOCK_ROUND`` (either rounded), round the
  clock; one in UTC and one local (the zone unknown) only by their minutes past the half hour
  (zones are whole or half hours from UTC: India, Iran, Newfoundland), and only when both are
  exact.
* :func:`clock_factor`: two articles conflict when both state times and none of one is compatible
  with any of the other; their link counts ``Params.clock_factor`` of itself.

Special cases
-------------
* An article stating no time, or a region with fewer than two that do, costs nothing.
* Two events at the same minute past the half hour, one told in UTC and one in local time,
  are not told apart (a zone whole or half hours away gives the same minutes); nor is a zone
  a quarter hour off (Nepal's +5:45) read right: there two reports of one event may conflict.
"""

from __future__ import annotations

import re

import numpy as np

from .params import CLOCK_CHARS, CLOCK_EXACT, CLOCK_ROUND

#: Zones to hours from UTC (standard and daylight; US zones as the reports write them).
ZONES = {"gmt": 0, "utc": 0, "bst": 1, "cet": 1, "cest": 2, "et": -5, "est": -5, "edt": -4, "ct": -6,
         "cst": -6, "cdt": -5, "mt": -7, "mst": -7, "mdt": -6, "pt": -8, "pst": -8, "pdt": -7,
         "akst": -9, "akdt": -8}
_HALF = r"(?P<{}>a\s*\.?\s*m\b\.?|p\s*\.?\s*m\b\.?)"
_ZONE = r"(?:\s*\(?\s*(?P<zone>" + "|".join(sorted(ZONES, key=len, reverse=True)) + r"|local(?:\s+time)?)\b)?"
_TIME = re.compile(
    r"(?<![\d.,:])(?:"
    r"(?P<h>\d{1,2})\s*[:.]\s*(?P<m>\d{2})(?![\d.,])\s*" + _HALF.format("half1") + "?"
    r"|(?P<h2>\d{1,2})\s*" + _HALF.format("half2") +
    r"|(?P<mil>[0-2]\d[0-5]\d)(?=\s*(?:gmt|utc)\b)"
    r")" + _ZONE, re.I)
_ABBREV = r"\b(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun|jan|feb|mar|apr|aug|sept?|oct|nov|dec)\."
#: A page's own stamp before its time: "Posted : Sunday , May 3 at 9:17pm", "Updated Mon., May 4, 2009,
#: 9:17 p.m." (a stamp word, then up to 48 characters in one sentence: no sentence end nor line break).
_STAMP = (r"\b(?:updated?|posted|published|edited|modified|filed|created)\b\s*(?::\s*)?(?:" + _ABBREV
          + r"|[^.;\n]){0,48}")
#: A full date (month, day, year) right after a time: a stamp ("9:17 p.m. EDT, May 3, 2009"), not
#: the event's hour, which a report dates by its day alone ("on Sunday", "on May 3").
_DATED = re.compile(
    r"^\s*[,|\-]?\s*(?:\w+day\s*,?\s*)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d{1,2}"
    r"\s*,\s*(?:19|20)\d\d\b", re.I)
#: Words just before a time that make it not the event's: a deadline, an end, a schedule, a stamp.
_NOT_BEFORE = re.compile(
    r"(?:\b(?:by|until|till|through|from|set for|scheduled(?: for)?|slated for|kickoff|kick-off|"
    r"starting|start|begins?|will|to play|semifinal|game|conference call)\b[^.;]{0,12}|\bwith(?: about| just)?\s*|"
    r"\bat the\s*|" + _STAMP + r"|\b(?:19|20)\d\d\s*[,|\-]?\s*(?:at\s*)?|\|\s*)$", re.I)
#: Words just after a time that make it a game clock or a schedule.
_NOT_AFTER = re.compile(
    r"^\s*(?:left|remaining|to go|to play|mark|of the clock|minutes|semifinal|kickoff|game|conference|"
    r"media|timeout|in the (?:first|second|third|fourth)|tomorrow|the next day)\b", re.I)

Time = tuple[int, bool, bool]


def stated_times(text: str) -> frozenset[Time]:
    """The event times ``text`` states: (minutes after midnight, in UTC, exact)."""
    out: set[Time] = set()
    for m in _TIME.finditer(text):
        if _NOT_BEFORE.search(text[max(0, m.start() - 64):m.start()]) or _NOT_AFTER.match(text[m.end():m.end() + 30]):
            continue
        if _DATED.match(text[m.end():m.end() + 40]):  # a stamp: the time, then a full date
            continue
        zone = (m.group("zone") or "").lower()
        if m.group("mil"):
            hour, minute, half = int(m.group("mil")[:2]), int(m.group("mil")[2:]), ""
        elif m.group("h"):
            hour, minute, half = int(m.group("h")), int(m.group("m")), m.group("half1") or ""
            if not half and not zone:
                continue  # a bare "7:42": a score, a game clock, a ratio
        else:
            hour, minute, half = int(m.group("h2")), 0, m.group("half2")
        half = re.sub(r"[\s.]", "", half).lower()
        if hour > 23 or minute > 59 or (half and not 1 <= hour <= 12):
            continue
        hour += 12 if half == "pm" and hour < 12 else -12 if half == "am" and hour == 12 else 0
        at, utc = hour * 60 + minute, zone in ZONES
        out.add(((at - ZONES[zone] * 60) % 1440 if utc else at, utc, minute % 5 != 0))
    return frozenset(out)


def event_times(title: str, text: str) -> np.ndarray:
    """The times the opening states as codes (minutes x 4 + 2 if in UTC + 1 if exact; empty:
    none)."""
    stated = stated_times(f"{title}.\n{text[:CLOCK_CHARS]}")
    return np.array(sorted(t * 4 + 2 * utc + exact for t, utc, exact in stated), dtype=np.int32)


def _apart(a: int, b: int, period: int) -> int:
    d = abs(a - b) % period
    return min(d, period - d)


def compatible(x: Time, y: Time) -> bool:
    """Whether two stated times may be one event's."""
    exact = x[2] and y[2]
    if x[1] == y[1]:
        return _apart(x[0], y[0], 1440) <= (CLOCK_EXACT if exact else CLOCK_ROUND)
    # the zone unknown: its offset is whole hours, or half hours (India, Iran, Newfoundland)
    return not exact or _apart(x[0], y[0], 30) <= CLOCK_EXACT


def conflict(a: frozenset[Time], b: frozenset[Time]) -> bool:
    """Both state times and none of one is compatible with any of the other."""
    return bool(a) and bool(b) and not any(compatible(x, y) for x in a for y in b)


def decode(codes: np.ndarray) -> frozenset[Time]:
    """``event_times``' codes back as (minutes, in UTC, exact)."""
    return frozenset((int(c) >> 2, bool(c & 2), bool(c & 1)) for c in codes.tolist())


def clock_factor(factor: float, times: list[np.ndarray]) -> np.ndarray | None:
    """Per pair of articles (each stating a time: ``event_times``' codes), ``factor`` where their
    times conflict, else 1; None when no pair does."""
    read = [decode(c) for c in times]
    k = len(read)
    out = np.ones((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            if conflict(read[i], read[j]):
                out[i, j] = out[j, i] = factor
    return out if (out < 1.0).any() else None
