-- Version 19: search reads the text split as SQLite's FTS5 splits it, on anything that is not a
-- letter or digit.  PostgreSQL's parser kept some punctuation in its tokens ("U.S." the file name
-- 'u.s', "9/11" one token, "AR-15" 'ar' and the number '-15', "3.5" one number): `digest search
-- ar 15` (u s, 9 11) found the story saying "AR-15" on SQLite and not here.  ASCII punctuation is
-- read as a space (translate: the same whatever the database's locale; the parser already reads
-- other punctuation as a space), so the index holds 'ar' '15', 'u' 's', '9' '11', and a query's
-- words (digest.store.search) find the same stories on both stores.  The column is computed again
-- for every stored article (one rewrite of the table, as version 9).  An older digest would
-- still read this index, but not find "AR-15" by 'ar' <-> '-15': it refuses the store.
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('digest_english', translate(left(coalesce(title, ''), 10000),
        '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', '                                ')), 'A') ||
    setweight(to_tsvector('digest_english', translate(left(coalesce(text, ''), 100000),
        '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', '                                ')), 'B')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
