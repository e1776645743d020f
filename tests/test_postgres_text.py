"""Text on PostgreSQL as on SQLite: NUL characters, which ``text`` cannot hold, and search
for every word (reviews, stop 33).

A JSON Feed (or a replayed archive) may put ``\\u0000`` in an id, an author or a
URL; the cleaner drops NUL from titles and texts, not from those.  On PostgreSQL
such an entry made its source's whole unit fail at every poll.  Real server on
loopback (a throwaway schema); skipped without it, as in ``tests/test_scale.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.app import App
from digest.config import load_config
from digest.store.base import open_store
from tests.support.services import pg_schema

pytestmark = pytest.mark.scale

NOW = datetime(2026, 11, 20, 21, tzinfo=UTC)


@contextmanager
def app_on(tmp_path: Path, backend: str, items: list[dict[str, object]], title: str = "Wire") -> Iterator[App]:
    """An App on ``backend`` (a SQLite file, or a throwaway PostgreSQL schema) reading one JSON
    Feed of ``items`` (the source ``title``)."""
    (tmp_path / "feed.json").write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                                    "title": title, "items": items}))
    (tmp_path / "feeds.yaml").write_text(f"sources:\n  - name: {title}\n    path: feed.json\n")
    cfg = load_config(tmp_path / "feeds.yaml")
    with pg_schema() if backend == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        cfg.database = url
        with App(cfg, open_store(url)) as app:
            yield app


@contextmanager
def app_on_feed(tmp_path: Path, title: str, items: list[dict[str, object]]) -> Iterator[tuple[App, str]]:
    """An App on a throwaway PostgreSQL schema reading one JSON Feed of ``items``, and the schema's URL."""
    (tmp_path / "feed.json").write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                                    "title": title, "items": items}))
    (tmp_path / "feeds.yaml").write_text(f"sources:\n  - name: {title}\n    path: feed.json\n")
    with pg_schema() as pg:
        cfg = load_config(tmp_path / "feeds.yaml")
        cfg.database = pg
        with App(cfg, open_store(pg)) as app:
            yield app, pg


def test_a_feed_with_nul_in_ids_authors_and_urls_is_stored_once(tmp_path: Path) -> None:
    items = [
        {"id": "nul\u0000one", "title": "Ferry strike ends after talks", "authors": [{"name": "A\u0000B"}],
         "url": "https://ex.example/a\u0000b", "date_published": "2026-11-20T10:00:00Z",
         "content_text": "The ferry strike in the harbour ended on Monday after long talks. " * 4},
        {"id": "two", "title": "Library fees scrapped\u0000", "date_published": "2026-11-20T11:00:00Z",
         "url": "https://ex.example/two", "content_text": "Northgate libraries scrap late fees. " * 4},
    ]
    with app_on_feed(tmp_path, "Odd", items) as (app, pg):
        first = app.run(now=NOW)
        assert first.errors == [] and first.new_articles == 2
        again = app.run(now=NOW)  # found stored: not new, not a second copy
        assert again.errors == [] and again.new_articles == 0
        with open_store(pg) as store:  # a second connection reads what the first wrote
            assert store.count_articles_fetched_between(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)) == 2
            assert store.get_story("no\u0000such") is None and store.get_article("x\u0000") is None
            assert store.search("ferry\u0000") != []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_search_finds_and_leaves_out_short_common_words_on_both_stores(tmp_path: Path, backend: str) -> None:
    """PostgreSQL's 'english' search configuration dropped stop words: 'US' found nothing and
    '-the' left nothing out, where SQLite's FTS5 finds and excludes every word."""
    items = [
        {"id": "a", "title": "The Who play a concert in the US", "date_published": "2026-11-20T10:00:00Z",
         "content_text": "The band played to a full stadium in the US on Friday night. " * 3},
        {"id": "b", "title": "Library fees scrapped", "date_published": "2026-11-20T11:00:00Z",
         "content_text": "Northgate libraries scrap late fees; councillors voted for it on Friday. " * 3},
    ]
    with app_on(tmp_path, backend, items, title="Odd") as app:
        assert app.run(now=NOW).new_articles == 2
        store = app.store
        concert = {hit.story_id for hit in store.search("concert")}
        library = {hit.story_id for hit in store.search("library")}
        assert {hit.story_id for hit in store.search("US")} == concert
        assert {hit.story_id for hit in store.search("the who")} == concert
        assert {hit.story_id for hit in store.search("friday -the")} == library
        assert {hit.story_id for hit in store.search("friday -it")} == concert


@pytest.mark.slow  # cleans and stores 1.5 MB: ~5 s
def test_a_very_long_text_of_distinct_words_is_stored_and_found(tmp_path: Path) -> None:
    """A tsvector holds at most 1 MB: 1.5 MB of distinct words made the whole write fail."""
    words = [f"w{i:07d}x" for i in range(150_000)]  # distinct words, as in a dumped table
    items = [{"id": "huge", "title": "Harbour statistics in full", "date_published": "2026-11-20T10:00:00Z",
              "content_text": "Harbour traffic rose. " + " ".join(words)}]
    with app_on_feed(tmp_path, "Big", items) as (app, _pg):
        report = app.run(now=NOW)
        assert report.errors == [] and report.new_articles == 1
        assert app.store.search("harbour traffic") and app.store.search(words[10])
