"""The whole-change review's findings (stop 36): where this session's parallel changes met.
A test that failed on the code as merged says in its docstring what the user got before;
the others pin a meeting of two changes that was found right."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from digest.app import App, open_app
from digest.config import EmailConfig, load_config
from digest.output.mailer import subject_for
from digest.records import ALSO_REPORTED
from digest.runreport import RunReport
from digest.service.daemon import Daemon
from digest.sources.fields import unwrapped
from digest.store.sqlite import SQLiteStore
from tests.support.config import MakeApp
from tests.support.daemon import Clock, loopback_config
from tests.support.daemon import rss as daemon_rss
from tests.support.disks import read_only
from tests.support.examples import copy_examples
from tests.support.httpd import TestServer
from tests.support.stores import hold_write_lock
from tests.test_fulltext import page
from tests.test_review_stop36_developing import replayed, stream
from tests.test_review_stop36_security import (
    NOW,
    SECRET,
    SECRET_PARAS,
    SECRET_TITLE,
    rss,
    stored_text,
)


def test_the_subject_and_the_run_line_count_the_stories_the_digest_heads(tmp_path: Path) -> None:
    """A day whose older story only gained a late wire copy ("also reported since") is headed
    "1 story" (JSON ``counts.stories``, the archive's index), but the email's subject said
    "2 stories" and ``digest run``'s line "2 stories in the digest (1 new, 1 developing)":
    the copy counted as a story, and as a developing one."""
    replayed(tmp_path, stream()[:4])
    with open_app(tmp_path / "feeds.yaml") as app:
        view = app.build_view(date(2026, 11, 11))
    assert [s.status for s in view.stories].count(ALSO_REPORTED) == 1
    n, new = view.story_count, sum(s.status == "new" for s in view.stories)
    developing = sum(s.status == "developing" for s in view.stories)
    assert n == new + developing and n < len(view.stories)
    mail = EmailConfig.model_validate({"host": "127.0.0.1", "from": "d@news.example.org", "to": ["r@example.org"]})
    assert subject_for(view, mail) == f"digest for 2026-11-11: {n} {'story' if n == 1 else 'stories'}"
    report = RunReport()
    report.count_digest(view)
    summary = report.summary()
    said = f"{n} {'story' if n == 1 else 'stories'} in the digest of 2026-11-11 ({new} new, {developing} developing"
    assert f"{said}; 1 also reported since)" in summary, summary


def test_a_redirect_read_through_is_judged_as_the_feeds_link_it_came_in(tmp_path: Path, make_app: MakeApp) -> None:
    """The wild-feeds change reads a Google (Bing, Facebook) redirect through to its target,
    and the security change judges a feed's links by the source's URL: the target of a
    redirect in a feed file, or in an intranet feed on another port, is a link of that
    feed, never read from 127.0.0.1 whatever ``allow_hosts`` lets the user's URLs reach."""
    with TestServer() as internal, TestServer() as feed:
        internal.set("/secret", page(SECRET_TITLE, SECRET_PARAS), headers={"Content-Type": "text/html"})
        wrapped = [f"https://www.google.com/url?rct=j&sa=t&url={quote(internal.url('/secret'), safe='')}&ct=ga",
                   f"https://l.facebook.com/l.php?u={quote(internal.url('/secret'), safe='')}"]
        assert [unwrapped(w) for w in wrapped] == [internal.url("/secret")] * 2
        hostile = rss([(w, f"{SECRET_TITLE} {n}", "") for n, w in enumerate(wrapped)])
        (tmp_path / "drop").mkdir()
        (tmp_path / "drop" / "alerts.rss").write_bytes(hostile)
        feed.set("/feed.xml", hostile, headers={"Content-Type": "application/rss+xml"})
        sources = ("  - name: Dropped\n    path: drop\n    full_text: true\n"
                   f"  - name: Intranet\n    url: {feed.url('/feed.xml')}\n    full_text: true\n")
        with make_app(tmp_path, sources, fetch={"allow_hosts": ["127.0.0.1"]}) as app:
            app.run(now=NOW)
            assert SECRET not in stored_text(app)
            assert {a.url for a in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))} == {
                internal.url("/secret")}
        assert internal.hits["/secret"] == 0


