"""Review stop 40: a daily user's store upgraded (a folder source read before stop 39).

Before stop 39 a folder's file had no entry id and was keyed by its cleaned text; now it is
``file:<path in folder>``, and ``Entry.former`` lets an upgraded store know it.  Known only by
its text key, it was cleaned again at every run (5,000 files: 13.6 s a run); its first run on
the new digest now moves the stored article to the file's key (``articles.rekeyed``), so the
runs after know it before cleaning, and an edit is the file's revision, as in a new store.
A file edited before that first run is known by its place (``revisions.edited_before``).
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digest.app import open_app
from digest.sources import localfiles
from tests.support.cleaning import count_cleaned
from tests.test_review_stop39_files import ADDED, FERRY, LIBRARY, _run, _setup, _view


@pytest.fixture
def upgraded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Day 20 read as before stop 39 (keyed by text), the digest of now after."""
    notes = _setup(tmp_path)
    real = localfiles.read_file

    def before(f, **kw):  # type: ignore[no-untyped-def]
        return [dataclasses.replace(e, entry_id=None, former=None) for e in real(f, **kw)]

    monkeypatch.setattr(localfiles, "read_file", before)
    _run(tmp_path, 20)
    monkeypatch.setattr(localfiles, "read_file", real)
    yield notes


def _db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "data" / "digest.sqlite3")


def _cleaned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_cleaned(monkeypatch)


def test_an_upgraded_folder_is_cleaned_once_then_known_before_cleaning(
    tmp_path: Path, upgraded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cleaned = _cleaned(monkeypatch)
    _run(tmp_path, 21)
    assert len(cleaned) == 2  # the first run learns each file's text key
    cleaned.clear()
    _run(tmp_path, 22)
    assert cleaned == []  # and stores it under the file's key: not cleaned again
    with _db(tmp_path) as db:
        keys = db.execute("SELECT count(*), count(guid), count(content_hash) FROM articles").fetchone()
        leads = db.execute("SELECT count(*) FROM stories s JOIN articles a ON a.key = s.lead_key").fetchone()
    assert keys == (2, 2, 2) and leads == (2,)
    assert len(_view(tmp_path, 20).stories) == 2  # the day read before is as it was
    assert _view(tmp_path, 21).stories == [] and _view(tmp_path, 22).stories == []


def test_an_upgraded_folders_file_edited_is_its_revision(tmp_path: Path, upgraded: Path) -> None:
    _run(tmp_path, 21)
    (upgraded / "ferry.txt").write_text(FERRY.replace("Kowalczyk", "Kowalczik"))
    _run(tmp_path, 22)
    assert _view(tmp_path, 22).stories == []  # a typo fixed: nothing
    (upgraded / "ferry.txt").write_text(FERRY.replace("Kowalczyk", "Kowalczik") + ADDED)
    _run(tmp_path, 23)
    [story] = _view(tmp_path, 23).stories
    assert story.status == "developing" and "refloated" in (story.whats_new or "")
    assert story.also == []


def test_a_file_edited_before_the_first_run_of_the_upgrade_is_its_revision(
    tmp_path: Path, upgraded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edited between the older digest's last run and this one's first, a file is not known by
    its text key: it is known by its place (the stored article's file URI), not a new article."""
    (upgraded / "ferry.txt").write_text(FERRY.replace("Kowalczyk", "Kowalczik"))
    (upgraded / "library.md").write_text(LIBRARY + "\nThe reading rooms will also stay open until 21:00 on Thursdays from February, the department added.\n")
    _run(tmp_path, 21)
    [story] = _view(tmp_path, 21).stories  # the typo: nothing, not "also reported since" by Notes
    assert story.status == "developing" and "reading rooms" in story.whats_new
    assert story.also == []
    cleaned = _cleaned(monkeypatch)
    _run(tmp_path, 22)
    assert cleaned == [] and _view(tmp_path, 22).stories == []
    with _db(tmp_path) as db:
        assert db.execute("SELECT count(*), count(revision_of) FROM articles").fetchone() == (3, 1)


def test_two_copies_of_a_file_read_before_are_left_as_they_were(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = _setup(tmp_path)
    shutil.copy(notes / "library.md", notes / "library copy.md")
    real = localfiles.read_file
    monkeypatch.setattr(localfiles, "read_file",
                        lambda f, **kw: [dataclasses.replace(e, entry_id=None, former=None) for e in real(f, **kw)])
    _run(tmp_path, 20)
    monkeypatch.setattr(localfiles, "read_file", real)
    for day in (21, 22):
        _run(tmp_path, day)
        assert _view(tmp_path, day).stories == []
    with _db(tmp_path) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    assert LIBRARY  # the copies' text


def test_a_running_app_rebuilds_its_engine_after_the_move(tmp_path: Path, upgraded: Path) -> None:
    """One process (the daemon's) holding an engine built with the text keys: the move marks
    the store clustered, so the engine is rebuilt and a later version's story keeps a lead
    that is stored."""
    cfg = tmp_path / "feeds.yaml"
    with open_app(cfg) as app:
        _ = app.engine  # built before the move, with the text keys
        app.run(now=datetime(2026, 11, 21, 20, tzinfo=UTC))
        short = "Ferry runs aground off Kestrel Point\n\n" + FERRY.split("\n\n")[1] + "\n"
        (upgraded / "ferry-short.txt").write_text(short)  # a version of the ferry's story, not its lead
        app.run(now=datetime(2026, 11, 21, 21, tzinfo=UTC))  # the same engine, had it not been dropped
        [story] = app.build_view(date(2026, 11, 21)).stories
        assert story.lead.title.startswith("Ferry aground")
    with _db(tmp_path) as db:
        dangling = db.execute(
            "SELECT count(*) FROM stories s LEFT JOIN articles a ON a.key = s.lead_key WHERE a.key IS NULL"
        ).fetchone()
    assert dangling == (0,)


def test_a_digest_before_the_file_keys_refuses_the_store(tmp_path: Path, upgraded: Path) -> None:
    """Moved to the file keys, the articles are unknown to a digest before stop 39: it must not
    open the store (it would store every file again, and show it as new)."""
    from digest.errors import StoreError
    from digest.store import migrations
    from digest.store.sqlite import SQLiteStore

    _run(tmp_path, 21)
    path = tmp_path / "data" / "digest.sqlite3"
    older = [m for m in migrations.load("sqlite") if m.version <= 11]
    with pytest.raises(StoreError, match=r"written by a newer digest \(schema version \d+, this one knows up to 11\)"):
        SQLiteStore(path, migrations=older)
    with SQLiteStore(path) as s:
        assert s.get_meta("identity_keys") == "link spelling"  # and the later keys after it
