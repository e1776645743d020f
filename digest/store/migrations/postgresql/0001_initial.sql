-- Version 1: the first schema, the same tables and meaning as
-- sqlite/0001_initial.sql.  Times are timestamptz, flags boolean,
-- fingerprints bytea; ids sort bytewise (COLLATE "C") as in SQLite.
CREATE TABLE sources (
    name TEXT COLLATE "C" PRIMARY KEY,
    location TEXT NOT NULL,
    etag TEXT, last_modified TEXT, permanent_url TEXT,
    last_fetch_at TIMESTAMPTZ, last_ok_at TIMESTAMPTZ, last_error TEXT, error_kind TEXT,
    failures INTEGER NOT NULL DEFAULT 0, first_failure_at TIMESTAMPTZ,
    paused BOOLEAN NOT NULL DEFAULT FALSE, paused_reason TEXT,
    next_poll_at TIMESTAMPTZ
);

CREATE TABLE articles (
    key TEXT COLLATE "C" PRIMARY KEY,
    source TEXT COLLATE "C" NOT NULL,
    url TEXT, title TEXT NOT NULL, text TEXT NOT NULL,
    published TIMESTAMPTZ, fetched TIMESTAMPTZ NOT NULL, author TEXT,
    truncated BOOLEAN NOT NULL DEFAULT FALSE, priority DOUBLE PRECISION NOT NULL DEFAULT 0,
    junk TEXT, fingerprint BYTEA NOT NULL,
    story_id TEXT COLLATE "C" NOT NULL, score DOUBLE PRECISION, score_detail TEXT
);
CREATE INDEX articles_story ON articles(story_id);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_fetched ON articles(fetched);

CREATE TABLE stories (
    id TEXT COLLATE "C" PRIMARY KEY,
    first_seen TIMESTAMPTZ NOT NULL, updated TIMESTAMPTZ NOT NULL,
    lead_key TEXT COLLATE "C" NOT NULL
);
CREATE INDEX stories_first_seen ON stories(first_seen);

CREATE TABLE digests (
    date TEXT COLLATE "C" NOT NULL, format TEXT NOT NULL, built_at TIMESTAMPTZ NOT NULL,
    path TEXT, stories INTEGER,
    PRIMARY KEY (date, format)
);

CREATE TABLE deliveries (
    date TEXT COLLATE "C" NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, message_id TEXT,
    claimed_at TIMESTAMPTZ, sent_at TIMESTAMPTZ,
    PRIMARY KEY (date, target)
);
