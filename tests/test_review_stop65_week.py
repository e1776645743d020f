"""Stop 65: a daily reader's and operator's week, reviewed by using it (docs/evaluation.md,
"Stop 65: a week, reviewed").

Each papercut as the user met it, through the command line: a configuration file with a typo, a
first run, ``digest explain`` read by a person.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from digest.cli import main
from tests.support.daemon import loopback_config, refusing_smtpd, rss, smtpd
from tests.support.httpd import TestServer


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


def _set(cfg: Path, **top: Any) -> None:
    data = yaml.safe_load(cfg.read_text())
    for key, value in top.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    cfg.write_text(yaml.safe_dump(data))


def _reader(cfg: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    capsys.readouterr()
    main(["status", "--config", str(cfg), "--json"])
    [reader] = json.loads(capsys.readouterr().out)["digests"][0]["readers"]
    main(["status", "--config", str(cfg)])
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("  ann@example.org: ")]
    return reader, line


def test_status_json_gives_the_last_day_sent_of_a_reader_mailed_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``last_sent`` ("the last day sent", its schema says) was null for a reader sent every day,
    set only once a later day failed: a script checking it read "never sent". The text line
    still says "last sent" only after a day that was not."""
    with TestServer() as srv, smtpd() as (_, good), refusing_smtpd() as bad:
        srv.set("/a", rss("alpha", range(3), datetime.fromisoformat("2026-11-20T20:00:00+00:00")))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a"}, clock="2026-11-20T20:00:00Z",
                              email={"host": "127.0.0.1", "port": good, "security": "none",
                                     "from": "digest@example.org", "to": ["ann@example.org"]})
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T08:00:00Z")
        assert main(["send", "--config", str(cfg), "--date", "2026-11-20"]) == 0
        reader, line = _reader(cfg, capsys)
        assert (reader["day"], reader["state"], reader["last_sent"]) == ("2026-11-20", "sent", "2026-11-20")
        assert "last sent" not in line
        srv.set("/a", rss("alpha", range(3, 6), datetime.fromisoformat("2026-11-21T20:00:00+00:00")))
        _set(cfg, clock="2026-11-21T20:00:00Z")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-22T08:00:00Z", email={"port": bad})
        assert main(["send", "--config", str(cfg), "--date", "2026-11-21"]) != 0
        reader, line = _reader(cfg, capsys)
    assert (reader["day"], reader["state"], reader["last_sent"]) == ("2026-11-21", "failed", "2026-11-20")
    assert line.endswith("; last sent 2026-11-20")
