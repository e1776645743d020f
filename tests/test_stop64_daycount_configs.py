"""Two configurations serving one store (stop 64): each one's day counts kept side by side.

Keyed by the day alone (stop 63), the rows of one configuration were replaced by the other's
counts: two servers on one store with different configurations (a mute rule, a locale) each
counted all their days again at every start.  Now a row is a configuration's and a day's, and
the rows of the configurations past ``daycount_rows.CONFIGS_KEPT`` written last are dropped
(each upgrade of digest or edit of a configuration makes a new key: the old rows are dead)."""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import pytest

from digest.config import Config
from digest.service import daycounts
from digest.store import migrations
from digest.store.base import open_store
from digest.store.daycount_rows import CONFIGS_KEPT
from digest.store.sqlite import SQLiteStore
from tests.support.config import MakeConfig
from tests.support.services import pg_schema
from tests.test_stop61_bigstore import DAYS, _views_built
from tests.test_stop63_daycount_rows import TODAY, _afresh, _history, _started

_ISO = [d.isoformat() for d in DAYS]


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    return _views_built(monkeypatch)


def _muted(make_config: MakeConfig, tmp_path: Path, url: str, word: str) -> Config:
    return _history(make_config, tmp_path, url, extra=f"filters:\n  - mute: {word}\n")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_configurations_on_one_store_keep_each_others_counts(
    make_config: MakeConfig, tmp_path: Path, counting: list[date], backend: str
) -> None:
    with pg_schema() if backend == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        plain = _history(make_config, tmp_path, url)
        muted = _muted(make_config, tmp_path, url, "ferry")
        first = _started(plain, counting)
        assert sorted(counting) == DAYS
        other = _started(muted, counting)
        assert sorted(counting) == DAYS and other != first
        # each started again: only today counted (before: every day, the other's rows in their place)
        assert _started(plain, counting) == first and counting == [TODAY]
        assert _started(muted, counting) == other and counting == [TODAY]
        assert first == _afresh(plain) and other == _afresh(muted)
        with open_store(url) as store:
            for cfg in (plain, muted):
                assert len(store.kept_day_counts(daycounts.config_key(cfg), _ISO)) == len(DAYS) - 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_rows_of_the_configurations_written_longest_ago_are_dropped(
    make_config: MakeConfig, tmp_path: Path, counting: list[date], backend: str
) -> None:
    """One configuration more than ``CONFIGS_KEPT``: the rows of the one written first go (an old
    configuration's rows do not stay forever); it counts all its days again when served."""
    with pg_schema() if backend == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        cfgs = [_muted(make_config, tmp_path, url, f"word{n}") for n in range(CONFIGS_KEPT + 1)]
        for cfg in cfgs:
            _started(cfg, counting)
        with open_store(url) as store:
            kept = [len(store.kept_day_counts(daycounts.config_key(cfg), _ISO)) for cfg in cfgs]
            assert kept == [0] + [len(DAYS) - 1] * CONFIGS_KEPT
            assert store._run("SELECT count(*) AS n FROM day_counts").fetchone()["n"] == CONFIGS_KEPT * (len(DAYS) - 1)
        _started(cfgs[0], counting)
        assert sorted(counting) == DAYS
        _started(cfgs[2], counting)  # the others' kept (the second's dropped now)
        assert counting == [TODAY]


def test_the_rows_of_a_store_at_schema_19_are_kept_by_the_upgrade(make_config: MakeConfig, tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with SQLiteStore(path, migrations=migrations.load("sqlite")[:19]):
        pass
    cfg = _history(make_config, tmp_path, str(path))
    key = daycounts.config_key(cfg)
    with sqlite3.connect(path) as db:  # a row as the digest before wrote it (its reads: none, so taken)
        db.execute("INSERT INTO day_counts(day, config, count, reads) VALUES(?, ?, ?, ?)", (_ISO[0], key, 7, "[]"))
    db.close()
    with SQLiteStore(path) as new:
        assert new.schema_version == len(migrations.load("sqlite"))
        assert new.kept_day_counts(key, _ISO) == {_ISO[0]: (7, "[]")}
        new.keep_day_counts("other", {_ISO[0]: (3, "[]")})  # another configuration's row beside it
        assert new.kept_day_counts(key, _ISO) == {_ISO[0]: (7, "[]")}


def test_the_rows_of_a_postgresql_store_at_schema_24_are_kept_by_the_upgrade(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    with pg_schema() as url:
        from digest.store.postgres import PostgresStore

        with PostgresStore(url, migrations=migrations.load("postgresql")[:24]) as old, old.transaction():
            old._run("INSERT INTO day_counts(day, config, count, reads) VALUES(?, ?, ?, ?)", (_ISO[0], "k", 7, "[]"))
        with PostgresStore(url) as new:
            assert new.schema_version == len(migrations.load("postgresql"))
            assert new.kept_day_counts("k", _ISO) == {_ISO[0]: (7, "[]")}
            new.keep_day_counts("other", {_ISO[0]: (3, "[]")})
            assert new.kept_day_counts("k", _ISO) == {_ISO[0]: (7, "[]")}
