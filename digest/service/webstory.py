"""A story page's ties to the archive's days (``digest serve``): which day its navigation goes
back to, and where the id of a retired story went.  :mod:`digest.service.webpages` renders it.

Observations
------------
* A developing story is on each day an article of it arrived: its page is reached from each of
  those days' pages.  Its "Digest of ..." link went to its *first* day whichever day the reader
  came from: reached from the third day, "back" was two days back.

How it works
------------
* A day page links each story with the day (``/story/<id>?day=YYYY-MM-DD``, :func:`story_href`);
  the story page goes back to that day (:func:`back_day`) only when it is a day (strict
  YYYY-MM-DD, :func:`asked_day`) on which an article of the story arrived (a version fetched in
  that day's hours) and whose page lists the story (the day's view, as its page is built), else
  to its first day, as before.  The query is hostile: a day it names that the story is not on
  is never linked, and only a day that parses is kept apart in the page cache (``web``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import quote

from ..config import Config
from ..output.days import shown_day
from ..output.digests import archive_view
from ..sources.dates import day_fits
from ..store.base import Store, aware

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def story_href(story_id: str, root: str = "/", day: date | None = None) -> str:
    """The story's page; ``root``: the archive's root path (``/``, or ``/news/`` behind a proxy);
    ``day``: the day page it is linked from (its navigation goes back there)."""
    return f"{root}story/" + quote(story_id, safe="") + (f"?day={day.isoformat()}" if day else "")


def asked_day(value: str, cfg: Config) -> date | None:
    """The day a story page's ``?day=`` names: YYYY-MM-DD of a day whose hours fit (``day_fits``),
    else None (anything else is ignored, never an error)."""
    if not _DAY.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None
    return day if day_fits(day, cfg.tz) else None


def back_day(
    store: Store, cfg: Config, story_id: str, arrivals: Iterable[datetime], first: date, asked: date | None
) -> date:
    """The day a story page's navigation goes back to: ``asked`` (the day page it came from) when
    the story is on it, else ``first`` (its first digest's day); ``arrivals``: when each of its
    articles was read."""
    if asked is None or asked == first:
        return first
    # cheap first: a day none of its versions arrived in does not list it
    arrived = {shown_day(store, cfg, aware(t)) for t in arrivals}
    if asked not in arrived:
        return first
    listed = {s.story_id for s in archive_view(store, cfg, asked).stories}
    return asked if story_id in listed else first


def successor(store: Store, story_id: str) -> str | None:
    """Where the articles of a retired story went: its id is the key of the article that
    started it (``digest.dedup.engine``; a regrouping that needs a fresh id adds ``~n``), and that
    article is in the story that holds it now.  Permalinks in digests already sent keep
    working after stories merge or regroup."""
    for key in dict.fromkeys([story_id, re.sub(r"~\d+$", "", story_id)]):
        art = store.get_article(key)
        if art is not None and art.story_id != story_id and store.get_story(art.story_id):
            return art.story_id
    return None
