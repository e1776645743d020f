"""digest.sources.fetch against real HTTP servers on loopback (tests/support/httpd.py)."""

from __future__ import annotations

import asyncio
import gzip
import random
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from digest.config import FetchConfig
from digest.errors import FetchError
from digest.records import FetchResult
from digest.sources.fetch import FetchRequest, fetch, fetch_many
from digest.sources.freshness import parse_max_age, parse_retry_after
from digest.sources.netguard import (
    AddressPolicy,
    AsyncGuardedTransport,
    BadEncoding,
    BodyTooLarge,
    BoundedBody,
    GuardedTransport,
)
from tests.support.httpd import Reply, Request, TestServer, delayed, drip, never_answer

MiB = 1024 * 1024


def config(**kw: object) -> FetchConfig:
    base: dict[str, object] = {
        "allow_hosts": ["127.0.0.1"],
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "deadline": 5.0,
    }
    base.update(kw)
    return FetchConfig.model_validate(base)


@pytest.fixture
def srv() -> Iterator[TestServer]:
    with TestServer() as s:
        yield s


def fails(url: str, cfg: FetchConfig | None = None, **kw: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, config=cfg or config(), **kw)  # type: ignore[arg-type]
    return info.value


# -- conditional GET, encodings, headers -----------------------------------------------


def test_etag_round_trip(srv: TestServer) -> None:
    srv.set("/feed", b"<rss>1</rss>", etag='"v1"', headers={"Content-Type": "application/rss+xml"})
    first = fetch(srv.url("/feed"), config=config())
    assert (first.status, first.content, first.etag) == (200, b"<rss>1</rss>", '"v1"')
    assert first.content_type == "application/rss+xml"

    second = fetch(srv.url("/feed"), config=config(), etag=first.etag)
    assert second.status == 304 and second.not_modified
    assert second.content is None
    assert second.etag == '"v1"'
    assert srv.headers_of("/feed")[1]["If-None-Match"] == '"v1"'

    srv.set("/feed", b"<rss>2</rss>", etag='"v2"')  # the feed changes
    third = fetch(srv.url("/feed"), config=config(), etag=second.etag)
    assert (third.status, third.content, third.etag) == (200, b"<rss>2</rss>", '"v2"')


def test_last_modified_round_trip(srv: TestServer) -> None:
    stamp = "Sat, 01 Jun 2024 10:00:00 GMT"
    srv.set("/feed", b"body", last_modified=stamp)
    first = fetch(srv.url("/feed"), config=config())
    assert first.last_modified == stamp and first.etag is None
    second = fetch(srv.url("/feed"), config=config(), last_modified=first.last_modified)
    assert second.status == 304 and second.content is None
    assert second.last_modified == stamp
    assert srv.headers_of("/feed")[1]["If-Modified-Since"] == stamp
    assert "If-Modified-Since" not in srv.headers_of("/feed")[0]


def test_gzip_body_decoded_and_request_headers(srv: TestServer) -> None:
    body = b"<feed>" + b"news item " * 5000 + b"</feed>"
    srv.set("/gz", body, gzip=True)
    result = fetch(srv.url("/gz"), config=config(user_agent="digest-test/9 (+me)"))
    assert result.content == body
    sent = srv.headers_of("/gz")[0]
    assert "gzip" in sent["Accept-Encoding"]
    assert sent["User-Agent"] == "digest-test/9 (+me)"


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_with_and_without_zlib_wrapper(srv: TestServer, wbits: int) -> None:
    body = b"deflated " * 1000
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    srv.set("/d", c.compress(body) + c.flush(), headers={"Content-Encoding": "deflate"})
    assert fetch(srv.url("/d"), config=config()).content == body


def test_corrupt_gzip_is_an_encoding_error(srv: TestServer) -> None:
    srv.set(
        "/bad", b"\x1f\x8b\x08\x00garbage-not-deflate" * 10, headers={"Content-Encoding": "gzip"}
    )
    assert fails(srv.url("/bad")).kind == "encoding"


# -- time limits -----------------------------------------------------------------------


def test_read_timeout_on_server_that_never_answers(srv: TestServer) -> None:
    srv.handle("/hang", never_answer)
    t0 = time.monotonic()
    err = fails(srv.url("/hang"), config(read_timeout=0.5), source="Slow News")
    elapsed = time.monotonic() - t0
    assert err.kind == "timeout"
    assert str(err).startswith("Slow News: ") and "\n" not in str(err)
    assert 0.4 < elapsed < 2.0


