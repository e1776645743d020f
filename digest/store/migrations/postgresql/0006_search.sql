-- Version 6: full-text search over every version's title and text: a stored tsvector
-- (title weighted A, text B) with a GIN index.
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(text, '')), 'B')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
