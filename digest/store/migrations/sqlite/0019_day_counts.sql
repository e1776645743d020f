-- Version 19: the archive's day counts (``digest serve``'s index and month pages), each with
-- the store reads it was made from (digest.service.daycounts): a server just started checks
-- a day's count by its reads (~5 ms a day) instead of building the day's view again (~60 ms,
-- 2 s for the index's 31 days of a year-old store: stop 63).  ``config``: a digest of the
-- configuration and of digest's code the count was made with (another's is not taken).  A
-- row per day; what is here is only ever taken after its reads answer as before, so an
-- older digest writing the store meanwhile can make a row stale, never wrong.
CREATE TABLE day_counts (
    day TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    count INTEGER NOT NULL,
    reads TEXT NOT NULL
) WITHOUT ROWID;
