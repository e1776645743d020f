"""The archive's search page (``digest serve``, ``/search``): a query's ranked stories, a page
of them at a time, for :meth:`digest.service.webpages.Pages.search` (its templates, its
``page``); :mod:`digest.service.web` routes and caches it (keyed on :func:`typed_query`).

Observations
------------
* A search query is hostile text: it is shown in an autoescaped template, and the store reads
  it as words, never as syntax (``digest.store.search``).

How it works
------------
* The search page lists :func:`digest.output.search.search`'s ranked results:
  the lead's title (linked to the story page), its outlet, how many outlets
  carried the story, and the story's day (linked to the day page; with ``since``, a story new
  before it under the digest of its matching version, its first day said after: as the CLI's).

Special cases
-------------
* An empty or absent query shows the box only; a ``since`` that is not a day
  (YYYY-MM-DD) is a 400 with the box.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from ..output.context import part_lang
from ..output.dates import short_day
from ..output.sanitize import NOT_TEXT
from ..output.search import has_letters, has_words, listed_day, search
from ..sources.dates import day_fits
from ..store.base import Store
from ..text.shown import headline
from .webday import one_line
from .webstory import story_href

if TYPE_CHECKING:
    from .webpages import Page, Pages

#: A query is cut here (the store keeps at most 16 terms of it anyway).
QUERY_CHARS = 200
#: Results on a page of search results.
SEARCH_LIMIT = 50
#: Pages of search results a query can be read to (the best 500 stories; each page asks the
#: index for all the results before it).
SEARCH_PAGES = 10


def typed_query(q: str) -> str:
    """The query as searched and shown: no control characters (``webpages._CONTROL``), one
    line, ``QUERY_CHARS`` at most.  The page cache keys on this too: two queries alike in
    their first characters as typed (controls in front) may differ in what is searched."""
    return one_line(NOT_TEXT.sub("", q))[:QUERY_CHARS]


def search_page(
    pages: Pages, store: Store | None, q: str, since: str, page: str = "", root: str = "/", *, newest: bool = False
) -> Page:
    """The ranked stories for ``q``, a page of ``SEARCH_LIMIT`` (``page``: which, from 1, up
    to ``SEARCH_PAGES``), with links to the pages before and after and to the other order
    (best match first, or with ``newest`` the latest first; ``store`` None: an empty query,
    nothing to look up), rendered by ``pages``."""
    q = typed_query(q)
    try:
        start = date.fromisoformat(since) if since else None
        usable = start is None or day_fits(start, pages.cfg.tz)
    except ValueError:
        start, usable = None, False
    if not usable:
        return pages.page("web/error.html", "400 Bad Request", root=root, code="400 Bad Request",
                          message="“since” must be a day: YYYY-MM-DD.", q=q, search_page=True, newest=newest)
    number = int(page) if page.isascii() and page.isdigit() and len(page) < 4 else 0 if page else 1
    if not 1 <= number <= SEARCH_PAGES:
        return pages.page("web/error.html", "400 Bad Request", root=root, code="400 Bad Request",
                          message=f"“page” must be a number from 1 to {SEARCH_PAGES}.", q=q, search_page=True,
                          newest=newest)
    results = []
    more = False
    if q and not has_words(q):  # "-shooting": nothing to find, said as such
        return pages.page("web/search.html", root=root, q=q, since="", search_page=True, since_label="",
                          results=[], limit=SEARCH_LIMIT, no_words=True, no_letters=not has_letters(q),
                          newest=newest)
    if q and store is not None:
        offset = (number - 1) * SEARCH_LIMIT
        found = search(store, pages.cfg, q, since=start, limit=SEARCH_LIMIT + 1, offset=offset, newest=newest)
        more, found = len(found) > SEARCH_LIMIT, found[:SEARCH_LIMIT]
        for r in found:  # a story new before ``since``: under its matching version's day, as the CLI's
            title, day = headline(r.title) or one_line(r.source) or r.story_id, listed_day(r, start)
            results.append({
                "href": story_href(r.story_id, root), "title": title,
                "source": one_line(r.source) or "unknown source", "outlets": r.outlets,
                "day": day.isoformat(), "day_label": short_day(day, pages.cfg.locale),
                "first": r.day.isoformat() if day != r.day else "", "first_label": short_day(r.day, pages.cfg.locale),
                "lang": part_lang(r.lang),
            })  # fmt: skip
    since_arg = start.isoformat() if start else ""

    def page_href(n: int, latest: bool = newest) -> str:
        order = {"sort": "newest"} if latest else {}
        return f"{root}search?" + urlencode({"q": q, **({"since": since_arg} if since_arg else {}), **order, "page": n})

    first = (number - 1) * SEARCH_LIMIT + 1
    return pages.page(
        "web/search.html", root=root, q=q, since=since_arg, search_page=True,
        since_label=short_day(start, pages.cfg.locale) if start else "", results=results,
        limit=SEARCH_LIMIT * SEARCH_PAGES, no_words=False, page=number, first=first,
        last=first + len(results) - 1,
        prev_href=page_href(number - 1) if number > 1 else "",
        next_href=page_href(number + 1) if more and number < SEARCH_PAGES else "",
        capped=more and number == SEARCH_PAGES, newest=newest, other_order_href=page_href(1, not newest),
    )
