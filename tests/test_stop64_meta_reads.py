"""A server started again checks its days' counts with their meta values read at once (stop 64).

The checks of the index's 31 days made each ``get_meta`` read of the days' views again, one by
one: ~215 round trips on PostgreSQL for a year-old store's index (a day's begin, seal, leads
and failing sources, each source's first read).  ``Store.metas_read`` reads them in one query,
answering as ``get_meta`` does."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest

from digest.config import Config
from digest.service.daycounts import Count
from digest.store.base import open_store
from tests.support.config import MakeConfig
from tests.support.services import pg_schema
from tests.test_stop61_bigstore import DAYS, _listed
from tests.test_stop63_daycount_rows import MONTH, TODAY, _afresh, _history, _pages, _started


def _keys_read(cfg: Config, monkeypatch: pytest.MonkeyPatch, *, counted: bool) -> tuple[set[str], dict[str, int]]:
    """The meta keys read one by one by the month page of a server just started (its counts
    taken from the store; ``counted`` False: only today counted (by its view: not ended, never
    kept), no other day counted nor checked: the page's and today's view's own reads)."""
    keys: set[str] = set()
    with open_store(cfg.database_url) as store:
        one = type(store).get_meta
        monkeypatch.setattr(type(store), "get_meta", lambda self, key: keys.add(key) or one(self, key))
        pages = _pages(cfg)
        if not counted:
            real = pages.counts.count
            monkeypatch.setattr(pages.counts, "count", lambda st, d, *a, **k: real(st, d, *a, **k) if d == TODAY else Count(0))
        listed = _listed(pages.month(store, *MONTH).body.decode())
        monkeypatch.setattr(type(store), "get_meta", one)
    return keys, listed


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_checks_read_the_meta_values_at_once_as_one_by_one(
    make_config: MakeConfig, tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pg_schema() if backend == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        cfg = _history(make_config, tmp_path, url)
        with open_store(url) as store:
            store.set_meta("stop64:a", "one")
            store.set_meta("stop64:b", "")
            keys = ["stop64:a", "stop64:b", "no such key", f"begins:{DAYS[2].isoformat()}"]
            assert store.metas_read(keys) == {k: store.get_meta(k) for k in keys}
            assert store.metas_read([]) == {}
        _started(cfg, [])  # the counts kept
        own, _ = _keys_read(cfg, monkeypatch, counted=False)
        read, listed = _keys_read(cfg, monkeypatch, counted=True)
        ended = {d.isoformat() for d in DAYS if d != TODAY}
        # of an ended day, only the page's own reads one by one (before: its view's every read again)
        assert {k for k in read if any(d in k for d in ended)} <= own
        assert listed == _afresh(cfg) and len(listed) == len(DAYS)
