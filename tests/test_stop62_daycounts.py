"""A store a year old, faster (stop 62): the archive's day counts kept with the store reads
they were made from (``digest.service.daycounts``).

The index of a year-old store counted its 31 days afresh after each change of the store (the
daemon changes it every round): ~2 s.  Now a day whose reads answer as before keeps its count;
one a change reached (an article of its own, a regrouping, a prune) is counted again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from digest.config import Config
from digest.service import daycounts
from digest.service.webpages import Pages
from digest.store.base import SourceState, open_store
from tests.support.config import MakeConfig
from tests.support.web import site
from tests.test_stop61_bigstore import DAYS, _add, _history, _listed, _views_built


def _poll(cfg: Config, failing: bool) -> None:
    """What a round of the daemon writes besides articles: the source's state (polled now,
    failing or not)."""
    now = cfg.now()
    state = SourceState(name="Daily Post", location="https://post.example/feed.xml", last_fetch_at=now,
                        last_ok_at=None if failing else now, next_poll_at=now + timedelta(minutes=30))
    if failing:
        state.failures, state.last_error, state.error_kind, state.first_failure_at = 3, "HTTP 503", "http", now
    with open_store(cfg.database_url) as store:
        store.save_source_state(state)


def _fresh(cfg: Config) -> dict[str, int]:
    """Every day's count counted afresh (nothing kept: neither held nor read from the store's
    ``day_counts``, stop 63)."""
    pages = Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)
    pages.counts.load = lambda *a, **k: None  # type: ignore[method-assign]
    pages.counts.save = lambda *a, **k: None  # type: ignore[method-assign]
    with open_store(cfg.database_url) as store:
        return _listed(pages.month(store, 2026, 3).body.decode())


def test_after_a_change_only_the_days_it_reached_are_counted_again(
    make_config: MakeConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _history(make_config, tmp_path)
    _poll(cfg, failing=False)  # the daemon's source, read before
    built = _views_built(monkeypatch)
    with site(cfg) as s:
        first = _listed(s.get("/").text)
        assert sorted(built) == DAYS
        assert first == _fresh(cfg)
        built.clear()
        # a round: the source polled (its state saved, failing), a story on the 4th day
        _poll(cfg, failing=True)
        _add(cfg, DAYS[3], 2)
        listed = _listed(s.get("/").text)
        assert built == [DAYS[3]]  # the others' reads answer as before: not counted again
        assert listed == _fresh(cfg) and listed[f"/day/{DAYS[3].isoformat()}"] == 3
        assert [d for d, n in listed.items() if n != first[d]] == [f"/day/{DAYS[3].isoformat()}"]
        built.clear()
        # a regrouping of a past day's two stories (no article of it added): counted again
        with open_store(cfg.database_url) as store:
            store.merge_stories(keep=f"a{DAYS[5].isoformat()}-0", drop=f"a{DAYS[5].isoformat()}-1")
        _poll(cfg, failing=False)
        listed = _listed(s.get("/month/2026-03").text)
        assert DAYS[5] in built and DAYS[3] not in built
        built.clear()
        assert listed == _fresh(cfg) and listed[f"/day/{DAYS[5].isoformat()}"] == 1


def test_a_count_is_kept_with_its_reads_and_not_where_the_view_did_more_than_read(tmp_path: Path,
                                                                                 make_config: MakeConfig) -> None:
    """The reads noted are the store's reads (their answers' digests); anything else the view
    asked of the store leaves the count unkept, counted afresh next time."""
    cfg = _history(make_config, tmp_path)
    with open_store(cfg.database_url) as store:
        reads = daycounts.Reads(store)
        n = reads.count_articles_fetched_between(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))
        assert n == 2 and reads.kept and [r[0] for r in reads.reads] == ["count_articles_fetched_between"]
        assert daycounts.same_reads(store, reads.reads)
        _add(cfg, date(2026, 3, 1), 2)
        assert not daycounts.same_reads(store, reads.reads)
        reads.set_meta("x", "y")
        assert not reads.kept


def test_the_counts_kept_are_bounded_and_a_day_dropped_is_counted_again(
    make_config: MakeConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-running ``digest serve`` kept every day's count it was ever asked (pruned days
    too: ~55 KB a day).  At most ``DAYS_KEPT`` are kept, the least recently counted dropped; a
    day dropped is counted again, to the same count."""
    cfg = _history(make_config, tmp_path)
    monkeypatch.setattr(daycounts, "DAYS_KEPT", 3)
    counts = daycounts.DayCounts(cfg)
    with open_store(cfg.database_url) as store:
        first = {d: counts.count(store, d) for d in DAYS}
        assert len(counts._days) == 3 and set(counts._days) == set(DAYS[-3:])
        built = counts.built
        assert counts.count(store, DAYS[0]) == first[DAYS[0]]  # dropped: counted again
        assert counts.built == built + 1 and DAYS[0] in counts._days and len(counts._days) == 3
        assert counts.count(store, DAYS[-1]) == first[DAYS[-1]] and counts.built == built + 1  # kept
