"""Review of ``digest replay`` (and ``digest dedupe``) as a daily user runs them: a backfill into
a store ``digest run`` and ``digest send`` already use, the same archive replayed twice or after
a ``kill -9``, an archive that reaches today, hostile lines.  Real parts: the CLI (in process, or
a process of its own where a kill is needed), SQLite on disk, SMTP on loopback."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.app import open_app
from digest.cli import main
from digest.output.days import sealed_at, shown_day
from tests.support.config import config_text, loopback_email
from tests.support.daemon import smtpd

TOWNS = "Opunake Manaia Hawera Eltham Stratford Inglewood Waitara Urenui Okato Patea Kaponga Normanby".split()
PLACES = "bridge school library wharf hospital museum stadium tunnel pool market bakery cinema".split()


def _record(i: int, at: str, source: str = "Coast") -> dict[str, Any]:
    """One report of its own story (town and place ``i``), arriving at ``at``."""
    town, place = TOWNS[i % len(TOWNS)], PLACES[(i // len(TOWNS) + i) % len(PLACES)]
    return {"id": f"r{i}", "source": source, "title": f"{town} {place} reopens after repairs",
            "text": f"The {place} in {town} reopened on Thursday after repairs costing more than expected, "
                    f"the {town} board chair said. Volunteers from {town} painted the {place} at the weekend.",
            "published": at}


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _config(tmp: Path, clock: str, extra: str = "", **settings: Any) -> Path:
    cfg = tmp / "feeds.yaml"
    cfg.write_text(config_text(extra=extra, timezone="UTC", clock=clock, **settings), encoding="utf-8")
    return cfg


def _digest(tmp: Path, day: str) -> dict[str, Any]:
    return dict(json.loads((tmp / "out" / f"digest-{day}.json").read_text(encoding="utf-8")))


def _titles(view_or_json: dict[str, Any]) -> list[str]:
    return sorted(s["lead"]["title"] for s in view_or_json["stories"])


# -- a backfill into days already mailed -------------------------------------------------------


def test_a_backfill_into_days_already_mailed_stays_on_its_own_days(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A user mailed by ``digest send`` every morning backfills last week from another reader's
    history.  Each replayed arrival fell in a day already sealed (mailed, or found empty at its
    send), so ``App.ingest`` moved it to the first window still open: every backfilled article
    landed in today's digest (mailed tomorrow), and the replayed days' digests, written again,
    said "No new stories"."""
    days = ["2026-11-29", "2026-11-30", "2026-12-01"]
    with smtpd() as (inbox, port):
        cfg = _config(tmp_path, "2026-11-28T12:00:00Z", loopback_email(port))
        first = _jsonl(tmp_path / "first.jsonl", [_record(11, "2026-11-28T09:00:00Z", source="Own")])
        assert main(["replay", str(first), "--config", str(cfg)]) == 0  # the install's first day
        for d in [*days, "2026-12-02"]:  # the cron's send each morning: the day before sealed
            cfg = _config(tmp_path, f"{d}T07:00:00Z", loopback_email(port))
            assert main(["send", "--config", str(cfg)]) == 0
        sent = len(inbox.messages)
        assert sent == 1  # 28 November's; the other days had no stories (sealed all the same)
        cfg = _config(tmp_path, "2026-12-02T12:00:00Z", loopback_email(port))
        rows = [_record(i, f"{days[i % 3]}T{8 + i:02d}:00:00Z") for i in range(6)]
        assert main(["replay", str(_jsonl(tmp_path / "back.jsonl", rows)), "--config", str(cfg)]) == 0
        capsys.readouterr()
        with open_app(cfg) as app:
            assert app.build_view().story_count == 0, "backfilled history in today's digest"
            for r in rows:
                at = datetime.fromisoformat(r["published"].replace("Z", "+00:00"))
                assert shown_day(app.store, app.cfg, at) == at.date()
        for d in days:
            day_rows = [r for r in rows if r["published"].startswith(d)]
            assert _titles(_digest(tmp_path, d)) == sorted(r["title"] for r in day_rows)
        # the next morning's cron send mails yesterday only: no backfilled day again
        cfg = _config(tmp_path, "2026-12-03T07:00:00Z", loopback_email(port))
        assert main(["send", "--config", str(cfg)]) in (0, 1)
        assert len(inbox.messages) == sent


# -- the same archive replayed again, or after a kill ------------------------------------------


