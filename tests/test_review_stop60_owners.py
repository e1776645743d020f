"""Stop 60, review of the day's changes: who reads a feed two sources lead to (``FeedOwners``).

* The source whose ``url:`` is the feed was its reader even while paused (a daemon pauses a
  source failing for ``pause_after_hours``; with ``paused_retry_hours: 0`` it waits for
  ``digest sources --resume``): the other source's reads of the feed were dropped, "stored
  once, under" the paused one, which stored nothing: the feed's new items were read by nobody.
  (Who reads a feed is found per feed, not by a walk over every moved source per read: measured
  by ``benchmarks.feed_owners``, not here.)

Real parts: the CLI, SQLite on disk, a loopback HTTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from tests.support.httpd import TestServer
from tests.test_review_stop60_sources import _feed, _sources_config

DAY = datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_a_feed_whose_own_source_is_paused_is_read_by_the_source_leading_to_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with TestServer() as srv:
        srv.set("/feed.xml", _feed("Coast News", ["quake_a1"]), headers={"Content-Type": "application/rss+xml"})
        srv.redirect("/old.xml", "/feed.xml", status=301)
        cfg = _sources_config(tmp_path, [("Coast News", srv.url("/feed.xml")), ("Coast old", srv.url("/old.xml"))])
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0  # the feed's item once, Coast News's
        with open_app(cfg) as app:  # as a daemon leaves a source failing 48 h (no retry configured)
            state = app.store.get_source_state("Coast News")
            assert state is not None
            state.paused, state.paused_reason = True, "failing continuously since 2026-11-18 (40 failures)"
            app.store.save_source_state(state)
        srv.set("/feed.xml", _feed("Coast News", ["quake_a1", "fire_a1"]),
                headers={"Content-Type": "application/rss+xml"})
        caplog.clear()
        code = main(["run", "--config", str(cfg)])
        with open_app(cfg) as app:
            stored = {(a.source, a.guid) for a in app.store.articles_since(DAY - timedelta(days=1))}
    assert ("Coast old", "fire_a1") in stored, stored  # the new item is read, under the source that read it
    assert code == 1  # "error: Coast News: paused: ..." counts as failed
    assert not any("stored once, under 'Coast News'" in r.getMessage() for r in caplog.records)
