"""PostgreSQL as SQLite, as a daily user of the scale-out setup meets it (review, stop 47).

Each test runs the same input on both stores (SQLite, and a throwaway PostgreSQL schema;
skipped without the server, as in ``tests/test_postgres_text.py``) and checks what a
reader sees is the same."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_postgres_text import app_on

pytestmark = pytest.mark.scale

NOW = datetime(2026, 11, 20, 21, tzinfo=UTC)
BACKENDS = ["sqlite", "postgresql"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_search_finds_words_written_with_punctuation_on_both_stores(tmp_path: Path, backend: str) -> None:
    """PostgreSQL's parser reads "AR-15" as 'ar' and the number '-15', "U.S." as a file name
    'u.s', "9/11" and "3.5" as one token each; the query was split into plain words ('ar' '15')
    first, so `digest search AR-15` (covid-19, U.S., 9/11, 3.5) found nothing there, where
    SQLite's FTS5 (which splits both the same way) finds the story."""
    items = [
        {"id": "a", "title": "Rifle ban vote", "date_published": "2026-11-20T10:00:00Z",
         "content_text": ("Lawmakers in the U.S. voted on a ban of the AR-15 rifle on the anniversary of "
                          "9/11, after covid-19 delays; the bill costs 3.5 million dollars. ") * 3},
        {"id": "b", "title": "Library fees scrapped", "date_published": "2026-11-20T11:00:00Z",
         "content_text": "Northgate libraries scrap late fees; councillors voted for it on Friday. " * 3},
    ]
    with app_on(tmp_path, backend, items) as app:
        assert app.run(now=NOW).new_articles == 2
        rifle = {hit.story_id for hit in app.store.search("rifle")}
        assert len(rifle) == 1
        for query in ("AR-15", "covid-19", "U.S.", "9/11", "3.5", '"AR-15 rifle"', "voted -AR-15"):
            found = {hit.story_id for hit in app.store.search(query)}
            want = rifle if query != "voted -AR-15" else {h.story_id for h in app.store.search("library")}
            assert found == want, query


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_entry_with_a_long_id_or_link_is_stored_on_both_stores(tmp_path: Path, backend: str) -> None:
    """A feed's id is kept up to 2,000 characters and its link up to 4,096, but PostgreSQL's
    b-tree index row holds at most 2,704 bytes: an id of 1,000 CJK characters (3,000 bytes) or
    a link carrying a 3,000-character token made the source's whole write fail there ("index
    row size ... exceeds btree version 4 maximum 2704 for index articles_guid"), at every
    poll, so none of its items was ever stored, where SQLite stores them."""
    rng = random.Random(47)
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(3000))
    items = [
        {"id": "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(1000)), "title": "Harbour crane collapses",
         "date_published": "2026-11-20T10:00:00Z",
         "content_text": "A harbour crane in Velmora collapsed onto the ferry terminal on Sunday morning. " * 3},
        {"id": "b", "url": f"https://long.example/a?t={token}", "title": "Orchard opens cider press",
         "date_published": "2026-11-20T11:00:00Z",
         "content_text": "The Orrin valley orchard cooperative opened its new cider press on Thursday. " * 3},
        {"id": "c", "title": "Library fees scrapped", "date_published": "2026-11-20T12:00:00Z",
         "content_text": "Northgate libraries scrap late fees; councillors voted for it on Friday. " * 3},
    ]
    with app_on(tmp_path, backend, items) as app:
        first = app.run(now=NOW)
        assert first.errors == [] and first.new_articles == 3
        again = app.run(now=NOW)
        assert again.errors == [] and again.new_articles == 0
        assert app.store.keys_of_guid(str(items[0]["id"]))
        assert [a.url for a in app.store.articles_at("Wire", str(items[1]["url"]))] == [items[1]["url"]]
