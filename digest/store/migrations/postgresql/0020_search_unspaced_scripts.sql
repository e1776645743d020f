-- Version 20: search in scripts written without spaces between words (SQLite: version 15).
-- PostgreSQL's parser reads a run of Chinese, Japanese, Thai, Lao, Khmer or Myanmar letters
-- as one word, so "北京" or "น้ำท่วม" found only an article whose whole clause was the query.
-- digest_search_words is digest_search_text with each such letter set apart by spaces
-- (digest.store.search.spaced; the parser leaves a lone mark out, of the text and of the
-- query alike): a query's letters, read by the same function, match as a phrase wherever
-- they stand side by side.  A text without such a letter is read as version 19 read it.
-- The column is computed again for every stored article (one rewrite of the table).
CREATE FUNCTION digest_search_words(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ E'[\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF]'
        THEN pg_catalog.regexp_replace(digest_search_text(t), E'([\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF])', E' \\1 ', 'g')
        ELSE digest_search_text(t) END
$$;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('digest_english', digest_search_words(left(coalesce(title, ''), 10000))), 'A') ||
    setweight(to_tsvector('digest_english', digest_search_words(left(coalesce(text, ''), 100000))), 'B')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
