-- Version 2: Retry-After bookkeeping, per-story counts, digest counts,
-- the dedup-window index and the key/value meta table.
ALTER TABLE sources ADD COLUMN retry_after_until TEXT;

ALTER TABLE stories ADD COLUMN n_versions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN n_sources INTEGER NOT NULL DEFAULT 0;
UPDATE stories SET
    n_versions = (SELECT count(*) FROM articles a WHERE a.story_id = stories.id),
    n_sources = (SELECT count(DISTINCT a.source) FROM articles a WHERE a.story_id = stories.id);

ALTER TABLE digests ADD COLUMN articles_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE digests ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;

-- The dedup window at start-up: "articles whose date is at or after T",
-- where an undated article counts from when it was fetched.
CREATE INDEX articles_window ON articles(coalesce(published, fetched), key);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
