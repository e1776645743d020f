"""The numbers that decide what a digest shows apart, and how long its mail waits, in one place.  Pure: imports nothing.

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

#: Seconds the mail server has to answer the end of the message (its 250 after DATA), however short
#: ``email.timeout`` is: RFC 5321 4.5.3.2.6 asks a client to wait 10 minutes, as the server scans the
#: message then (spam, viruses: half a minute under load is common); given up at 30 s, the server
#: delivered it all the same and each retry mailed it again.  Pinned by tests/test_review_stop48_smtp.py.
DATA_REPLY_TIMEOUT = 600.0
