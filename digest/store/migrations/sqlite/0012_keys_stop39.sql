-- The identity keys of stop 39 (and 40).  A folder's article file is keyed by its place in the
-- folder (file:sub/x.md), not by its text, and an article an older digest stored under its
-- text key is moved to the file's key the first time this digest reads the file
-- (digest.articles.rekeyed).  An older digest knows neither: it would store every such file
-- again and show it as new.  So an older digest must refuse this store ("written by a newer
-- digest"), and this version says the keys changed.
INSERT INTO meta (key, value) VALUES ('identity_keys', 'stop 39')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
