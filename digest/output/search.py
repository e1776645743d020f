"""Search results as plain data: stories found by words in any of their versions.

How it works
------------
The store's own full-text index (SQLite FTS5, PostgreSQL's tsvector; see
``digest.store.search``) ranks the stories; each result carries what a
reader needs to recognise the story: its day (the digest that showed it
first: its first version's arrival day, or the next day when that day's
digest was sealed before it arrived; newest first, the digest that showed its
latest matching version), its lead's title, outlet and link,
and how many outlets carried it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..config import Config
from ..errors import DigestError
from ..sources.dates import check_day
from ..sources.states import renamed_sources
from ..store.base import SearchHit, Store
from ..store.search import parse
from .days import day_window, shown_day
from .entries import heading_of
from .news import is_notice
from .view import named_now, repeated_pages

_LETTER = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class SearchResult:
    story_id: str
    day: date
    title: str
    source: str
    url: str | None
    outlets: int
    versions: int
    score: float
    #: The language the lead's source states (a BCP 47 tag), or None.
    lang: str | None = None
    #: The digest that showed its latest matching version (``day`` with ``newest``): a story new
    #: before ``--since`` is found by a later version (``digest search`` lists it under this day).
    matched_day: date | None = None


def listed_day(r: SearchResult, since: date | None) -> date:
    """The digest ``r`` is listed under: its ``day``; a story new before ``since`` found by a later
    version, that version's digest (``matched_day``).  ``digest search --since``'s lines (with
    "developing: first in the digest of DAY"), its JSON's ``listed_day`` and the archive's
    ``/search?since=`` say the same (stop 65: the CLI's text alone did)."""
    if since is not None and r.day < since and r.matched_day is not None:
        return r.matched_day
    return r.day


def has_words(query: str) -> bool:
    """Whether ``query`` asks for a word (``-word`` alone only leaves stories out)."""
    return bool(parse(query))


def has_letters(query: str) -> bool:
    """Whether ``query`` holds a letter or digit at all: a query without words that has
    them only leaves words out; one without them ("🌀", "***") has nothing the index holds."""
    return _LETTER.search(query) is not None


def check_query(query: str, limit: int = 20) -> None:
    """DigestError for a query that is no search (empty, symbols only, -words only) or a ``limit``
    below 1: said before the store is looked at (``digest search``)."""
    if not query.strip():
        raise DigestError("search: the query is empty (give words to look for)")
    if not has_letters(query):
        raise DigestError(
            f"search: {query!r} has no letter or digit to look for (symbols and punctuation are not indexed)"
        )
    if not has_words(query):
        raise DigestError(f"search: {query!r} has no word to look for (a -word only leaves stories out)")
    if limit < 1:
        raise DigestError(f"search: --limit must be 1 or more, not {limit}")


def search(
    store: Store, cfg: Config, query: str, *, since: date | None = None, limit: int = 20, offset: int = 0,
    newest: bool = False,
) -> list[SearchResult]:
    """The stories matching ``query`` (in the digests of ``since`` and later), best first (with
    ``newest``: the one whose latest matching version arrived last first, each dated by the digest
    that showed that version: the story found last week under this week's development is this
    week's news): ``limit`` of them after the first ``offset`` (a page of results).

    An empty query or a ``limit`` below 1 is a mistake, not a search: DigestError."""
    check_query(query, limit)
    start = None if since is None else day_window(store, cfg, check_day(since, cfg.tz))[0]
    want = max(0, offset) + limit
    ask = want
    renamed = renamed_sources(store, cfg)
    out: list[SearchResult] = []
    seen = 0
    while True:  # the index knows no notices: a story of notices only is left out here, and the
        rows = store.search(query, since=start, limit=ask, newest=newest)  # store asked again for
        out += [r for r in (_result(store, cfg, row, newest, renamed) for row in rows[seen:]) if r is not None]
        seen = len(rows)  # (more, the rows read before kept: the index's order is stable)
        if len(out) >= want or len(rows) < ask:  # (a page is full even where one was left out)
            return out[max(0, offset):want]
        ask += want


def _result(store: Store, cfg: Config, row: SearchHit, newest: bool, renamed: dict[str, str]) -> SearchResult | None:
    """The result for one of the index's rows (story, score, latest matching arrival); None for a
    story of notices of no report read, no story of any digest (``view.build_view``)."""
    story_id, score, latest = row
    st = store.get_story(story_id)
    versions = named_now(store.story_versions(story_id), renamed)  # a source renamed: one outlet
    if st is None or not versions or all(is_notice(v) for v in versions):
        return None
    repeats = repeated_pages(store, cfg, versions)  # a page read twice through one feed: once,
    versions = [v for v in versions if v.key not in repeats]  # as its story page lists it
    lead_key = repeats.get(st.lead_key, st.lead_key)
    lead = next((v for v in versions if v.key == lead_key), versions[0])
    day = shown_day(store, cfg, latest if newest else st.first_seen)
    return SearchResult(
        story_id=story_id, day=day, title=heading_of(lead, versions),
        source=lead.outlet_name, url=lead.url, outlets=len({v.outlet_name for v in versions}),
        versions=len(versions), score=score, lang=lead.lang,
        matched_day=day if newest or latest == st.first_seen else shown_day(store, cfg, latest),
    )
