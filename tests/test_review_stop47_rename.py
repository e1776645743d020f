"""Stop 47's review: a source renamed (its feed kept) read its whole feed again.  Keys are scoped
by source name, so the run after the rename stored every item again under the new name ("1 new
article" for an item read the day before) and an item updated in place since its last read was
listed twice in the story, one outlet, one page.  Real parts: a feed file, ``digest run``
through the CLI with the configuration's clock, SQLite on disk."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import main
from tests.test_review_stop46_rename import _config, _rss

FIRST = ("g1", "quake_a1", datetime(2026, 12, 1, 9, tzinfo=UTC))
ADDED = " Two people died in the quake, police said on Tuesday evening."


def _articles(tmp_path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(tmp_path / "data" / "digest.sqlite3") as db:
        return db.execute("SELECT key, source, revision_of FROM articles ORDER BY fetched, key").fetchall()


def test_a_renamed_sources_items_are_not_read_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "gamma.rss").write_text(_rss(FIRST), encoding="utf-8")
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Daily", "2026-12-01T18:00:00Z"))]) == 0
    capsys.readouterr()
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Evening", "2026-12-02T18:00:00Z"))]) == 0
    assert "1 entry, 0 new articles" in capsys.readouterr().err
    assert len(_articles(tmp_path)) == 1
    # an item first read after the rename is the new name's
    (tmp_path / "gamma.rss").write_text(_rss(FIRST, ("g2", "quake_a2", datetime(2026, 12, 3, 9, tzinfo=UTC))),
                                        encoding="utf-8")
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Evening", "2026-12-03T18:00:00Z"))]) == 0
    assert [source for _, source, _ in _articles(tmp_path)] == ["Gamma Daily", "Gamma Evening"]


def test_an_item_updated_in_place_across_a_rename_is_its_revision_listed_once(tmp_path: Path) -> None:
    """Read at 10:00, updated by 12:00 (within the 4 hours a revision waits: held back), the
    source renamed the next day: the change is the item's revision, one row, new."""
    (tmp_path / "gamma.rss").write_text(_rss(FIRST), encoding="utf-8")
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Daily", "2026-12-01T10:00:00Z")), "-q"]) == 0
    (tmp_path / "gamma.rss").write_text(_rss(FIRST).replace("</description>", ADDED + "</description>"),
                                        encoding="utf-8")
    assert main(["run", "--config", str(_config(tmp_path, "Gamma Daily", "2026-12-01T12:00:00Z")), "-q"]) == 0
    path = _config(tmp_path, "Gamma Evening", "2026-12-02T18:00:00Z")
    assert main(["run", "--config", str(path), "-q"]) == 0
    [(first, _, _), (revision, _, revision_of)] = _articles(tmp_path)
    assert revision_of == first and revision.startswith(first)
    out = tmp_path / "day2.json"
    assert main(["build", "--config", str(path), "--date", "2026-12-02", "-o", str(out)]) == 0
    [story] = json.loads(out.read_text(encoding="utf-8"))["stories"]
    rows = [(v["outlet"], v["id"], v["new"]) for v in [story["lead"], *story["also"]]]
    assert rows == [("Gamma Evening", "g1", True)]
    assert story["status"] == "developing" and story["whats_new"] == ADDED.strip()
