-- Version 13: entries updated in place (digest.revisions).  content_hash: of an entry's first
-- article (revision_of NULL), a hash of the entry's content as last polled; of a revision, of
-- the content it was read from; NULL for articles stored before (the next poll records it).
-- revision_of: a revision's entry's first article (its key), else NULL.
ALTER TABLE articles ADD COLUMN content_hash TEXT;
ALTER TABLE articles ADD COLUMN revision_of TEXT COLLATE "C";
CREATE INDEX articles_revision_of ON articles(revision_of) WHERE revision_of IS NOT NULL;
