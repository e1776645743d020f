"""What the commands say, through the real ``digest`` process: one line per failing
source, named as configured; ``digest sources``; ``digest send`` with nothing to send."""

from __future__ import annotations

import logging
import os
import random
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from digest.app import open_app
from digest.cli import main
from digest.service.daemon import Daemon
from tests.support.daemon import (
    Clock,
    config_with_mail,
    loopback_config,
    read_yesterday,
    rss,
    smtpd,
)
from tests.support.httpd import TestServer

ROOT = Path(__file__).resolve().parent.parent
FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "digest", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_a_failing_source_is_one_line_naming_it_as_configured(tmp_path: Path) -> None:
    junk = tmp_path / "private" / "dump.xml"
    junk.parent.mkdir()
    junk.write_bytes(bytes(range(256)) * 40)  # garbage bytes
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        "sources:\n"
        f"  - name: Coast News\n    path: {FEEDS / 'coast.rss'}\n"
        f"  - name: Broken Box\n    path: {junk}\n"
        "output_dir: out\n"
    )
    done = digest("run", "--config", str(cfg), "--quiet", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    about = [line for line in lines if "Broken Box" in line or "dump.xml" in line or "private" in line]
    assert len(about) == 1, lines
    assert about[0].startswith("error: Broken Box: "), about
    assert "WARNING" not in done.stderr.upper() and str(junk.parent) not in done.stderr
    # the good source was read and its digest written
    assert "1 failed" in lines[-1] and " 0 new articles" not in lines[-1], lines[-1]
    assert [Path(p).suffix for p in done.stdout.split()] == [".md", ".html"]


def test_the_run_summary_counts_the_stories_the_digest_shows(tmp_path: Path) -> None:
    """New and developing: a story from yesterday that gained a version today is in today's
    digest; the summary counted only the stories the run started ("1 new stories")."""
    notes = tmp_path / "notes"
    notes.mkdir()
    quake = "A magnitude 5.1 earthquake shook the coast near Opunake on Saturday morning, " \
            "damaging the harbour wall and closing the coast road for hours. " * 3
    (notes / "quake.txt").write_text("Quake shakes Opunake\n" + quake)
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Notes\n    path: {notes}\noutput_dir: out\ndata_dir: data\n")
    with open_app(cfg) as app:  # yesterday: the quake story begins
        app.run(now=datetime.now(UTC) - timedelta(days=1))
    (notes / "quake-follow-up.txt").write_text(
        "Opunake coast road reopens after quake\n" + quake
        + "Engineers reopened the coast road on Sunday after checking the harbour wall overnight."
    )
    (notes / "library.txt").write_text(
        "Libraries drop late fees\n" + "Halden's six libraries will stop charging late fees in January. " * 4
    )
    done = digest("run", "--config", str(cfg), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    md = next(Path(p) for p in done.stdout.split() if p.endswith(".md"))
    today = md.stem.removeprefix("digest-")
    summary = done.stderr.strip().splitlines()[-1]
    assert f"2 new articles, 2 stories in the digest of {today} (1 new, 1 developing)" in summary, summary
    assert "new stories" not in summary
    assert "**2** stories" in md.read_text()

    # another outlet's copy the next day: also reported since, counted apart as the header does
    (notes / "quake-copy.txt").write_text("Opunake quake: harbour wall damaged\n" + quake)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    cfg.write_text(cfg.read_text() + f"clock: {tomorrow.isoformat()}\n")
    done = digest("run", "--config", str(cfg), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = done.stderr.strip().splitlines()[-1]
    day = tomorrow.date().isoformat()
    assert f"1 new article, 0 stories in the digest of {day} (0 new, 0 developing; 1 also reported since)" \
        in summary, summary
    md = next(Path(p) for p in done.stdout.split() if p.endswith(".md"))
    assert "**0** stories" in md.read_text() and "Also reported since" in md.read_text()


# -- digest send, digest sources, the daemon's log: what happened, in one line each ---------------
def test_send_says_why_nothing_was_sent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg, day = read_yesterday(tmp_path, srv, port)  # only a day that has ended is sent
        assert main(["send", "--config", str(cfg), "--date", day.isoformat()]) == 0
        today = datetime.now(UTC).date()  # when it was sent
        assert main(["send", "--config", str(cfg), "--date", day.isoformat()]) == 0
        err = capsys.readouterr().err.splitlines()
        assert err[-2] == f"digest {day}: sent to me@example.org"
        assert re.fullmatch(rf"digest {day}: not sent: already sent to me@example\.org at "
                            rf"{today} \d\d:\d\d UTC", err[-1]), err[-1]  # as `digest sources` writes a time
        before = (today - timedelta(days=30)).isoformat()  # before the store's first day: refused
        assert main(["send", "--config", str(cfg), "--date", before]) == 2
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"error: {before} has no digest: the store's first day is {day} (nothing was written or sent)")
        assert len(inbox.messages) == 1


def test_sources_show_the_next_poll_and_the_name_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/gone", b"oops", status=500)
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a", "broken": "/gone"})
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
        capsys.readouterr()
        assert main(["sources", "--config", str(cfg)]) == 0
        alpha, broken = capsys.readouterr().out.splitlines()
        assert alpha.startswith("alpha: ok, last ok ") and alpha.endswith("; next poll: at the next run or poll round")
        assert broken.startswith("broken: failing, last ok never, 1 failure; next poll: at the next run or poll round; last error: ")
        assert broken.count("broken") == 1 and "HTTP 500" in broken
        with open_app(cfg) as app:  # a daemon round plans the next poll
            Daemon(app, rng=random.Random(1)).poll_due()
        assert main(["sources", "--config", str(cfg)]) == 0
        alpha = capsys.readouterr().out.splitlines()[0]
        assert re.search(r"; next poll \d{4}-\d\d-\d\d \d\d:\d\d UTC$", alpha), alpha  # the configured zone
        # in the configuration's order: one not polled yet, one disabled; one no longer listed
        data = yaml.safe_load(cfg.read_text())
        data["sources"] = [{"name": "new", "url": srv.url("/n")}, {**data["sources"][0], "enabled": False}]
        cfg.write_text(yaml.safe_dump(data))
        assert main(["sources", "--config", str(cfg)]) == 0
        new, alpha, broken = capsys.readouterr().out.splitlines()
        assert new == "new: not fetched yet"
        assert alpha.startswith("alpha: ok, ") and alpha.endswith("; disabled in the configuration")
        # read no more: its name, what became of it, its last good read; no next poll (stop 46)
        assert broken == "broken: no longer in the configuration (what was read from it stays); last ok never"
        data["sources"].append({"name": "renamed", "url": srv.url("/gone")})  # its feed, another name
        cfg.write_text(yaml.safe_dump(data))
        assert main(["sources", "--config", str(cfg)]) == 0
        broken = capsys.readouterr().out.splitlines()[-1]
        assert broken == "broken: no longer in the configuration (its feed is read as 'renamed' now); last ok never"


def test_the_daemon_logs_a_line_per_round_that_found_something_and_a_day_already_sent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg = config_with_mail(tmp_path, srv, port)
        srv.set("/b", rss("beta", range(2)))
        data = yaml.safe_load(cfg.read_text())
        data["sources"].append({"name": "beta", "url": srv.url("/b")})
        cfg.write_text(yaml.safe_dump(data))
        clock = Clock()
        clock.now = clock.now.replace(hour=9)  # two hours on is the same day, whenever the test runs
        with open_app(cfg) as app, caplog.at_level(logging.INFO, logger="digest"):
            d = Daemon(app, day_offset=0, rng=random.Random(1), clock=clock)
            d.poll_due()
            infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
            assert infos == [f"poll: 5 new articles (alpha 3, beta 2); {infos[0].split('; ', 1)[1]}"]
            caplog.clear()
            clock.now += timedelta(seconds=5)  # due again (every 0.6 s), nothing new: no line
            d.poll_due()
            assert srv.hits["/a"] == 2 and not [r for r in caplog.records if r.levelno >= logging.INFO]
            d.digest(scheduled=False)
            assert len(inbox.messages) == 1
            caplog.clear()
            d.digest(scheduled=True)  # the daily job again (a restart): not mailed twice, and said so
            skipped = [r.getMessage() for r in caplog.records if "not sent" in r.getMessage()]
            assert len(skipped) == 1 and "already sent to me@example.org at " in skipped[0], skipped
            assert len(inbox.messages) == 1


def test_the_run_summary_says_one_in_the_singular() -> None:
    from digest.runreport import RunReport

    assert RunReport(sources=1, entries=1, new_articles=1).summary().startswith("1 source, 1 entry, 1 new article, ")
    assert RunReport(sources=2, entries=0, new_articles=3).summary().startswith("2 sources, 0 entries, 3 new articles, ")


def test_a_run_with_no_sources_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty ``feeds.yaml`` (or every source disabled) ran silently: "0 sources", exit 0,
    an empty digest.  One line says there is nothing to read and how to add some."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("timezone: UTC\n")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"{cfg}: no sources to read (add feeds, files or folders under 'sources:'" in err, err
    cfg.write_text("timezone: UTC\nsources:\n  - name: A\n    path: .\n    enabled: false\n")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    assert "no sources to read" in capsys.readouterr().err


def test_a_warning_of_a_run_is_said_as_its_own_lines_are_and_the_daemons_log_keeps_times(tmp_path: Path) -> None:
    """A run's warnings and notes were log lines ("2026-12-05 12:13:07,655 WARNING
    digest.config.reading: ...") beside its own "error: ..." lines (stop 46 review): now
    "warning: ...", a note plain; a daemon's log (``daemon``, ``serve``, ``worker``) keeps each line's time, level and logger."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n"
                   f"  - name: Coast News\n    path: {FEEDS / 'coast.rss'}\n"
                   "  - name: Valley\n    url: http://127.0.0.1:9/feed\n"
                   "  - name: Coast again\n    url: http://localhost:9/feed\n"  # the same feed
                   "output_dir: out\n")
    done = digest("run", "--config", str(cfg), "--quiet", cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    twice = [line for line in lines if "Coast again" in line]
    assert twice[0].startswith(f"warning: {cfg}:7: sources[2] 'Coast again' reads"), lines
    from digest.store import migrations

    latest = len(migrations.load("sqlite"))  # the newest the store is made at (16 at stop 62)
    assert any(line.endswith(f"new store (schema version {latest})") and line.startswith(str(tmp_path))
               for line in lines), lines
    assert not any(" INFO " in line or " WARNING " in line for line in lines), lines
