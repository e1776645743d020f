"""Several processes writing one store at once (issue #21): real processes, real SQLite, real HTTP.

Each process clusters with an engine in its memory.  One built before
another process stored a version of a story, and not told, puts the next
version into a story of its own: one story becomes two.  The orderings that
do it are forced here with the loopback server holding a feed's answer
until the other process has reached a given point.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import yaml

from tests.support.daemon import spawn_digest
from tests.support.httpd import Reply, Request, TestServer, wait_until

ROOT = Path(__file__).resolve().parents[1]
STORIES = Path(__file__).parent / "fixtures" / "stories"
#: Seconds a held feed waits for the other process before it is answered anyway.
HOLD = 4.0


def item(name: str, minutes_ago: int = 30) -> str:
    title, _, body = (STORIES / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    paras = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n") if p.strip())
    when = format_datetime(datetime.now(UTC) - timedelta(minutes=minutes_ago))
    return (
        f"<item><title>{escape(title)}</title><link>https://{name}.example/story</link>"
        f"<guid>{name}</guid><pubDate>{when}</pubDate>"
        f"<description><![CDATA[{paras}]]></description></item>"
    )


def rss(*names: str) -> bytes:
    items = "".join(item(n) for n in names)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://feed.example/</link>{items}</channel></rss>"
    ).encode()


FEED = {"Content-Type": "application/rss+xml"}


def write_config(tmp: Path, srv: TestServer, paths: list[str], name: str = "feeds.yaml", **extra: Any) -> Path:
    data: dict[str, Any] = {
        "sources": [{"name": p.strip("/"), "url": srv.url(p)} for p in paths],
        "data_dir": str(tmp / "data"),
        "output_dir": str(tmp / "out"),
        "timezone": "UTC",
        # one process fetches 8 sources at a time (8 * concurrency), then stores them in order
        "fetch": {"allow_hosts": ["127.0.0.1"], "concurrency": 1, "read_timeout": 30},
        "schedule": {"digest_time": "00:00", "poll_minutes": 0.01},
    }
    data.update(extra)
    cfg = tmp / name
    cfg.write_text(yaml.safe_dump(data))
    return cfg


def stories(db: Path) -> dict[str, str]:
    """guid -> story id; and every story's lead is one of its own versions."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        story = dict(con.execute("SELECT guid, story_id FROM articles").fetchall())
        members = con.execute("SELECT key, story_id FROM articles").fetchall()
        leads = con.execute("SELECT id, lead_key FROM stories").fetchall()
    finally:
        con.close()
    of = dict(members)
    assert all(of.get(lead) == sid for sid, lead in leads), (leads, members)
    assert {sid for _, sid in leads} == set(story.values())
    return story


class Held:
    """A feed whose first request is answered only once ``release`` is set (or after HOLD s)."""

    def __init__(self, body: bytes, *, on_first: threading.Event | None = None) -> None:
        self.body, self.on_first = body, on_first
        self.release = threading.Event()
        self.n = 0
        self.lock = threading.Lock()

    def __call__(self, req: Request) -> Reply:
        with self.lock:
            self.n += 1
            first = self.n == 1
        if first:
            if self.on_first is not None:
                self.on_first.set()
            self.release.wait(HOLD)
        return Reply(self.body, 200, FEED)


@pytest.mark.slow
def test_two_runs_at_once_give_the_stories_of_one_run(tmp_path: Path) -> None:
    """Run A builds its engine on the first source, run B stores a version of the quake, then A
    stores the other version: without knowing what B stored, A made it a second story."""
    pads = [f"/pad{i}" for i in range(14)]
    order = ["/s0", *pads[:7], "/s1", *pads[7:], "/s2"]  # three groups of fetches
    with TestServer() as srv:
        for p in pads:
            srv.set(p, rss(), headers=FEED)
        srv.set("/s0", rss("council_a"), headers=FEED)
        s1 = Held(rss("quake_a1"))  # A waits here until B asks for s2
        s2 = Held(rss("quake_a2"), on_first=s1.release)  # B waits here until A is done
        srv.handle("/s1", s1)
        srv.handle("/s2", s2)
        cfg = write_config(tmp_path, srv, order)
        log = tmp_path / "runs.log"
        a = spawn_digest("run", "--once", "--quiet", "--config", str(cfg), log=log)
        try:
            assert wait_until(lambda: srv.hits["/s1"] >= 1, timeout=60), log.read_text()
            b = spawn_digest("run", "--once", "--quiet", "--config", str(cfg), log=log)
            try:
                assert a.wait(timeout=120) == 0, log.read_text()
                s2.release.set()
                assert b.wait(timeout=120) == 0, log.read_text()
            finally:
                if b.poll() is None:
                    b.kill()
        finally:
            if a.poll() is None:
                a.kill()
    story = stories(tmp_path / "data" / "digest.sqlite3")
    assert sorted(story) == ["council_a", "quake_a1", "quake_a2"]  # nothing lost, nothing twice
    assert story["quake_a1"] == story["quake_a2"], log.read_text()
    assert story["council_a"] != story["quake_a1"]


