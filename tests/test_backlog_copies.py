"""A source's backlog met again in another source days later (stop 53's review of a new user's
week): the engine a run rebuilds from the store held only articles dated within two windows, so
an item of 2019 that Coast's feed brought on Monday was in no engine on the next Monday, and
Valley's copy of it became a story of its own: the archive, the Atom feed and the search showed
the old item twice.  Within one run the two merged.  Now the rebuild reads what was read within
two windows too, whatever its date (``StoreReads.articles_since``).

Real parts: the CLI, feed files on disk, SQLite on disk, two runs a week apart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.cli import main
from digest.config import load_config
from digest.store.base import open_store
from tests.test_review_stop53_user import _config, _rss

#: Three old reports, each a rewrite-free copy in both feeds: dated in 2019.
OLD = [("quake_a1", datetime(2019, 3, 4, 9, tzinfo=UTC)), ("derby", datetime(2019, 5, 6, 18, tzinfo=UTC)),
       ("council_b", datetime(2019, 8, 1, 7, tzinfo=UTC))]


def _stories(cfg: Path) -> dict[str, set[str]]:
    """Each stored story's sources."""
    with open_store(load_config(cfg).database_url) as store:
        out: dict[str, set[str]] = {}
        for a in store.articles_since(datetime(2000, 1, 1, tzinfo=UTC), with_text=False):
            out.setdefault(a.story_id, set()).add(a.source)
        return out


def test_a_backlogs_copy_read_a_week_later_joins_the_story_of_the_first(tmp_path: Path) -> None:
    _rss(tmp_path / "coast.rss", "Coast", [(f"c-{n}", n, when) for n, when in OLD])
    _rss(tmp_path / "valley.rss", "Valley", [])
    assert main(["run", "--config", str(_config(tmp_path, "2026-11-16T09:00:00Z")), "--quiet"]) == 0
    assert sorted(map(sorted, _stories(tmp_path / "feeds.yaml").values())) == [["Coast"]] * 3
    # a week later a second source is added whose feed carries the same old items
    _rss(tmp_path / "valley.rss", "Valley", [(f"v-{n}", n, when) for n, when in OLD])
    assert main(["run", "--config", str(_config(tmp_path, "2026-11-23T09:00:00Z")), "--quiet"]) == 0
    assert sorted(map(sorted, _stories(tmp_path / "feeds.yaml").values())) == [["Coast", "Valley"]] * 3


def test_a_backlog_read_longer_ago_than_two_windows_is_left_out(tmp_path: Path) -> None:
    """The engine holds what was read within two windows (60 days): a backlog read in spring
    is not compared with a copy of it read in November (the prune's rule for what is old)."""
    _rss(tmp_path / "coast.rss", "Coast", [(f"c-{n}", n, when) for n, when in OLD])
    _rss(tmp_path / "valley.rss", "Valley", [])
    assert main(["run", "--config", str(_config(tmp_path, "2026-03-02T09:00:00Z")), "--quiet"]) == 0
    _rss(tmp_path / "valley.rss", "Valley", [(f"v-{n}", n, when) for n, when in OLD])
    assert main(["run", "--config", str(_config(tmp_path, "2026-11-23T09:00:00Z")), "--quiet"]) == 0
    assert sorted(map(sorted, _stories(tmp_path / "feeds.yaml").values())) == [["Coast"]] * 3 + [["Valley"]] * 3
