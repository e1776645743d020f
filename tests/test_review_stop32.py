"""A review's findings (stop 32) on weekly digests, replay, JSON Feed text, the
configuration's times and ``digest explain``: each test failed on the code as reviewed, and
states what the reader gets now; the docstring says what happened before."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.config import parse_config
from digest.errors import ConfigError
from digest.output.view import build_view
from tests.support.digests import digests_config, ingest_stories
from tests.test_timeline import digest_json, versions, week, write_inputs

WEEKLY_ALL = """
  - name: weekly
    every: week
    weekday: monday
"""


def test_a_story_first_seen_in_the_week_is_new_in_the_weekly_digest(tmp_path: Path) -> None:
    """A quake first reported on Wednesday and followed up on Thursday was headed
    "Developing" in the week's digest, its JSON ``status`` "developing" with a ``whats_new``
    line: ``week_of`` kept Thursday's view of the story.  The week had every version of it,
    so it is new in that week."""
    cfg = digests_config(tmp_path, 25, WEEKLY_ALL)
    wed = datetime(2026, 11, 11, 9, tzinfo=UTC)
    ingest_stories(cfg, [("Coast News", "quake_a1", wed), ("Coast News", "quake_a2", wed + timedelta(days=1))])
    with open_app(cfg) as app:
        assert [s.status for s in build_view(app.store, app.cfg, date(2026, 11, 12)).stories] == ["developing"]
        week = app.build_view(date(2026, 11, 15), digest="weekly")
    assert [(s.status, s.whats_new) for s in week.stories] == [("new", "")]
    assert all(v.new for s in week.stories for v in (s.lead, *s.also))


def test_a_story_from_an_earlier_week_stays_developing_in_the_weekly_digest(tmp_path: Path) -> None:
    """The other side: a story first seen the week before, followed up in this one, is
    developing in this week's digest."""
    cfg = digests_config(tmp_path, 25, WEEKLY_ALL)
    thu = datetime(2026, 11, 12, 9, tzinfo=UTC)
    ingest_stories(cfg, [("Coast News", "quake_a1", thu - timedelta(days=7)), ("Coast News", "quake_a2", thu)])
    with open_app(cfg) as app:
        week = app.build_view(date(2026, 11, 15), digest="weekly")
    assert [s.status for s in week.stories] == ["developing"] and week.stories[0].whats_new


