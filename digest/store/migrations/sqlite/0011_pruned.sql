-- Version 11: the identity keys of the articles `digest prune` removed, with their source.  A
-- feed that still lists an entry pruned (some keep theirs for years) must not make it new
-- again: the store knows it as read (``has_articles``).  An older digest would not look here,
-- and would store such an entry again as new: it must refuse this store.
CREATE TABLE pruned (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL
) WITHOUT ROWID;
