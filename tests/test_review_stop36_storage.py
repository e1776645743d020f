"""A review's findings (stop 36) on what a daily user meets when storage fails: a store file
that is not digest's, a store that cannot be written or is held by another process, a disk
that fills while the daemon writes and mails a digest.  Each test failed on the code as
reviewed; its docstring says what happened before.  Real SQLite files, real file systems (a
small tmpfs, a read-only bind mount: tests/support/disks.py), the real command."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.app import open_app
from digest.cli import main
from digest.config import load_config
from digest.errors import StoreError
from digest.service.daemon import Daemon
from digest.store.sqlite import SQLiteStore
from tests.support.daemon import Clock, Inbox, smtpd
from tests.support.digests import digests_config, ingest_stories
from tests.support.disks import fill, grow, read_only, small_disk
from tests.support.examples import DAY, copy_examples
from tests.support.stores import damage, hold_write_lock
from tests.support.web import site


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def _other_programs(path: Path, *, version: int = 0) -> bytes:
    """A SQLite database another program wrote at ``path`` (rollback journal, its own table;
    ``version``: its ``user_version``); its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes(body) VALUES('the only copy')")
    con.execute(f"PRAGMA user_version={version}")
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize(("version", "said"), [
    (0, "a SQLite database of another program (tables notes), not a digest store: left as it is; "
        "point 'database:' (or 'data_dir:') at another file"),
    (99, "written by a newer digest (schema version 99, this one knows up to"),
])
def test_a_sqlite_file_not_this_digests_is_refused_and_left_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: int, said: str
) -> None:
    """``database:`` (or ``data_dir``'s ``digest.sqlite3``) naming another program's SQLite
    file: digest took it for a new store, wrote its nine migrations' tables into it beside
    the user's and switched it to WAL, and the run went on as if nothing were wrong.  A
    newer digest's store was refused, but switched to WAL first.  Now both are refused in one
    line before anything is written: the file keeps every byte."""
    cfg = copy_examples(tmp_path)
    db = tmp_path / "data" / "digest.sqlite3"
    before = _other_programs(db, version=version)

    assert main(["run", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert len(_errors(err)) == 1 and f"error: {db}: {said}" in _errors(err)[0], err
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["digest.sqlite3"]


def test_a_store_whose_folder_is_read_only_says_so_not_that_the_store_is_unusable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store's folder read-only (a read-only mount, a folder of another user): every
    command said ``not a usable digest store: unable to open database file``, as if the file
    were bad; it is whole, SQLite cannot write its ``-wal`` and ``-shm`` beside it.  Now the
    line names the folder and why it must be writable; the store is untouched."""
    cfg = copy_examples(tmp_path)
    assert main(["run", "--config", str(cfg)]) == 0
    data = tmp_path / "data"
    before = (data / "digest.sqlite3").read_bytes()
    capsys.readouterr()

    with read_only(data):
        assert main(["build", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    # SQLite's words: "unable to open database file" (a read-only mount), "attempt to write a
    # readonly database" (the folder's write bits gone)
    (line,) = _errors(err)
    assert line.startswith(f"error: {data / 'digest.sqlite3'}: cannot open the store: the store or its folder "
                           f"{data} cannot be written ("), err
    assert line.endswith("); digest writes the store and its -wal and -shm files there"), err
    assert (data / "digest.sqlite3").read_bytes() == before


def test_a_reader_opens_the_store_while_a_writer_holds_it_and_a_writer_says_who_blocks_it(
    tmp_path: Path,
) -> None:
    """Opening the store took its write lock to read the schema version, so a reader (``digest
    serve``'s page, ``digest build``, ``digest sources``) waited for any writer, and after 30 s
    failed with ``cannot start a write: database is locked``.  Now a store at the latest
    version opens at once and reads under a writer (WAL); a write still waits ``timeout`` and
    then says what holds it up."""
    db = tmp_path / "d.sqlite3"
    with SQLiteStore(db) as store:
        store.set_meta("k", "v")
    hold_write_lock(db, 3.0)

    t0 = time.monotonic()
    with SQLiteStore(db, timeout=0.5) as reader:  # the write's wait (was 2 s: the same line)
        assert reader.get_meta("k") == "v"
        assert time.monotonic() - t0 < 1.0
        with pytest.raises(StoreError) as err:
            reader.set_meta("k", "w")
    assert str(err.value) == (
        f"{db}: cannot start a write: another process has held the store's write lock for over 0.5 s "
        "(database is locked); nothing was done, try again once it is done"
    )


def test_a_disk_full_while_a_new_store_is_made_says_the_disk_is_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new store on a disk that fills while its schema is written: ``write failed, nothing
    stored: database or disk is full``, unlike the full disk's line everywhere else.  Now the
    same line as a full disk mid-run; once there is room the next run makes the store whole."""
    cfg = copy_examples(tmp_path)
    data = tmp_path / "data"
    with small_disk(data, "40k"):
        assert main(["run", "--config", str(cfg)]) == 2
        err = capsys.readouterr().err
        assert _errors(err) == [
            f"error: {data / 'digest.sqlite3'}: the disk is full (database or disk is full): free some space; "
            "what was not stored is read again next time"
        ], err
        grow(data, "10m")
        assert main(["run", "--config", str(cfg)]) == 0
    assert "21 new articles" in capsys.readouterr().err


_DAILY = '\n  - name: morning\n    sections: [World, Local]\n    time: "06:00"\n'


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 9 November 2026 is a Monday


@pytest.mark.parametrize("full", ["data", "out"])
def test_a_disk_full_at_the_digest_time_stops_no_daemon_and_the_digest_goes_out_once_there_is_room(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, full: str
) -> None:
    """The disk fills before Tuesday's 06:00 digest.  The store's disk (``data``): sealing the
    day raised out of the digest job and the daemon died (``error: ...: write failed, nothing
    stored: database or disk is full``), polling nothing more.  The digest files' disk
    (``out``): one line, then nothing until Wednesday's digest time, space freed or not.
    Now one error line, nothing mailed; once there is room the next retry writes and mails
    Monday's digest, once."""
    with smtpd() as (inbox, port):
        cfg_path = digests_config(tmp_path, port, _DAILY)
        with small_disk(tmp_path / full, "2m"):
            ingest_stories(cfg_path, [("Coast News", "quake_a1", _at(9, 8)), ("City Desk", "council_b", _at(9, 10))])
            clock = Clock()
            with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
                d = Daemon(app, clock=clock)
                clock.now = _at(9, 7)
                d.catch_up()  # the first start: nothing due yet
                filler = fill(tmp_path / full)
                caplog.clear()
                clock.now = _at(10, 6)
                d._handle("digest:morning")
                errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
                assert len(errors) == 1, errors
                assert errors[0].startswith("digest morning 2026-11-09: not written or sent: "), errors
                assert "full" in errors[0] or "No space left on device" in errors[0], errors
                assert errors[0].endswith("(retrying in 60s)"), errors
                assert inbox.messages == []
                filler.unlink()  # room again
                clock.now = _at(10, 6, 2)
                d._handle("poll")
                clock.now = _at(11, 6)
                d._handle("digest:morning")
            sent = [str(m["Subject"]) for m in inbox.messages]
            assert sent == ["digest for 2026-11-09: 2 stories"], sent
            assert (tmp_path / "out" / "morning" / "digest-morning-2026-11-09.html").is_file()


class _FillsTheDisk(Inbox):
    """An SMTP server that, as it accepts the next message, lets the store's disk fill up."""

    def __init__(self) -> None:
        super().__init__()
        self.fill_at: Path | None = None
        self.filler: Path | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fill_at is not None:
            self.filler, self.fill_at = fill(self.fill_at), None
        return await super().handle_DATA(server, session, envelope)


def test_a_digest_mailed_as_the_disk_fills_is_recorded_once_there_is_room_not_mailed_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The store's disk filled while the digest went out: the server accepted it, and
    recording it failed.  The daemon said ``not sent now: ...: database or disk is full``
    (it had been sent), left the row pending, and its retry a minute after the disk had room
    found the row "interrupted" and mailed the digest a second time.  Now the line says it
    was mailed, and the retry records it instead of sending it again."""
    with smtpd(_FillsTheDisk()) as (inbox, port):
        assert isinstance(inbox, _FillsTheDisk)
        cfg_path = digests_config(tmp_path, port, _DAILY)
        with small_disk(tmp_path / "data", "2m"):
            ingest_stories(cfg_path, [("Coast News", "quake_a1", _at(9, 8)), ("City Desk", "council_b", _at(9, 10))])
            clock = Clock()
            with open_app(cfg_path) as app, caplog.at_level(logging.INFO, logger="digest"):
                d = Daemon(app, clock=clock)
                clock.now = _at(9, 7)
                d.catch_up()
                inbox.fill_at = tmp_path / "data"
                caplog.clear()
                clock.now = _at(10, 6)
                d._handle("digest:morning")
                errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
                assert len(errors) == 1, errors
                assert errors[0].startswith("digest morning 2026-11-09: mailed to me@example.org, but not "
                                            "recorded as sent ("), errors
                assert len(inbox.messages) == 1
                assert inbox.filler is not None
                inbox.filler.unlink()  # room again
                for minute in (2, 5, 30):
                    clock.now = _at(10, 6, minute)
                    d._handle("poll")
                (row,) = app.store.deliveries_on("2026-11-09")
                assert row.status == "sent" and row.message_id == str(inbox.messages[0]["Message-ID"])
                clock.now = _at(11, 6)
                d._handle("digest:morning")
            assert [str(m["Subject"]) for m in inbox.messages] == ["digest for 2026-11-09: 2 stories"]


def test_the_archive_over_a_damaged_store_is_a_503_and_one_log_line_not_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``digest serve`` over a store whose file was damaged after it started: each page that
    read the damaged table answered 500 with ``database disk image is malformed``'s traceback in
    the log.  Now a 503 and the store's one line (restore, or ``.recover``)."""
    cfg_path = copy_examples(tmp_path)
    assert main(["run", "--config", str(cfg_path)]) == 0
    db = tmp_path / "data" / "digest.sqlite3"
    cfg = load_config(cfg_path)
    with site(cfg) as web, caplog.at_level(logging.INFO, logger="digest"):
        assert web.get("/").status_code == 200
        damage(db)
        caplog.clear()
        response = web.get(f"/day/{DAY.isoformat()}")
    assert response.status_code == 503, response.status_code
    assert not any(r.exc_info for r in caplog.records)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        f"{db}: the store is damaged (database disk image is malformed): restore it from a backup, or rescue "
        f"what it holds with: sqlite3 {db} .recover"
    ]
