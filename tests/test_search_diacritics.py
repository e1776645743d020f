"""Letters with and without diacritics are found alike on both stores.

Before: SQLite's FTS5 (``unicode61 remove_diacritics 2``) folds Latin letters to their base
letter, PostgreSQL's index kept them: `digest search etat` found "État" on SQLite and nothing on
PostgreSQL ("zurich", "sao paulo", "jose", "naive" likewise).  Now PostgreSQL reads the text and
the query's words through ``digest_search_text`` (migration 19), which folds each letter as FTS5
does: what FTS5 leaves alone (æ ø ß ł œ, Cyrillic й ё, Arabic, Devanagari, Thai) stays as it was.
The word list below says what SQLite finds; PostgreSQL must find the same.  The fold itself is
checked against SQLite's tokenizer code point by code point.

Real parts: a JSON Feed read from disk into a SQLite file and a throwaway PostgreSQL schema.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_postgres_text import app_on

pytestmark = pytest.mark.scale

NOW = datetime(2026, 11, 20, 21, tzinfo=UTC)
BACKENDS = ["sqlite", "postgresql"]

# (item, a title word of its own, the word as written in the text)
WRITTEN = [
    ("etat", "Council", "État"), ("zurich", "Bank", "Zürich"), ("sao", "Carnival", "São Paulo"),
    ("jose", "Mayor", "José"), ("naive", "Painter", "naïve"), ("aero", "Island", "Ærø"),
    ("lodz", "Factory", "Łódź"), ("strasse", "Street", "Straße"), ("oresund", "Bridge", "Øresund"),
    ("oeuvre", "Novel", "œuvre"), ("istanbul", "Ferry", "İstanbul"), ("nguyen", "Minister", "Nguyễn"),
    ("bogota", "Airport", "Bogota\u0301"),  # the accent a combining mark after the letter
    ("yoshkar", "Theatre", "Йошкар-Ола"), ("yolka", "Festival", "ёлка"), ("cairo", "Museum", "القاهرة"),
    ("delhi", "Metro", "दिल्ली"), ("bangkok", "Canal", "กรุงเทพ"), ("nomos", "Parliament", "νόμος"),
]
_TEXTS = {
    "Council": "The {} council met on Monday to review the budget of the regions. ",
    "Bank": "Shares of a bank based in {} rose after the quarterly report. ",
    "Carnival": "Crowds filled the squares of {} for the opening parade. ",
    "Mayor": "Mayor {} Alvarez opened the new market hall downtown. ",
    "Painter": "Critics called the {} style of the young painter refreshing. ",
    "Island": "The boat to {} was cancelled because of the autumn storm. ",
    "Factory": "A textile factory in {} reopened as a cultural centre. ",
    "Street": "Residents asked for the {} to be closed to heavy lorries. ",
    "Bridge": "Trains across the {} bridge were delayed by high winds. ",
    "Novel": "Her last {} was translated into twelve languages this year. ",
    "Ferry": "Commuters in {} waited hours for the ferries to resume. ",
    "Minister": "Minister {} announced a plan for rural clinics. ",
    "Airport": "The airport of {} added a second runway for cargo flights. ",
    "Theatre": "A theatre in {} staged an opera written by a local composer. ",
    "Festival": "Children decorated the {} in the square before the festival. ",
    "Museum": "The museum of {} lent a golden mask to a touring exhibition. ",
    "Metro": "The {} metro extended its night service on weekends. ",
    "Canal": "Boats on a canal in {} carried vegetables to the floating market. ",
    "Parliament": "Parliament passed the {} on fishing quotas after a long debate. ",
}
ITEMS = [{"id": i, "title": f"{t} report", "date_published": f"2026-11-20T{n % 20:02}:{n:02}:00Z",
          "content_text": _TEXTS[t].format(w) * 3} for n, (i, t, w) in enumerate(WRITTEN)]

# what each typed query finds: SQLite's answer (FTS5 folds only what it folds), wanted on both
WANT = {
    "etat": {"etat"}, "État": {"etat"}, "ETAT": {"etat"}, "état": {"etat"},
    "zurich": {"zurich"}, "ZÜRICH": {"zurich"}, "zuerich": set(),
    "sao paulo": {"sao"}, '"são paulo"': {"sao"}, "jose": {"jose"}, "JOSÉ": {"jose"},
    "naive": {"naive"}, "naïve": {"naive"},
    "aero": set(), "ærø": {"aero"}, "ÆRØ": {"aero"}, "aerø": set(),  # æ is not folded, ø neither
    "lodz": set(), "łodz": {"lodz"}, "Łódź": {"lodz"},  # ł is not folded, ó and ź are
    "strasse": set(), "strase": set(), "straße": {"strasse"},
    "oresund": set(), "øresund": {"oresund"}, "oeuvre": set(), "œuvre": {"oeuvre"},
    "istanbul": {"istanbul"}, "İSTANBUL": {"istanbul"}, "nguyen": {"nguyen"}, "NGUYỄN": {"nguyen"},
    "bogota": {"bogota"}, "Bogotá": {"bogota"}, "Bogota\u0301": {"bogota"},
    "йошкар": {"yoshkar"}, "ЙОШКАР-ОЛА": {"yoshkar"}, "иошкар": set(),  # й stays й
    "ёлка": {"yolka"}, "елка": set(),  # ё stays ё
    "القاهرة": {"cairo"}, "दिल्ली": {"delhi"}, "กรุงเทพ": {"bangkok"},
    "νόμος": {"nomos"}, "ΝΌΜΟΣ": {"nomos"}, "νομος": set(),  # the tonos is kept; a capital Σ is a final ς
    "\u0301": set(), "mayor \u0301": {"jose"}, "\u0301\u0308 MAYOR": {"jose"},  # marks alone are no word
    "mayor -josé": set(), "mayor -jose": set(), "report -état -zurich": {i for i, _, _ in WRITTEN} - {"etat", "zurich"},
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_letters_with_and_without_diacritics_are_found_alike_on_both_stores(tmp_path: Path, backend: str) -> None:
    with app_on(tmp_path, backend, ITEMS) as app:
        assert app.run(now=NOW).new_articles == len(ITEMS)
        by_story = {}  # each item's story, found by its title word alone
        for ident, title, _ in WRITTEN:
            (hit,) = app.store.search(title)
            by_story[hit.story_id] = ident
        assert len(by_story) == len(ITEMS)
        found = {q: {by_story[h.story_id] for h in app.store.search(q, limit=50)} for q in WANT}
        assert {q: f for q, f in found.items() if f != WANT[q]} == {}


def _sqlite_tokens(chars: list[str]) -> dict[str, list[str]]:
    """The tokens SQLite's FTS5 (the store's own tokenizer) makes of 'q' + each char + 'q'."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", [(n, f"q{c}q") for n, c in enumerate(chars)])
    out: dict[str, list[str]] = {c: [] for c in chars}
    for term, doc in db.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
        out[chars[doc]].append(term)
    db.close()
    return out