def test_drip_server_cut_by_overall_deadline(srv: TestServer) -> None:
    # 1 byte per 0.1 s: every read is far within the 0.5 s read timeout,
    # but the whole body would take 20 s.
    srv.handle("/drip", drip(b"x" * 200, interval=0.1))
    t0 = time.monotonic()
    err = fails(srv.url("/drip"), config(read_timeout=0.5, deadline=1.0))
    elapsed = time.monotonic() - t0
    assert err.kind == "timeout" and "deadline" in str(err)
    assert 0.9 < elapsed < 2.0


def test_connection_refused_is_connect_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = fails(f"http://127.0.0.1:{port}/")
    assert err.kind == "connect"


# -- size cap --------------------------------------------------------------------------


def test_body_at_cap_passes_one_byte_more_fails(srv: TestServer) -> None:
    srv.set("/exact", b"a" * 1000)
    assert fetch(srv.url("/exact"), config=config(max_bytes=1000)).content == b"a" * 1000
    assert fails(srv.url("/exact"), config(max_bytes=999)).kind == "too-large"


def test_oversize_body_without_content_length(srv: TestServer) -> None:
    def endless(req: Request) -> None:
        req.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        try:
            for _ in range(400):  # 25 MiB if nobody stops reading
                req.wfile.write(b"z" * 65536)
        except OSError:
            pass

    srv.handle("/big", endless)
    err = fails(srv.url("/big"), config(max_bytes=MiB))
    assert err.kind == "too-large" and "1 MiB" in str(err)


