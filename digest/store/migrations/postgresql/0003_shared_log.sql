-- Version 3 (PostgreSQL only, see digest/store/log.py): the ordered log of
-- article and merge writes that workers replay, the turns of named runs,
-- and who holds a named lock (for error messages).
CREATE SEQUENCE digest_log;
ALTER TABLE articles ADD COLUMN seq BIGINT NOT NULL DEFAULT nextval('digest_log');
CREATE UNIQUE INDEX articles_seq ON articles(seq);

CREATE TABLE merges (
    seq BIGINT PRIMARY KEY DEFAULT nextval('digest_log'),
    kept TEXT COLLATE "C" NOT NULL,
    dropped TEXT COLLATE "C" NOT NULL
);

CREATE TABLE turns (
    run TEXT COLLATE "C" PRIMARY KEY,
    next INTEGER NOT NULL DEFAULT 0,
    sources TEXT NOT NULL,
    updated TIMESTAMPTZ NOT NULL
);

CREATE TABLE locks (
    name TEXT COLLATE "C" PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    since TIMESTAMPTZ NOT NULL
);
