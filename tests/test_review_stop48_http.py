"""Stop 48's review: feed servers as they really behave, against a real server on loopback
(``tests.support.httpd``), through ``digest run`` and the daemon's poll round."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.cli import main
from tests.support.daemon import rss
from tests.support.httpd import Handler, Reply, Request, TestServer


def _config(tmp_path: Path, srv: TestServer, paths: dict[str, str], fetch: str = "") -> Path:
    cfg = tmp_path / "feeds.yaml"
    sources = "".join(f"  - name: {name}\n    url: '{srv.url(path)}'\n" for name, path in paths.items())
    cfg.write_text(f"sources:\n{sources}output_dir: out\ndata_dir: data\ntimezone: UTC\n"
                   f'fetch:\n  allow_hosts: ["127.0.0.1:{srv.port}"]\n{fetch}', encoding="utf-8")
    return cfg


@pytest.mark.parametrize("agent", ['"digest für Max (+mailto:max@example.org)"', '"digest\\r\\nX-Extra: 1"'])
def test_a_user_agent_http_cannot_send_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], agent: str
) -> None:
    """A ``fetch.user_agent`` holding a character beyond printable ASCII (an umlaut, a typed dash)
    failed every source with "internal error: UnicodeEncodeError" (a line break: httpx's
    "Illegal header value"), each source blamed for it; now the file is refused at its line."""
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(2)))
        srv.set("/b", rss("beta", range(2)))
        cfg = _config(tmp_path, srv, {"A": "/a", "B": "/b"}, f"  user_agent: {agent}\n")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 2
        assert not srv.requests
    err = capsys.readouterr().err
    assert f"error: {cfg}:" in err and "fetch.user_agent: must be printable ASCII" in err
    assert "internal error" not in err and "A:" not in err


def test_a_paused_source_waits_for_the_servers_retry_after(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A source paused (failing for ``pause_after_hours``) was tried again every
    ``paused_retry_hours`` whatever the server's Retry-After: a 503 saying "retry after 7200s"
    was asked again an hour later, logged as "retry after 7200s (still paused ...; next try in
    1 h)".  The daemon's round, on a real server."""
    import logging
    import random
    from datetime import timedelta

    from digest.app import open_app
    from digest.service.daemon import Daemon
    from tests.support.daemon import Clock, loopback_config

    with TestServer() as srv, caplog.at_level(logging.WARNING, logger="digest"):
        srv.set("/down", b"down for maintenance", status=503, headers={"Retry-After": "7200"})
        cfg = loopback_config(tmp_path, srv, {"down": "/down"}, schedule={
            "digest_time": "00:00", "poll_minutes": 1, "pause_after_hours": 1, "paused_retry_hours": 1})
        clock = Clock()
        with open_app(cfg) as app:
            daemon = Daemon(app, day_offset=0, rng=random.Random(1), clock=clock)
            daemon.poll_due()
            clock.now += timedelta(hours=2, minutes=30)  # past the first Retry-After (and its jitter)
            daemon.poll_due()  # the second failure, an hour and more after the first: paused
            state = app.store.get_source_state("down")
            assert state is not None and state.paused and srv.hits["/down"] == 2
            for _ in range(2):  # paused_retry_hours passed; the Retry-After has not
                clock.now += timedelta(minutes=65)
                daemon.poll_due()
                assert srv.hits["/down"] == 2 + _, "asked before its Retry-After"
                clock.now += timedelta(minutes=60)
                daemon.poll_due()
                assert srv.hits["/down"] == 3 + _
    still = [r.getMessage() for r in caplog.records if "still paused" in r.getMessage()]
    assert still and all("next try in 2 h" in m for m in still), still


