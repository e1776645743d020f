-- Version 14: the identity keys of the articles `digest prune` removed, with their source
-- (as SQLite's version 11).  A feed that still lists an entry pruned (some keep theirs for
-- years) must not make it new again: the store knows it as read (``has_articles``).  An
-- older digest would not look here, and would store such an entry again as new: it must
-- refuse this store.
CREATE TABLE pruned (
    key TEXT COLLATE "C" PRIMARY KEY,
    source TEXT COLLATE "C" NOT NULL
);
-- A prune also removes the shared log's moves of the articles it removes and its merges into
-- the stories it removes (digest/store/prune_pg.py): found by these, not by a scan of the log.
CREATE INDEX merges_article ON merges(article) WHERE article IS NOT NULL;
CREATE INDEX merges_kept ON merges(kept) WHERE article IS NULL;
