-- Version 21: search finds a letter or digit whatever its width or compatibility form (SQLite:
-- version 16).  The parser read each form as a word of its own: "2026年" found no "２０２６年",
-- nor "ABC" "ＡＢＣ", nor "ニュース" "ﾆｭｰｽ" (half-width katakana).  digest_search_words now folds the
-- text to Unicode's NFKC first (pg_catalog.normalize, IMMUTABLE; a text already in NFKC, most,
-- as it is), then reads it as version 20 did; a query's words go through the same function and
-- are folded by digest before (digest.store.search.folded).  A symbol NFKC makes letters of
-- ("™" "TM", "№" "No": digest.store.search.SYMBOL_WORDS, the same list) is set apart by spaces
-- first, as it stood apart from its word before: "Brand™" is "Brand TM", found by "brand".
-- The column is computed again for every stored article (one rewrite of the table, as version
-- 20).  Needs a UTF8 database, as the search of versions 19 and 20 did.
ALTER TABLE articles DROP COLUMN search;
CREATE OR REPLACE FUNCTION digest_search_words(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN f ~ E'[\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF]'
        THEN pg_catalog.regexp_replace(digest_search_text(f), E'([\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF])', E' \\1 ', 'g')
        ELSE digest_search_text(f) END
    FROM (SELECT CASE WHEN t IS NFKC NORMALIZED THEN t ELSE pg_catalog.normalize(pg_catalog.regexp_replace(t, E'([\u20A8\u2100-\u2101\u2103\u2105-\u2106\u2109\u2116\u2120-\u2122\u213B\u249C-\u24E9\u2E9F\u2EF3\u2F00-\u2FD5\u3196-\u319F\u3200-\u321E\u322A-\u3247\u3250\u3260-\u327E\u328A-\u32B0\u32C0-\u33FF\uFDFC\U0001F110-\U0001F12E\U0001F130-\U0001F14F\U0001F16A-\U0001F16C\U0001F190\U0001F200-\U0001F202\U0001F210-\U0001F23B\U0001F240-\U0001F248\U0001F250-\U0001F251])', E' \\1 ', 'g'), 'NFKC') END AS f) AS folded
$$;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('digest_english', digest_search_words(left(coalesce(title, ''), 10000))), 'A') ||
    setweight(to_tsvector('digest_english', digest_search_words(left(coalesce(text, ''), 100000))), 'B')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
