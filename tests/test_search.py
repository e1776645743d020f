"""Search: stories found by words in any version, through each store's own full-text index."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.config import parse_config
from digest.errors import DigestError
from digest.output.search import search
from digest.records import Article
from digest.store.base import NewArticle, Store, open_store
from digest.store.search import Term, fts5, parse
from tests.support.services import pg_schema

T0 = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def art(key: str, source: str, title: str, text: str, hours: float = 0) -> Article:
    return Article(key=key, source=source, title=title, text=text, url=f"https://{source.lower()}.test/{key}",
                   fetched=T0 + timedelta(hours=hours), published=T0 + timedelta(hours=hours))


def fill(store: Store) -> None:
    store.add_articles([
        NewArticle(art("q1", "Coast", "Quake shakes Opunake harbour", "A magnitude 6.1 earthquake struck."), b"fp", "quake", 0.9),
        NewArticle(art("q2", "Valley", "Harbour wall collapses", "Engineers inspected the breakwater at Opunake."), b"fp", "quake", 0.5),
        NewArticle(art("c1", "Desk", "Council approves library", "The library rebuild on Victoria Street costs 45 million."), b"fp", "library", 0.8),
        NewArticle(art("s1", "Sport", "Harriers win the derby", "The harbour derby ended in a late goal.", hours=50), b"fp", "derby", 0.7),
    ])
    for sid, lead in (("quake", "q1"), ("library", "c1"), ("derby", "s1")):
        store.set_lead(sid, lead)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with filled(request.param, tmp_path) as s:
        yield s


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def read_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """``store`` made once a module, for the tests that only search it (a PostgreSQL schema and
    its migrations cost 0.5-1 s a test)."""
    with filled(request.param, tmp_path_factory.mktemp("search")) as s:
        yield s


@contextmanager
def filled(backend: str, folder: Path) -> Iterator[Store]:
    """A store of ``backend`` ("sqlite": a file in ``folder``; "postgresql": a schema of its
    own) holding :func:`fill`'s stories, closed after."""
    if backend == "sqlite":
        s = open_store(f"sqlite:///{folder / 'd.sqlite3'}")
        fill(s)
        yield s
        s.close()
    else:
        with pg_schema() as url:
            s = open_store(url)
            fill(s)
            yield s
            s.close()


def ids(store: Store, query: str, **kw: object) -> list[str]:
    return [hit.story_id for hit in store.search(query, **kw)]  # type: ignore[arg-type]


def test_words_in_any_version_find_the_story_once(read_store: Store) -> None:
    store = read_store
    assert ids(store, "breakwater") == ["quake"]  # only in a version that is not the lead
    assert ids(store, "Opunake") == ["quake"]  # in both versions: the story once
    assert ids(store, "earthquakes") == ["quake"]  # stemmed
    assert ids(store, "library rebuild") == ["library"]  # every word must match
    assert ids(store, "library derby") == []


def test_phrases_exclusions_and_since(read_store: Store) -> None:
    store = read_store
    assert ids(store, '"late goal"') == ["derby"]
    assert ids(store, '"goal late"') == []
    assert set(ids(store, "harbour")) == {"quake", "derby"}
    assert ids(store, "harbour -derby") == ["quake"]
    assert ids(store, "harbour", since=T0 + timedelta(days=1)) == ["derby"]
    assert ids(store, "-harbour") == []  # exclusions only ask for nothing


def test_a_title_match_ranks_above_a_text_match(store: Store) -> None:
    store.add_articles([NewArticle(art("x1", "Other", "Weather", "A harbour mention in passing.", hours=1), b"fp", "weather", 0.1)])
    found = ids(store, "harbour")
    assert found.index("quake") < found.index("weather")  # "Harbour" in a title there


@pytest.mark.parametrize("query", ['NEAR(a b)', 'title:x', '"unclosed', "a* OR b", "^x", "(", "-", "\x00", "AND", "' OR 1=1 --"])
def test_operator_text_is_read_as_words_never_as_syntax(read_store: Store, query: str) -> None:
    store = read_store
    store.search(query)  # no error, whatever it finds


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_makes_a_valid_fts5_query(text: str) -> None:
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
    terms = parse(text)
    if terms:
        db.execute("SELECT * FROM t WHERE t MATCH ?", (fts5(terms),)).fetchall()
    # letters, digits and the marks of their word (a vowel sign), never a word of marks alone
    assert all(
        any(c.isalnum() for c in w) and all(c.isalnum() or unicodedata.category(c)[0] == "M" for c in w)
        for t in terms for w in t.words
    )


def test_parse_reads_words_phrases_and_exclusions() -> None:
    assert parse('quake "harbour wall" -derby') == [Term(("quake",)), Term(("harbour", "wall")), Term(("derby",), True)]
    assert parse("covid-19") == [Term(("covid", "19"))]
    assert parse("-only -exclusions") == []


