"""Review (stop 43) of the changed-figure line as a daily and a weekly reader read it, over
weeks of a replayed archive: a sum's scale glued on as a word or in wire style ("$2million",
"$2 mln": no figure was read, so "$2million" become "$2billion" was no news), and a currency
sign written with its country ("NZ$2m": the mark took the "$" alone, "NZ**$3m** (was $2m)").
Real parts: ``digest replay`` and ``digest build`` through the CLI, SQLite on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main
from digest.output.figures import figures, stated, written
from tests.support.config import config_text

DIGESTS = [{"name": "daily"}, {"name": "weekly", "every": "week", "weekday": "monday"}]
BRIDGE = ("The Whanganui District Council approved a {} grant to repair the Dublin Street bridge, which has "
          "been closed to heavy vehicles since cracks were found in its piers.\n"
          "Engineers said the century-old truss bridge could reopen to trucks within eighteen months once "
          "steel bracing and new bearings were fitted.\n"
          "Mayor Andrew Tripe said freight operators had lost money on long detours through the Paetawa "
          "valley and welcomed the decision.")


def _replay(tmp: Path, sums: list[str]) -> Path:
    """The bridge grant read on Tuesday 3 November, then revised in place on each next
    Tuesday (10th, 17th, ...) to each next of ``sums``; replayed with the clock after them."""
    rows = [{"id": "br", "source": "Ledger", "title": "Whanganui bridge repair grant approved",
             "text": BRIDGE.format(s), "url": "https://ledger.example/br", "published": "2026-11-03T08:00:00Z",
             "arrived": f"2026-11-{3 + 7 * i:02d}T09:00:00Z"} for i, s in enumerate(sums)]
    archive = tmp / "news.jsonl"
    archive.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    cfg = tmp / "feeds.yaml"
    cfg.write_text(config_text(timezone="UTC", clock="2026-12-01T12:00:00Z", digests=DIGESTS), encoding="utf-8")
    assert main(["replay", str(archive), "--config", str(cfg)]) == 0
    return cfg


def _day(tmp: Path, name: str, day: str) -> str:
    return (tmp / "out" / name / f"digest-{name}-{day}.md").read_text(encoding="utf-8")


def _week(tmp: Path, day: str) -> str:
    """The weekly digest of the week that holds ``day``, built by ``digest build``."""
    out = tmp / f"week-{day}.md"
    assert main(["build", "--config", str(tmp / "feeds.yaml"), "--digest", "weekly", "--date", day, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "found", "shown"), [
    ("a $2million grant", {"#2m"}, ["$2million"]),
    ("a $2billion grant", {"#2bn"}, ["$2billion"]),
    ("a $2 mln grant", {"#2m"}, ["$2 mln"]),
    ("a $2.5 bln deal", {"#2.5bn"}, ["$2.5 bln"]),
    ("5million people", {"#5m"}, ["5million"]),
    ("NZ$2m and US$3 million", {"#2m", "#3m"}, ["NZ$2m", "US$3 million"]),
    ("about 30m of cliff, 5 tn of ore", {"#30", "#5"}, ["30m", "5"]),  # metres, tonnes: no scale
])
def test_a_scale_glued_as_a_word_or_in_wire_style_is_read(text: str, found: set[str], shown: list[str]) -> None:
    assert figures(text) == found
    assert [written(text, at) for _fig, at in stated(text, 0, len(text))] == shown


@pytest.mark.parametrize(("old", "new", "mark", "was"), [
    ("$2million", "$2billion", "$2billion", "$2million"),
    ("$2 mln", "$2 bln", "$2 bln", "$2 mln"),
    ("NZ$2m", "NZ$3m", "NZ$3m", "NZ$2m"),
])
def test_a_sum_revised_is_told_daily_and_weekly(tmp_path: Path, old: str, new: str, mark: str, was: str) -> None:
    _replay(tmp_path, [old, new])
    line = f"approved a **{mark}** (was {was}) grant"
    assert line in _day(tmp_path, "daily", "2026-11-10")
    assert line in _week(tmp_path, "2026-11-15")


def test_a_sum_written_another_way_is_no_news(tmp_path: Path) -> None:
    _replay(tmp_path, ["$2m", "$2million", "$2 mln"])
    for day in ("2026-11-10", "2026-11-17"):
        assert not (tmp_path / "out" / "daily" / f"digest-daily-{day}.md").exists() or "Developing" not in _day(
            tmp_path, "daily", day)