def test_replay_reads_a_record_with_a_lone_surrogate_escape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``"\\ud800"`` is valid JSON, and Python reads it as a lone surrogate, which no UTF-8 text
    holds: ``digest replay`` stopped with a traceback (UnicodeEncodeError from SQLite) at the
    first such record, the week unwritten.  It is replaced (U+FFFD), as in front matter."""
    rows = week()
    rows[1]["title"] = "Quake \ud800 rattles the coast"
    rows[1]["source"] = "Coast \udfff News"
    data, cfg = write_inputs(tmp_path, rows)
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    assert capsys.readouterr().err.splitlines()[-1].startswith("replayed 5 articles (5 new)")
    [quake] = [s for s in digest_json(tmp_path, "2026-11-10")["stories"]
               if any(v["id"] == "quake-1" for v in versions(s))]
    [version] = [v for v in versions(quake) if v["id"] == "quake-1"]
    assert (version["title"], version["source"]) == ("Quake \ufffd rattles the coast", "Coast \ufffd News")


def test_a_json_feed_with_a_lone_surrogate_escape_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON Feed item whose title or text escapes a lone surrogate (``\\ud800``: valid JSON)
    failed its source at every poll ("internal error: UnicodeEncodeError ... surrogates not
    allowed"), and none of its other items was stored.  It is read, the surrogate as U+FFFD."""
    (tmp_path / "feed.json").write_text(
        '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        '{"id": "1", "title": "Quake \\ud800 rattles the coast", "url": "https://j.example/1",'
        ' "content_text": "A strong quake \\udfff rattled the coast on Monday, officials said.",'
        ' "date_published": "2026-11-20T10:00:00Z"},'
        '{"id": "2", "title": "Council votes on the harbour", "url": "https://j.example/2",'
        ' "content_text": "The council voted on the harbour plan on Monday.",'
        ' "date_published": "2026-11-20T11:00:00Z"}]}', encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: J\n    path: feed.json\ntimezone: UTC\n"
                   "clock: 2026-11-20T20:00:00Z\n", encoding="utf-8")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    assert "internal error" not in capsys.readouterr().err
    assert main(["build", "--config", str(cfg), "--format", "json", "-o", "-"]) == 0
    titles = sorted(s["lead"]["title"] for s in json.loads(capsys.readouterr().out)["stories"])
    assert titles == ["Council votes on the harbour", "Quake \ufffd rattles the coast"]


@pytest.mark.parametrize(("text", "want"), [
    ("schedule:\n  digest_time: 7:30\n", "7:30"),
    ("digests:\n  - name: morning\n    time: 8:05\n", "8:05"),
])
def test_a_time_written_without_quotes_is_read_as_the_time(tmp_path: Path, text: str, want: str) -> None:
    """``digest_time: 7:30`` without quotes is a base-60 integer (450) to YAML 1.1: the error
    said "schedule.digest_time: Input should be a valid string" of what the reader sees as a
    string.  It is the time 7:30."""
    cfg = parse_config("sources: []\n" + text, path=tmp_path / "feeds.yaml")
    assert (cfg.digests[0].time if cfg.digests else cfg.schedule.digest_time) == want


def test_a_time_out_of_range_without_quotes_names_the_time(tmp_path: Path) -> None:
    """``digest_time: 25:00`` said "Input should be a valid string"; it says what is wrong."""
    with pytest.raises(ConfigError) as err:
        parse_config("sources: []\nschedule:\n  digest_time: 25:00\n", path=tmp_path / "feeds.yaml")
    assert str(err.value) == f"{tmp_path / 'feeds.yaml'}:3: schedule.digest_time: must be HH:MM (got '25:00')"


def test_numbers_and_other_values_are_still_read_as_yaml_reads_them(tmp_path: Path) -> None:
    cfg = parse_config("sources: []\nschedule:\n  poll_minutes: 15\ndedup:\n  window_days: 2.5\n",
                       path=tmp_path / "feeds.yaml")
    assert (cfg.schedule.poll_minutes, cfg.dedup.window_days) == (15, 2.5)


def test_explain_compares_two_articles_of_a_replayed_year_as_they_were_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A week replayed from a year ago: ``digest explain`` of a quake report and a council
    report of the same morning said "not both in the dedup window: never compared", with no
    link figures: its engine held the window before the real clock, and neither article.  The
    two were compared when the later one arrived; the answer is built as of then."""
    year = timedelta(days=364)
    rows = week()
    for r in rows:
        r["published"] = (datetime.fromisoformat(r["published"]) - year).isoformat()
        if "arrived" in r:
            r["arrived"] = (datetime.fromisoformat(r["arrived"]) - year).isoformat()
    data, cfg = write_inputs(tmp_path, rows)
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["explain", "quake-1", "council-1", "--config", str(cfg), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["merged"] is False and "never compared" not in out["why"], out["why"]
    assert "shared_neighbours" in out["stages"] and "link" in out["stages"]
    assert main(["explain", "quake-1", "quake-2", "--config", str(cfg), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["merged"] is True and "shared_neighbours" in out["stages"]


@pytest.mark.parametrize(("extra", "problem"), [
    ({"published": "2061-11-10T09:00:00+00:00"},
     "'published' (the arrival, with no 'arrived') is in the future: '2061-11-10T09:00:00+00:00'"),
    ({"published": "2026-11-10T09:00:00+00:00", "arrived": "2061-11-10T09:00:00+00:00"},
     "'arrived' is in the future: '2061-11-10T09:00:00+00:00'"),
])
def test_replay_names_a_record_arriving_in_the_future(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: dict[str, str], problem: str
) -> None:
    """A record dated 2061 for 2016 (a typo'd year) was replayed without a word: a digest of
    10 November 2061 was written and that day sealed in the store.  It is one bad line now,
    and the rest of the week goes on."""
    rows = week()
    rows.insert(1, {"id": "typo", "title": "t", "text": "Some words.", "source": "S", **extra})
    data, cfg = write_inputs(tmp_path, rows)
    assert main(["replay", str(data), "--config", str(cfg)]) == 1
    err = capsys.readouterr().err.splitlines()
    bad = [line for line in err if line.startswith("error:")]
    assert len(bad) == 1 and bad[0].startswith(f"error: {data}:2: {problem} (now "), bad
    assert err[-1].startswith("replayed 5 articles") and "2061" not in err[-1]
    assert not list((tmp_path / "out").glob("*2061*"))


def test_search_since_finds_a_story_developing_then_as_its_help_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest search --since DAY``'s help said "only stories new in this day's digest or
    later"; it finds the stories of that day's digest and later, the developing ones too (the
    README's words): a quake first reported on Tuesday and followed up on Thursday is found
    with ``--since`` Thursday.  The help says so now."""
    data, cfg = write_inputs(tmp_path, week())
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["search", "quake", "--since", "2026-11-12", "--config", str(cfg), "--json"]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert found["day"] == "2026-11-10"  # new on Tuesday, developing on Thursday
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--since DAY only stories in this day's digest or later, new or developing" in help_text