@pytest.mark.parametrize("how", ["held", "read-only"])
def test_a_store_that_cannot_be_written_stops_a_poll_round_not_the_daemon(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    """The storage change keeps the daemon alive when the store cannot be written at the digest
    time; the poll round (split out to ``service.pollround``) did not.  Another process holding
    the store's write lock past the timeout: the round's first source was blamed ("internal
    error", a traceback), recording that failed too, and the error left the round.  The
    store's folder read-only (a file system remounted so after disk errors): taking the
    ``run`` lock file raised OSError out of the round.  Either way the daemon died.  Now the
    round stops with one line and blames no source, as on a full disk, and the next round
    reads them all."""
    with TestServer() as srv:
        srv.set("/a", daemon_rss("alpha", range(3)))
        srv.set("/b", daemon_rss("beta", range(3)))
        cfg = load_config(loopback_config(tmp_path, srv, {"alpha": "/a", "beta": "/b"}))
        with SQLiteStore(tmp_path / "data" / "digest.sqlite3", timeout=0.5) as store:
            clock = Clock()
            d = Daemon(App(cfg, store), clock=clock)
            with ExitStack() as unwritable, caplog.at_level(logging.INFO, logger="digest"):
                if how == "held":
                    # held past the store's 0.5 s timeout, until the round is over
                    unwritable.callback(hold_write_lock(store.path, 10.0).release)
                else:
                    unwritable.enter_context(read_only(store.path.parent))
                d._handle("poll")
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert len(errors) == 1 and errors[0].startswith("poll: "), errors
            assert errors[0].endswith("(the round stops; its sources stay due)"), errors
            assert "write lock" in errors[0] if how == "held" else "read-only" in errors[0].lower(), errors
            assert all(s.failures == 0 and s.last_error is None for s in store.list_source_states())
            clock.now += timedelta(minutes=1)
            report = d.poll_due()
            assert report.sources == 2 and report.new_articles == 6, report.summary()


def test_the_commands_that_read_the_store_load_no_dedup_engine(tmp_path: Path) -> None:
    """The lazy-import change (``digest sources`` at 0.40x the wall time) had no guard: the
    engine (datasketch, scipy) imported at the top of any module these commands load (as
    ``output.news``, new this session, is) would bring the second back unseen.  The commands
    run one after another in one fresh interpreter, what is loaded said after each (a
    process each cost 1 s more)."""
    cfg = copy_examples(tmp_path)
    # a store to read (build and search before any run say so and read nothing: stop 64)
    subprocess.run([sys.executable, "-c", "import sys; from digest.cli import main; main(sys.argv[1:])",
                    "run", "--quiet", "--config", str(cfg)], cwd=tmp_path, check=True, timeout=300)
    commands = [["sources"], ["build", "-o", str(tmp_path / "x.md")], ["search", "storm"]]
    code = ("import sys, io, json, contextlib; from digest.cli import main\n"
            "for cmd in json.loads(sys.argv[1]):\n"
            "    with contextlib.redirect_stdout(io.StringIO()): main([*cmd, '--config', sys.argv[2]])\n"
            "    print(sorted(m for m in ('datasketch', 'scipy', 'digest.dedup.engine') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(commands), str(cfg)], cwd=tmp_path,
                         capture_output=True, text=True, check=True, timeout=120)
    said = out.stdout.strip().splitlines()[-len(commands):]
    assert len(said) == len(commands) and (tmp_path / "x.md").is_file(), (out.stdout, out.stderr)
    for cmd, loaded in zip(commands, said, strict=True):
        assert loaded == "[]", (cmd, out.stdout, out.stderr)
