-- Version 3: the entry's own id (its guid, or the id a replayed record carries), shown in
-- the JSON digest beside each version; NULL for articles stored before.
ALTER TABLE articles ADD COLUMN guid TEXT;
