"""Stop 58's papercuts: a replay or a run that read an entry updated in place says so in its
summary line, where it counted the update as one more new article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.cli import main
from digest.runreport import RunReport
from tests.test_review_stop37_inplace import REVISED_TITLE, revised_text
from tests.test_timeline import TUE, record, write_inputs


def test_a_replay_says_how_many_of_its_new_articles_are_updates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three records, the third the first's entry updated the next day: "(3 new)" read as three
    stories' worth of articles where the reader sees two reports and an update of one."""
    first = record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6))
    other = record("council-1", "council_a", "Coast News", TUE + timedelta(hours=7))
    update = {**first, "title": REVISED_TITLE, "text": revised_text(),
              "arrived": (TUE + timedelta(days=1, hours=9)).isoformat()}
    data, cfg = write_inputs(tmp_path, [first, other, update])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    out = capsys.readouterr().err  # the summary is a log line
    assert "replayed 3 articles (3 new, 1 of them an update of an entry read before) over 2 days" in out

    (tmp_path / "plain").mkdir()
    data, cfg = write_inputs(tmp_path / "plain", [first, other])  # no update: the line as it was
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    assert "replayed 2 articles (2 new) over 1 day" in capsys.readouterr().err


def test_a_runs_line_names_updates_and_a_later_day_in_one_parenthesis() -> None:
    report = RunReport(sources=1, entries=4)
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    report.count_new(at, 3, revised=2)
    assert report.summary().startswith("1 source, 4 entries, 3 new articles (2 of them updates of entries read before), ")
    report.later = (3, "2026-12-02", "today's went out at 07:00")
    assert ("3 new articles (2 of them updates of entries read before; in 2026-12-02's digest: "
            "today's went out at 07:00)") in report.summary()


def test_the_note_reads_for_one_article_and_for_all() -> None:
    """"1 new article (1 of them an update ...)" read oddly (review of stop 58)."""
    one = RunReport(sources=1, entries=1)
    one.count_new(datetime(2026, 12, 1, 9, tzinfo=UTC), 1, revised=1)
    assert "1 new article (an update of an entry read before)," in one.summary()
    two = RunReport(sources=1, entries=2)
    two.count_new(datetime(2026, 12, 1, 9, tzinfo=UTC), 2, revised=2)
    assert "2 new articles (all updates of entries read before)," in two.summary()
