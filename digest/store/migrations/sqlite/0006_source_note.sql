-- Version 6: what the last good read of a source noted (a feed cut off: where it ended and
-- how many entries were read), shown by ``digest sources``; NULL for a whole read.
ALTER TABLE sources ADD COLUMN note TEXT;