def test_postgresql_folds_every_letter_as_sqlite_does() -> None:
    """Every letter of the Latin, Greek and Cyrillic blocks (and letterlike symbols), and every
    combining mark U+0300-U+036F, in a word: PostgreSQL's index holds the token FTS5 makes."""
    from tests.support.services import need_postgres, pg_schema

    need_postgres()
    from digest.store.postgres import PostgresStore

    blocks = [*range(0x80, 0x530), *range(0x1E00, 0x2000), *range(0x2100, 0x2150)]
    chars = [chr(c) for c in blocks if unicodedata.category(chr(c))[0] == "L" or 0x300 <= c < 0x370]
    want = _sqlite_tokens(chars)
    with pg_schema() as url, PostgresStore(url) as store:
        rows = store.db.execute(
            "SELECT c, array(SELECT lexeme FROM unnest(to_tsvector('digest_english', digest_search_text("
            "'q' || c || 'q')))) AS lex FROM unnest(%s::text[]) AS c", (chars,)).fetchall()
    got = {r["c"]: sorted(r["lex"]) for r in rows}
    # (PostgreSQL reads a combining mark SQLite neither drops nor keeps as part of the word, and
    # that is not one of its diacritics, as a letter: q + U+0305 + q is one token there, two here)
    apart = {c for c in chars if sorted(want[c]) == ["q", "q"]}
    # (nor a capital SQLite's case folding, older than PostgreSQL's, does not know: U+037F, U+0528)
    capital = {c for c in chars if any(t != t.lower() for t in want[c])}
    differ = {f"U+{ord(c):04X} {c}": (want[c], got[c]) for c in chars
              if c not in apart | capital and sorted(want[c]) != got[c]}
    assert differ == {}
    assert len(chars) - len(apart) > 1000


def test_a_postgresql_store_of_version_18_finds_etat_once_upgraded() -> None:
    """Migration 19 folds the index of the articles stored before it."""
    from digest.store import migrations
    from tests.support.services import need_postgres, pg_schema

    need_postgres()
    from digest.store.postgres import PostgresStore

    with pg_schema() as url:
        with PostgresStore(url, migrations=migrations.load("postgresql")[:18]) as old, old.transaction():
            old.db.execute(  # as the digest before wrote it
                "INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) "
                "VALUES ('k', 'S', 'Conseil d''État', 'Le Conseil d''État siège à Zürich.', %s, '\\x00', 'k')",
                (NOW,))
        with PostgresStore(url) as new:
            assert new.schema_version == len(migrations.load("postgresql"))
            for query in ("etat", "État", "ZURICH", "siege a zurich", "conseil"):
                assert [h.story_id for h in new.search(query)] == ["k"], query
            assert new.search("zürichsee") == []
