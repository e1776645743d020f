"""SQLite's search: the SELECT for a parsed query (which FTS5 table each term reads, how deep), and
the store's ``search`` run on it (:class:`SQLiteSearch`, a mixin of ``SQLiteStore``).

Observations
------------
* Two FTS5 tables hold the searchable text: ``articles_fts`` every article as written, and
  ``articles_fts_spaced`` (migrations 15, 16) the articles with a letter of a script written
  without spaces or a letter or digit NFKC folds, folded and spaced
  (:func:`digest.store.search.spaced_row`).  A query reads one or both (:func:`matching_select`);
  ``SQLiteStore.search`` runs it, reading deeper while it finds too few stories.

Special cases
-------------
* Each branch's LIMIT is a parameter, so one SELECT serves every depth (:func:`match_args`).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from .base import SearchHit, parse_ts, ts
from .search import Term, fts5, has_unspaced, spaced
from .search import parse as parse_query

#: Best-ranked matching versions read first per story asked for (several versions of one
#: story can all match), and per story when a ``since`` filter drops older ones after
#: ranking; ``SQLiteStore.search`` reads deeper when these give too few stories.
SEARCH_DEPTH = 10
SEARCH_DEPTH_SINCE = 50


def matching_select(terms: list[Term]) -> tuple[str, tuple[str, ...]]:
    """The matches of ``terms`` as a SELECT of (rowid, rank) (its ``{order}`` to fill in, each
    LIMIT a parameter: :func:`match_args`) and the MATCH expressions it reads.  The second search table
    (``articles_fts_spaced``) holds the articles with a letter of a script without spaces or a
    letter or digit NFKC folds (migrations 15, 16), folded and spaced; an article is found by the
    words it holds there.  A term of a script without spaces to find: only that table's articles
    can match, read there.  Otherwise ``articles_fts`` is read, an article of the second table
    kept only where that table matches it too ("harbour -北京" leaves out the one it finds 北京 in:
    review of stop 55), and the second table gives the articles only it matches ("2026年" and
    "ABC" find the "２０２６年" and "ＡＢＣ" it folded: stop 56).  Each keeps ``articles_fts``'s rank
    where it has one: the second table's bm25 counts its words among its own few articles, and an
    English article with a "™" or a ligature ranked first for "said" (stop 56)."""
    spaced_match = ("SELECT rowid, rank FROM articles_fts_spaced WHERE articles_fts_spaced MATCH ? "
                    "AND rank MATCH 'bm25(3.0, 1.0)' ORDER BY {order} LIMIT ?")
    plain_query, folded_query = fts5(terms), spaced(fts5(terms))
    if any(has_unspaced(w) for t in terms if not t.exclude for w in t.words):
        return spaced_match, (folded_query,)
    plain = ("SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? AND rank MATCH 'bm25(3.0, 1.0)' "
             "AND (NOT EXISTS (SELECT 1 FROM articles_fts_spaced s WHERE s.rowid = articles_fts.rowid) "
             "OR EXISTS (SELECT 1 FROM articles_fts_spaced s WHERE s.rowid = articles_fts.rowid "
             "AND articles_fts_spaced MATCH ?)) ORDER BY {order} LIMIT ?")
    only_folded = ("SELECT rowid, rank FROM articles_fts_spaced WHERE articles_fts_spaced MATCH ? "
                   "AND rank MATCH 'bm25(3.0, 1.0)' AND NOT EXISTS (SELECT 1 FROM articles_fts m "
                   "WHERE m.rowid = articles_fts_spaced.rowid AND articles_fts MATCH ?) ORDER BY {order} LIMIT ?")
    return (f"SELECT rowid, rank FROM (SELECT * FROM ({plain}) UNION ALL SELECT * FROM ({only_folded})) "
            "ORDER BY {order} LIMIT ?", (plain_query, folded_query, folded_query, plain_query))


def match_args(matches: tuple[str, ...], depth: int) -> tuple[str | int, ...]:
    """The arguments of :func:`matching_select`'s SELECT reading ``depth`` matches (-1: every one): a
    LIMIT after each branch's MATCH expressions, and one after both."""
    if len(matches) == 1:
        return (*matches, depth)
    return (*matches[:2], depth, *matches[2:], depth, depth)


