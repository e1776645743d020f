"""The line ``digest run`` ends with says where its new articles went when it is not their
arrival day's digest: after that day's digest went out (mailed, or built by the daemon), what
arrives is in the next day's (design.md, invariant 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.output.days import seal
from digest.runreport import RunReport
from digest.store.base import open_store
from tests.support.config import MakeConfig

DAY = date(2026, 12, 2)


def note(folder: Path, name: str, title: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = f"{title} was reported on Wednesday by the harbour office, with more to follow. " * 3
    (folder / name).write_text(f"---\ntitle: {title}\ndate: 2026-12-02T08:00:00Z\n---\n\n{text}\n", encoding="utf-8")


def run_line(tmp_path: Path, make_config: MakeConfig, clock: str, capsys: pytest.CaptureFixture[str]) -> str:
    cfg = make_config(tmp_path, {"Desk": tmp_path / "notes"}, write=True, clock=clock, timezone="Europe/London")
    assert main(["run", "--config", str(cfg.config_path)]) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if not ln.startswith(str(cfg.config_path))]
    assert len(lines) == 1, lines  # the clock's notice, then one line
    return lines[0]


def test_the_run_line_names_the_next_days_digest_when_todays_went_out(
    tmp_path: Path, make_config: MakeConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes"
    note(notes, "ferry.md", "Ferry Aurora runs aground near Kestrel Point")
    morning = run_line(tmp_path, make_config, "2026-12-02T09:00:00Z", capsys)
    assert "1 new article, 1 story in the digest of 2026-12-02 (1 new, 0 developing)" in morning
    assert "'s digest:" not in morning  # in its own day's digest: nothing to say
    cfg = make_config(tmp_path, timezone="Europe/London")
    with open_store(cfg.database_url) as store:  # the daemon mails the day's digest at 10:00
        seal(store, cfg, DAY, datetime(2026, 12, 2, 10, tzinfo=UTC))
    for i, title in enumerate(["Library fees scrapped from January", "Gale warning for the coast",
                               "Council approves the cycle bridge"]):  # fmt: skip
        note(notes, f"later{i}.md", title)
    evening = run_line(tmp_path, make_config, "2026-12-02T18:00:00Z", capsys)
    assert "1 source, 4 entries, 3 new articles (in 2026-12-03's digest: today's went out at 10:00), " in evening
    # the digest the run wrote is still today's, with the morning's story only
    assert "1 story in the digest of 2026-12-02 (1 new, 0 developing)" in evening


def test_the_run_line_counts_the_later_ones_when_only_some_went_to_a_later_digest() -> None:
    report = RunReport(sources=2, entries=5, new_articles=5, later=(2, "2026-12-03", "today's went out at 07:00"))
    assert report.summary().startswith(
        "2 sources, 5 entries, 5 new articles (2 in 2026-12-03's digest: today's went out at 07:00), "
    )


def test_a_refused_run_of_an_earlier_day_still_says_where_its_new_articles_went(
    tmp_path: Path, make_config: MakeConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest run --date D``, D before the store's first day, is refused (exit 2) after the
    sources are read: its summary line left out the note every other run gives, that the new
    articles are in tomorrow's digest as today's went out; it says so now, as a run without
    ``--date`` would."""
    notes = tmp_path / "notes"
    note(notes, "ferry.md", "Ferry Aurora runs aground near Kestrel Point")
    run_line(tmp_path, make_config, "2026-12-02T09:00:00Z", capsys)  # the store's first day
    cfg = make_config(tmp_path, timezone="Europe/London")
    with open_store(cfg.database_url) as store:  # the daemon mails the day's digest at 10:00
        seal(store, cfg, DAY, datetime(2026, 12, 2, 10, tzinfo=UTC))
    note(notes, "later.md", "Gale warning for the coast")
    cfg = make_config(tmp_path, {"Desk": notes}, write=True, clock="2026-12-02T18:00:00Z", timezone="Europe/London")
    assert main(["run", "--config", str(cfg.config_path), "--date", "2026-12-01"]) == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if not ln.startswith(str(cfg.config_path))]
    assert lines[-1] == ("error: 2026-12-01 has no digest: the store's first day is 2026-12-02 "
                         "(nothing was written; the sources were read)"), lines
    assert lines[-2].startswith("1 source, 2 entries, 1 new article (in 2026-12-03's digest: today's went out "
                                "at 10:00), 0 not modified, 0 failed"), lines
