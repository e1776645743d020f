-- Version 4 (PostgreSQL only): the log also records articles moved from one
-- story to another (the engine regroups a neighbourhood, digest/dedup/regrouping.py).
-- A move is a merges row with the moved article's key: kept = its story now,
-- dropped = the story it left.
ALTER TABLE merges ADD COLUMN article TEXT COLLATE "C";
