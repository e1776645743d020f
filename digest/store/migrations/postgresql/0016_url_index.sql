-- Version 16: a source's articles found by their link (``Store.articles_at``): an outlet's
-- notice published as an entry of its own at its report's address takes that report back
-- (``digest.articles.notice_entry``).  Without it, each notice read the whole table.
CREATE INDEX IF NOT EXISTS articles_source_url ON articles(source, url);
