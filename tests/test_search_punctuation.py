"""Words written with punctuation are found alike on both stores, however the reader types them.

Before: SQLite's FTS5 splits text on anything not a letter or digit ("AR-15" is 'ar' '15', "U.S."
'u' 's'), PostgreSQL's parser kept some of it ("AR-15" 'ar' and the number '-15', "U.S." the file
name 'u.s', "9/11" one token).  `digest search ar 15` (or "u s", "9 11") found the story saying
"AR-15" on SQLite and not on PostgreSQL; and "AR15" found "AR-15" on neither.  Now PostgreSQL
indexes the text split as FTS5 splits it (migration 19), and a term mixing letters and digits
matches written together or apart, on both.

Real parts: a JSON Feed read from disk into a SQLite file and a throwaway PostgreSQL schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.errors import DigestError
from digest.output.search import search
from digest.store.search import fts5, parse
from tests.test_postgres_text import app_on

pytestmark = pytest.mark.scale

NOW = datetime(2026, 11, 20, 21, tzinfo=UTC)
BACKENDS = ["sqlite", "postgresql"]


def _item(ident: str, title: str, text: str, hour: int) -> dict[str, object]:
    return {"id": ident, "title": title, "date_published": f"2026-11-20T{hour:02}:00:00Z", "content_text": text * 3}


ITEMS = [
    _item("hyphen", "Rifle ban vote", "Lawmakers in the U.S. voted to ban the AR-15 rifle after the 9/11 "
          "memorial; the bill costs 3.5 million dollars. ", 8),
    _item("joined", "Gun show opens", "Dealers at the Velmora gun show sold the AR15 and other rifles. ", 9),
    _item("spaced", "Museum buys an AR 15", "The war museum in Northgate bought an AR 15 for its display. ", 10),
    _item("plain", "Library fees scrapped", "Northgate libraries scrap late fees; the us of the city cheered. ", 11),
]

# what each query finds, by item: the same on both stores
WANT = {
    "AR-15": {"hyphen", "joined", "spaced"},
    "ar 15": {"hyphen", "spaced"},  # two words, each anywhere: not the one word 'ar15'
    '"ar 15"': {"hyphen", "spaced"},
    "AR15": {"hyphen", "joined", "spaced"},
    "ar15 -museum": {"hyphen", "joined"},
    "U.S.": {"hyphen"},
    "u.s.": {"hyphen"},
    "u s": {"hyphen"},
    "9/11": {"hyphen"},
    "9 11": {"hyphen"},
    "3.5": {"hyphen"},
    "3 5 million": {"hyphen"},
    "us": {"plain"},  # the pronoun, not "U.S."
    "northgate -AR-15": {"plain"},
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_words_written_with_punctuation_are_found_alike_on_both_stores(tmp_path: Path, backend: str) -> None:
    with app_on(tmp_path, backend, ITEMS) as app:
        assert app.run(now=NOW).new_articles == len(ITEMS)
        by_story = {}  # each item's story, found by a word of its title alone
        for item, word in zip(ITEMS, ("ban", "show", "buys", "fees"), strict=True):
            (hit,) = app.store.search(word)
            by_story[hit.story_id] = item["id"]
        found = {q: {by_story[h.story_id] for h in app.store.search(q)} for q in WANT}
        assert found == WANT


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_query_of_punctuation_only_is_answered_not_failed(tmp_path: Path, backend: str) -> None:
    with app_on(tmp_path, backend, ITEMS) as app:
        app.run(now=NOW)
        for query in ("-", "...", "'\"", "-- ' ; DROP TABLE articles; --", "AR-15'); DROP TABLE articles; --"):
            try:
                search(app.store, app.cfg, query)
            except DigestError as exc:
                assert "no letter or digit" in str(exc) or "no word" in str(exc), query
        assert {r.title for r in search(app.store, app.cfg, "rifle")} == {"Rifle ban vote", "Gun show opens"}


def test_the_fts5_expression_quotes_every_form_of_a_term() -> None:
    assert fts5(parse('AR15 "covid-19 vaccine" -u.s.')) == (
        '("ar 15" OR "ar15") AND ("covid 19 vaccine" OR "covid19 vaccine") NOT ("u s")'
    )


def test_a_postgresql_store_of_version_18_finds_ar_15_once_upgraded() -> None:
    """Migration 19 computes the index again for the articles stored before it."""
    from digest.store import migrations
    from tests.support.services import need_postgres, pg_schema

    need_postgres()
    from digest.store.postgres import PostgresStore

    with pg_schema() as url:
        with PostgresStore(url, migrations=migrations.load("postgresql")[:18]) as old:
            with old.transaction():  # as the digest before wrote it
                old.db.execute("INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) "
                               "VALUES ('k', 'S', 'Rifle ban vote', 'The U.S. bans the AR-15.', %s, '\\x00', 'k')",
                               (NOW,))
            # (its index, read as the digest before read it: this digest's query needs version 19)
            assert not old.db.execute("SELECT search @@ phraseto_tsquery('digest_english', 'ar 15') AS m "
                                      "FROM articles").fetchone()["m"]
        with PostgresStore(url) as new:
            assert new.schema_version == len(migrations.load("postgresql"))
            for query in ("ar 15", "AR15", "u s", "AR-15"):
                assert [h.story_id for h in new.search(query)] == ["k"], query
