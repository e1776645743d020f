"""The caps that bound what reading one feed document may cost, and how a round's failures are
said and slow feeds read, in one place.  Pure: imports nothing.

Each has one comment line: what it means and what measured it.  The figures are in
``docs/evaluation.md`` ("Reviews (stop 37): hostile"; "Stop 56: operator papercuts").
"""

from __future__ import annotations

#: Start tags one feed document may hold (``xmlscreen.element_count``: every ``<`` not opening an end
#: tag, a comment, CDATA or a declaration, in the text feedparser decodes), above which it is refused
#: before feedparser, whose time grows with them (known or unknown, empty or not; twice over when
#: ill-formed): 15 MiB of ``<x/>`` (3.9 million) held a core 90-150 s.  Measured by ``python -m
#: benchmarks.feed_elements``: feeds corpus (4,821 XML files) max 1,102, 99.9th percentile 156; a
#: podcast's feed written after real ones at the 15 MiB fetch cap (11,297 episodes) 271,133, read by
#: feedparser in 5-8 s; 500,000 ``<x/>`` cost it 6.6 s, 19.9 s ill-formed (2 shared cores).
MAX_ELEMENTS = 500_000

#: Sources failing for one reason in a daemon round (or reading again in one) from which the
#: round says them in one line, not a line each (``digest.sources.alike``): two lines are as
#: short as one that names both; with the network down 200 feeds were 200 warnings (stop 56).
ALIKE_AT = 3
#: Names such a line gives before "and N more" (each source's own line is logged at DEBUG).
ALIKE_NAMED = 5

#: Reads in a row that failed, the last two by a timeout, after which ``digest run`` asks the feed
#: less often (``digest.sources.tracking.slowed``): each such run waited the feed's read timeout
#: (20 s) for nothing (stop 56: 20 fast loopback feeds and one that never answers, 20.2 s a run
#: against 0.1 s); one or two timeouts are a server's bad minute, not a dead one.
SLOW_AFTER = 3
#: Longest a timed-out feed waits for ``digest run`` to ask it again, seconds: the daemon's
#: backoff cap (``service.polling.BACKOFF_CAP``), so a feed that answers again is read within it.
SLOW_CAP = 6 * 3600.0
#: Seconds before a slowed feed's next try at which ``digest run`` reads it all the same: each run
#: reads its clock after its start-up (0.95-1.26 s a run on 2 shared cores, review of stop 56), so
#: a cron run the poll interval after the last came a moment short of the wait about one time in two.
SLOW_EARLY = 60.0

#: Characters of a saved page searched for its title and stated publication time
#: (``digest.sources.pagemeta``), the same window htmldate is given: 200,000 missed the
#: ``datePublished`` of 3 of the 181 scrapinghub pages (at 211k-385k, after inline scripts),
#: whose time htmldate then read without its offset, 5 hours off (stop 62, saved pages).
PAGE_HEAD_CHARS = 500_000
