-- Version 11: the language an article is written in, as its source states it (a BCP 47 tag:
-- RSS <language>, Atom xml:lang, JSON Feed "language", <html lang>, front matter "lang"),
-- for the lang attribute of the pages that show it; NULL when unstated or stored before.
ALTER TABLE articles ADD COLUMN lang TEXT;
