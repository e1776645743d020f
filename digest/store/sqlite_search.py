"""SQLite's search SELECT for a parsed query: which FTS5 table each term reads, and how deep.

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

from .search import Term, fts5, has_unspaced, spaced

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
