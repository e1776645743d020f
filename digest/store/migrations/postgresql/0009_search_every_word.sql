-- Version 9: search indexes every word, as SQLite's FTS5 does.  PostgreSQL's 'english'
-- configuration drops stop words ('the', 'us', 'it', 'who', 'may'...): searching for one
-- found nothing, and '-the' left nothing out, where SQLite finds and excludes them.
-- 'digest_english' is 'english' with the same stemmer and no stop-word list.
-- Only a text's first 100,000 characters are indexed: a tsvector holds at most 1 MB, and a
-- longer text of many distinct words (1.5 MB) made its whole write fail ("string is too
-- long for tsvector"), every poll of its source.  A news article is far shorter.
CREATE TEXT SEARCH DICTIONARY digest_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION digest_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION digest_english
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH digest_english_stem;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('digest_english', left(coalesce(title, ''), 10000)), 'A') ||
    setweight(to_tsvector('digest_english', left(coalesce(text, ''), 100000)), 'B')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
