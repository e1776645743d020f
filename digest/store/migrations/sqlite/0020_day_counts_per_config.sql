-- Version 20: the archive's day counts kept side by side for each configuration (PostgreSQL:
-- version 25; stop 64).  Keyed by the day alone (version 19), two servers with different
-- configurations on one store (a public and an internal one, two locales) each replaced the
-- other's rows, and each start counted its days again (~2 s for a year-old store's index).
-- Now a row per configuration and day; ``written``: when its configuration last wrote
-- (seconds since the epoch), by which the rows of the configurations not written for the
-- longest are dropped past ``daycount_rows.CONFIGS_KEPT`` (an upgrade of digest or an edit of
-- the configuration makes a new key: the old rows would stay forever).  The rows of version
-- 19 are kept (their written 0: the first dropped).
CREATE TABLE day_counts_per_config (
    config TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL,
    reads TEXT NOT NULL,
    written REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (config, day)
) WITHOUT ROWID;
INSERT INTO day_counts_per_config(config, day, count, reads) SELECT config, day, count, reads FROM day_counts;
DROP TABLE day_counts;
ALTER TABLE day_counts_per_config RENAME TO day_counts;
