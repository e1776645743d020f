"""Stop 60 review: a new user's sources, on a real loopback HTTP server.

* A source whose ``url:`` leads to a feed another source reads (a site's page that links it,
  added with ``digest add --no-check`` or by hand; an old address moved for good to it) was
  read as a second outlet: every item stored twice, each story listing the feed under both
  names ("same text as").  Its entries are now stored once, under the source whose ``url:`` is
  the feed, with one warning line naming both, by ``digest run`` and by the daemon alike.

Real parts: the CLI, SQLite on disk, a loopback HTTP server, the daemon's poll round."""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from tests.support.daemon import Clock, loopback_config
from tests.support.httpd import TestServer

FIXTURES = Path(__file__).parent / "fixtures" / "stories"
DAY = datetime(2026, 11, 20, 8, tzinfo=UTC)


def _feed(title: str, names: list[str]) -> bytes:
    items = ""
    for i, name in enumerate(names):
        head, _, body = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
        items += (f"<item><guid isPermaLink='false'>{name}</guid><title>{escape(head)}</title>"
                  f"<link>https://coast.example/{name}</link>"
                  f"<pubDate>{format_datetime(DAY + timedelta(hours=i))}</pubDate>"
                  f"<description>{escape(body)}</description></item>")
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>"
            f"<link>https://coast.example/</link><description>news</description>{items}</channel></rss>").encode()


def _sources_config(tmp: Path, sources: list[tuple[str, str]], hosts: str = "127.0.0.1") -> Path:
    """``tmp/feeds.yaml`` reading ``sources`` (name, url) in that order, on the loopback ``hosts``,
    its clock on 20 November 2026, 20:00 UTC."""
    listed = "".join(f"  - name: {n}\n    url: {u}\n" for n, u in sources)
    cfg = tmp / "feeds.yaml"
    cfg.write_text(f"sources:\n{listed}fetch:\n  allow_hosts: [{hosts}]\n"
                   "timezone: UTC\nclock: 2026-11-20T20:00:00Z\n", encoding="utf-8")
    return cfg


def _serve(srv: TestServer) -> None:
    srv.set("/feed.xml", _feed("Coast News", ["quake_a1", "burst_a1"]),
            headers={"Content-Type": "application/rss+xml"})
    srv.set("/site.html", b"<html><head><title>Coast</title><link rel='alternate' "
            b"type='application/rss+xml' href='/feed.xml'></head><body>news</body></html>",
            headers={"Content-Type": "text/html; charset=utf-8"})
    srv.redirect("/old.xml", "/feed.xml", status=301)


