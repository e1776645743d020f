"""A year-old store's first page (stop 63): the archive's day counts kept in the store
(``day_counts``, ``digest.store.daycount_rows``) with the reads they were made from.

Held in memory only (stop 62), the counts were all made again by each server started: the
first index of a year-old store took ~2 s.  A server started again now reads them from the
store and takes each whose reads answer as before; a day a change reached since (a
regrouping, a late backfill, a prune) is counted again, so each page shows the counts of a
server that counts everything afresh."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from digest.config import Config
from digest.records import Article
from digest.retention import prune
from digest.service import daycounts
from digest.service.webpages import Pages
from digest.store import migrations
from digest.store.base import NewArticle, Store, open_store
from digest.store.sqlite import SQLiteStore
from tests.support.config import MakeConfig
from tests.support.services import pg_schema
from tests.support.web import site
from tests.test_stop61_bigstore import DAYS, _add, _listed, _views_built

MONTH = (2026, 3)
#: The clock's day (``_history``): not ended, never written.
TODAY = DAYS[-1]


def _history(make_config: MakeConfig, tmp_path: Path, url: str, extra: str = "") -> Config:
    """``test_stop61_bigstore``'s twelve days of two stories, in the store at ``url`` (a dedup
    window of a day: a prune may keep 8 of them)."""
    now = datetime.combine(DAYS[-1], datetime.min.time(), UTC) + timedelta(hours=20)
    cfg = make_config(tmp_path, extra="dedup:\n  window_days: 1\n" + extra, timezone="UTC", clock=now.isoformat(), database=url)
    with open_store(cfg.database_url) as store:
        if not store.list_digest_dates():
            for d in DAYS:
                for n in range(2):
                    _add(cfg, d, n)
                store.record_digest(d.isoformat(), "html", None, 2)
    return cfg


def _pages(cfg: Config) -> Pages:
    return Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)


def _afresh(cfg: Config) -> dict[str, int]:
    """Each day's count counted afresh: nothing read from the store's counts, nothing written."""
    pages = _pages(cfg)
    pages.counts.load = lambda *a, **k: None  # type: ignore[method-assign]
    pages.counts.save = lambda *a, **k: None  # type: ignore[method-assign]
    with open_store(cfg.database_url) as store:
        return _listed(pages.month(store, *MONTH).body.decode())


def _started(cfg: Config, built: list[date]) -> dict[str, int]:
    """The month page of a server just started (a new ``Pages``); ``built`` gets the days it
    counted by their views."""
    built.clear()
    with open_store(cfg.database_url) as store:
        return _listed(_pages(cfg).month(store, *MONTH).body.decode())


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    return _views_built(monkeypatch)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_server_started_again_takes_the_kept_counts_and_counts_again_the_days_changed(
    make_config: MakeConfig, tmp_path: Path, counting: list[date], backend: str
) -> None:
    with pg_schema() if backend == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        cfg = _history(make_config, tmp_path, url)
        first = _started(cfg, counting)
        assert sorted(counting) == DAYS and first == _afresh(cfg)
        # all kept but today's (not ended: a row of it would be stale after the next round)
        assert _started(cfg, counting) == first and counting == [TODAY]
        # while no server runs: two stories of the 6th day regrouped into one, a late
        # backfill into the 3rd, the source's state saved (as every round does)
        with open_store(cfg.database_url) as store:
            store.merge_stories(keep=f"a{DAYS[5].isoformat()}-0", drop=f"a{DAYS[5].isoformat()}-1")
        _add(cfg, DAYS[2], 5)
        listed = _started(cfg, counting)
        assert sorted(counting) == [DAYS[2], DAYS[5], TODAY]
        assert listed == _afresh(cfg)
        assert listed[f"/day/{DAYS[5].isoformat()}"] == 1 and listed[f"/day/{DAYS[2].isoformat()}"] == 3
        # a prune of the first four days: their rows go with them, the others are taken
        with open_store(cfg.database_url) as store:
            prune(store, cfg, len(DAYS) - 4, cfg.now())
            assert store.kept_day_counts(daycounts.config_key(cfg), [d.isoformat() for d in DAYS[:4]]) == {}
        listed = _started(cfg, counting)
        assert counting == [TODAY] and listed == _afresh(cfg) and len(listed) == len(DAYS) - 4


def test_counts_kept_under_another_configuration_are_not_taken(
    make_config: MakeConfig, tmp_path: Path, counting: list[date]
) -> None:
    """A mute rule added, the same reads make other counts: the rows of before are not taken."""
    url = str(tmp_path / "s.sqlite3")
    first = _started(_history(make_config, tmp_path, url), counting)
    muted = _history(make_config, tmp_path, url, extra="filters:\n  - mute: ferry\n")
    listed = _started(muted, counting)
    assert sorted(counting) == DAYS and listed == _afresh(muted)
    assert all(listed[d] == first[d] - 1 for d in first)  # one of each day's two stories is about the ferry


def test_a_store_of_the_version_before_is_migrated_and_its_counts_kept(
    make_config: MakeConfig, tmp_path: Path, counting: list[date]
) -> None:
    """A store written by the digest before this one (SQLite schema 18, no ``day_counts``) is
    upgraded by the server's opening: its days counted as before, their counts kept from then on."""
    path = tmp_path / "s.sqlite3"
    with SQLiteStore(path, migrations=migrations.load("sqlite")[:18]) as old:  # the digest before, writing
        for d in DAYS:
            for n in range(2):
                when = datetime.combine(d, datetime.min.time(), UTC) + timedelta(hours=9 + n)
                key = f"a{d.isoformat()}-{n}"
                art = Article(key=key, source="Daily Post", title=f"Story {n} of {d.isoformat()}", text=f"{key} text.",
                              url=f"https://post.example/{key}", published=when, fetched=when)  # fmt: skip
                old.add_articles([NewArticle(art, b"fp", key, 0.9)], leads={key: key})
            old.record_digest(d.isoformat(), "html", None, 2)
        assert old.schema_version == 18
    cfg = _history(make_config, tmp_path, str(path))  # its days there: nothing added
    listed = _started(cfg, counting)
    assert sorted(counting) == DAYS and set(listed.values()) == {2} and listed == _afresh(cfg)
    with SQLiteStore(path) as new:
        assert new.schema_version == len(migrations.load("sqlite"))
        assert set(new.kept_day_counts(daycounts.config_key(cfg), [d.isoformat() for d in DAYS])) == {
            d.isoformat() for d in DAYS if d != TODAY}
    assert _started(cfg, counting) == listed and counting == [TODAY]