#: A search hit's latest match when its time does not parse (never: every article has its fetch time).
_NEVER = datetime.min.replace(tzinfo=UTC)


class SQLiteSearch:
    """``SQLiteStore``'s search (a mixin: ``db`` is the store's connection)."""

    db: sqlite3.Connection

    def search(
        self, query: str, *, since: datetime | None = None, limit: int = 20, newest: bool = False
    ) -> list[SearchHit]:
        """FTS5 ranks its best matching versions itself (ORDER BY rank LIMIT: no full sort of
        a common word's thousands of matches); their stories are grouped after, and ``since``
        applied after the ranking.  When that gives fewer than ``limit`` stories and more
        versions match than were read (one story's many versions, or older ones ranked above
        the window), it reads four times as deep, up to every match: a story whose best
        version lies deeper ranks below every story found, so the first ``limit`` are exact.
        ``newest`` reads the matches the same way, latest stored first (FTS5 walks its rowids
        backwards: the order the articles arrived in, as a rule), and orders the stories by their
        latest match's arrival: every match read and sorted by time took 56 ms for "police
        shooting" in 100,000 articles (``benchmarks.search_speed``).  Where an article stored
        before the deepest match read arrived as late as the last story found (``digest replay``
        backfilled the store with earlier history after later days: :meth:`_arrived_in_order`),
        it reads every match and sorts them by time."""
        terms = parse_query(query)
        if not terms:
            return []
        matching, matches = matching_select(terms)
        order, stories = ("rowid DESC", "at DESC") if newest else ("rank", "rank")
        q = (
            f"WITH f AS MATERIALIZED ({matching.format(order=order)}) "
            "SELECT a.story_id AS story_id, min(f.rank) AS rank, max(a.fetched) AS at FROM f "
            "JOIN articles a ON a.rowid = f.rowid "
            f"WHERE (? IS NULL OR a.fetched >= ?) GROUP BY a.story_id ORDER BY {stories}, a.story_id LIMIT ?"
        )
        stamp = ts(since)
        depth = limit * (SEARCH_DEPTH_SINCE if since else SEARCH_DEPTH)
        while True:
            rows = self.db.execute(q, (*match_args(matches, depth), stamp, stamp, limit)).fetchall()
            if len(rows) >= limit:
                if newest and depth >= 0 and not self._arrived_in_order(matching, matches, depth, rows[-1]["at"]):
                    depth = -1  # every match, sorted by time
                    continue
                break
            (more,) = self.db.execute(
                f"SELECT count(*) FROM ({matching.format(order='rowid DESC')})", match_args(matches, depth + 1),
            ).fetchone()
            if more <= depth:  # every match was read
                break
            depth *= 4
        # bm25: lower is better
        return [SearchHit(r["story_id"], -float(r["rank"]), parse_ts(r["at"]) or _NEVER) for r in rows]

    def _arrived_in_order(self, matching: str, matches: tuple[str, ...], depth: int, at: str) -> bool:
        """Whether no match deeper than the ``depth`` latest stored can have arrived at or after
        ``at`` (the last story's latest match read): no article stored before the deepest one
        read was fetched then.  The rowids are the order the articles were stored in, which is
        not the order they arrived in after ``digest replay`` backfilled a store with earlier
        history: its year-old stories were read first, and this week's were not found."""
        (deepest,) = self.db.execute(
            f"SELECT min(rowid) FROM ({matching.format(order='rowid DESC')})", match_args(matches, depth)).fetchone()
        late = self.db.execute("SELECT 1 FROM articles INDEXED BY articles_fetched WHERE fetched >= ? AND rowid < ? "
                               "LIMIT 1", (at, deepest)).fetchone()
        return late is None
