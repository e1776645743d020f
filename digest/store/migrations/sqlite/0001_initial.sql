-- Version 1: the first schema (kept byte-for-byte in meaning: stores
-- written by the first release are at this version).
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    etag TEXT, last_modified TEXT, permanent_url TEXT,
    last_fetch_at TEXT, last_ok_at TEXT, last_error TEXT, error_kind TEXT,
    failures INTEGER NOT NULL DEFAULT 0, first_failure_at TEXT,
    paused INTEGER NOT NULL DEFAULT 0, paused_reason TEXT,
    next_poll_at TEXT
);

CREATE TABLE articles (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    url TEXT, title TEXT NOT NULL, text TEXT NOT NULL,
    published TEXT, fetched TEXT NOT NULL, author TEXT,
    truncated INTEGER NOT NULL DEFAULT 0, priority REAL NOT NULL DEFAULT 0,
    junk TEXT, fingerprint BLOB NOT NULL,
    story_id TEXT NOT NULL, score REAL, score_detail TEXT
);
CREATE INDEX articles_story ON articles(story_id);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_fetched ON articles(fetched);

CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL, updated TEXT NOT NULL,
    lead_key TEXT NOT NULL
);
CREATE INDEX stories_first_seen ON stories(first_seen);

CREATE TABLE digests (
    date TEXT NOT NULL, format TEXT NOT NULL, built_at TEXT NOT NULL,
    path TEXT, stories INTEGER,
    PRIMARY KEY (date, format)
);

CREATE TABLE deliveries (
    date TEXT NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, message_id TEXT,
    claimed_at TEXT, sent_at TEXT,
    PRIMARY KEY (date, target)
);
