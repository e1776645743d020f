-- Version 7: articles found by the entry's own id (the id the JSON digest shows beside each
-- version), for ``digest explain``.
CREATE INDEX articles_guid ON articles(guid);
