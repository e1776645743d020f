"""Stop 46's review: the time zone changed between two ``digest run`` (no mail, no seal).

London's 2 December was written by the run at 18:00 UTC; the operator then set Asia/Tokyo,
whose 3 December began at 15:00 UTC on the 2nd, and the next run showed London's evening of
the 2nd again as new.  Moved west (Tokyo to New York) the days would leave a gap instead.
Real parts: ``digest run`` through the CLI with the configuration's clock, SQLite on disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.cli import main
from tests.support.config import make_config
from tests.support.digests import ingest_stories

DAY = datetime(2026, 12, 1, tzinfo=UTC)
STORIES = ["quake_a1", "derby", "council_b", "quake_b", "rovers_b1"]


def _run(path: Path, zone: str, at: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    """``digest run`` at ``at`` in ``zone``, and the day's digest it wrote kept as JSON (the
    latest writing of each day stays)."""
    text = path.read_text(encoding="utf-8").split("\nclock:")[0].rstrip("\n")
    text = text.replace(text.split("timezone: ")[1].split("\n")[0], zone)
    path.write_text(f"{text}\nclock: {at.isoformat()}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["run", "--config", str(path)]) == 0
    said = "".join(capsys.readouterr())
    day = said.split(" in the digest of ")[1][:10]  # the day it wrote
    out = path.parent / "read" / f"{day}.json"
    out.parent.mkdir(exist_ok=True)
    assert main(["build", "--config", str(path), "--date", day, "-o", str(out)]) == 0


def _new_in(written: Path) -> list[str]:
    """The ids of the versions a digest as written marks new."""
    view = json.loads(written.read_text(encoding="utf-8"))
    return [v["id"] for s in view["stories"] for v in [s["lead"], *s["also"]] if v["new"]]


@pytest.mark.parametrize(("old", "new"), [("Europe/London", "Asia/Tokyo"), ("Asia/Tokyo", "America/New_York"),
                                          ("America/Los_Angeles", "Pacific/Kiritimati")])
def test_each_article_is_new_once_when_the_zone_changes_between_runs(
    tmp_path: Path, old: str, new: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "coast").mkdir()
    path = make_config(tmp_path, {"Coast News": tmp_path / "coast"}, write=True, timezone=old).config_path
    assert path is not None
    hours = [10, 18, 20, 30, 44]  # UTC from 1 December: each story arrives at its hour
    for name, h in zip(STORIES, hours, strict=True):
        ingest_stories(path, [("Coast News", name, DAY + timedelta(hours=h))])
        _run(path, old if h < 21 else new, DAY + timedelta(hours=h, minutes=30), capsys)
    _run(path, new, DAY + timedelta(days=4), capsys)
    shown = [key for written in sorted((tmp_path / "read").iterdir()) for key in _new_in(written)]
    assert len(shown) == len(STORIES) and len(set(shown)) == len(STORIES), shown
