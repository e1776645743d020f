-- Version 17: whether an article's publication time was stated as a day without its time (an
-- RSS pubDate of "Tue, 19 Nov 2019", a page's datePublished of "2019-11-19"), stored at 00:00
-- UTC and shown as the day alone.  Until now that was told from the time itself, and a feed's
-- item stated at exactly 00:00:00Z was shown as a day too (stop 63).  An article stored before
-- at 00:00:00.000000 UTC is taken as a day, as it was shown: its value is NULL, which the
-- store's reads take as "a day where the time is 00:00:00 UTC" (``StoreReads._article_of``;
-- no row rewritten, as PostgreSQL's version 22).
ALTER TABLE articles ADD COLUMN published_day INTEGER;