def test_a_server_writes_the_counts_without_a_change_of_the_store_and_the_next_one_takes_them(
    make_config: MakeConfig, tmp_path: Path, counting: list[date]
) -> None:
    """``digest serve`` on SQLite writes the counts through its change marker's connection: the
    page cached is not rendered again for it (a write through the store's connection changed
    the marker: the index rendered twice); a server started next counts only today."""
    cfg = _history(make_config, tmp_path, str(tmp_path / "s.sqlite3"))
    opened: list[int] = []

    def factory() -> Store:
        opened.append(1)
        return open_store(cfg.database_url)

    with site(cfg, store_factory=factory) as s:
        first = s.get("/").text
        assert sorted(counting) == DAYS
        opened.clear()
        assert s.get("/").text == first and opened == []  # no change: the page kept, the store not opened
    with open_store(cfg.database_url) as store:
        assert len(store.kept_day_counts(daycounts.config_key(cfg), [d.isoformat() for d in DAYS])) == len(DAYS) - 1
    counting.clear()
    with site(cfg) as s:
        assert s.get("/").text == first and counting == [TODAY]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_servers_checks_read_the_stories_at_once_as_one_by_one(
    make_config: MakeConfig, tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks of a page's counts read its days' stories in two queries (``stories_read``:
    on PostgreSQL each story was two round trips, ~2,500 for a year-old store's index), the
    answers those of ``get_story`` and ``story_versions``: a regrouped story, one with versions
    of several days and one there is none of."""
    with pg_schema() if backend == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        cfg = _history(make_config, tmp_path, url)
        _add(cfg, DAYS[3], 7)
        with open_store(cfg.database_url) as store:
            store.merge_stories(keep=f"a{DAYS[5].isoformat()}-0", drop=f"a{DAYS[5].isoformat()}-1")
            store.move_article(f"a{DAYS[3].isoformat()}-7", f"a{DAYS[2].isoformat()}-0")
            ids = sorted({s for d in DAYS for s in store.stories_fetched_between(
                datetime.combine(d, datetime.min.time(), UTC), datetime.combine(d, datetime.max.time(), UTC))})
            ids.append("no such story")
            stories, versions = store.stories_read(ids)
            assert stories == {i: store.get_story(i) for i in ids}
            assert versions == {i: store.story_versions(i) for i in ids}
            assert len(versions[f"a{DAYS[2].isoformat()}-0"]) == 2 and stories["no such story"] is None
        _started(cfg, [])  # the counts kept
        asked: list[str] = []
        for name in ("get_story", "story_versions"):
            one = getattr(type(store), name)
            monkeypatch.setattr(type(store), name, lambda self, sid, _one=one, _n=name: asked.append(_n) or _one(self, sid))
        listed = _started(cfg, [])  # a server started again: the checks, and today counted
        # none of the checks' (nor, from stop 65, today's view's: its stories read at once too)
        assert asked == [] and today_stories(cfg)
        assert listed == _afresh(cfg)


def today_stories(cfg: Config) -> list[str]:
    with open_store(cfg.database_url) as store:
        return store.stories_fetched_between(datetime.combine(TODAY, datetime.min.time(), UTC), cfg.now())
