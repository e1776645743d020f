"""Stop 59's smaller fixes, each through the CLI on a SQLite file (a folder of notes on disk, the
configured ``clock:``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main


def _config(root: Path, clock: str) -> Path:
    cfg = root / "feeds.yaml"
    cfg.write_text(f"timezone: UTC\nclock: {clock}\ndatabase: s.sqlite3\ndedup:\n  window_days: 1\n"
                   "digests:\n  - name: weekly\n    every: week\n    weekday: monday\n"
                   "sources:\n  - name: Notes\n    path: notes\n"
                   # send's refusals come after its configuration's (stop 64): a server never reached
                   "email: {host: 127.0.0.1, port: 1, security: none, from: a@example.org, to: [b@example.org]}\n")
    return cfg


def _note(root: Path, name: str, title: str, at: str, text: str) -> None:
    (root / "notes").mkdir(exist_ok=True)
    (root / "notes" / f"{name}.md").write_text(f"---\ntitle: {title}\ndate: {at}\n---\n{text}\n")


NOTES = [
    ("a", "Ferry strike ends after long talks", "2026-11-02",
     "The ferry strike in the harbour ended on Monday after long talks between unions and owners."),
    ("b", "Library fees scrapped across the county", "2026-11-05",
     "Northgate libraries scrap late fees for all readers from next month, the council said."),
    ("c", "Harbour crane toppled in storm", "2026-11-07",
     "A harbour crane toppled in the overnight storm, the port authority said on Saturday."),
    ("d", "Bridge closed for repairs over winter", "2026-11-12",
     "The old bridge closes for repairs over the winter months, the roads office said on Thursday."),
]


def test_a_week_pruned_from_its_start_is_not_written_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The weekly digest of 2-8 November, three stories, written; a prune then kept the days from
    the 7th on.  ``build --date`` of that week wrote it again from what was left, one story, over
    the file of three (``check_kept`` looked at the week's last day only), and ``send --date``
    would have mailed it so.  Both are refused now, the file left as it was written."""
    for name, title, day, text in NOTES:
        _note(tmp_path, name, title, f"{day}T09:00:00Z", text)
        assert main(["run", "-c", str(_config(tmp_path, f"{day}T10:00:00Z")), "--quiet"]) == 0
    cfg = str(_config(tmp_path, "2026-11-12T10:00:00Z"))
    assert main(["build", "-c", cfg, "--digest", "weekly", "--date", "2026-11-08", "--format", "md"]) == 0
    week = tmp_path / "out" / "weekly" / "digest-weekly-2026-11-08.md"
    written = week.read_text()
    assert written.count("\n## ") == 3, written
    assert main(["prune", "-c", cfg, "--keep-days", "6"]) == 0
    assert "kept: 2026-11-07 on" in capsys.readouterr().out
    for command in (["build", "-c", cfg, "--digest", "weekly", "--date", "2026-11-05", "--format", "md"],
                    ["send", "-c", cfg, "--digest", "weekly", "--date", "2026-11-08"]):
        assert main(command) == 2, command
        err = capsys.readouterr().err.splitlines()
        assert err[-1] == ("error: the week of 2026-11-02 to 2026-11-08 was pruned up to 2026-11-07: the store "
                           "keeps the days from 2026-11-07 on (keep_days); its files, if any, are left as they "
                           "were written"), err
    assert week.read_text() == written