@pytest.mark.slow
def test_a_run_while_the_daemon_runs_does_not_split_a_story(tmp_path: Path) -> None:
    """The daemon's engine is built; a `digest run` stores one version; the daemon then reads the
    other: it must cluster it with what the run stored."""
    with TestServer() as srv:
        srv.set("/s0", rss("council_a"), headers=FEED)
        srv.set("/s1", rss("quake_a1"), headers=FEED)
        srv.set("/s2", rss(), headers=FEED, etag='"empty"')
        daemon_cfg = write_config(tmp_path, srv, ["/s0", "/s2"])
        run_cfg = write_config(tmp_path, srv, ["/s0", "/s1"], name="run.yaml")
        log = tmp_path / "daemon.log"
        db = tmp_path / "data" / "digest.sqlite3"
        daemon = spawn_digest("daemon", "--config", str(daemon_cfg), "--digest-day", "today", log=log)
        try:
            assert wait_until(lambda: srv.hits["/s2"] >= 2, timeout=60), log.read_text()  # a round done
            run = subprocess.run(
                [sys.executable, "-m", "digest", "run", "--once", "--quiet", "--config", str(run_cfg)],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                capture_output=True, text=True, timeout=120, check=False,
            )
            assert run.returncode == 0, run.stderr
            assert "quake_a1" in stories(db)
            srv.set("/s2", rss("quake_a2"), headers=FEED, etag='"quake"')

            def stored() -> bool:
                return "quake_a2" in stories(db)

            assert wait_until(stored, timeout=60), log.read_text()
            time.sleep(0.3)
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=30) == 0, log.read_text()
        finally:
            if daemon.poll() is None:
                daemon.kill()
    story = stories(db)
    assert story["quake_a1"] == story["quake_a2"], log.read_text()
    assert story["council_a"] != story["quake_a1"]
    assert "Traceback" not in log.read_text()


@pytest.mark.slow  # seconds by design (CI runs it: --run-slow)
def test_a_run_waits_for_another_pass_at_most_wait_seconds_with_one_line(tmp_path: Path) -> None:
    from digest.store.sqlite import SQLiteStore

    with TestServer() as srv:
        srv.set("/s0", rss("council_a"), headers=FEED)
        cfg = write_config(tmp_path, srv, ["/s0"])
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "digest", "run", "--once", "--quiet", "--config", str(cfg)]
        with SQLiteStore(tmp_path / "data" / "digest.sqlite3") as other:
            assert other.acquire_lock("run")  # another process's pass
            busy = subprocess.run([*cmd, "--wait", "1"], cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=60, check=False)
            assert busy.returncode == 2, busy.stderr
            errors = [ln for ln in busy.stderr.splitlines() if ln.startswith("error:")]
            assert len(errors) == 1 and f"pid {os.getpid()}" in errors[0] and "after 1 s" in errors[0], busy.stderr
            assert busy.stderr.count("waiting for it") == 1
            assert srv.hits["/s0"] == 0  # nothing was read

            late = subprocess.Popen([*cmd, "--wait", "60"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
            time.sleep(1.0)
            other.release_lock("run")  # the other pass ends: the waiting run goes on
            _, err = late.communicate(timeout=60)
            assert late.returncode == 0, err
    assert sorted(stories(tmp_path / "data" / "digest.sqlite3")) == ["council_a"]


def test_a_daemon_round_is_skipped_while_a_run_holds_the_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from digest.app import open_app
    from digest.service.daemon import Daemon
    from digest.store.sqlite import SQLiteStore

    with TestServer() as srv:
        srv.set("/s0", rss("council_a"), headers=FEED)
        cfg = write_config(tmp_path, srv, ["/s0"])
        with open_app(cfg) as app, SQLiteStore(tmp_path / "data" / "digest.sqlite3") as run:
            daemon = Daemon(app, day_offset=0)
            assert run.acquire_lock("run")
            with caplog.at_level("INFO", logger="digest.service.daemon"):
                assert daemon.poll_due().sources == 0
                assert daemon.poll_due().sources == 0
            busy = [r for r in caplog.records if "another digest process" in r.getMessage()]
            assert len(busy) == 1 and f"pid {os.getpid()}" in busy[0].getMessage()  # one line, not one a round
            assert srv.hits["/s0"] == 0
            run.release_lock("run")
            report = daemon.poll_due()
            assert report.sources == 1 and report.new_articles == 1
            assert run.acquire_lock("run")  # the round let it go
