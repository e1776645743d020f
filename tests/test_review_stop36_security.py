"""Review (stop 36), security: what a hostile feed can make digest fetch, read or show.

Real parts: loopback HTTP servers (``tests.support.httpd``), SQLite on disk, the App's
whole run.  The "internal service" is a second loopback server the feed's author should
never reach; the "public" origin of a link is a public IP literal that is only judged,
never contacted (no traffic leaves loopback).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from digest.app import App
from digest.config import FetchConfig
from digest.errors import FetchError, ParseError
from digest.sources.addresses import AddressPolicy, BlockedAddress, check_host, origin_of
from digest.sources.discover import read_feed
from digest.sources.feeds import parse_feed
from digest.sources.fetch import FetchRequest, fetch, fetch_many
from tests.support.config import MakeApp
from tests.support.httpd import TestServer
from tests.test_fulltext import page, story

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
#: The internal page: an article by its length and words (the hostile entries carry its
#: title), whose last paragraph must never reach the store or the digest.
SECRET_TITLE, SECRET_PARAS = story("quake_a1")
SECRET = "Anna Berg said more than 40 aftershocks"
assert SECRET in SECRET_PARAS[-1]
#: Never contacted: only judged as the public origin of a link.
PUBLIC = "https://93.184.216.34/feed.xml"


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (link, title, summary)."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<description>{escape(s)}</description><pubDate>Tue, 10 Nov 2026 08:00:00 GMT</pubDate></item>"
        for link, t, s in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


def stored_text(app: App) -> str:
    rows = app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))
    return "\n".join(f"{r.title}\n{r.text}" for r in rows)


@pytest.fixture
def internal() -> Iterator[TestServer]:
    """A service on loopback that no feed may make digest read (its page would pass for the
    article: long, and holding the words of the hostile entries' titles)."""
    with TestServer() as srv:
        srv.set("/secret", page(SECRET_TITLE, SECRET_PARAS), headers={"Content-Type": "text/html"})
        yield srv


# -- SSRF: full text of item links ---------------------------------------------------------


def test_an_intranet_feeds_links_reach_its_own_host_and_port_only(
    tmp_path: Path, make_app: MakeApp, internal: TestServer
) -> None:
    """``allow_hosts: [127.0.0.1]`` for the user's intranet feed on 127.0.0.1:A: its items'
    pages on 127.0.0.1:A are read, a link to another port (directly, by a name resolving to
    loopback, or through a redirect) is not: the port rule is judged against the source's
    URL, not against the link the feed gave."""
    with TestServer() as feed:
        own_title, own_paras = story("council_a")
        feed.set("/page", page(own_title, own_paras), headers={"Content-Type": "text/html"})
        feed.redirect("/hop", internal.url("/secret"))
        links = [
            (feed.url("/page"), own_title, own_paras[0][:100]),
            *((link, f"{SECRET_TITLE} {n}", "") for n, link in enumerate([
                internal.url("/secret"),
                f"http://localhost:{internal.port}/secret",
                f"http://[::1]:{internal.port}/secret",
                feed.url("/hop"),
            ])),
        ]
        feed.set("/feed.xml", rss(links), headers={"Content-Type": "application/rss+xml"})
        sources = f"  - name: Intranet\n    url: {feed.url('/feed.xml')}\n    full_text: true\n"
        with make_app(tmp_path, sources, fetch={"allow_hosts": ["127.0.0.1", "localhost", "::1"]}) as app:
            app.run(now=NOW)
            text = stored_text(app)
        assert feed.hits["/page"] == 1 and own_paras[-1][:60] in text
        assert internal.hits["/secret"] == 0
        assert SECRET not in text


def test_a_local_feed_files_links_are_judged_as_from_the_public_internet(
    tmp_path: Path, make_app: MakeApp, internal: TestServer
) -> None:
    """A feed file names no host: its links reach no private address, whatever allow_hosts
    lets the configured URL sources reach."""
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "hostile.rss").write_bytes(rss([(internal.url("/secret"), SECRET_TITLE, "")]))
    sources = "  - name: Dropped\n    path: drop\n    full_text: true\n"
    with make_app(tmp_path, sources, fetch={"allow_hosts": ["127.0.0.1", f"127.0.0.1:{internal.port}"]}) as app:
        app.run(now=NOW)
        assert SECRET not in stored_text(app)
    assert internal.hits["/secret"] == 0


@pytest.mark.parametrize("many", [False, True], ids=["fetch", "fetch_many"])
def test_a_link_from_a_public_origin_reaches_no_private_address(internal: TestServer, many: bool) -> None:
    """Even a host:port that allow_hosts names is refused for a link whose origin (the URL the
    user configured) is public; the same link from a loopback origin is read."""
    cfg = FetchConfig(allow_hosts=["127.0.0.1", f"127.0.0.1:{internal.port}"])
    url = internal.url("/secret")

    def get(origin: str) -> object:
        if many:
            return asyncio.run(fetch_many([FetchRequest(url, origin=origin)], config=cfg))[0]
        try:
            return fetch(url, config=cfg, origin=origin)
        except FetchError as exc:
            return exc

    for origin in (PUBLIC, ""):  # "": a local file's link, no host of its own
        err = get(origin)
        assert isinstance(err, FetchError) and err.kind == "blocked-address", err
        assert "reached from" in err.problem and "allow_hosts" not in err.problem
    assert internal.hits["/secret"] == 0
    ok = get("http://127.0.0.1:1/feed.xml")
    assert not isinstance(ok, FetchError) and SECRET.encode() in (ok.content or b"")  # type: ignore[attr-defined]


