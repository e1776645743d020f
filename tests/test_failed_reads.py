"""A read that fails stores no validators: against a real conditional server on loopback.

A server that honours ``ETag``/``Last-Modified`` answers 304 to the validators of
whatever it served last, a body that did not parse included.  Stored from a failed
read, they made the next poll a 304 that counted as a success: the broken feed
showed as ``ok``.  Here every poller (``digest run``, the daemon's round, a page
followed to its feed) must ask for the whole body again after a failure.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.app import App, open_app
from digest.cli import main
from digest.runreport import RunReport
from digest.service.daemon import Daemon
from tests.support.daemon import Clock, loopback_config, rss
from tests.support.httpd import TestServer

#: Not a feed, not a page: what a broken server or a truncated upload serves.
GARBAGE = bytes(range(256)) * 8
LAST_MODIFIED = "Tue, 01 Dec 2026 10:00:00 GMT"
SITE = b"""<!DOCTYPE html>
<html><head><title>Coast</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/main.xml">
</head><body><p>Welcome</p></body></html>"""

Poller = Callable[[App], RunReport]


def _conditions(srv: TestServer, path: str) -> list[tuple[str | None, str | None]]:
    """The validators each request to ``path`` carried (If-None-Match, If-Modified-Since)."""
    return [(h.get("If-None-Match"), h.get("If-Modified-Since")) for h in srv.headers_of(path)]


def _daemon_rounds(app: App) -> Poller:
    """A daemon over ``app`` whose clock jumps to the next due source before each round."""
    clock = Clock()
    daemon = Daemon(app, rng=random.Random(1), clock=clock)

    def poll(app: App) -> RunReport:
        due = [s.next_poll_at for s in app.store.list_source_states() if s.next_poll_at is not None]
        clock.now = max([clock.now, *due])
        return daemon.poll_due()

    return poll


def _poller(kind: str, app: App) -> Poller:
    return _daemon_rounds(app) if kind == "daemon" else App.run


def test_digest_run_twice_on_a_broken_feed_fails_twice_and_sources_says_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv:
        srv.set("/garbage.xml", GARBAGE, etag='"g1"', last_modified=LAST_MODIFIED)
        cfg = str(loopback_config(tmp_path, srv, {"Garbage": "/garbage.xml"}))
        assert main(["run", "-q", "--config", cfg]) == 1
        assert main(["run", "-q", "--config", cfg]) == 1
        assert _conditions(srv, "/garbage.xml") == [(None, None), (None, None)]
        err = capsys.readouterr().err
        assert err.count("error: Garbage: not a feed") == 2 and "0 not modified, 1 failed" in err
        assert main(["sources", "--config", cfg]) == 0
        out = capsys.readouterr().out
        assert "Garbage: failing, last ok never, 2 failures" in out

        # it recovers: from then on its own validators are sent
        srv.set("/garbage.xml", rss("coast", range(2)), etag='"v2"')
        assert main(["run", "-q", "--config", cfg]) == 0
        assert main(["run", "-q", "--config", cfg]) == 0
        assert _conditions(srv, "/garbage.xml")[-1] == ('"v2"', None)
        assert "1 not modified, 0 failed" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["run", "daemon"])
def test_a_failed_read_keeps_the_validators_of_the_last_good_one(tmp_path: Path, kind: str) -> None:
    with TestServer() as srv:
        srv.set("/feed.xml", rss("coast", range(2)), etag='"v1"', last_modified=LAST_MODIFIED)
        cfg = loopback_config(tmp_path, srv, {"Coast": "/feed.xml"})
        with open_app(cfg) as app:
            poll = _poller(kind, app)
            assert poll(app).new_articles == 2
            srv.set("/feed.xml", GARBAGE, etag='"g2"', last_modified="Wed, 02 Dec 2026 10:00:00 GMT")
            for failures in (1, 2):
                report = poll(app)
                assert [e.kind for e in report.errors] == ["not-a-feed"] and report.not_modified == 0
                state = app.store.get_source_state("Coast")
                assert state is not None and state.failures == failures
                assert (state.etag, state.last_modified) == ('"v1"', LAST_MODIFIED)
            # the garbage's validators were never sent back
            assert _conditions(srv, "/feed.xml")[1:] == [('"v1"', LAST_MODIFIED)] * 2


@pytest.mark.parametrize("kind", ["run", "daemon"])
def test_a_page_whose_linked_feed_is_broken_is_read_again_whole(tmp_path: Path, kind: str) -> None:
    with TestServer() as srv:
        srv.set("/", SITE, headers={"Content-Type": "text/html"}, etag='"page"')
        srv.set("/feeds/main.xml", GARBAGE, etag='"g1"', last_modified=LAST_MODIFIED)
        cfg = loopback_config(tmp_path, srv, {"Coast": "/"})
        with open_app(cfg) as app:
            poll = _poller(kind, app)
            for failures in (1, 2):
                report = poll(app)
                assert [e.kind for e in report.errors] == ["not-a-feed"] and report.not_modified == 0
                state = app.store.get_source_state("Coast")
                assert state is not None and state.failures == failures
                assert state.etag is None and state.last_modified is None and state.permanent_url is None
            assert _conditions(srv, "/") == [(None, None)] * 2
            assert _conditions(srv, "/feeds/main.xml") == [(None, None)] * 2


@pytest.mark.parametrize("kind", ["run", "daemon"])
def test_a_source_that_reads_again_after_failures_says_so_once(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each failure is a line (``digest run``'s error, the daemon's warning); a source that
    came back was not: one INFO line names it and how many reads failed."""
    with TestServer() as srv:
        srv.set("/feed.xml", rss("coast", range(2)), etag='"v1"')
        srv.set("/other.xml", rss("harbor", range(2)))
        cfg = loopback_config(tmp_path, srv, {"Coast": "/feed.xml", "Harbor": "/other.xml"})
        with open_app(cfg) as app, caplog.at_level(logging.INFO, logger="digest"):
            poll = _poller(kind, app)
            assert poll(app).new_articles == 4
            srv.set("/feed.xml", b"down for maintenance", status=503)
            for _ in range(3):
                assert [e.source for e in poll(app).errors] == ["Coast"]
            assert not [r for r in caplog.records if "reads again" in r.getMessage()]
            srv.set("/feed.xml", rss("coast", range(3)), etag='"v2"')
            assert not poll(app).errors
            again = [r for r in caplog.records if "reads again" in r.getMessage()]
            assert [(r.levelno, r.getMessage()) for r in again] == [
                (logging.INFO, "Coast: reads again after 3 failed reads")]
            caplog.clear()
            assert not poll(app).errors  # ok before: nothing to say
            srv.set("/feed.xml", GARBAGE)  # one failure: in the singular
            assert poll(app).errors
            srv.set("/feed.xml", rss("coast", range(3)), etag='"v3"')
            assert not poll(app).errors
            assert [r.getMessage() for r in caplog.records if "reads again" in r.getMessage()] == [
                "Coast: reads again after 1 failed read"]


