-- Version 9: the outlet an aggregator's entry names as its own (RSS <source>, Atom
-- <source><title>: a Google News item's "Reuters"), shown instead of the source's name;
-- NULL when the source is the outlet, or for articles stored before.
ALTER TABLE articles ADD COLUMN outlet TEXT;
