"""Feed autodiscovery against a real HTTP server on loopback: a page is followed to the feed
it links (``digest run`` and the daemon alike), a page linking none says it is a page."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest

from digest.app import open_app
from digest.cli import main
from digest.service.daemon import Daemon
from digest.sources.discover import feed_links, is_html_page
from tests.support.daemon import Clock, loopback_config, rss
from tests.support.httpd import TestServer

SITE = b"""<!DOCTYPE html>
<html><head><title>Coast</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="Coast" href="/feeds/main.xml">
<link rel="alternate" type="application/rss+xml" title="Comments" href="/feeds/comments.xml">
</head><body><p>Welcome</p></body></html>"""
PLAIN = b"""<!doctype html>\n<html><head><title>No feed here</title></head><body>hi</body></html>"""


def test_links_are_found_in_order_and_resolved() -> None:
    assert feed_links(SITE, "http://h.test/blog/") == [
        "http://h.test/feeds/main.xml", "http://h.test/feeds/comments.xml"]
    page = (b'<html><head><base href="https://cdn.test/x/"><LINK REL="Alternate feed" '
            b'TYPE="application/atom+xml; charset=utf-8" HREF="atom"><link rel=alternate '
            b'type=application/feed+json href=/f.json><link rel="alternate" type="text/html" href="/o">'
            b'<link rel="alternate" type="application/rss+xml" href="javascript:x()"></head></html>')
    assert feed_links(page, "http://h.test/") == ["https://cdn.test/x/atom", "https://cdn.test/f.json"]
    assert is_html_page(SITE) and is_html_page(PLAIN)
    assert not is_html_page(rss("x", range(1)))
    # a feed whose description holds escaped-or-not HTML is still a feed
    assert not is_html_page(b'<?xml version="1.0"?><rss version="2.0"><channel><description><html>'
                            b"</description></channel></rss>")


def test_a_page_is_followed_to_its_feed_and_sources_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv:
        srv.set("/", SITE, headers={"Content-Type": "text/html; charset=utf-8"})
        srv.set("/feeds/main.xml", rss("coast", range(3)), headers={"Content-Type": "application/rss+xml"},
                etag='"v1"')
        srv.set("/plain", PLAIN, headers={"Content-Type": "text/html"})
        cfg = loopback_config(tmp_path, srv, {"Coast": "/", "Plain": "/plain"})
        with open_app(cfg) as app:
            report = app.run()
            assert report.new_articles == 3
            assert [str(e) for e in report.errors] == [
                f"Plain: {srv.url('/plain')} is an HTML page, not a feed, and links no feed "
                '(<link rel="alternate" type="application/rss+xml" ...>): give the feed\'s URL']
            state = app.store.get_source_state("Coast")
            assert state is not None and state.permanent_url == srv.url("/feeds/main.xml")
            assert state.etag == '"v1"'  # the feed's validators, not the page's
            # from now on the feed itself is asked, conditionally
            again = app.run()
            assert again.not_modified == 1 and srv.hits["/"] == 1 and srv.hits["/feeds/main.xml"] == 2
        assert main(["sources", "--config", str(cfg)]) == 0
        out = capsys.readouterr().out
        assert f"reads {srv.url('/feeds/main.xml')}" in out
        plain = next(line for line in out.splitlines() if line.startswith("Plain:"))
        assert "; last error: " in plain and "is an HTML page, not a feed" in plain
        assert plain.count("Plain") == 1


def test_the_daemon_follows_a_page_too(tmp_path: Path) -> None:
    with TestServer() as srv:
        srv.set("/", SITE, headers={"Content-Type": "text/html"})
        srv.set("/feeds/main.xml", rss("coast", range(2)))
        cfg = loopback_config(tmp_path, srv, {"Coast": "/"})
        with open_app(cfg) as app:
            report = Daemon(app, rng=random.Random(1)).poll_due()
            assert report.new_articles == 2 and not report.errors
            state = app.store.get_source_state("Coast")
            assert state is not None and state.permanent_url == srv.url("/feeds/main.xml")


MAINTENANCE = b"""<!DOCTYPE html>
<html><head><title>Down for maintenance</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body><p>Back soon.</p></body></html>"""


@pytest.mark.parametrize("kind", ["run", "daemon"])
def test_a_feed_read_before_that_gives_a_page_is_not_called_a_wrong_url(tmp_path: Path, kind: str) -> None:
    """A working feed that serves a maintenance page or a login wall is no wrong URL: the
    error says it gave a page instead of its feed and will be retried (it said to give the
    feed's URL).  A new location, never read, is told to give the feed's URL as before."""
    with TestServer() as srv:
        srv.set("/feed.xml", rss("coast", range(2)))
        cfg = loopback_config(tmp_path, srv, {"Coast": "/feed.xml"})
        clock = Clock()
        with open_app(cfg) as app:
            daemon = Daemon(app, rng=random.Random(1), clock=clock)

            def poll() -> list[str]:
                if kind == "run":
                    return [str(e) for e in app.run().errors]
                clock.now += timedelta(hours=7)  # past any backoff
                return [str(e) for e in daemon.poll_due().errors]

            assert poll() == []
            url = srv.url("/feed.xml")
            for page in (PLAIN, MAINTENANCE):  # linking no feed; linking the feed itself (a site template)
                srv.set("/feed.xml", page, headers={"Content-Type": "text/html"})
                assert poll() == [
                    f"Coast: {url} returned an HTML page instead of its feed (perhaps down for maintenance, "
                    "or a login page); it read fine before and will be retried"]
        # the configuration names another location: it was never read, and is no feed
        srv.set("/plain", PLAIN, headers={"Content-Type": "text/html"})
        cfg = loopback_config(tmp_path, srv, {"Coast": "/plain"})
        with open_app(cfg) as app:
            daemon = Daemon(app, rng=random.Random(1), clock=clock)
            app.store.sync_sources([("Coast", srv.url("/plain"))])  # as run and the daemon's start do
            assert poll() == [
                f"Coast: {srv.url('/plain')} is an HTML page, not a feed, and links no feed "
                '(<link rel="alternate" type="application/rss+xml" ...>): give the feed\'s URL']


@pytest.mark.parametrize("kind", ["run", "daemon"])
def test_a_working_feed_giving_a_page_that_links_another_feed_keeps_its_url(tmp_path: Path, kind: str) -> None:
    """A working feed whose location serves the site's page for a while (its template links
    the comments feed) is not moved there for good: the page is not followed, the error
    names the feed it links, and when the feed is back it is read at its own URL."""
    with TestServer() as srv:
        srv.set("/feed.xml", rss("coast", range(2)))
        srv.set("/feeds/main.xml", rss("comments", range(3)))
        cfg = loopback_config(tmp_path, srv, {"Coast": "/feed.xml"})
        clock = Clock()
        with open_app(cfg) as app:
            daemon = Daemon(app, rng=random.Random(1), clock=clock)

            def poll() -> tuple[int, list[str]]:
                if kind == "run":
                    report = app.run()
                else:
                    clock.now += timedelta(hours=7)  # past any backoff
                    report = daemon.poll_due()
                return report.new_articles, [str(e) for e in report.errors]

            assert poll() == (2, [])
            url = srv.url("/feed.xml")
            srv.set("/feed.xml", SITE, headers={"Content-Type": "text/html"})
            assert poll() == (0, [
                f"Coast: {url} returned an HTML page instead of its feed (perhaps down for maintenance, "
                f"or a login page); it read fine before and will be retried (the page links "
                f"{srv.url('/feeds/main.xml')}: if the feed moved there, give that URL)"])
            assert srv.hits.get("/feeds/main.xml", 0) == 0
            state = app.store.get_source_state("Coast")
            assert state is not None and state.permanent_url in (None, url)
            srv.set("/feed.xml", rss("coast", range(4)))  # back, two entries more
            assert poll() == (2, [])


def test_a_json_feed_whose_content_is_a_whole_html_document_is_read_as_a_feed(tmp_path: Path) -> None:
    # Some generators put each post's whole HTML document in content_html: its <html> in the
    # first 4 KB, before any XML feed root, made the JSON Feed "an HTML page, not a feed"
    item = {"id": "1", "url": "https://blog.example/1", "title": "Harbour wall falls",
            "content_html": "<html><head><title>x</title></head><body><p>The wall fell.</p></body></html>"}
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Blog", "items": [item]}
    data = json.dumps(doc).encode()
    assert not is_html_page(data) and not is_html_page(b"\xef\xbb\xbf\n  " + data)
    with TestServer() as srv:
        srv.set("/feed.json", data, headers={"Content-Type": "application/feed+json"})
        with open_app(loopback_config(tmp_path, srv, {"Blog": "/feed.json"})) as app:
            report = app.run()
    assert report.errors == [] and report.new_articles == 1