def test_a_port_out_of_range_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A URL's port beyond 65535 (a typo: ``:80800``), configured or in a redirect, was
    "unexpected ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)" in every
    run that fetched side by side, and in every daemon round."""
    with TestServer() as srv:
        srv.set("/b", rss("beta", range(2)))
        srv.redirect("/moved", "http://127.0.0.1:80800/feed", status=301)
        cfg = _config(tmp_path, srv, {"B": "/b", "Moved": "/moved"})
        text = cfg.read_text(encoding="utf-8").replace(
            "sources:\n", "sources:\n  - name: Typo\n    url: 'http://127.0.0.1:80800/feed'\n")
        cfg.write_text(text, encoding="utf-8")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "error: Typo: bad URL: port 80800 is out of range (1-65535): http://127.0.0.1:80800/feed" in err
    assert (f"error: Moved: bad redirect from {srv.url('/moved')}: port 80800 is out of range (1-65535): "
            "http://127.0.0.1:80800/feed") in err
    assert not [line for line in err if "ExceptionGroup" in line or "B:" in line]


def _closing(body: bytes, after: float = 0.02) -> Handler:
    """A handler answering in full, then closing the connection ``after`` seconds later without
    having said ``Connection: close`` (an HTTP/1.1 answer that keeps nothing alive)."""
    import time

    def handler(req: Request) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n\r\n"
        req.wfile.write(head.encode() + body)
        req.wfile.flush()
        time.sleep(after)
        return None  # the server closes the connection

    return handler


def test_a_server_closing_each_connection_fails_no_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A server that closes each connection after its answer, without ``Connection: close``:
    the next source on its host went out on the kept-alive connection and failed with "broken
    HTTP response ...: Server disconnected without sending a response" (about 20 of 40 in a
    run).  Such a request is sent again on a new connection; each feed is asked once."""
    with TestServer() as srv:
        for i in range(40):
            srv.handle(f"/f{i}", _closing(rss(f"outlet{i}", range(2))))
        paths = {f"S{i}": f"/f{i}" for i in range(40)}
        cfg = _config(tmp_path, srv, paths, "  per_host: 4\n")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0, capsys.readouterr().err
        assert all(srv.hits[p] == 1 for p in paths.values())
    assert "error" not in capsys.readouterr().err


def test_a_request_meeting_every_idle_connection_closed_still_gets_its_feed() -> None:
    """A server that answers each connection's first request and hangs up on any later one:
    every kept-alive connection is dead when reused.  After eight fetches at once, the next
    request met eight dead connections in a row; with four tries it failed (CI once saw it
    with ``per_host`` 4: "S37: broken HTTP response ... Server disconnected without sending
    a response").  It tries each idle connection the pool keeps, then a new one."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from digest.config.model import FetchConfig
    from digest.sources.fetch import fetch
    from digest.sources.netguard import GuardedTransport

    served: set[tuple[str, int]] = set()
    lock = threading.Lock()
    dropped = 0

    def handler(req: Request) -> Reply | None:
        nonlocal dropped
        with lock:
            if req.client in served:
                dropped += 1
                return None  # hang up, no byte of an answer
            served.add(req.client)
        time.sleep(0.3)  # the eight first requests overlap: eight connections
        return Reply(rss("outlet", range(2)), headers={"Content-Type": "application/rss+xml"})

    with TestServer() as srv:
        srv.handle("/feed", handler)
        config = FetchConfig(concurrency=8, allow_hosts=[f"127.0.0.1:{srv.port}"])
        transport = GuardedTransport(config)
        try:
            with ThreadPoolExecutor(8) as pool:
                warm = list(pool.map(lambda _: fetch(srv.url("/feed"), config=config, transport=transport), range(8)))
            assert len(served) == 8 and all(r.content for r in warm)
            assert fetch(srv.url("/feed"), config=config, transport=transport).content
        finally:
            transport.close()
    assert dropped == 8  # each idle connection was tried once


def test_a_server_hanging_up_is_asked_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A server that hangs up on every request, on a connection opened for it, is not asked
    again in the same fetch: one request a source, one error line for the three (stop 56: many
    failing alike are one line)."""
    with TestServer() as srv:
        for i in range(3):
            srv.handle(f"/h{i}", lambda req: None)
        cfg = _config(tmp_path, srv, {f"H{i}": f"/h{i}" for i in range(3)})
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
        assert [srv.hits[f"/h{i}"] for i in range(3)] == [1, 1, 1]
    err = capsys.readouterr().err
    assert err.count("Server disconnected without sending a response") == 1
    assert "error: 3 sources failed alike: broken HTTP response: Server disconnected" in err


