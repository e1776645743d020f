-- Version 9: search indexes every word, as SQLite's FTS5 does.  PostgreSQL's 'english'
-- configuration drops stop words ('the', 'us', 'it', 'who', 'may'...): searching for one
-- found nothing, and '-the' left nothing out, where SQLite finds and excludes them.
-- 'digest_english' is 'english' with the same stemmer and no stop-word list.
CREATE TEXT SEARCH DICTIONARY digest_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION digest_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION digest_english
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH digest_english_stem;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('digest_english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('digest_english', coalesce(text, '')), 'B')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
