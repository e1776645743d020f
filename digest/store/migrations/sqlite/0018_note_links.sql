-- Version 18: a Markdown note's links ([words](https://...)), as JSON: [[words, address], ...];
-- NULL for none, and for articles stored before.  Its text keeps the words alone; the digest's
-- pages link them again in the note's excerpt (stop 63).
ALTER TABLE articles ADD COLUMN links TEXT;
