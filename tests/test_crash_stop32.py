"""A review's findings (stop 32) on crashes, kills and a store or disk that fails: each test
failed on the code as reviewed, and states what the user gets now; the docstring says what
happened before.  Real SQLite files on disk, real folders, the real command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from digest.cli import main
from tests.support.examples import copy_examples


def _damage_articles(db: Path) -> None:
    """Overwrite the root page of the ``articles`` table with garbage, as a bad disk sector or
    a copy cut off by a crash leaves it; the file's header and schema stay readable."""
    with sqlite3.connect(db) as con:
        size = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name='articles'").fetchone()[0]
    con.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\xa5" * size)


@pytest.mark.parametrize("command", [["run"], ["build"]])
def test_a_damaged_store_is_one_line_naming_the_file_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """A store whose file was damaged (a page of ``articles`` overwritten): ``digest run`` and
    ``digest build`` ended in a traceback (``sqlite3.DatabaseError: database disk image is
    malformed``), and ``digest run`` blamed each source first (``error: Harbor Herald:
    internal error: DatabaseError: ...``, recorded as a failure: the daemon pauses a source
    failing long enough).  Now: one line naming the file and what to do, exit status 2."""
    cfg = copy_examples(tmp_path)
    assert main(["run", "--config", str(cfg)]) == 0
    db = tmp_path / "data" / "digest.sqlite3"
    _damage_articles(db)
    capsys.readouterr()

    assert main([*command, "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {db}: the store is damaged (database disk image is malformed): restore it from a "
        f"backup, or rescue what it holds with: sqlite3 {db} .recover"
    ], err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["run"], ["build"]])
def test_a_digest_that_cannot_be_written_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """The digest's file could not be written (here a folder in its place; a full disk,
    ``No space left on device``, did the same): ``digest run`` and ``digest build`` ended in
    a traceback (``IsADirectoryError``, ``OSError: [Errno 28]``).  Now: one line naming the
    file and the system's reason, exit status 2; what was read is stored."""
    cfg = copy_examples(tmp_path)
    target = tmp_path / "out" / "digest-2026-11-20.html"
    target.mkdir(parents=True)
    capsys.readouterr()

    assert main([*command, "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {target}: cannot write the digest (Is a directory)"], err
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary file left
    assert "Traceback" not in err
    if command == ["run"]:
        with sqlite3.connect(tmp_path / "data" / "digest.sqlite3") as con:
            assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 21
        con.close()
