-- Version 25: the archive's day counts kept side by side for each configuration (SQLite:
-- version 20; stop 64).  Keyed by the day alone (version 24), two servers with different
-- configurations on one store each replaced the other's rows, and each start counted its days
-- again.  Now a row per configuration and day; ``written``: when its configuration last wrote
-- (seconds since the epoch), by which the rows of the configurations not written for the
-- longest are dropped past ``daycount_rows.CONFIGS_KEPT``.  The rows of version 24 are kept
-- (their written 0: the first dropped).
ALTER TABLE day_counts DROP CONSTRAINT day_counts_pkey;
ALTER TABLE day_counts ADD COLUMN written DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE day_counts ADD PRIMARY KEY (config, day);
