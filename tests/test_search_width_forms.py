"""Search finds a letter or digit whatever its width or compatibility form, on both stores.

Before (stop 56): FTS5's unicode61 and PostgreSQL's parser read each form as a word of its own:
"2026年" found no "２０２６年" (full-width digits), "ABC" no "ＡＢＣ", and "ニュース" found "ﾆｭｰｽ"
(half-width katakana) on neither store, while "ﾆｭｰｽ" itself found it on PostgreSQL only.  Now
the stored text and the query are both read in Unicode's NFKC form (SQLite: the second search
table, migration 16; PostgreSQL: ``digest_search_words``, migration 21).

Real parts: a JSON Feed read from disk into a SQLite file and a throwaway PostgreSQL schema; an
older SQLite store upgraded in place.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.store.search import SYMBOL_WORDS, folded, spaced_row
from tests.test_postgres_text import app_on

NOW = datetime(2026, 11, 20, 21, tzinfo=UTC)


def _item(ident: str, title: str, text: str, hour: int) -> dict[str, object]:
    return {"id": ident, "title": title, "date_published": f"2026-11-20T{hour:02}:00:00Z", "content_text": text}


ITEMS = [
    # half-width katakana, as older Japanese systems and some mail feeds write them
    _item("half", "最新ﾆｭｰｽ速報", "ｶﾞｿﾘﾝ価格が上昇した。政府は対策を検討している。", 8),
    # full-width digits and Latin letters, as Japanese sites write them beside kanji
    _item("full", "２０２６年の予算案", "ＡＢＣ放送によると、政府は２０２６年度の予算案を発表した。ＩＭＦも評価。", 9),
    # the plain forms, in another article
    _item("plain", "2026年のニュース", "NHKによると、ガソリン価格は下がった。", 10),
    # English with a ligature and the no-break spaces and ellipses scraped text is full of
    _item("english", "Harbour ﬁnance report by Acme™",
          "The harbour\u00a0strike in Northgate… ended on Monday after long talks with the IMF. " * 2, 11),
]

# what each query finds, by item: the same on both stores
WANT = {
    "ニュース": {"half", "plain"},
    "ﾆｭｰｽ": {"half", "plain"},
    "ガソリン": {"half", "plain"},
    "ｶﾞｿﾘﾝ": {"half", "plain"},
    "2026年": {"full", "plain"},
    "２０２６年": {"full", "plain"},
    "ABC": {"full"},
    "ａｂｃ": {"full"},
    "abc放送": {"full"},
    "IMF": {"full", "english"},
    "ＩＭＦ -予算案": {"english"},
    "finance": {"english"},
    "ﬁnance": {"english"},
    "harbour strike": {"english"},
    "NHK -ＡＢＣ": {"plain"},
    "2026": {"full", "plain"},
    "速報": {"half"},
    "acme": {"english"},  # "™" folds to "TM", kept apart from the word it follows
    "acme tm": {"english"},
}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_a_word_in_another_width_is_found_by_either_form_on_both_stores(tmp_path: Path, backend: str) -> None:
    with app_on(tmp_path, backend, ITEMS) as app:
        assert app.run(now=NOW).new_articles == len(ITEMS)
        by_story = {}  # each item's story, found by its whole title
        for item in ITEMS:
            (hit,) = app.store.search(str(item["title"]))
            by_story[hit.story_id] = item["id"]
        found = {q: {by_story[h.story_id] for h in app.store.search(q)} for q in WANT}
        assert found == WANT
        newest = {by_story[h.story_id] for h in app.store.search("IMF", newest=True)}
        assert newest == {"full", "english"}


def test_a_store_of_an_older_digest_finds_width_forms_after_the_upgrade(tmp_path: Path) -> None:
    from digest.store import migrations
    from digest.store.sqlite import SQLiteStore

    path = tmp_path / "d.sqlite3"
    older = [m for m in migrations.load("sqlite") if m.version <= 15]
    with SQLiteStore(path, migrations=older) as old, old.transaction():
        for n, (title, text) in enumerate((("ＡＢＣ news", "Ｔｏｋｙｏ report"), ("北京２０２６", "航班"),
                                           ("Plain news", "Nothing folded here."))):
            old.db.execute(  # as the digest before wrote it
                "INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) "
                "VALUES (?, 'S', ?, ?, '2026-11-20T08:00:00.000000Z', x'00', ?)", (f"k{n}", title, text, f"k{n}"))
        assert [h.story_id for h in old.search("tokyo")] == []
    with SQLiteStore(path) as new:
        assert [h.story_id for h in new.search("tokyo")] == ["k0"]
        assert [h.story_id for h in new.search("abc")] == ["k0"]
        assert [h.story_id for h in new.search("北京2026")] == ["k1"]
        assert sorted(h.story_id for h in new.search("news")) == ["k0", "k2"]


def test_only_texts_whose_letters_nfkc_changes_are_indexed_apart() -> None:
    assert folded("ﾆｭｰｽ ２０２６年 ＡＢＣ ｶﾞ") == "ニュース 2026年 ABC ガ"
    assert spaced_row("Plain", "a\u00a0b… c") is None  # no letter changed: read as written
    assert spaced_row("ＡＢＣ", "x") == ("ABC", "x")
    assert spaced_row("ﬁnance", None) == ("finance", "")


def test_the_symbols_set_apart_are_every_symbol_nfkc_makes_letters_of() -> None:
    """``SYMBOL_WORDS`` (and PostgreSQL's copy in migration 21) lists every code point that is no
    letter, digit or mark and that NFKC makes a letter or digit of: without it "Brand™" folded to
    the one word "BrandTM", and "brand" found nothing where it had found the story before."""
    want = set()
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000 or c.isalnum() or unicodedata.category(c)[0] == "M":
            continue
        n = unicodedata.normalize("NFKC", c)
        if n != c and any(x.isalnum() for x in n):
            want.add(cp)
    listed = re.compile(f"[{SYMBOL_WORDS}]")
    assert {cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000 and listed.match(chr(cp))} == want
    sql = (Path(__file__).parents[1] / "digest/store/migrations/postgresql/0021_search_width_forms.sql").read_text()
    as_sql = SYMBOL_WORDS.encode("ascii", "backslashreplace").decode().upper().replace("\\U", "\\u")
    assert as_sql.replace("\\u", "") in sql.upper().replace("\\U", "").replace("\\u", "")
    assert folded("Brand™ №5").split() == ["Brand", "TM", "No", "5"]


def test_an_article_in_width_forms_an_older_digest_stored_is_found_once_digest_stores_again(tmp_path: Path) -> None:
    """A daemon of the digest before migration 16, not stopped for the upgrade, stores an article
    in full-width letters without its row in the second search table (it gave one only to the
    scripts without spaces): the next time this digest stores anything it indexes it."""
    import sqlite3

    from digest.store.sqlite import SQLiteStore

    path = tmp_path / "d.sqlite3"
    with SQLiteStore(path) as s:
        s.add_articles([])  # a first look: nothing stored yet
    con = sqlite3.connect(path)  # the older digest's daemon, writing as it did (no row)
    con.execute("INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) VALUES "
                "('k', 'S', 'Ｔｏｋｙｏ ｍａｒｋｅｔｓ', 'Ｓｈａｒｅｓ ｆｅｌｌ.', '2026-11-20T08:00:00.000000Z', x'00', 'k')")
    con.commit()
    con.close()
    with SQLiteStore(path) as s:
        assert s.search("tokyo") == []  # missed
        s.add_articles([])
        assert [h.story_id for h in s.search("tokyo")] == ["k"]
        assert [h.story_id for h in s.search("ｔｏｋｙｏ ｍａｒｋｅｔｓ")] == ["k"]


def test_an_article_the_second_table_holds_ranks_among_the_others_by_the_main_index(tmp_path: Path) -> None:
    """An English article with a "™" (or a ligature) is indexed folded in the second search table,
    among the Japanese articles, where "said" is rare: ranked by that table's bm25, it came first
    for "said" above the articles saying it most (100,000 ECB+/GVC articles: the 368 such took the
    top ten places of "said" and "fire").  Found by the main index too, it ranks by the main
    index's score, as it did before stop 56."""
    from digest.records import Article
    from digest.store.base import NewArticle
    from digest.store.sqlite import SQLiteStore

    words = "harbour crane ferry dock tide pier quay rope sail hull mast keel buoy anchor wharf berth".split()
    arts = [(f"filler{i}", f"Filler {i}", " ".join(words[(i + k) % len(words)] for k in range(60)) + " a guard said")
            for i in range(20)]
    arts += [("dense", "Mayor said", "The mayor said it, said it again and said so. " * 2),
             ("medium", "Council vote", "The council voted on the budget; a member said the vote was close. " + "ferry " * 30),
             ("brand", "Acme™ launch", "Acme™ launched a new ferry line in the harbour. " * 6 + "A spokesman said so.")]
    arts += [(f"ja{i}", f"東京の話題{i}", "東京都内で大規模な停電が発生し、約三万世帯に影響が出た。" * 3) for i in range(5)]
    with SQLiteStore(tmp_path / "s.sqlite3") as s:
        s.add_articles([NewArticle(Article(key=k, source="S", title=t, text=x, fetched=NOW, published=NOW), b"fp", k, 0.5)
                        for k, t, x in arts])
        found = [h.story_id for h in s.search("said")]
        assert found[:2] == ["dense", "medium"], found
        assert [h.story_id for h in s.search("acme")] == ["brand"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_a_word_with_a_symbol_left_out_is_left_out_whole(tmp_path: Path, backend: str) -> None:
    """"-Acme™" leaves out the articles naming Acme™: the query was folded before it was split
    into terms, "™" set apart as "TM", so "harbour -Acme™" was "harbour -Acme TM" (every harbour
    article holding "TM", without Acme), and "harbour -™" found only the "™" articles it asked
    to leave out (review of stop 56)."""
    items = [
        _item("acme", "Acme™ unveils rocket engine", "Acme™ tested a rocket engine at the desert range. Harbour.", 8),
        _item("union", "Teachers strike over pay", "Teachers walked out; the TM union said the harbour talks failed.", 9),
        _item("heat", "ＡＢＣ weather: record heat", "ＡＢＣ reports 45 degrees in the valley; harbour №5 closed.", 10),
        _item("fees", "Library fees scrapped", "The council scrapped library fees at its branch by the harbour.", 11),
    ]
    with app_on(tmp_path, backend, items) as app:
        assert app.run(now=NOW).new_articles == len(items)
        by_story = {app.store.search(str(item["title"]))[0].story_id: item["id"] for item in items}
        found = {q: {by_story[h.story_id] for h in app.store.search(q)}
                 for q in ("harbour -Acme™", "harbour -™", "harbour -№5", "Acme™", "harbour －ＡＢＣ")}
    assert found == {"harbour -Acme™": {"union", "heat", "fees"}, "harbour -™": {"heat", "fees"},
                     "harbour -№5": {"acme", "union", "fees"}, "Acme™": {"acme"},
                     "harbour －ＡＢＣ": {"acme", "union", "fees"}}