def test_a_folders_file_that_cannot_be_read_is_said_once_and_shown_by_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty file in a folder source: every ``digest run`` said "error: Odd: empty.md:
    empty article" and exited 1 (under cron, a failure mail every run), while ``digest
    sources`` said the source was fine.  Now the first run says it; the next ones do not
    (exit 0) while the folder stays as it is; ``digest sources`` shows it on the source;
    another bad file is said again, and the note goes once the files are mended."""
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text("Ferry aground\n\nThe ferry ran aground off Hollin on Tuesday, the coastguard "
                                  "said. Nobody was hurt.\n")
    (folder / "empty.md").write_text("")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("timezone: UTC\nsources:\n  - name: Odd\n    path: f\n")

    def run() -> tuple[int, list[str]]:
        capsys.readouterr()
        code = main(["run", "--config", str(cfg), "--quiet"])
        return code, [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]

    assert run() == (1, ["error: Odd: empty.md: empty article"])
    assert run() == (0, [])
    assert main(["sources", "--config", str(cfg)]) == 0
    assert "1 file not read: empty.md: empty article" in capsys.readouterr().out
    (folder / "blank.txt").write_text("   \n")
    code, said = run()
    assert code == 1 and sorted(said) == ["error: Odd: blank.txt: empty article", "error: Odd: empty.md: empty article"]
    (folder / "blank.txt").unlink()
    (folder / "empty.md").write_text("Ferry refloated\n\nThe ferry was refloated on Wednesday.\n")
    assert run() == (0, [])
    assert main(["sources", "--config", str(cfg)]) == 0
    assert "not read" not in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["run", "daemon"])
@pytest.mark.parametrize("etag", ['"caf\u00e9"', '"caf\u00c3\u00a9"'])  # é: one Latin-1 byte; UTF-8's two
def test_validators_beyond_ascii_are_sent_back_as_they_came(tmp_path: Path, kind: str, etag: str) -> None:
    # RFC 9110 lets an ETag hold bytes 0x80-0xFF.  httpx decodes them (UTF-8, else Latin-1) and
    # refuses to send the text back ('ascii' codec can't encode): every later poll of the
    # source was an internal error, for good, as a failure keeps the stored validators.
    stamp = "Tue, 01 D\u00e9c 2026 10:00:00 GMT"  # a French month
    with TestServer() as srv:
        srv.set("/e.xml", rss("coast", range(2)), etag=etag)
        srv.set("/m.xml", rss("harbour", range(2)), last_modified=stamp)
        cfg = loopback_config(tmp_path, srv, {"Coast": "/e.xml", "Harbour": "/m.xml"})
        with open_app(cfg) as app:
            poll = _poller(kind, app)
            assert poll(app).new_articles == 4
            report = poll(app)
            assert report.errors == [] and report.not_modified == 2
    assert [c.encode("latin-1") for c, _ in _conditions(srv, "/e.xml")[1:]] == [etag.encode("latin-1")]
    assert [m for _, m in _conditions(srv, "/m.xml")[1:]] == [stamp]


def test_a_batch_the_store_refused_is_counted_as_a_failure_not_as_new_articles(
    tmp_path: Path, make_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store's write of one source's batch fails (a disk I/O error, injected into the real
    # SQLite store) and is rolled back: the summary said "1 new article ... 1 failed", and the
    # source's state said ok (only SourceErrors were recorded as failures)
    import sqlite3

    for name in ("Good", "Broken"):
        (tmp_path / f"{name}.xml").write_bytes(rss(name.lower(), range(1)))
    app = make_app(tmp_path, {"Good": tmp_path / "Good.xml", "Broken": tmp_path / "Broken.xml"})
    real = app.store.add_articles

    def add_articles(items: list, **kw: object) -> None:
        if any(i.article.source == "Broken" for i in items):
            raise sqlite3.OperationalError("disk I/O error")
        real(items, **kw)

    with app:
        monkeypatch.setattr(app.store, "add_articles", add_articles)
        report = app.run()
        assert (report.new_articles, sum(report.arrived.values())) == (1, 1)
        assert [(e.source, e.kind) for e in report.errors] == [("Broken", "internal")]
        assert "disk I/O error" in str(report.errors[0])
        state = app.store.get_source_state("Broken")
        assert state is not None and (state.condition, state.failures) == ("failing", 1)
        monkeypatch.setattr(app.store, "add_articles", real)
        again = app.run()  # the disk is back: the batch is stored, and counted, now
        assert (again.new_articles, again.errors) == (1, [])
        assert app.store.get_source_state("Broken").condition == "ok"  # type: ignore[union-attr]
