-- Version 14: the identity keys of links read as one page whatever their spelling.  An entry
-- without an id is keyed by its link with http read as https and a leading www. dropped
-- (digest.text.identity.link_identity), and an entry whose id is an http(s) URL (a permalink
-- guid) by that id read so (id_identity); this digest still knows the articles stored before
-- under the link or id as spelt (digest.articles.as_stored), but an older digest does not know
-- the new keys of http:// and www. links and ids: it would store those entries again and show
-- them as new.  So an older digest must refuse this store ("written by a newer digest"), and this
-- version says the keys changed.
INSERT INTO meta (key, value) VALUES ('identity_keys', 'link spelling')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
