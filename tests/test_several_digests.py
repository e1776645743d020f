"""Several digests through the real paths: a store, the daemon's jobs, a real SMTP server."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import App
from digest.cli import main
from digest.config import parse_config
from digest.service.daemon import Daemon, make_scheduler
from digest.store.base import open_store
from tests.support.daemon import smtpd
from tests.support.digests import WEEKLY, digests_config, ingest_story

MON = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)  # a Monday


DIGESTS = """
  - name: morning
    sections: [World, Local]
    time: "07:00"
""" + WEEKLY.lstrip("\n")


def config(tmp_path: Path, port: int) -> Path:
    return digests_config(tmp_path, port, DIGESTS, extra='filters:\n  - mute: "library"\n')


ingest = ingest_story


def fill(app: App) -> None:
    ingest(app, "Coast News", "quake_a1", MON)
    ingest(app, "City Desk", "council_a", MON + timedelta(hours=1))  # a library: muted
    ingest(app, "City Desk", "council_b", MON + timedelta(hours=2))
    ingest(app, "Terrace", "derby", MON + timedelta(days=2))


def test_two_digests_on_their_own_schedules_are_each_mailed_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="digest.service.daemon")
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port)
        cfg = parse_config(cfg_path.read_text(), path=cfg_path)
        with App(cfg, open_store(cfg.database_url)) as app:
            fill(app)
            sched = make_scheduler(app.cfg, tick=60)
            jobs = {j.id: j for j in sched.get_jobs()}
            sched.shutdown()
            assert "digest-morning" in jobs and "digest-weekly-sport" in jobs and "digest-daily" not in jobs
            assert "day_of_week='mon'" in repr(jobs["digest-weekly-sport"].trigger)
            # Tuesday 07:00: the morning digest of Monday; twice (a restart) is still one mail
            tue = datetime(2026, 11, 10, 7, 0, 30, tzinfo=UTC)
            for _ in range(2):
                Daemon(app, clock=lambda: tue).digest(scheduled=True, name="morning")
            # the weekly one asked on Tuesday: its last due week (2-8 Nov) ended before the store's
            # first article: neither written nor mailed
            Daemon(app, clock=lambda: tue).digest(scheduled=True, name="weekly-sport")
            assert [m["To"] for m in inbox.messages] == ["me@example.org"]
            lines = [r.getMessage() for r in caplog.records if r.name == "digest.service.daemon"]
            assert lines[0].startswith("digest morning 2026-11-09 written: ")  # which digest, which day
            assert lines[1].startswith("digest morning 2026-11-09: sent to ")
            assert lines[-1].startswith("digest weekly-sport 2026-11-08: none: ")
            # Monday 16 Nov 08:00: the week 9-15 Nov for the colleague, once
            next_mon = datetime(2026, 11, 16, 8, 0, 30, tzinfo=UTC)
            for _ in range(2):
                Daemon(app, clock=lambda: next_mon).digest(scheduled=True, name="weekly-sport")
    assert [m["To"] for m in inbox.messages] == ["me@example.org", "colleague@example.org"]
    morning = inbox.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "== World ==" in morning and "== Local ==" in morning and "muted by your filters" in morning
    assert "library rebuild" not in morning and "Harriers" not in morning  # muted; Wednesday's
    weekly = inbox.messages[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # headed with the week it covers, not with its last day
    assert inbox.messages[1]["Subject"] == "digest for 2026-11-09 – 2026-11-15: 3 stories"
    assert weekly.splitlines()[0] == "digest · 9\u2009–\u200915 November 2026"
    assert "Harriers win the Coastal derby" in weekly and "Opunake" not in weekly.split("== Other ==")[0]
    files = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.html"))
    assert files == ["morning/digest-morning-2026-11-09.html", "weekly-sport/digest-weekly-sport-2026-11-15.html"]


def test_build_and_json_show_sections_in_order_and_run_writes_every_daily_digest(tmp_path: Path, capsys: object) -> None:
    cfg_path = config(tmp_path, 25)
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
    assert main(["build", "--config", str(cfg_path), "--date", "2026-11-09", "--digest", "morning", "--format", "json", "-o", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert [s["name"] for s in doc["sections"]] == ["World", "Local"]
    assert doc["digest"] == "morning" and [m["rule"] for m in doc["muted"]] == ["mute: library"]
    week = App(cfg, open_store(cfg.database_url))
    with week:
        view = week.build_view(date(2026, 11, 15), digest="weekly-sport")
    assert [s.name for s in view.sections] == ["Sport", "Other"]
    assert [n for _, n in view.per_day] == [2, 0, 1, 0, 0, 0, 0]  # Mon: quake, buses (library muted); Wed: derby
    assert main(["build", "--config", str(cfg_path), "--digest", "evening"]) == 2
    assert "no digest named 'evening'" in capsys.readouterr().err  # type: ignore[attr-defined]
    # no --digest: every daily one of 'digests:' (the weekly one is named), as 'digest run' writes them
    assert main(["build", "--config", str(cfg_path), "--date", "2026-11-09", "--format", "md"]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "out" / "morning" / "digest-morning-2026-11-09.md")]  # type: ignore[attr-defined]
    # to one file or to standard output, one of several must be named
    assert main(["build", "--config", str(cfg_path), "--format", "json", "-o", "-"]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "morning, weekly-sport are configured" in err and "--digest" in err and err.count("\n") == 1


def test_explain_names_the_rule_that_mutes_a_story(tmp_path: Path, capsys: object) -> None:
    cfg_path = config(tmp_path, 25)
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
        library = next(a for a in app.store.articles_since(MON - timedelta(days=1)) if "library" in a.title)
    assert main(["explain", "--config", str(cfg_path), "--json", library.story_id]) == 0
    out = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert out["filters"] == {"morning": "mute: library", "weekly-sport": "mute: library"}


def test_the_archive_shows_the_day_in_its_sections_without_the_muted_stories(tmp_path: Path) -> None:
    from tests.support.web import site

    cfg_path = config(tmp_path, 25)
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
    with site(cfg, clock=lambda: MON + timedelta(days=3)) as web:
        page = web.get("/day/2026-11-09").text
        index = web.get("/").text
    sections = re.findall(r'<h2 class="section"[^>]*>([^<]+)</h2>', page)
    assert sections == ["World", "Local"]
    assert "Free buses for Harbour City students" in page and "library rebuild" not in page
    assert "1 story muted" in page
    assert re.search(r"9 November 2026</a>(?:\s|&nbsp;)*·\s*2 stories", index)  # the count the page shows


def test_a_muted_storys_versions_are_not_counted_as_duplicates_collapsed(tmp_path: Path) -> None:
    cfg_path = config(tmp_path, 25)
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
        ingest(app, "Coast News", "council_a", MON + timedelta(hours=3))  # the muted story's copy
        view = app.build_view(date(2026, 11, 9), digest="morning")
    assert [t for t, _ in view.muted] and all("library" in t for t, _ in view.muted)
    assert all(len(s.also) == 0 for s in view.stories)  # what is shown: one version each
    assert (view.articles_read, len(view.stories), view.duplicates_collapsed) == (4, 2, 0)


def test_a_weekly_digest_is_headed_with_its_week_in_every_format(tmp_path: Path, capsys: object) -> None:
    cfg_path = config(tmp_path, 25)
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
    week = "9\u2009–\u200915 November 2026"  # Monday 9 to Sunday 15 (CLDR's thin spaces)
    out = {}
    for fmt in ("md", "html", "json"):
        args = ["build", "--config", str(cfg_path), "--date", "2026-11-15", "--format", fmt, "-o", "-"]
        assert main([*args, "--digest", "weekly-sport"]) == 0
        out[fmt] = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out["md"].splitlines()[0] == f"# digest · {week}"
    assert re.search(rf"<h1[^>]*>digest&nbsp;· <span class=\"time\">{week}</span></h1>", out["html"])
    assert "<title>digest · 2026-11-09 – 2026-11-15</title>" in out["html"]
    doc = json.loads(out["json"])
    assert (doc["first_day"], doc["date"]) == ("2026-11-09", "2026-11-15")
    # a daily digest is still headed with its day
    assert main(["build", "--config", str(cfg_path), "--date", "2026-11-09", "--digest", "morning", "--format", "md", "-o", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "# digest · Monday, 9 November 2026"  # type: ignore[attr-defined]
    assert main(["build", "--config", str(cfg_path), "--date", "2026-11-09", "--digest", "morning", "--format", "json", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["first_day"] == "2026-11-09"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("clock", "week"), [
    ("2026-11-12T10:00:00Z", ("2026-11-09", "2026-11-15")),  # Thursday: this week, so far
    ("2026-11-16T07:00:00Z", ("2026-11-09", "2026-11-15")),  # its Monday, before 08:00: about to go
    ("2026-11-16T09:00:00Z", ("2026-11-16", "2026-11-22")),  # its Monday, after: the next week
])
def test_build_of_a_weekly_digest_without_a_date_is_the_week_to_be_mailed_next(
    tmp_path: Path, capsys: object, clock: str, week: tuple[str, str]
) -> None:
    """``digest build --digest weekly-sport`` (mailed Mondays at 08:00) on Thursday 12 November
    rendered the seven days ending that day (Friday to Thursday), a window never mailed; it is
    the week mailed next now (Monday 9 to Sunday 15, mailed on Monday 16), so far; on its
    Monday before its time, the week about to go out."""
    cfg_path = config(tmp_path, 25)
    cfg_path.write_text(f"clock: {clock}\n" + cfg_path.read_text())
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
    assert main(["build", "--config", str(cfg_path), "--digest", "weekly-sport", "--format", "json", "-o", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert (doc["first_day"], doc["date"]) == week


def test_a_cron_send_mails_a_weekly_digest_missed_on_its_day_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron ``digest send`` (no ``--date``) skipped a weekly digest on every day but its
    mailing day: with the machine off on Monday, the week was never mailed.  It now sends each
    digest's latest due period, as the daemon's start does: on Wednesday the week 9-15 Nov,
    once (the next day's run finds it sent)."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port)
        cfg = parse_config(cfg_path.read_text(), path=cfg_path)
        with App(cfg, open_store(cfg.database_url)) as app:
            fill(app)
        for clock in ("2026-11-18T09:00:00Z", "2026-11-19T09:00:00Z"):  # Wednesday, Thursday
            cfg_path.write_text(cfg_path.read_text().split("\nclock:")[0] + f"\nclock: \"{clock}\"\n", encoding="utf-8")
            assert main(["send", "--config", str(cfg_path), "--digest", "weekly-sport"]) == 0
        said = capsys.readouterr().err.splitlines()
    assert [m["To"] for m in inbox.messages] == ["colleague@example.org"]
    assert inbox.messages[0]["Subject"] == "digest for 2026-11-09 – 2026-11-15: 3 stories"
    assert said[0] == "digest weekly-sport 2026-11-15: sent to colleague@example.org"
    assert said[1].startswith("digest weekly-sport 2026-11-15: not sent: already sent to colleague@example.org")


def test_a_day_inside_a_week_names_that_week_for_build_and_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--date 2026-11-12`` (a Thursday) with a weekly digest mailed on Mondays: build wrote
    the seven days up to that Thursday, and send mailed them, a period overlapping the two
    weeks that are mailed (their stories mailed twice); both now take the week that holds
    the day (9-15 November), with one line saying so, and send mails it once."""
    with smtpd() as (inbox, port):
        cfg_path = config(tmp_path, port)
        cfg_path.write_text(cfg_path.read_text() + '\nclock: "2026-11-19T09:00:00Z"\n', encoding="utf-8")
        cfg = parse_config(cfg_path.read_text(), path=cfg_path)
        with App(cfg, open_store(cfg.database_url)) as app:
            fill(app)
        base = ["--config", str(cfg_path), "--digest", "weekly-sport"]
        assert main(["build", *base, "--date", "2026-11-12", "--format", "json", "-o", "-"]) == 0
        out = capsys.readouterr()
        assert (json.loads(out.out)["first_day"], json.loads(out.out)["date"]) == ("2026-11-09", "2026-11-15")
        assert out.err == "digest weekly-sport: 2026-11-12 is in the week of 2026-11-09 to 2026-11-15: that week's digest\n"
        assert main(["send", *base, "--date", "2026-11-12"]) == 0
        assert main(["send", *base, "--date", "2026-11-15"]) == 0  # the same week: sent already
        said = capsys.readouterr().err.splitlines()
        # a day of the week not over yet: nothing written or sent
        assert main(["send", *base, "--date", "2026-11-17"]) == 2
        assert "error: 2026-11-22 has not ended yet" in capsys.readouterr().err
    assert [m["Subject"] for m in inbox.messages] == ["digest for 2026-11-09 – 2026-11-15: 3 stories"]
    assert said[1] == "digest weekly-sport 2026-11-15: sent to colleague@example.org"
    assert said[-1].startswith("digest weekly-sport 2026-11-15: not sent: already sent")


