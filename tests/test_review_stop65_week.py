"""Stop 65: a daily reader's and operator's week, reviewed by using it (docs/evaluation.md,
"Stop 65: a week, reviewed").

Each papercut as the user met it, through the command line: a configuration file with a typo, a
first run, ``digest explain`` read by a person.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main


def test_a_first_run_with_a_path_typo_says_it_and_makes_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A ``path:`` that names nothing, before any run: the typo's line, exit 2, as before, but
    the store was made first ("new store (schema version 20)" above the error), and left behind
    for the next command to find empty."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Notes\n    path: notse\ntimezone: UTC\n")
    with caplog.at_level("INFO"):
        assert main(["run", "-q", "--config", str(cfg)]) == 2
        assert main(["replay", "--config", str(cfg), "-"]) == 2
    err = capsys.readouterr().err
    assert err.count("feeds.yaml:3: sources[0].path: no such file or folder") == 2
    assert not (tmp_path / "data").exists()
    assert not [r for r in caplog.records if "new store" in r.getMessage()]


def test_a_path_gone_after_it_was_read_is_still_that_sources_error_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unchanged: once the store exists and read the folder, the folder gone is that source's
    error line at the run, the run going on (exit 1, not 2)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Ferry delayed\n\nThe harbour ferry was delayed three hours by a storm.\n")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Notes\n    path: notes\ntimezone: UTC\nclock: 2026-11-20T20:00:00Z\n")
    assert main(["run", "-q", "--config", str(cfg)]) == 0
    (notes / "a.md").unlink()
    notes.rmdir()
    capsys.readouterr()
    assert main(["run", "-q", "--config", str(cfg)]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_explain_for_a_person_names_the_story_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``digest explain ID`` printed "story: i2c1..." and under it "story_id: i2c1...", the same
    id (``story`` is the JSON's older name, kept for scripts); a pair the same for each article.
    The JSON keeps both."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Ferry delayed\n\nThe harbour ferry was delayed three hours by a storm.\n")
    (notes / "b.md").write_text("# Council vote\n\nThe council voted to build a cycle bridge over the river.\n")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Notes\n    path: notes\ntimezone: UTC\nclock: 2026-11-20T20:00:00Z\n")
    assert main(["run", "-q", "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["search", "--config", str(cfg), "--json", "ferry"]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert main(["explain", "--config", str(cfg), found["story_id"]]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[:2] == [f"story_id: {found['story_id']}", "first_seen: 2026-11-20 20:00 UTC"]
    assert main(["explain", "--config", str(cfg), "--json", found["story_id"]]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["story"] == view["story_id"] == found["story_id"]
    assert main(["search", "--config", str(cfg), "--json", "council"]) == 0
    [other] = json.loads(capsys.readouterr().out)
    assert main(["explain", "--config", str(cfg), view["lead"], other["story_id"]]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.strip() for line in lines if line.strip().startswith("story")] == [
        f"story_id: {found['story_id']}", f"story_id: {other['story_id']}"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("yesterday", "'yesterday'"), ("2026-13-01", "'2026-13-01'"), ("true", "True")],
)
def test_a_clock_that_is_no_time_says_how_to_write_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, shown: str
) -> None:
    """``clock: yesterday`` was pydantic's "Input should be a valid datetime or date, input is
    too short"; ``clock: 2026-13-01`` (a date YAML reads by its shape) a traceback, PyYAML's
    "ValueError: month must be in 1..12"."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources: []\ntimezone: UTC\nclock: {value}\n")
    assert main(["status", "--config", str(cfg)]) == 2
    assert capsys.readouterr().err == (
        f"error: {cfg}:3: clock: needs a date and time, not {shown}: write one with its zone, such as "
        "2026-11-20T20:00:00Z (ISO 8601)\n")


def test_a_name_shaped_as_a_date_that_is_none_is_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``name: 2026-02-30`` (no such day) was a traceback at every command; it is the name."""
    notes = tmp_path / "notes"
    notes.mkdir()
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: 2026-02-30\n    path: notes\ntimezone: UTC\n")
    assert main(["sources", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith("2026-02-30: not fetched yet")


def test_a_url_not_http_is_said_at_its_own_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``url: ftp://...`` was said at the source's ``name:`` line, "sources[0]: url must start
    with ...": the line to mend is the ``url:`` one."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Coast\n    category: Local\n    url: ftp://coast.example/rss\ntimezone: UTC\n")
    assert main(["status", "--config", str(cfg)]) == 2
    assert capsys.readouterr().err == (
        f"error: {cfg}:4: sources[0].url: must start with http:// or https:// (got 'ftp://coast.example/rss')\n")
