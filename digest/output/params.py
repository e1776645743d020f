"""The numbers that decide what a digest shows apart, in one place.  Pure: imports nothing.

Each has one comment line: what it means and what set it.  The figures are in
``docs/evaluation.md`` ("Stop 39: the backlog of a new source").
"""

from __future__ import annotations

#: Default of ``backlog_days:``: days before its arrival an item of a source's first read must have been published to be that
#: source's backlog (listed under "Earlier news, first read in this digest", not as the day's news):
#: set by hand at 2, so yesterday's and the day before's items (a weekend's, read on Monday
#: morning) are still news to a daily reader; a feed added with 50 items from July to November
#: (stop 39's churn review) puts 43 of them there.  Pinned by tests/test_stop39_backlog.py.
BACKLOG_DAYS = 2