def test_the_policy_refuses_every_private_kind_from_a_public_origin_and_no_connection_is_made() -> None:
    """Metadata, loopback v4/v6, the unspecified address, a name resolving to loopback: each
    allowed for the user's own intranet sources, each refused as a hop of a public origin
    (a redirect, an item link); the public origin is resolved by the same resolver."""
    names = {"news.example": ["93.184.216.34"], "rebind.example": ["127.0.0.1"], "intranet.lan": ["10.0.0.2"]}

    def resolver(host: str, port: int) -> list[str]:
        return names[host]

    policy = AddressPolicy(allow_hosts=["127.0.0.0/8", "169.254.0.0/16", "::1", "0.0.0.0", "10.0.0.0/8"])
    public, intranet = origin_of("news.example", 443), origin_of("intranet.lan", 80)
    for host in ("169.254.169.254", "127.0.0.1", "::1", "0.0.0.0", "rebind.example", "10.0.0.9"):
        with pytest.raises(BlockedAddress, match="public"):
            check_host(policy, host, 80, resolver, public)
        assert check_host(policy, host, 80, resolver, intranet)
    assert check_host(policy, "news.example", 443, resolver, public) == ["93.184.216.34"]
    # a public origin that cannot be resolved is not taken for a private one
    with pytest.raises(BlockedAddress):
        check_host(policy, "127.0.0.1", 80, lambda h, p: [], origin_of("gone.example", 80))


def test_a_feed_a_page_links_is_judged_as_a_link_from_the_page(internal: TestServer) -> None:
    """Autodiscovery follows a link the page's author wrote: from a page on 127.0.0.1:A
    (``allow_hosts: [127.0.0.1]``) a "feed" on another port of loopback is not fetched; the
    same page's feed on its own host and port is."""
    cfg = FetchConfig(allow_hosts=["127.0.0.1"])
    with TestServer() as site:
        site.set("/feed.xml", rss([("https://example.com/a", "A title", "A summary")]),
                 headers={"Content-Type": "application/rss+xml"})
        for href, ok in ((internal.url("/secret"), False), (site.url("/feed.xml"), True)):
            site.set("/", f'<html><head><link rel="alternate" type="application/rss+xml" href="{href}">'
                          "</head><body>Home</body></html>", headers={"Content-Type": "text/html"})
            page_result = fetch(site.url("/"), config=cfg)
            if ok:
                entries, feed = read_feed(page_result, source="Site", config=cfg, fetched=NOW)
                assert feed is not None and [e.title for e in entries] == ["A title"]
            else:
                with pytest.raises(FetchError, match="not allowed on port"):
                    read_feed(page_result, source="Site", config=cfg, fetched=NOW)
    assert internal.hits["/secret"] == 0


# -- local folders: a link out of the folder ----------------------------------------------


def test_a_folder_source_reads_no_file_a_symlink_leads_out_to(tmp_path: Path, make_app: MakeApp) -> None:
    """A folder others can write to (a sync, a download tool's drop) must not make digest read
    the user's own files: a symlink to a file outside the folder is one line, not an article;
    a symlink to a file inside it is read."""
    private = tmp_path / "home"
    private.mkdir()
    (private / "credentials.txt").write_text("Bank login\nThe password is hunter2 and the PIN is 4321.\n")
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    (drop / "sub" / "note.txt").write_text("Harbour note\nThe harbour wall is repaired by Friday.\n")
    (drop / "leak.txt").symlink_to(private / "credentials.txt")
    (drop / "up.md").symlink_to(Path("..") / "home" / "credentials.txt")  # relative, same target
    (drop / "alias.txt").symlink_to(Path("sub") / "note.txt")
    with make_app(tmp_path, {"Drop": drop}) as app:
        report = app.run(now=NOW)
        text = stored_text(app)
        note = (app.store.get_source_state("Drop") or pytest.fail("no state")).note or ""
    assert "hunter2" not in text and "harbour wall is repaired" in text
    shown = " ".join(str(e) for e in report.errors) + note
    assert "leak.txt" in shown and "up.md" in shown and "outside the folder" in shown


# -- XML: one element with a huge number of attributes ------------------------------------


@pytest.mark.parametrize("broken", [False, True], ids=["well-formed", "ill-formed"])
def test_an_element_with_hundreds_of_thousands_of_attributes_is_refused_at_once(broken: bool) -> None:
    """feedparser looks each attribute up by a linear search of the element's attributes:
    20,000 on one element took 7 s, the 1.5 million a 15 MiB response holds would take hours
    of one core (a whole run, or the daemon's round, held up by one hostile feed)."""
    attrs = " ".join(f'a{i}="v"' for i in range(40_000))
    tail = "<p>&bogus;" if broken else ""
    data = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item {attrs}>'
            f"<title>x</title><link>https://example.com/1</link></item>{tail}</channel></rss>").encode()
    t0 = time.monotonic()
    with pytest.raises(ParseError, match="40000 attributes"):
        parse_feed(data, source="Hostile", url="https://example.com/feed", fetched=NOW)
    assert time.monotonic() - t0 < 2.0
    # a feed with many attributes over many elements (an ordinary long feed) is read
    many = "".join(f'<item><title a="1" b="2" c="3">t{i}</title><guid isPermaLink="false">g{i}</guid></item>'
                   for i in range(3000))
    ok = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{many}</channel></rss>'.encode()
    assert len(parse_feed(ok, source="Long", fetched=NOW)) == 3000
