-- Version 24: the archive's day counts (``digest serve``'s index and month pages), each with
-- the store reads it was made from (SQLite: version 19; digest.service.daycounts): a server
-- just started checks a day's count by its reads instead of building the day's view again
-- (stop 63).  ``config``: a digest of the configuration and of digest's code the count was
-- made with (another's is not taken).  A row per day, only ever taken after its reads answer
-- as before.
CREATE TABLE day_counts (
    day TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    count INTEGER NOT NULL,
    reads TEXT NOT NULL
);