def test_gzip_bomb_stops_at_cap_without_inflating(srv: TestServer) -> None:
    c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MiB)
    bomb = b"".join(c.compress(zeros) for _ in range(50)) + c.flush()  # 50 MiB of zeros
    assert len(bomb) < 100_000
    srv.set("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        err = fails(srv.url("/bomb"), config(max_bytes=MiB))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.kind == "too-large"
    assert peak < 6 * MiB, f"peak {peak / MiB:.1f} MiB while reading a gzip bomb"


# -- redirects -------------------------------------------------------------------------


def test_redirect_loop(srv: TestServer) -> None:
    srv.redirect("/a", "/b")
    srv.redirect("/b", "/a")
    err = fails(srv.url("/a"), config(max_redirects=4))
    assert err.kind == "redirects" and "loop" in str(err)
    assert srv.hits["/a"] + srv.hits["/b"] == 5  # the first request + 4 redirects


def test_redirect_chain_and_permanent_url(srv: TestServer) -> None:
    srv.set("/final", b"ok")
    srv.redirect("/old", "/newer", 301)
    srv.redirect("/newer", "/newest", 308)
    srv.redirect("/newest", "/final", 302)  # temporary: not stored
    r = fetch(srv.url("/old"), config=config(max_redirects=3))
    assert r.content == b"ok" and r.status == 200
    assert r.final_url == srv.url("/final")
    assert r.permanent_url == srv.url("/newest")
    assert r.url == srv.url("/old")
    # one hop too many
    assert fails(srv.url("/old"), config(max_redirects=2)).kind == "redirects"


def test_temporary_redirect_first_means_no_permanent_url(srv: TestServer) -> None:
    srv.set("/final", b"ok")
    srv.redirect("/tmp", "/moved", 307)
    srv.redirect("/moved", "/final", 301)
    assert fetch(srv.url("/tmp"), config=config()).permanent_url is None


def test_no_cookies_kept_across_hops(srv: TestServer) -> None:
    srv.set("/final", b"ok")
    srv.set("/login", status=302, headers={"Location": "/final", "Set-Cookie": "track=1; Path=/"})
    assert fetch(srv.url("/login"), config=config()).content == b"ok"
    assert "Cookie" not in srv.headers_of("/final")[0]


def test_redirect_to_other_scheme_refused(srv: TestServer) -> None:
    srv.redirect("/f", "file:///etc/passwd")
    err = fails(srv.url("/f"))
    assert err.kind == "redirects" and "file:///etc/passwd" in str(err)


# -- address policy --------------------------------------------------------------------


def test_loopback_blocked_by_default_and_allowed_by_allow_hosts(srv: TestServer) -> None:
    srv.set("/feed", b"x")
    err = fails(srv.url("/feed"), config(allow_hosts=[]))
    assert err.kind == "blocked-address" and "127.0.0.1" in str(err)
    assert srv.hits["/feed"] == 0
    assert fetch(srv.url("/feed"), config=config(allow_hosts=["127.0.0.0/8"])).content == b"x"


def test_host_name_checked_after_dns_resolution(srv: TestServer) -> None:
    srv.set("/feed", b"x")
    url = f"http://localhost:{srv.port}/feed"
    assert fails(url, config(allow_hosts=[])).kind == "blocked-address"
    assert srv.hits["/feed"] == 0
    assert fetch(url, config=config(allow_hosts=["LocalHost"])).content == b"x"


def test_redirect_to_private_address_refused_before_connecting(srv: TestServer) -> None:
    srv.redirect("/to-lan", "http://10.255.255.1/admin")
    t0 = time.monotonic()
    err = fails(srv.url("/to-lan"))
    assert err.kind == "blocked-address" and "10.255.255.1" in str(err)
    assert time.monotonic() - t0 < 1.0  # no connection attempt to wait for


def test_redirect_to_other_loopback_address_refused(srv: TestServer) -> None:
    with TestServer(host="127.0.0.2") as other:
        other.set("/secret", b"internal")
        srv.redirect("/hop", other.url("/secret"))
        err = fails(srv.url("/hop"), config(allow_hosts=["127.0.0.1"]))
        assert err.kind == "blocked-address"
        assert other.hits["/secret"] == 0
        # another host on another port: the port must be named (an entry without one
        # allows ports 80 and 443, and the source URL's own port on the source's host)
        err = fails(srv.url("/hop"), config(allow_hosts=["127.0.0.1", "127.0.0.2"]))
        assert err.kind == "blocked-address" and f"port {other.port}" in str(err)
        ok = fetch(srv.url("/hop"), config=config(allow_hosts=["127.0.0.1", f"127.0.0.2:{other.port}"]))
        assert ok.content == b"internal"


def test_allow_hosts_ports_apply_to_the_first_url_and_every_redirect(srv: TestServer) -> None:
    """Two servers on 127.0.0.1: a feed redirecting to the same host on another port."""
    with TestServer() as other:
        other.set("/secret", b"internal")
        srv.redirect("/hop", other.url("/secret"))
        srv.set("/feed", b"feed")
        a, b = srv.port, other.port
        # the source's own URL is allowed by a bare entry, another port of the host is not
        assert fetch(srv.url("/feed"), config=config(allow_hosts=["127.0.0.1"])).content == b"feed"
        for allowed in (["127.0.0.1"], [f"127.0.0.1:{a}"], ["127.0.0.0/8"], [f"127.0.0.0/8:{a}"]):
            err = fails(srv.url("/hop"), config(allow_hosts=allowed))
            assert err.kind == "blocked-address" and f"port {b}" in str(err), (allowed, err)
            assert asyncio.run(fetch_many([FetchRequest(srv.url("/hop"))], config=config(
                allow_hosts=allowed)))[0].kind == "blocked-address"  # type: ignore[union-attr]
        assert other.hits["/secret"] == 0
        # a port named is that port only, for the first URL as for a redirect
        err = fails(srv.url("/feed"), config(allow_hosts=[f"127.0.0.1:{b}"]))
        assert err.kind == "blocked-address" and srv.hits["/feed"] == 1
        for allowed in ([f"127.0.0.1:{a}", f"127.0.0.1:{b}"], [f"127.0.0.1:{b}", "127.0.0.1"]):
            assert fetch(srv.url("/hop"), config=config(allow_hosts=allowed)).content == b"internal"
        assert asyncio.run(fetch_many([FetchRequest(srv.url("/hop"))], config=config(
            allow_hosts=["127.0.0.1", f"127.0.0.1:{b}"])))[0].content == b"internal"  # type: ignore[union-attr]
        # a name: the same rules (localhost resolves to loopback)
        url = f"http://localhost:{a}/hop"
        srv.redirect("/hop", f"http://localhost:{b}/secret")
        assert fails(url, config(allow_hosts=["localhost"])).kind == "blocked-address"
        assert fetch(url, config=config(allow_hosts=["localhost", f"LOCALHOST:{b}"])).content == b"internal"


def test_this_machines_names_are_one_host_for_the_source_urls_port(srv: TestServer) -> None:
    """A local feed's server redirecting ``127.0.0.1:P`` to ``localhost:P`` (or back) with both
    allowed is on the source's own port; another port of either name still must be named."""
    srv.set("/feed", b"feed")
    p = srv.port
    for path, first, hop in (("/a", f"http://127.0.0.1:{p}/a", f"http://localhost:{p}/feed"),
                             ("/b", f"http://localhost:{p}/b", f"http://127.0.0.1:{p}/feed")):
        srv.redirect(path, hop)
        assert fetch(first, config=config(allow_hosts=["127.0.0.1", "localhost"])).content == b"feed"
    # the hop must still be allowed: 127.0.0.1 by no entry of ``localhost`` alone
    assert fails(f"http://localhost:{p}/b", config(allow_hosts=["localhost"])).kind == "blocked-address"
    with TestServer() as other:
        other.set("/secret", b"internal")
        srv.redirect("/c", f"http://localhost:{other.port}/secret")
        err = fails(srv.url("/c"), config(allow_hosts=["127.0.0.1", "localhost"]))
        assert err.kind == "blocked-address" and f"port {other.port}" in str(err)
        assert other.hits["/secret"] == 0


def test_allow_hosts_entries_parse_ports_and_refuse_bad_ones() -> None:
    from digest.sources.netguard import parse_allow_entry

    assert parse_allow_entry("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_allow_entry("[::1]:8080") == ("::1", 8080)
    assert parse_allow_entry("::1") == ("::1", None)
    assert parse_allow_entry("[::1]") == ("::1", None)
    assert parse_allow_entry("fd00::/8") == ("fd00::/8", None)
    assert parse_allow_entry("10.0.0.0/8:443") == ("10.0.0.0/8", 443)
    assert parse_allow_entry("Intranet.Example.:8443") == ("intranet.example", 8443)
    policy = AddressPolicy(allow_hosts=["[::1]:8080", "10.0.0.0/8:9000", "fd00::/8"])
    origin = ("feed.example", 80)
    assert policy.address_ok("::1", 8080, "::1", origin) and not policy.address_ok("::1", 8081, "::1", origin)
    assert policy.address_ok("10.2.3.4", 9000, "x", origin) and not policy.address_ok("10.2.3.4", 80, "x", origin)
    assert policy.address_ok("fd00::5", 443, "x", origin) and not policy.address_ok("fd00::5", 8443, "x", origin)
    assert policy.address_ok("fd00::5", 8443, "fd00::5", ("fd00::5", 8443))  # the source's own port
    assert policy.address_ok("93.184.216.34", 6379, "x", origin)  # public: any port
    for bad in ("127.0.0.1:0", "127.0.0.1:65536", "host:http", "[::1]8080", "[::1", ":8080"):
        with pytest.raises(ValueError, match="allow_hosts entry"):
            parse_allow_entry(bad)
    with pytest.raises(ValueError, match="port must be 1 to 65535"):
        config(allow_hosts=["127.0.0.1:99999"])


def test_connects_to_the_checked_address_not_a_second_lookup(srv: TestServer) -> None:
    """DNS rebinding: the address that was checked is the one connected to."""
    srv.set("/feed", b"via checked address")
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["10.0.0.7", "127.0.0.1"]  # the private one must be skipped, not tried

    cfg = config()
    transport = GuardedTransport(cfg, resolver=resolver)
    r = fetch(f"http://feed.test:{srv.port}/feed", config=cfg, transport=transport)
    assert r.content == b"via checked address"
    assert srv.headers_of("/feed")[0]["Host"] == f"feed.test:{srv.port}"
    assert calls == ["feed.test"]
    transport.close()

    only_private = GuardedTransport(cfg, resolver=lambda h, p: ["10.0.0.7"])
    err = fails(f"http://rebind.test:{srv.port}/feed", cfg, transport=only_private)
    assert err.kind == "blocked-address"


def test_async_path_connects_to_checked_address(srv: TestServer) -> None:
    srv.set("/feed", b"async ok")
    cfg = config()

    async def run() -> list[FetchResult | FetchError]:
        transport = AsyncGuardedTransport(cfg, resolver=lambda h, p: ["10.0.0.7", "127.0.0.1"])
        try:
            reqs = [
                FetchRequest(f"http://feed.test:{srv.port}/feed"),
                FetchRequest(f"http://10.0.0.8:{srv.port}/feed"),
            ]
            return await fetch_many(reqs, config=cfg, transport=transport)
        finally:
            await transport.aclose()

    ok, blocked = asyncio.run(run())
    assert isinstance(ok, FetchResult) and ok.content == b"async ok"
    assert srv.headers_of("/feed")[0]["Host"] == f"feed.test:{srv.port}"
    assert isinstance(blocked, FetchError) and blocked.kind == "blocked-address"


def test_address_policy_classification() -> None:
    policy = AddressPolicy(allow_hosts=["192.168.5.0/24", "intranet.example"])
    for bad in [
        "10.1.2.3",
        "172.16.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "240.0.0.1",
    ]:
        assert not policy.address_ok(bad), bad
    for good in ["93.184.216.34", "2606:4700::1111", "192.168.5.9"]:
        assert policy.address_ok(good), good
    assert policy.host_exempt("Intranet.Example.")
    assert AddressPolicy(block_private=False).address_ok("10.0.0.1")


# -- status codes and cache headers ----------------------------------------------------


def test_gone(srv: TestServer) -> None:
    srv.set("/old", b"", status=410)
    err = fails(srv.url("/old"), source="Closed Paper")
    assert err.kind == "gone" and err.status == 410
    assert str(err).startswith("Closed Paper: ")


def test_429_retry_after_seconds_and_503_http_date(srv: TestServer) -> None:
    srv.set("/busy", b"", status=429, headers={"Retry-After": "120"})
    err = fails(srv.url("/busy"))
    assert (err.kind, err.status, err.retry_after) == ("http-429", 429, 120.0)

    when = datetime.now(UTC) + timedelta(seconds=600)
    srv.set("/down", b"", status=503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    err = fails(srv.url("/down"))
    assert err.kind == "http-503"
    assert err.retry_after is not None and 590 <= err.retry_after <= 600


def test_other_http_errors(srv: TestServer) -> None:
    srv.set("/e", b"oops", status=500)
    err = fails(srv.url("/e"))
    assert (err.kind, err.status, err.retry_after) == ("http-500", 500, None)
    assert fails(srv.url("/missing")).kind == "http-404"


def test_cache_control_max_age(srv: TestServer) -> None:
    srv.set("/c", b"x", headers={"Cache-Control": "public, max-age=900"})
    assert fetch(srv.url("/c"), config=config()).max_age == 900.0
    srv.set("/n", b"x")
    assert fetch(srv.url("/n"), config=config()).max_age is None


def test_parse_max_age_and_retry_after() -> None:
    now = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    h = httpx.Headers
    assert parse_max_age(h({"Cache-Control": "no-cache"})) == 0.0
    assert parse_max_age(h({"Cache-Control": "max-age=60", "Expires": "garbage"})) == 60.0
    assert parse_max_age(h({"Cache-Control": "max-age=999999999"})) == 7 * 24 * 3600
    assert parse_max_age(h({"Expires": "0"})) == 0.0
    expires = {"Expires": "Sat, 01 Jun 2024 13:00:00 GMT", "Date": "Sat, 01 Jun 2024 12:30:00 GMT"}
    assert parse_max_age(h(expires)) == 1800.0
    assert parse_max_age(h({"Expires": "Sat, 01 Jun 2024 12:10:00 GMT"}), now=now) == 600.0
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("99999999999") == 7 * 24 * 3600
    assert parse_retry_after("Sat, 01 Jun 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None


def test_header_numbers_in_other_digits_are_no_numbers(srv: TestServer) -> None:
    # "²" (byte 0xB2, read as Latin-1) passes str.isdigit() but not float(): the fetch died of
    # a ValueError ("unexpected ValueError" for every poll of a feed that is fine otherwise)
    srv.set("/busy", b"", status=503, headers={"Retry-After": "\u00b2"})
    err = fails(srv.url("/busy"), source="Odd")
    assert (err.kind, err.retry_after) == ("http-503", None)
    srv.set("/feed", b"<rss/>", headers={"Cache-Control": "max-age=\u00b2"})
    assert fetch(srv.url("/feed"), config=config()).max_age == 0.0
    results = asyncio.run(fetch_many([FetchRequest(srv.url("/feed"))], config=config()))
    assert isinstance(results[0], FetchResult) and results[0].max_age == 0.0
    assert parse_retry_after("\u0663") is None  # an Arabic-Indic 3: float() reads it, HTTP does not


def test_bad_urls_are_one_line_errors() -> None:
    for url, kind in [("ftp://example.com/feed", "url"), ("http://", "url"), ("not a url", "url")]:
        err = fails(url, source="Broken")
        assert err.kind == kind and str(err).startswith("Broken: ")


# -- injected transport ----------------------------------------------------------------


def test_injected_transport_is_still_policed_and_not_closed(srv: TestServer) -> None:
    srv.set("/feed", b"x")
    transport = httpx.HTTPTransport()
    err = fails(srv.url("/feed"), config(allow_hosts=[]), transport=transport)
    assert err.kind == "blocked-address" and srv.hits["/feed"] == 0
    for _ in range(2):  # reusable: fetch() does not close a caller's transport
        assert fetch(srv.url("/feed"), config=config(), transport=transport).content == b"x"
    transport.close()


# -- many sources at once --------------------------------------------------------------


def test_fetch_many_in_order_with_failures() -> None:
    with TestServer() as a, TestServer() as b, TestServer() as c:
        a.set("/ok", b"A", etag='"a"')
        b.set("/boom", b"", status=500)
        c.handle("/slow", delayed(Reply(b"C"), 1.0))
        requests = [
            FetchRequest(c.url("/slow"), source="slow"),
            FetchRequest(b.url("/boom"), source="boom"),
            FetchRequest(a.url("/ok"), source="ok"),
            FetchRequest("http://10.255.255.1/feed", source="lan"),
            FetchRequest(a.url("/ok"), etag='"a"', source="ok-again"),
            FetchRequest(c.url("/slow"), source="slow-2"),
            FetchRequest("no scheme here", source="typo"),
        ]
        cfg = config(per_host=10)
        t0 = time.monotonic()
        results = asyncio.run(fetch_many(requests, config=cfg))
        elapsed = time.monotonic() - t0

    assert len(results) == len(requests)
    slow, boom, ok, lan, again, slow2, typo = results
    assert isinstance(slow, FetchResult) and slow.content == b"C"
    assert isinstance(boom, FetchError) and boom.kind == "http-500" and boom.source == "boom"
    assert isinstance(ok, FetchResult) and ok.content == b"A" and ok.etag == '"a"'
    assert isinstance(lan, FetchError) and lan.kind == "blocked-address"
    assert isinstance(again, FetchResult) and again.status == 304
    assert isinstance(slow2, FetchResult) and slow2.content == b"C"
    assert isinstance(typo, FetchError) and typo.kind == "url" and typo.source == "typo"
    assert elapsed < 1.8  # the two slow ones ran side by side


def test_fetch_many_deadline_and_per_host_limit(srv: TestServer) -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def counted(req: Request) -> Reply:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        req.stopping.wait(0.25)
        with lock:
            state["now"] -= 1
        return Reply(b"ok")

    srv.handle("/p", counted)
    srv.handle("/drip", drip(b"x" * 100, interval=0.2))
    urls = [FetchRequest(srv.url("/p"))] * 4
    results = asyncio.run(fetch_many(urls, config=config(per_host=1)))
    assert all(isinstance(r, FetchResult) for r in results)
    assert state["max"] == 1

    state["max"] = 0
    many = [*urls, FetchRequest(srv.url("/drip"), source="drip")]
    t0 = time.monotonic()
    results = asyncio.run(fetch_many(many, config=config(per_host=8, deadline=1.0)))
    assert time.monotonic() - t0 < 2.5  # the drip alone would take 20 s
    assert state["max"] > 1
    drip_err = results[-1]
    assert isinstance(drip_err, FetchError) and drip_err.kind == "timeout"


# -- the bounded decoder on its own ----------------------------------------------------


def _decode(data: bytes, encoding: str, cap: int = MiB, step: int = 7) -> bytes:
    body = BoundedBody(cap, encoding)
    for i in range(0, len(data), step):  # tiny network chunks: headers split anywhere
        body.feed(data[i : i + step])
    return body.finish()


def test_bounded_body_gzip_members_junk_and_truncation() -> None:
    one, two = gzip.compress(b"first "), gzip.compress(b"second")
    assert _decode(one + two, "gzip") == b"first second"
    assert _decode(one + b"\x00\x00junk", "x-gzip") == b"first "
    text = random.Random(1).randbytes(50_000)
    cut = _decode(gzip.compress(text)[:-4000], "gzip")  # ends early: keep what decoded
    assert 0 < len(cut) < len(text) and text.startswith(cut)
    assert _decode(b"plain", "identity") == b"plain"
    with pytest.raises(BadEncoding):
        BoundedBody(MiB, "br")
    with pytest.raises(BadEncoding):
        BoundedBody(MiB, "gzip, gzip")
    with pytest.raises(BodyTooLarge):
        _decode(gzip.compress(bytes(5000)), "gzip", cap=4999, step=1000)
    assert _decode(gzip.compress(bytes(5000)), "gzip", cap=5000, step=1000) == bytes(5000)