def test_a_replay_run_again_keeps_the_days_it_wrote_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Replayed again (the same file, or the rest of an archive after a kill), every day was
    written again from the stories as they are now, not as they were at the day's end: a story
    regrouped by later days changed earlier days' files ("6 earlier reports" become 7, another
    lead; ECB+ close, a run twice: 109 of 360 files).  A day written whole that gained nothing
    is kept; a day that gained an article, or whose file is gone, is written."""
    cfg = _config(tmp_path, "2026-12-04T12:00:00Z")
    rows = [_record(i, f"2026-11-{20 + i // 2:02d}T{8 + i % 2:02d}:00:00Z") for i in range(8)]
    archive = _jsonl(tmp_path / "a.jsonl", rows)
    assert main(["replay", str(archive), "--config", str(cfg)]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    time.sleep(0.01)
    (out / "digest-2026-11-21.md").unlink()  # a file the user removed
    more = [*rows, _record(20, "2026-11-22T15:00:00Z")]  # and one article more, on 22 November
    assert main(["replay", str(_jsonl(tmp_path / "b.jsonl", more)), "--config", str(cfg)]) == 0
    said = capsys.readouterr().err
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    changed = sorted(n for n in after if after[n] != before.get(n))
    assert changed == ["digest-2026-11-21.md", "digest-2026-11-22.html", "digest-2026-11-22.json",
                       "digest-2026-11-22.md"], changed
    assert "4 files written" in said and "2 days written before and nothing new: kept" in said, said


def _replay_proc(cfg: Path, archive: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "digest", "replay", str(archive), "--config", str(cfg)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_a_replay_killed_and_run_again_writes_what_one_run_writes(tmp_path: Path) -> None:
    """``kill -9`` mid-replay, then the same command again: every day's files are the bytes an
    uninterrupted replay writes, every article stored once."""
    rows = [_record(i, f"2026-10-{1 + i // 3:02d}T{8 + i % 3:02d}:00:00Z", source=f"S{i % 2}")
            for i in range(90)]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for where in (whole, cut):
        where.mkdir()
        _jsonl(where / "a.jsonl", rows)
        _config(where, "2026-12-04T12:00:00Z")
    assert _replay_proc(whole / "feeds.yaml", whole / "a.jsonl").wait(300) == 0
    proc = _replay_proc(cut / "feeds.yaml", cut / "a.jsonl")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((cut / "out").glob("*.json"))) < 10 and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _replay_proc(cut / "feeds.yaml", cut / "a.jsonl").wait(300) == 0
    names = sorted(p.name for p in (whole / "out").iterdir())
    assert names == sorted(p.name for p in (cut / "out").iterdir())
    for name in names:
        assert (whole / "out" / name).read_bytes() == (cut / "out" / name).read_bytes(), name
    with open_app(cut / "feeds.yaml") as app:
        assert app.store.count_articles_fetched_between(datetime(2000, 1, 1, tzinfo=UTC),
                                                         datetime(2100, 1, 1, tzinfo=UTC)) == len(rows)


# -- an archive that reaches today --------------------------------------------------------------


def test_a_replay_up_to_now_leaves_today_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An archive whose last arrivals are this morning's: the replay sealed today at midnight
    to come and wrote it as a day over ("Generated" tonight).  Sealed once, a day keeps its first
    seal: with ``--digest-day today`` the daemon's 18:00 mail sealed nothing, and what arrived
    after it was in that mailed day's window, new in no digest mailed."""
    cfg = _config(tmp_path, "2026-12-04T12:00:00Z")
    rows = [_record(0, "2026-12-03T09:00:00Z"), _record(1, "2026-12-04T09:00:00Z")]
    assert main(["replay", str(_jsonl(tmp_path / "a.jsonl", rows)), "--config", str(cfg)]) == 0
    capsys.readouterr()
    today = date(2026, 12, 4)
    with open_app(cfg) as app:
        assert sealed_at(app.store, today) is None
        assert sealed_at(app.store, today - timedelta(days=1)) is not None
        assert _digest(tmp_path, "2026-12-04")["generated"].startswith("2026-12-04T12:00")
        from digest.output.days import seal

        seal(app.store, app.cfg, today, datetime(2026, 12, 4, 18, tzinfo=UTC))  # mailed at 18:00
        assert shown_day(app.store, app.cfg, datetime(2026, 12, 4, 20, tzinfo=UTC)) == date(2026, 12, 5)


# -- several digests ----------------------------------------------------------------------------