@pytest.mark.parametrize("way", ["/site.html", "/old.xml"])
@pytest.mark.parametrize("first", [True, False])
def test_a_source_leading_to_a_feed_another_reads_stores_nothing_twice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], way: str, first: bool
) -> None:
    with TestServer() as srv:
        _serve(srv)
        sources = [("Coast News", f"http://localhost:{srv.port}/feed.xml"), ("Coast site", srv.url(way))]
        cfg = _sources_config(tmp_path, sources if first else sources[::-1], "127.0.0.1, localhost")
        for _ in range(2):  # the second run reads the feed at the address learnt
            assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        # said once, then shown by ``digest sources`` while it lasts
        [line] = [r.getMessage() for r in caplog.records if "reads too" in r.getMessage()]
        assert line.startswith("Coast site: ") and "which 'Coast News' reads too" in line, line
        capsys.readouterr()
        assert main(["sources", "--config", str(cfg)]) == 0
        [listed] = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Coast site: ")]
        assert "which 'Coast News' reads too" in listed, listed
        md = (tmp_path / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8")
        assert "Coast site" not in md and "same text as" not in md
        assert md.count("**Coast News**") == 2  # each item once, under the feed's own source
        with open_app(cfg) as app:
            assert sorted(a.source for a in app.store.articles_since(DAY - timedelta(days=1))) == ["Coast News"] * 2


def test_two_old_addresses_moved_to_one_feed_store_it_under_the_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither ``url:`` is the feed: the first in the file reads it."""
    with TestServer() as srv:
        _serve(srv)
        srv.redirect("/older.xml", "/feed.xml", status=308)
        cfg = _sources_config(tmp_path, [("One", srv.url("/old.xml")), ("Two", srv.url("/older.xml"))])
        for _ in range(2):
            assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        said = [r.getMessage() for r in caplog.records if "reads too" in r.getMessage()]
        assert said and all(m.startswith("Two: ") and "which 'One' reads too" in m for m in said), said
        md = (tmp_path / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8")
        assert "**Two**" not in md and md.count("**One**") == 2


def test_the_daemons_round_stores_a_feed_two_sources_lead_to_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from digest.service.daemon import Daemon

    with TestServer() as srv:
        _serve(srv)
        cfg_path = loopback_config(tmp_path, srv, {"Coast News": "/feed.xml", "Coast site": "/site.html"},
                                   schedule={"poll_minutes": 1})
        clock = Clock()
        with open_app(cfg_path) as app, caplog.at_level(logging.WARNING):
            d = Daemon(app, rng=random.Random(3), clock=clock)
            assert d.poll_due().new_articles == 2
            clock.now += timedelta(minutes=2)
            assert d.poll_due().new_articles == 0
        assert any("Coast site: " in r.getMessage() and "reads too" in r.getMessage() for r in caplog.records)


def _host_with_a_429(srv: TestServer) -> None:
    """``/rate`` answers 429 at every request; ``/a``, ``/b``, ``/c`` are good feeds of one item."""
    srv.set("/rate", b"slow down", status=429, headers={"Retry-After": "60", "Content-Type": "text/plain"})
    for path, name in (("/a", "quake_a1"), ("/b", "fire_a1"), ("/c", "council_a")):
        srv.set(path, _feed(path, [name]), headers={"Content-Type": "application/rss+xml"})


def _write_429_config(cfg: Path, srv: TestServer, clock: str) -> None:
    """``cfg``: Rate, A, B and C of :func:`_host_with_a_429`, one request at a time to the host,
    read at ``clock``."""
    listed = "".join(f"  - name: {n}\n    url: {srv.url(p)}\n" for n, p in
                     (("Rate", "/rate"), ("A", "/a"), ("B", "/b"), ("C", "/c")))
    setting = f"fetch:\n  allow_hosts: [127.0.0.1]\n  per_host: 1\ntimezone: UTC\nclock: {clock}\n"
    cfg.write_text(f"sources:\n{listed}" + setting, encoding="utf-8")


def test_a_feed_answering_429_every_time_does_not_keep_its_hosts_other_feeds_unread(tmp_path: Path) -> None:
    """A host that said 429 is asked nothing more in the run (``freshness.Waits``): the feeds after
    it were held, and at the next run, its wait over, it was asked first again and held them
    again, run after run: never read.  It is asked after them now."""
    with TestServer() as srv:
        _host_with_a_429(srv)
        cfg = tmp_path / "feeds.yaml"
        for clock in ("2026-11-20T08:00:00Z", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z"):
            _write_429_config(cfg, srv, clock)
            assert main(["run", "--config", str(cfg), "--quiet"]) == 1  # Rate fails each time
        assert srv.hits["/a"] >= 1 and srv.hits["/b"] >= 1 and srv.hits["/c"] >= 1, srv.hits
        with open_app(cfg) as app:
            stored = sorted(a.source for a in app.store.articles_since(DAY - timedelta(days=1)))
            states = {s.name: s for s in app.store.list_source_states()}
        assert stored == ["A", "B", "C"]
        assert [n for n, s in states.items() if s.failures] == ["Rate"]


def test_the_daemons_round_asks_a_feed_that_said_429_after_those_it_held(tmp_path: Path) -> None:
    from digest.service.daemon import Daemon

    with TestServer() as srv:
        _host_with_a_429(srv)
        cfg_path = loopback_config(tmp_path, srv, {"Rate": "/rate", "A": "/a", "B": "/b", "C": "/c"},
                                   fetch={"allow_hosts": ["127.0.0.1"], "deadline": 10, "per_host": 1},
                                   schedule={"poll_minutes": 1})
        clock = Clock()
        with open_app(cfg_path) as app:
            d = Daemon(app, rng=random.Random(3), clock=clock)
            found = d.poll_due().new_articles
            for _ in range(3):
                clock.now += timedelta(minutes=2)  # past the 60 s the server asked for
                found += d.poll_due().new_articles
        assert found == 3 and srv.hits["/b"] >= 1 and srv.hits["/c"] >= 1, srv.hits


@pytest.mark.parametrize("how", ["export-import", "import --check", "add"])
def test_a_feed_moved_for_good_is_not_added_again_at_its_new_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """``digest export-opml`` lists a moved feed where it is read now; imported again into the
    same configuration (a round trip), or given to ``digest add`` by that address, it was added a
    second time, as "Coast (127.0.0.1)": every article read under two names."""
    with TestServer() as srv:
        _serve(srv)
        cfg = tmp_path / "feeds.yaml"
        cfg.write_text(f"# my feeds\nsources:\n  - name: Coast\n    url: {srv.url('/old.xml')}  # moved since\n"
                       "fetch:\n  allow_hosts: [127.0.0.1]\ntimezone: UTC\nclock: 2026-11-20T20:00:00Z\n",
                       encoding="utf-8")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0  # learns where the feed is now
        before = cfg.read_bytes()
        opml = tmp_path / "mine.opml"
        assert main(["export-opml", "--config", str(cfg), "-o", str(opml)]) == 0
        assert srv.url("/feed.xml") in opml.read_text(encoding="utf-8")
        capsys.readouterr()
        if how == "add":
            assert main(["add", "--config", str(cfg), srv.url("/feed.xml")]) == 0
            assert "is there already (as 'Coast')" in capsys.readouterr().out
        else:
            assert main(["import-opml", "--config", str(cfg), str(opml), *(["--check"] if "check" in how else [])]) == 0
            assert "added 0 of 1 feed" in capsys.readouterr().out
        assert cfg.read_bytes() == before


def _closing_server(stop: threading.Event) -> socket.socket:
    """A loopback TCP server that reads what a client sends first and closes the connection: a
    TLS handshake cut short (a server refusing the name asked for, a middlebox)."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.1)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    conn.recv(4096)

    threading.Thread(target=serve, daemon=True).start()
    return sock


def test_a_tls_handshake_cut_short_names_its_problem_when_feeds_are_fetched_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A server closing the TLS handshake: the plain fetch said "[SSL: UNEXPECTED_EOF_WHILE_READING]
    ...", the concurrent one of ``digest run`` (two URL sources or more) and of the daemon
    "cannot connect to 127.0.0.1:PORT: ConnectError", no problem named."""
    stop = threading.Event()
    sock = _closing_server(stop)
    try:
        port = sock.getsockname()[1]
        cfg = _sources_config(tmp_path, [("Coast", f"https://127.0.0.1:{port}/a"),
                                         ("Other", f"https://127.0.0.1:{port}/b")])
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
    finally:
        stop.set()
        sock.close()
    said = capsys.readouterr().err + "\n".join(r.getMessage() for r in caplog.records)
    lines = [ln for ln in said.splitlines() if "cannot connect to" in ln]
    assert lines and all("SSL" in ln and not ln.endswith("ConnectError") for ln in lines), said


def test_a_feed_empty_from_its_first_read_is_not_said_to_have_lost_its_entries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Said nothing at its first read, "the feed lists no entries now (its stored articles are
    kept)" at its second: nothing had changed, nothing was stored.  It is said once, at the first
    read, as "no entries yet"; a feed emptied after it listed some is said so as before."""
    with TestServer() as srv:
        srv.set("/feed.xml", _feed("Quiet", []), headers={"Content-Type": "application/rss+xml"})
        srv.set("/other.xml", _feed("Other", ["derby"]), headers={"Content-Type": "application/rss+xml"})
        cfg = tmp_path / "feeds.yaml"
        setting = (f"sources:\n  - name: Quiet\n    url: {srv.url('/feed.xml')}\n  - name: Other\n"
                   f"    url: {srv.url('/other.xml')}\nfetch:\n  allow_hosts: [127.0.0.1]\ntimezone: UTC\n"
                   "clock: 2026-11-2{}T20:00:00Z\n")
        said: list[list[str]] = []
        for day, names in ((0, []), (1, []), (2, []), (3, ["quake_a1"]), (4, [])):
            srv.set("/feed.xml", _feed("Quiet", names), headers={"Content-Type": "application/rss+xml"})
            cfg.write_text(setting.format(day), encoding="utf-8")
            caplog.clear()
            assert main(["run", "--config", str(cfg), "--quiet"]) == 0
            said.append([r.getMessage() for r in caplog.records if r.getMessage().startswith("Quiet: ")])
        assert said == [["Quiet: the feed lists no entries yet"], [], [], [],
                        ["Quiet: the feed lists no entries now (its stored articles are kept)"]]


def test_a_feed_held_for_its_hosts_429_is_known_by_its_kind_not_its_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tracking.asked_last`` knew a fetch held for another feed's 429 by its stored error's
    beginning, "not asked: " (stop 61: brittle).  The held line reworded (as a later stop may),
    the held feeds read as feeds whose own server said to wait, asked after the one answering
    429, and held by it at every run: never read.  It reads the stored ``error_kind`` now."""
    from digest.sources import freshness

    monkeypatch.setattr(freshness, "NOT_ASKED", "held back: ")
    with TestServer() as srv:
        _host_with_a_429(srv)
        cfg = tmp_path / "feeds.yaml"
        for clock in ("2026-11-20T08:00:00Z", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z"):
            _write_429_config(cfg, srv, clock)
            assert main(["run", "--config", str(cfg), "--quiet"]) == 1
        with open_app(cfg) as app:
            stored = sorted(a.source for a in app.store.articles_since(DAY - timedelta(days=1)))
    assert stored == ["A", "B", "C"]