def test_search_command_lists_day_lead_and_outlets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = tmp_path / "feeds.yaml"
    cfg_path.write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: Pacific/Auckland\n")
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with open_store(cfg.database_url) as s:
        fill(s)
    assert main(["search", "breakwater", "--config", str(cfg_path)]) == 0
    out = capsys.readouterr().out
    assert "2026-11-10  Quake shakes Opunake harbour" in out and "Coast (+1 outlet)" in out
    assert "https://coast.test/q1" in out
    with open_store(cfg.database_url) as s:
        [hit] = search(s, cfg, "breakwater", since=date(2026, 11, 10))
        assert (hit.story_id, hit.outlets, hit.versions) == ("quake", 2, 2)
        assert search(s, cfg, "breakwater", since=date(2026, 11, 11)) == []
    assert main(["search", "nothing-like-this", "--config", str(cfg_path)]) == 1  # as grep (stop 56)
    assert "no story matches" in capsys.readouterr().err


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], query: str) -> None:
    cfg_path = tmp_path / "feeds.yaml"
    cfg_path.write_text("sources: []\noutput_dir: out\ndata_dir: data\n")
    assert main(["search", query, "--config", str(cfg_path)]) == 2
    assert capsys.readouterr().err.splitlines() == ["error: search: the query is empty (give words to look for)"]
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with open_store(cfg.database_url) as s, pytest.raises(DigestError, match="--limit must be 1 or more, not 0"):
        search(s, cfg, "quake", limit=0)


@pytest.mark.parametrize("limit", ["0", "-1", "ten"])
def test_a_limit_below_one_is_refused(capsys: pytest.CaptureFixture[str], limit: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["search", "quake", "--limit", limit])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"digest search: error: argument --limit: not a whole number of 1 or more: {limit!r}"


def test_a_query_that_only_leaves_words_out_says_it_has_none_to_look_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "-quake" matched nothing and the command said "no story matches '-quake'", as if the
    # store held no such story
    cfg_path = tmp_path / "feeds.yaml"
    cfg_path.write_text("sources: []\noutput_dir: out\ndata_dir: data\n")
    assert main(["search", "--config", str(cfg_path), "--", '-quake -"sea wall"']) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: search: '-quake -\"sea wall\"' has no word to look for (a -word only leaves stories out)"
    ]


def test_newest_puts_the_story_with_the_latest_matching_version_first(store: Store) -> None:
    """bm25 knows no time: a story that used the words more, months ago, ranks above this week's.
    ``newest`` orders by the latest version that matches; a later version that does not match
    moves nothing."""
    assert ids(store, "harbour") == ["quake", "derby"]  # "Harbour" in the quake's title
    assert ids(store, "harbour", newest=True) == ["derby", "quake"]  # the derby's is 50 h later
    store.add_articles([NewArticle(art("q3", "Hill", "Breakwater closed", "The harbour stays shut.", hours=60), b"fp", "quake", 0.4)])
    store.add_articles([NewArticle(art("s2", "Sport", "Derby replay set", "A replay next week.", hours=70), b"fp", "derby", 0.4)])
    assert ids(store, "harbour", newest=True) == ["quake", "derby"]
    assert ids(store, "harbour", newest=True, limit=1) == ["quake"]
    # the quake's latest version says "breakwater": its latest match is then its first
    assert ids(store, "harbour -breakwater", newest=True) == ["derby", "quake"]
    assert ids(store, "harbour", newest=True, since=T0 + timedelta(hours=55)) == ["quake"]


def test_newest_first_dates_a_story_by_the_digest_that_showed_its_latest_match(store: Store, tmp_path: Path) -> None:
    """Newest first, a story found under this week's development is this week's news: its day is
    the digest that showed its latest matching version (the one that put it first), not the
    digest of its first version, months back; best first keeps the story's first day."""
    cfg = parse_config("sources: []\ntimezone: UTC\n", path=tmp_path / "feeds.yaml")
    store.add_articles([NewArticle(art("q3", "Hill", "Breakwater closed", "The harbour stays shut.", hours=60), b"fp", "quake", 0.4)])
    store.add_articles([NewArticle(art("q4", "Hill", "Repairs begin", "Cranes arrived on the quay.", hours=90), b"fp", "quake", 0.4)])
    first, later = T0.date(), (T0 + timedelta(hours=60)).date()
    assert later == first + timedelta(days=2)
    newest = {r.story_id: r.day for r in search(store, cfg, "harbour", newest=True)}
    assert newest == {"quake": later, "derby": (T0 + timedelta(hours=50)).date()}  # not q4's day: it does not match
    assert {r.story_id: r.day for r in search(store, cfg, "harbour")}["quake"] == first
    assert {r.story_id: r.day for r in search(store, cfg, "harbour -breakwater", newest=True)}["quake"] == first


def test_the_search_command_lists_the_newest_first_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n")
    with open_store(parse_config(cfg.read_text(), path=cfg).database_url) as s:
        fill(s)
    assert main(["search", "--config", str(cfg), "--json", "harbour"]) == 0
    best = [r["story_id"] for r in json.loads(capsys.readouterr().out)]
    assert main(["search", "--config", str(cfg), "--json", "--newest", "harbour"]) == 0
    assert [r["story_id"] for r in json.loads(capsys.readouterr().out)] == ["derby", "quake"] == best[::-1]