@pytest.mark.parametrize("coding", ["utf-8", "UTF-8", "none", "binary"])
def test_a_content_encoding_naming_no_compression_is_read_as_browsers_read_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], coding: str
) -> None:
    """``Content-Encoding: utf-8`` (a charset where the coding goes, a known server mistake) or
    ``none``: browsers and feed readers ignore the token and read the feed; digest refused it
    with "unsupported Content-Encoding 'utf-8'", at every poll.  A real compression it cannot
    decode (``br``) is still that one line."""
    with TestServer() as srv:
        srv.set("/odd", rss("odd", range(3)), headers={"Content-Type": "application/rss+xml",
                                                      "Content-Encoding": coding})
        srv.set("/br", b"\x1b\x03\x00\xf8\xa5", headers={"Content-Encoding": "br"})
        cfg = _config(tmp_path, srv, {"Odd": "/odd", "Brotli": "/br"})
        assert main(["run", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "Odd" not in err and "2 sources, 3 entries, 3 new articles" in err
    assert f"error: Brotli: unsupported Content-Encoding 'br' from {srv.url('/br')}" in err


def test_a_document_that_is_no_feed_names_where_it_was_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A server's answer that is no feed (a rate limiter's JSON, a plain-text notice, an image)
    was "Foo: not a feed: syntax error (line 2)", naming neither the address (a feed moved for
    good is read where the configuration does not say) nor what the server called it; every
    failed fetch names its address."""
    with TestServer() as srv:
        srv.set("/new", b"Service temporarily unavailable", headers={"Content-Type": "text/plain; charset=utf-8"})
        srv.redirect("/old", "/new", status=301)
        srv.set("/limit", b'{"error": "rate limited"}', headers={"Content-Type": "application/json"})
        cfg = _config(tmp_path, srv, {"Moved": "/old", "Limited": "/limit"})
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"error: Moved: not a feed: syntax error (line 2) from {srv.url('/new')} (served as text/plain)" in err
    assert (f"error: Limited: not a feed: JSON without an 'items' list from {srv.url('/limit')} "
            "(served as application/json)") in err


def test_a_host_that_says_wait_is_asked_nothing_more_in_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A host answering 429 with Retry-After was asked anyway for every other page of a
    full-text batch (20 requests for 20 entries) and every other feed on it in the run; the
    fetches not started yet are not sent, each failing as the first did, Retry-After kept."""
    with TestServer() as srv:
        items = "".join(f"<item><title>Harbor story {i}</title><link>{srv.url(f'/art/{i}')}</link><guid>g{i}</guid>"
                        f"<description>Summary {i}.</description></item>" for i in range(20))
        srv.set("/feed", f'<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><link>{srv.url("/")}</link>'
                f"{items}</channel></rss>", headers={"Content-Type": "application/rss+xml"})
        for i in range(20):
            srv.set(f"/art/{i}", b"slow down", status=429, headers={"Retry-After": "600"})
        for i in range(6):
            srv.set(f"/f{i}", b"slow down", status=429, headers={"Retry-After": "600"})
        cfg = _config(tmp_path, srv, {"Harbor": "/feed", **{f"F{i}": f"/f{i}" for i in range(6)}})
        text = cfg.read_text(encoding="utf-8").replace(f"url: '{srv.url('/feed')}'\n",
                                                       f"url: '{srv.url('/feed')}'\n    full_text: true\n")
        cfg.write_text(text, encoding="utf-8")
        assert main(["run", "--config", str(cfg)]) == 1
        pages = sum(n for path, n in srv.hits.items() if path.startswith("/art/"))
        feeds = sum(srv.hits[f"/f{i}"] for i in range(6))
        port = srv.port
    assert pages <= 2 and feeds <= 2, (pages, feeds)  # fetch.per_host were on their way
    err = capsys.readouterr().err
    assert "7 sources, 20 entries, 20 new articles" in err
    # (the server: its host, and its port where not the scheme's: another port is another server);
    # the feeds not asked fail alike: one line for them (stop 56), the ones asked a line each
    held = re.search(rf"error: (\d) sources failed alike: not asked: 127\.0\.0\.1:{port} said to wait "
                     r"\(HTTP 429 Too Many Requests, retry after 600s\) \(F", err)
    assert held is not None, err
    assert int(held[1]) >= 4 and int(held[1]) + err.count("error: F") == 6


def test_import_opml_check_asks_a_host_that_says_wait_nothing_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest import-opml --check`` read each feed of a list (a hundred channels of one video
    site) even after their host answered 429: it is asked nothing more, each feed not added
    with the first one's reason."""
    with TestServer() as srv:
        for i in range(8):
            srv.set(f"/c{i}", b"slow down", status=429, headers={"Retry-After": "3600"})
        outlines = "".join(f'<outline type="rss" text="C{i}" xmlUrl="{srv.url(f"/c{i}")}"/>' for i in range(8))
        opml = tmp_path / "list.opml"
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>',
                        encoding="utf-8")
        cfg = _config(tmp_path, srv, {})
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("sources:\n", "sources: []\n"), encoding="utf-8")
        assert main(["import-opml", "--config", str(cfg), "--check", str(opml)]) == 0
        asked = sum(srv.hits[f"/c{i}"] for i in range(8))
    assert asked <= 2, asked
    out = capsys.readouterr().out
    assert out.count("not added: C") == 8 and "said to wait (HTTP 429 Too Many Requests" in out


