"""A new source's backlog: the items it held when first read, published long before (``view``).

How it works
------------
* A version is its source's backlog when read in the source's first read (meta
  ``first_read:<source>``) and published more than ``backlog_days:`` before it arrived, or
  when that first read held no item stating a date (meta ``first_read_undated:<source>``):
  :func:`backlog_of`.  Moved out of ``view`` at stop 65, whose day's view now reads the
  first reads of its sources at once (``Store.metas_read``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from ..store.base import (
    FIRST_READ_KEY,
    UNDATED_AHEAD,
    UNDATED_READ_KEY,
    Store,
    StoredArticle,
    aware,
    parse_ts,
)


def backlog_of(store: Store, days: float, stored_as: dict[str, str], names: Iterable[str] = ()) -> Callable[[StoredArticle], bool]:
    """Whether a version is its source's backlog: read in the source's first read (meta
    ``first_read:<source>``, written by ``add_articles``: its first batch) and published more
    than ``days`` (``backlog_days:``) before it arrived (0: none is).  A source known before the
    first read was recorded has none; a publication time not believed (in the future, before
    1995) was replaced by the arrival, so is never old, save where the first read held no item
    stating a date (meta ``first_read_undated:<source>``): an undated feed (RSS 0.9x, a scraped
    one) put every item it held at the top of a migrating operator's first digest as the day's
    news (stop 55); what it held when first read is its backlog, its next items news as any.
    ``stored_as``: the name a version of a source renamed since was stored under (its key: the
    name), whose first read it was; ``names``: the sources whose first reads are read at once
    (stop 65: two statements a source, on PostgreSQL a round trip each), any other one by one."""
    firsts: dict[str, tuple[datetime | None, bool]] = {}
    keys = sorted({key.format(source=n) for n in names for key in (FIRST_READ_KEY, UNDATED_READ_KEY)})
    values = store.metas_read(keys) if keys else {}

    def meta(key: str) -> str | None:
        return values[key] if key in values else store.get_meta(key)

    def old(v: StoredArticle) -> bool:
        name = stored_as.get(v.key, v.source)
        if name not in firsts:
            firsts[name] = (parse_ts(meta(FIRST_READ_KEY.format(source=name))),
                            meta(UNDATED_READ_KEY.format(source=name)) in ("1", UNDATED_AHEAD))
        first, undated = firsts[name]
        if not (days > 0 and first is not None and aware(v.fetched) == first):
            return False
        return undated or (v.published is not None and aware(v.published) < first - timedelta(days=days))

    return old
