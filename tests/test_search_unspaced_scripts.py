"""Search finds a word of Chinese, Japanese, Thai, Lao, Khmer or Myanmar inside the text, on both stores.

Before (stop 55): FTS5's unicode61 and PostgreSQL's parser read a run of such letters as one
word, and these scripts put no space between words: "北京" or "น้ำท่วม" (a flood) found only an
article whose whole clause was the query, and a reader of Thai or Chinese feeds found nothing.
Now each such letter is indexed as a word of its own (SQLite: the ``articles_fts_spaced`` table,
migration 15; PostgreSQL: ``digest_search_words``, migration 20), and the query's letters, spaced
alike, match as a phrase wherever they stand side by side.

Real parts: a JSON Feed read from disk into a SQLite file and a throwaway PostgreSQL schema; an
older SQLite store upgraded in place.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.store.search import has_unspaced, spaced
from tests.test_postgres_text import app_on

NOW = datetime(2026, 11, 20, 21, tzinfo=UTC)


def _item(ident: str, title: str, text: str, hour: int) -> dict[str, object]:
    return {"id": ident, "title": title, "date_published": f"2026-11-20T{hour:02}:00:00Z", "content_text": text}


ITEMS = [
    _item("thai", "น้ำท่วมหนักในเชียงใหม่",
          "น้ำท่วมหนักในจังหวัดเชียงใหม่ ประชาชนหลายพันคนต้องอพยพออกจากบ้าน เจ้าหน้าที่กล่าวว่าระดับน้ำยังคงสูงขึ้น "
          "รัฐบาลส่งทหารไปช่วยเหลือผู้ประสบภัยในอำเภอแม่ริม", 8),
    _item("chinese", "北京暴雨导致航班取消",
          "北京昨天遭遇暴雨，首都机场取消了两百多个航班。气象部门发布了橙色预警，市民被要求减少外出。", 9),
    _item("japanese", "東京で大規模な停電",
          "東京都内で大規模な停電が発生し、約三万世帯に影響が出た。電力会社は原因を調査している。", 10),
    _item("english", "Harbour strike ends in Northgate",
          "The harbour strike in Northgate ended on Monday after long talks between the union and the port. " * 2, 11),
]

# what each query finds, by item: the same on both stores
WANT = {
    "น้ำท่วม": {"thai"},  # a flood: the first word of the clause
    "เชียงใหม่": {"thai"},  # Chiang Mai, inside the clause
    "อำเภอแม่ริม": {"thai"},
    "ทหาร": {"thai"},
    "北京": {"chinese"},
    "航班": {"chinese"},
    "机场 -北京": set(),
    "停電": {"japanese"},
    "電力会社": {"japanese"},
    "東京 Northgate": set(),  # every term must match
    "harbour": {"english"},
    "น้ำท่วมหนักในเชียงใหม่": {"thai"},  # the whole title, as before
    "北京 暴雨": {"chinese"},
    '"北京暴雨"': {"chinese"},
    "上海": set(),
    # only left out: an article without such a letter is still found (SQLite read the spaced
    # table alone, of the articles holding one, and found nothing; review of stop 55)
    "harbour -北京": {"english"},
    "northgate -東京 -ทหาร": {"english"},
    "ท่วมน้ำ": set(),  # the same letters in another order: not a match
}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_a_word_inside_a_clause_without_spaces_is_found_on_both_stores(tmp_path: Path, backend: str) -> None:
    with app_on(tmp_path, backend, ITEMS) as app:
        assert app.run(now=NOW).new_articles == len(ITEMS)
        by_story = {}  # each item's story, found by its whole title (as before)
        for item in ITEMS:
            (hit,) = app.store.search(str(item["title"]))
            by_story[hit.story_id] = item["id"]
        found = {q: {by_story[h.story_id] for h in app.store.search(q)} for q in WANT}
        assert found == WANT
        newest = {by_story[h.story_id] for h in app.store.search("北京", newest=True)}
        assert newest == {"chinese"}


def test_a_store_of_an_older_digest_finds_the_words_of_its_articles_after_the_upgrade(tmp_path: Path) -> None:
    from digest.store import migrations
    from digest.store.sqlite import SQLiteStore

    path = tmp_path / "d.sqlite3"
    older = [m for m in migrations.load("sqlite") if m.version <= 14]
    with SQLiteStore(path, migrations=older) as old, old.transaction():
        for n, (title, text) in enumerate((("北京暴雨", "首都机场取消了航班。"), ("Plain news", "Nothing spaced here."))):
            old.db.execute(  # as the digest before wrote it
                "INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) "
                "VALUES (?, 'S', ?, ?, '2026-11-20T08:00:00.000000Z', x'00', ?)", (f"k{n}", title, text, f"k{n}"))
    with SQLiteStore(path) as new:
        assert [h.story_id for h in new.search("机场")] == ["k0"]
        assert [h.story_id for h in new.search("plain")] == ["k1"]
        new.db.execute("DELETE FROM articles WHERE key='k0'")
        assert new.search("机场") == []
    # a DELETE from another SQLite client (no digest function) takes the spaced row with it
    with SQLiteStore(path) as s, s.transaction():
        s.db.execute("INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) "
                     "VALUES ('k2', 'S', 'x', 'y', '2026-11-20T08:00:00.000000Z', x'00', 'k2')")
    con = sqlite3.connect(path)
    con.execute("DELETE FROM articles WHERE key='k1'")
    con.commit()
    con.close()
    with SQLiteStore(path) as s:
        assert s.search("plain") == []


def test_only_the_letters_of_unspaced_scripts_are_set_apart() -> None:
    assert spaced("AR-15 in São Paulo; दिल्ली") == "AR-15 in São Paulo; दिल्ली"
    assert spaced("ทหาร").split() == ["ท", "ห", "า", "ร"]
    assert spaced("ท่วม").split() == ["ท่", "ว", "ม"]  # the tone mark stays on its letter
    assert spaced("東京news").split() == ["東", "京", "news"]
    assert has_unspaced("北") and has_unspaced("ខ្មែរ") and not has_unspaced("서울") and not has_unspaced(None)


def test_an_article_an_older_digest_stored_after_the_upgrade_is_found_once_digest_stores_again(
    tmp_path: Path,
) -> None:
    """A daemon of the digest before migration 15, not stopped for the upgrade, stores a Chinese
    article without its row in the spaced search table: its words, even its whole title, were
    found by no search for ever (review of stop 55).  The next time this digest stores anything
    it indexes what was missed, once, and says so in one line."""
    from digest.store.sqlite import SPACED_MARK, SQLiteStore

    path = tmp_path / "d.sqlite3"
    with SQLiteStore(path) as s:
        s.add_articles([])  # a first look: nothing stored yet
    con = sqlite3.connect(path)  # the older digest's daemon, writing as it did (no spaced row)
    con.execute("INSERT INTO articles(key, source, title, text, fetched, fingerprint, story_id) VALUES "
                "('k', 'S', '上海台风登陆', '台风在上海登陆，数万人撤离。', '2026-11-20T08:00:00.000000Z', x'00', 'k')")
    con.commit()
    con.close()
    with SQLiteStore(path) as s:
        assert s.search("上海") == []  # missed
        s.add_articles([])
        assert [h.story_id for h in s.search("上海")] == ["k"]
        assert [h.story_id for h in s.search("上海台风登陆")] == ["k"]
        mark = s.get_meta(SPACED_MARK)
        assert mark is not None and int(mark) >= 1
        s.add_articles([])  # not twice: one spaced row
        (n,) = s.db.execute("SELECT count(*) FROM articles_fts_spaced WHERE rowid = "
                            "(SELECT rowid FROM articles WHERE key='k')").fetchone()
        assert n == 1
    with SQLiteStore(path) as s:
        s.add_articles([])  # another process: nothing new past the mark, nothing added
        (n,) = s.db.execute("SELECT count(*) FROM articles_fts_spaced").fetchone()
        assert n == 1