def test_a_cookie_wall_says_why_it_loops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A feed behind a cookie wall (each answer a redirect to itself setting a cookie, as an
    anti-bot front does) was "redirect loop through URL (more than 5) starting at URL", the
    feed working in any browser: the line now says the server sets cookies and digest keeps none."""
    with TestServer() as srv:
        srv.set("/rss", status=302, headers={"Location": "/rss", "Set-Cookie": "seen=1; Path=/"})
        srv.redirect("/loop", "/loop")
        cfg = _config(tmp_path, srv, {"Walled": "/rss", "Looped": "/loop"})
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (f"error: Walled: redirect loop through {srv.url('/rss')} (more than 5) starting at {srv.url('/rss')}: "
            "the server sets cookies as it redirects, and digest keeps none") in err
    assert f"error: Looped: redirect loop through {srv.url('/loop')} (more than 5) starting at {srv.url('/loop')}" in err


def test_a_feed_urls_password_is_in_no_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A private feed's URL with a password (``https://me:pw@host/feed``, sent as Basic
    authentication) was printed whole in each error line, the daemon's log, ``digest sources``
    and the stored last error: "HTTP 401 Unauthorized from http://me:s3cret@host/feed"."""
    with TestServer() as srv:
        srv.set("/private", b"denied", status=401, headers={"WWW-Authenticate": 'Basic realm="feeds"'})
        srv.set("/new", rss("alpha", range(2)))
        srv.redirect("/old", "/new", status=301)
        cfg = _config(tmp_path, srv, {})
        base = f"http://me:s3cret@127.0.0.1:{srv.port}"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace(
            "sources:\n", f"sources:\n  - name: Private\n    url: '{base}/private'\n"
                          f"  - name: Moved\n    url: '{base}/old'\n"), encoding="utf-8")
        assert main(["run", "--config", str(cfg)]) == 1
        assert main(["sources", "--config", str(cfg)]) == 0
        assert [r.headers["Authorization"] for r in srv.requests][:1] == ["Basic bWU6czNjcmV0"]  # still sent
    said = capsys.readouterr()
    assert "s3cret" not in said.out + said.err
    assert f"error: Private: HTTP 401 Unauthorized from http://me:***@127.0.0.1:{srv.port}/private" in said.err


