-- Version 17: an entry's id (up to 2,000 characters) and link (up to 4,096) found by hash
-- indexes, which hold a 4-byte hash of the value whatever its length.  A b-tree index row holds
-- at most 2,704 bytes: an id of 1,000 CJK characters or a link carrying a 3,000-character token
-- made its source's whole write fail ("index row size ... exceeds btree version 4 maximum
-- 2704"), at every poll, where SQLite stores it.  Both are only looked up by equality
-- (``keys_of_guid``; ``articles_at`` and ``keyed_by_text``, with the source as a filter).
-- The source keeps an index of its own (a source's first read, ``keyed_by_text``: the b-tree
-- on (source, url) was the one with the source first), a hash one too: a name is any length.
DROP INDEX IF EXISTS articles_guid;
CREATE INDEX articles_guid ON articles USING hash (guid);
DROP INDEX IF EXISTS articles_source_url;
CREATE INDEX articles_url ON articles USING hash (url);
CREATE INDEX articles_source ON articles USING hash (source);
