-- Version 16: search finds a letter or digit whatever its width or compatibility form (NFKC):
-- "ニュース" finds "ﾆｭｰｽ" (half-width katakana), "2026年" "２０２６年", "ABC" "ＡＢＣ", and each the
-- other.  FTS5's unicode61 read each form as a word of its own.  The second search table
-- (version 15) now holds the articles whose text holds a letter of a script without spaces or a
-- letter or digit NFKC changes, their text folded to NFKC then spaced
-- (digest.store.search.spaced_row; registered on digest's connection as digest_search_form and
-- digest_search_apart); a query is folded alike, and every query reads this table for the
-- articles in it, articles_fts for the others.  The table is built again (its delete trigger,
-- on articles, stays: it needs no function).
DROP TABLE articles_fts_spaced;
CREATE VIRTUAL TABLE articles_fts_spaced USING fts5(
    title, text, tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts_spaced(rowid, title, text)
    SELECT rowid, digest_search_form(title), digest_search_form(text) FROM articles
    WHERE digest_search_apart(title, text);