def test_a_host_address_that_does_not_answer_is_passed_over(tmp_path: Path) -> None:
    """A feed's host with two addresses, the first not answering (a dead node of a round-robin
    name, an IPv6 address routed nowhere): the fetch failed "timed out connecting" without
    trying the second, which serves the feed.  A listener whose queue is full is the address
    that does not answer; the resolver names it first (real sockets, real server)."""
    import asyncio
    import socket

    from digest.config import FetchConfig
    from digest.sources.fetch import FetchRequest, fetch, fetch_many
    from digest.sources.netguard import AsyncGuardedTransport, GuardedTransport

    with TestServer() as srv, socket.socket() as hole, socket.socket() as filler:
        body = rss("alpha", range(2))
        srv.set("/feed", body)
        hole.bind(("127.0.0.2", srv.port))
        hole.listen(0)
        filler.connect(("127.0.0.2", srv.port))  # its queue is full: the next connect hangs
        cfg = FetchConfig(allow_hosts=["127.0.0.0/8"], connect_timeout=0.3, deadline=10)
        url = f"http://two.test:{srv.port}/feed"

        def resolver(host: str, port: int) -> list[str]:
            return ["127.0.0.2", "127.0.0.1"]

        sync = GuardedTransport(cfg, resolver=resolver)
        try:
            assert fetch(url, config=cfg, transport=sync).content == body
        finally:
            sync.close()

        async def many() -> object:
            transport = AsyncGuardedTransport(cfg, resolver=resolver)
            try:
                return (await fetch_many([FetchRequest(url)], config=cfg, transport=transport))[0]
            finally:
                await transport.aclose()

        result = asyncio.run(many())
        assert getattr(result, "status", None) == 200, result


def test_a_redirects_target_saying_wait_holds_only_its_own_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 429 from the host a feed redirects to holds that host's fetches, not those of the host
    the feed is configured on: its other feeds are read."""
    with TestServer() as srv:
        srv.redirect("/moved", f"http://localhost:{srv.port}/limited")
        srv.set("/limited", b"slow down", status=429, headers={"Retry-After": "600"})
        for i in range(4):
            srv.set(f"/f{i}", rss(f"outlet{i}", range(2)))
        cfg = _config(tmp_path, srv, {"Moved": "/moved", **{f"F{i}": f"/f{i}" for i in range(4)}},
                      "  per_host: 1\n")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("error:")] == [
        f"error: Moved: HTTP 429 Too Many Requests from http://localhost:{srv.port}/limited, retry after 600s"]


def test_a_refused_connection_says_so_when_fetched_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server down (its port closed) was "cannot connect to HOST: All connection attempts
    failed" in a run fetching side by side and in every daemon round (anyio's words, its
    reason in their causes); one source alone said "[Errno 111] Connection refused"."""
    from tests.support.daemon import free_port

    with TestServer() as srv:
        srv.set("/b", rss("beta", range(2)))
        cfg = _config(tmp_path, srv, {"Up": "/b"})
        port = free_port()
        down = f"http://127.0.0.1:{port}/feed"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace(
            "sources:\n", f"sources:\n  - name: Down\n    url: '{down}'\n").replace(
            f'["127.0.0.1:{srv.port}"]', '["127.0.0.1"]'), encoding="utf-8")
        assert main(["run", "--config", str(cfg), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    # the port too (stop 50: "cannot connect to 127.0.0.1" said not which of a machine's servers)
    assert f"error: Down: cannot connect to 127.0.0.1:{port}: Connection refused" in err, err