def test_the_archive_knows_the_days_of_named_daily_digests_and_not_a_weeks_last_day(tmp_path: Path) -> None:
    """The archive's index lists the days digests were built for (and the last 60 days into
    which something arrived).  A day's files were recorded for the single daily digest only:
    with ``digests:`` a day older than 60 days left the index, and the start's catch-up of a
    weekly first digest recorded the week's last day as a day of its own."""
    cfg_path = config(tmp_path, 25)
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
        tue = datetime(2026, 11, 10, 7, 0, 30, tzinfo=UTC)
        Daemon(app, clock=lambda: tue).digest(scheduled=True, name="morning")
        next_mon = datetime(2026, 11, 16, 8, 0, 30, tzinfo=UTC)
        Daemon(app, clock=lambda: next_mon).digest(scheduled=True, name="weekly-sport")
        assert [d for d, _ in app.store.list_digest_dates()] == ["2026-11-09"]
        assert (tmp_path / "out" / "weekly-sport" / "digest-weekly-sport-2026-11-15.html").exists()


def test_one_digest_refused_does_not_hold_up_the_others_in_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest send`` on Monday 16 November: the server refuses the morning digest's message
    (554, as for a message too big) and takes the weekly one.  The weekly digest is still
    mailed (the first failure ended the command, the other digests untried); the refusal is
    one error line naming its digest and day, and the exit status is 2."""
    from typing import Any

    from aiosmtpd.controller import Controller

    from tests.support.daemon import Inbox, free_port

    class Refusing(Inbox):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            if "me@example.org" in envelope.rcpt_tos:
                return "554 5.3.4 message too big for system"
            return str(await super().handle_DATA(server, session, envelope))

    ctl = Controller(Refusing(), hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    ctl.start()
    try:
        cfg_path = config(tmp_path, ctl.port)
        cfg_path.write_text(cfg_path.read_text() + '\nclock: "2026-11-16T09:00:00Z"\n', encoding="utf-8")
        cfg = parse_config(cfg_path.read_text(), path=cfg_path)
        with App(cfg, open_store(cfg.database_url)) as app:
            fill(app)
            ingest(app, "Coast News", "quake_b", datetime(2026, 11, 15, 8, tzinfo=UTC))
        assert main(["send", "--config", str(cfg_path)]) == 2
        said = capsys.readouterr().err.splitlines()
        assert said[0].startswith("error: digest morning 2026-11-15: email via 127.0.0.1") and "554" in said[0], said
        assert said[1] == "digest weekly-sport 2026-11-15: sent to colleague@example.org", said
        assert [str(m["To"]) for m in ctl.handler.messages] == ["colleague@example.org"]
    finally:
        ctl.stop()


def test_a_weekly_digest_names_the_feeds_that_failed_during_its_week(tmp_path: Path) -> None:
    """A weekly digest named no failing feed (its view was built without them): a feed down from
    Tuesday to Wednesday, its items published meanwhile perhaps lost, was never told to the
    weekly reader, though Tuesday's daily digest named it.  The week names every source one of
    its days named, as the latest of them named it."""
    cfg_path = config(tmp_path, 25)
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    tue, wed = MON + timedelta(days=1), MON + timedelta(days=2)
    with App(cfg, open_store(cfg.database_url)) as app:
        fill(app)
        (tmp_path / "terrace").rename(tmp_path / "terrace.away")  # the drive not mounted
        assert [e.source for e in app.run(now=tue).errors] == ["Terrace"]
        app.write_digests(day=tue.date())  # as `digest run` does: the day records what it named
        (tmp_path / "terrace.away").rename(tmp_path / "terrace")
        assert app.run(now=wed + timedelta(hours=1)).errors == []
        app.write_digests(day=wed.date())
        assert app.build_view(wed.date(), digest="morning").failing == []  # read again
        week = app.build_view(date(2026, 11, 15), digest="weekly-sport")
        assert [(f.name, f.since) for f in week.failing] == [("Terrace", tue)]
        assert week.sources == 3
        md = app.render(day=date(2026, 11, 15), fmt="md", digest="weekly-sport")
    assert "A source failed:" in md and "Terrace" in md.split("A source failed:")[1]
