-- Version 4: full-text search over every version's title and text.  FTS5 with external
-- content (the index keeps no second copy of the text), keyed by the articles' rowid and
-- kept in step by triggers; the porter stemmer finds "shooting" for "shootings".
-- digest never VACUUMs the store (that could renumber rowids); after a manual VACUUM,
-- INSERT INTO articles_fts(articles_fts) VALUES('rebuild') re-indexes.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts(articles_fts) VALUES('rebuild');
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
