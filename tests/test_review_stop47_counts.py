"""Stop 47 review (counts): every number a reader sees agrees with what it counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from tests.support.config import MakeConfig

WEEK = "digests:\n  - name: weekly\n    every: week\n    weekday: monday\n  - name: daily\n"


TEXTS = {
    "ferry": "The ferry Aurora ran aground near Kestrel Point on Wednesday morning with 212 passengers on board; "
             "the coastguard took them off by lifeboat and nobody was hurt, the operator said.",
    "rail": "The city council approved a new light rail line linking the airport with the central station, "
            "after a vote of 31 to 12; building the 14 kilometre line begins next spring.",
    "fire": "A fire at a warehouse in the port area destroyed a stock of timber overnight; forty firefighters "
            "fought the blaze for hours and police have opened an inquiry into its cause.",
}


def note(folder: Path, name: str, title: str, when: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = TEXTS[name.removesuffix(".md")]
    (folder / name).write_text(f"---\ntitle: {title}\ndate: {when}\n---\n\n{text}\n", encoding="utf-8")


def test_the_run_line_counts_the_daily_digest_it_wrote_when_a_weekly_one_is_listed_first(
    tmp_path: Path, make_config: MakeConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes"
    note(notes, "ferry.md", "Ferry Aurora runs aground near Kestrel Point", "2026-11-18T08:00:00Z")
    note(notes, "rail.md", "Council approves the airport light rail line", "2026-11-19T08:00:00Z")
    for clock in ("2026-11-19T20:00:00Z", "2026-11-20T20:00:00Z"):
        if clock.startswith("2026-11-20"):
            note(notes, "fire.md", "Warehouse fire destroys the timber stock", "2026-11-20T10:00:00Z")
        cfg = make_config(tmp_path, {"Desk": notes}, WEEK, write=True, clock=clock, timezone="Europe/London")
        assert main(["run", "--config", str(cfg.config_path)]) == 0
    err = capsys.readouterr().err.splitlines()[-1]
    daily = (tmp_path / "out" / "daily" / "digest-daily-2026-11-20.md").read_text(encoding="utf-8")
    assert "**1** story" in daily  # the fire: the day's one story
    # the line said "3 stories in the digest of 2026-11-20 (3 new, ...)": the weekly's week so far
    assert "1 story in the digest of 2026-11-20 (1 new, 0 developing)" in err, err
