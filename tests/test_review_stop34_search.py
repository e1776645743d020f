"""Review (stop 34) of search and filters: what a reader hits with real queries and rules.

SQLite on disk; each test names the defect it pins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from digest.cli import main
from digest.records import Article
from digest.store.base import NewArticle, Store, open_store
from tests.support.web import Site

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _art(key: str, title: str, text: str, *, days: float = 0, source: str = "Wire") -> Article:
    when = T0 + timedelta(days=days)
    return Article(
        key=key, source=source, title=title, text=text, url=None, fetched=when, published=when
    )


def _store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'd.sqlite3'}")


def test_since_finds_recent_stories_under_many_better_ranked_older_ones(tmp_path: Path) -> None:
    # "storm --since" found nothing when more than limit x 50 older versions ranked above
    # the recent ones: the window was applied after a fixed depth of best-ranked versions
    with _store(tmp_path) as s:
        old = [
            NewArticle(
                _art(f"o{i}", f"Storm report {i}", "storm storm storm"), b"fp", f"old{i}", 0.5
            )
            for i in range(1200)
        ]
        new = [
            NewArticle(
                _art(
                    f"n{i}", f"Harbour news {i}", "the storm passed " + "quiet day " * 40, days=10
                ),
                b"fp",
                f"new{i}",
                0.5,
            )
            for i in range(3)
        ]
        s.add_articles([*old, *new])
        found = [hit.story_id for hit in s.search("storm", since=T0 + timedelta(days=5), limit=20)]
        assert sorted(found) == ["new0", "new1", "new2"]


def test_a_story_of_many_versions_does_not_crowd_out_the_others(tmp_path: Path) -> None:
    # "flood" matched 31 stories and gave one: the 500 versions of the big story filled the
    # fixed depth of best-ranked versions, so the other 30 were never reached
    with _store(tmp_path) as s:
        big = [
            NewArticle(
                _art(f"b{i}", "Flood hits town", "flood", source=f"Outlet {i}"), b"fp", "big", 0.5
            )
            for i in range(500)
        ]
        other = [
            NewArticle(
                _art(f"f{i}", f"Council meeting {i}", "a flood was mentioned in passing"),
                b"fp",
                f"other{i}",
                0.5,
            )
            for i in range(30)
        ]
        s.add_articles([*big, *other])
        found = [hit.story_id for hit in s.search("flood", limit=20)]
        assert len(found) == 20 and found[0] == "big" and len(set(found)) == 20
        assert len(s.search("flood", limit=50)) == 31


def test_a_query_of_symbols_only_says_so_not_that_it_only_leaves_words_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "🌀" was told "has no word to look for (a -word only leaves stories out)": it has no -word
    cfg_path = tmp_path / "feeds.yaml"
    cfg_path.write_text("sources: []\noutput_dir: out\ndata_dir: data\n")
    assert main(["search", "--config", str(cfg_path), "--", "🌀 ***"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: search: '🌀 ***' has no letter or digit to look for "
        "(symbols and punctuation are not indexed)"
    ]
    assert main(["search", "--config", str(cfg_path), "--", "-quake"]) == 2
    assert "a -word only leaves stories out" in capsys.readouterr().err


def test_the_archive_says_the_same_of_a_query_of_symbols(site: Site) -> None:
    r = site.get("/search", params={"q": "🌀"})
    assert r.status_code == 200
    doc = lxml.html.document_fromstring(r.text)
    assert [p.text_content() for p in doc.find_class("lede")] == [
        "Give a word to look for: symbols and punctuation are not searched."
    ]
