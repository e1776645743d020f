"""The server store's time limits, in one place.  Pure: imports nothing.

Each has one comment line: what it means and what set it.
"""

from __future__ import annotations

#: Seconds a statement may wait for PostgreSQL before the server is probed (``pg_watch``): a
#: server that answers a new connection is alive (the statement waits for a lock: the clustering
#: lock, a delivery row) and is left to it; one that does not has its connection cut.  Set by
#: hand: above the longest statement seen on the examples' scale runs (well under a second) and
#: the clustering lock's usual wait, short against a run or a poll round that hung for good.
STALL_SECONDS = 30.0

#: Seconds the probe of a stalled statement's server waits for a new connection to be answered
#: (libpq's ``connect_timeout``, whole seconds); the store opens its own with the same 10 s.
PROBE_TIMEOUT = 10

#: Seconds the daemon, connecting again after the connection was lost, waits for the server to
#: end its old session (it still holds the session's locks, ``daemon`` among them, until it
#: notices); a server frozen and resumed ends it when it reads the cut connection, within a second.
REGAIN_SECONDS = 30.0

#: Seconds the sender waits, once the message's end is written, for the answer to the in-doubt
#: mark sent ahead of it (``PostgresStore.send_whole_mark``), before it counts the connection
#: lost (the send's record then reconnects): as ``STALL_SECONDS``, set by hand (the answer takes
#: 0.06 ms idle, Stop 58).
MARK_ANSWER_WAIT = 30.0
