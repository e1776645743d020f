-- Version 7: the identity keys of stop 33.  A FeedBurner entry without an id is keyed by its
-- feedburner:origLink, an episode with only its file by that file, and entries sharing one
-- id across pages by their links; this digest still knows the articles stored before under
-- their old keys (Entry.former), but an older digest does not know the new ones: it would
-- store them again and show them as new.  So an older digest must refuse this store ("written
-- by a newer digest"), and this version says the keys changed.
INSERT INTO meta (key, value) VALUES ('identity_keys', 'stop 33')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
