"""Stop 48: ``digest explain`` of two articles of a new source's backlog.

A folder of pages dated years back is read, and compared, in one run; the rebuilt engine
``explain`` compares a pair in holds the articles of the window when the later one arrived,
which holds none of them: it answered "same story" with no link and no caps, the one stage
that decided.  The pair is now compared among the articles dated around it that had arrived
by then.  Real parts: the CLI, files on disk, SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "stories"


def _page(folder: Path, name: str, story: str, day: str) -> None:
    title, _, body = (FIXTURES / f"{story}.txt").read_text(encoding="utf-8").partition("\n")
    (folder / f"{name}.md").write_text(f"---\ntitle: {title}\ndate: {day}\n---\n{body}", encoding="utf-8")


def test_explain_compares_two_pages_of_a_backlog_as_the_run_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    _page(pages, "one", "quake_a1", "2014-06-13")
    _page(pages, "two", "quake_a2", "2014-06-13")
    _page(pages, "council", "council_a", "2014-06-14")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Pages\n    path: pages\noutput_dir: out\ndata_dir: data\n"
                   "timezone: UTC\nclock: 2026-12-05T12:00:00Z\n", encoding="utf-8")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["build", "--config", str(cfg), "--format", "json", "-o", "-", "--date", "2026-12-05"]) == 0
    stories = json.loads(capsys.readouterr().out)["stories"]
    [quake] = [s for s in stories if s["also"]]
    keys = [v["id"] for v in (quake["lead"], *quake["also"])]
    assert main(["explain", "--config", str(cfg), *keys, "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    assert pair["merged"] is True
    stages = pair["stages"]
    assert "link" in stages, pair  # compared, as the run compared them
    assert stages["link"] >= stages["link_threshold"]
    assert pair["engine_articles"] >= 2