def test_a_replay_writes_every_digest_of_digests_as_the_daemon_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With ``digests:`` (a weekly one first, then a daily one), the replay wrote the first one
    only, whatever it was: a "weekly" digest dated every day that something arrived in (the
    week up to a Sunday, a Monday, ...), and the daily one never.  Now each daily one every such
    day, and each weekly one on the last day of its week (``Plan.due``), as the daemon writes them."""
    cfg = _config(tmp_path, "2026-12-04T12:00:00Z",
                  "digests:\n  - name: weekly\n    every: week\n    weekday: friday\n  - name: morning\n")
    days = ["2026-11-29", "2026-11-30", "2026-12-03"]  # a Sunday, a Monday, a Thursday
    rows = [_record(i, f"{d}T09:00:00Z") for i, d in enumerate(days)]
    assert main(["replay", str(_jsonl(tmp_path / "a.jsonl", rows)), "--config", str(cfg)]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    assert sorted(p.name for p in (out / "weekly").iterdir()) == [
        f"digest-weekly-2026-12-03.{f}" for f in ("html", "json", "md")]
    assert sorted(p.name for p in (out / "morning").iterdir()) == [
        f"digest-morning-{d}.{f}" for d in days for f in ("html", "json", "md")]
    week = json.loads((out / "weekly" / "digest-weekly-2026-12-03.json").read_text(encoding="utf-8"))
    assert _titles(week) == sorted(r["title"] for r in rows)
    assert main(["replay", str(tmp_path / "a.jsonl"), "--config", str(cfg)]) == 0
    assert "3 days written before and nothing new: kept" in capsys.readouterr().err


# -- hostile lines ------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "line", "said"), [
    ("replay", {"url": 5}, "'url' must be text (a link), not 5"),
    ("replay", {"url": {"href": "https://x.example/a"}}, "'url' must be text (a link), not {'href': "),
    ("dedupe", {"url": ["https://x.example/a"]}, "'url' must be text (a link), not ['https://x.example/a']"),
    ("replay", {"id": None}, "'id' must be text or a number, not None"),
    ("dedupe", {"id": {"a": 1}}, "'id' must be text or a number, not {'a': 1}"),
    ("dedupe", {"id": " "}, "'id' must be text or a number, not ' '"),
])
def test_a_line_with_an_id_or_url_of_another_kind_is_one_bad_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, line: dict[str, Any], said: str
) -> None:
    """``"url": 5`` (a number, an object, a list) stopped the whole replay or dedupe with a
    traceback in the cleaner (``urlsplit``: "'int' object has no attribute 'decode'");
    ``"id": null`` was the id "None" (two such lines: "duplicate id None")."""
    cfg = _config(tmp_path, "2026-12-04T12:00:00Z")
    bad = _record(1, "2026-12-01T09:00:00Z") | line
    archive = _jsonl(tmp_path / "a.jsonl", [_record(0, "2026-12-01T08:00:00Z"), bad, _record(2, "2026-12-01T10:00:00Z")])
    args = ["replay", str(archive), "--config", str(cfg)] if command == "replay" else ["dedupe", str(archive)]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert f"a.jsonl:2: {said}" in err, err
    assert "Traceback" not in err
    if command == "replay":
        assert "replayed 2 articles" in err
    else:
        assert [json.loads(x)["id"] for x in out.splitlines()] == ["r0", "r2"]


def test_dedupe_output_contract_holds_on_a_stream_with_bad_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """One output line per good input article, in input order, ``{"id", "story", "lead"}``, one
    lead per story; each bad line one error naming its number (checked: held before too)."""
    rows = [_record(0, "2026-12-01T08:00:00Z"), _record(0, "2026-12-01T09:00:00Z") | {"id": "c0", "source": "B"},
            _record(3, "2026-12-01T10:00:00Z")]
    text = "".join(json.dumps(r) + "\n" for r in rows) + "{oops\n" + json.dumps(rows[0]) + "\n"
    from digest.batch import dedupe_jsonl

    out = io.StringIO()
    errors = dedupe_jsonl(io.BytesIO(text.encode()), out)
    got = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [g["id"] for g in got] == ["r0", "c0", "r3"]
    assert all(set(g) == {"id", "story", "lead"} for g in got)
    assert got[0]["story"] == got[1]["story"] != got[2]["story"]
    assert [g["lead"] for g in got].count(True) == 2
    assert [(e.line, e.problem.split(":")[0]) for e in errors] == [(4, "invalid JSON"), (5, "duplicate id 'r0'")]
