-- Version 15: search in scripts written without spaces between words.  FTS5's unicode61
-- reads a run of Chinese, Japanese, Thai, Lao, Khmer or Myanmar letters as one token, so
-- "北京" or "น้ำท่วม" found only an article whose whole clause was the query.  The articles
-- that hold such a letter are indexed again here with each such letter written as a word of
-- its own (digest.store.search.spaced, registered on digest's connection as digest_spaced):
-- a query's letters, spaced alike, match as a phrase wherever they stand side by side.
-- Its own copy of the spaced text (not external content: the articles table holds the text
-- as written), keyed by the articles' rowid as articles_fts is; digest writes a new
-- article's row itself, and a deleted article's goes with it (the trigger needs no function,
-- so a DELETE from another SQLite client works).
CREATE VIRTUAL TABLE articles_fts_spaced USING fts5(
    title, text, tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts_spaced(rowid, title, text)
    SELECT rowid, digest_spaced(title), digest_spaced(text) FROM articles
    WHERE digest_has_unspaced(title) OR digest_has_unspaced(text);
CREATE TRIGGER articles_fts_spaced_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts_spaced WHERE rowid = old.rowid;
END;
