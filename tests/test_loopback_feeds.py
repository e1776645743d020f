"""A feed served on this machine (a user's own scraper, an RSS bridge) listed under two of the
machine's names for itself: ``localhost``, ``127.0.0.1``, ``[::1]``.

Left alone at stop 39: one feed under ``http://localhost:8080/feed`` and
``http://127.0.0.1:8080/feed/`` was two feeds to ``identity.feed_key``: no warning when the
configuration loaded, and each of its stories listed its one page twice, as two outlets.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from digest.text.identity import feed_key
from tests.support.config import MakeApp, make_config
from tests.support.fixtures import NOW
from tests.support.httpd import TestServer
from tests.test_pipeline import FAKE, REAL, feed


@pytest.mark.parametrize("a, b", [
    ("http://localhost:8080/feed", "http://127.0.0.1:8080/feed/"),
    ("http://[::1]:8080/feed", "http://localhost:8080/feed"),
    ("http://127.0.0.1/feed", "https://localhost/feed"),
])
def test_the_machines_names_for_itself_are_one_feed(a: str, b: str) -> None:
    assert feed_key(a) == feed_key(b)


@pytest.mark.parametrize("a, b", [
    ("http://localhost:8080/feed", "http://127.0.0.1:9090/feed"),  # another port: another server
    ("http://localhost/feed", "http://localhost.example/feed"),  # a host named so
    ("http://127.0.0.1/feed", "http://127.0.0.2/feed"),  # another address
    ("http://localhost:8080/feed", "http://localhost:8080/feed?section=sport"),
])
def test_other_servers_on_the_machine_stay_other_feeds(a: str, b: str) -> None:
    assert feed_key(a) != feed_key(b)


def test_one_local_feed_under_two_names_is_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sources = ("  - name: Bridge\n    url: http://localhost:8080/feed\n"
               "  - name: Bridge (by address)\n    url: http://127.0.0.1:8080/feed/\n"
               "  - name: Other bridge\n    url: http://127.0.0.1:9090/feed\n")
    with caplog.at_level(logging.WARNING):
        cfg = make_config(tmp_path, sources, write=True)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(cfg.sources) == 3 and len(said) == 1, said
    assert "'Bridge'" in said[0] and "'Bridge (by address)'" in said[0] and "Other" not in said[0]


def test_one_local_feed_read_under_two_names_lists_each_page_once(tmp_path: Path, make_app: MakeApp) -> None:
    items = [(*REAL, "https://town.example/rates"), (*FAKE, "https://town.example/fake")]
    with TestServer() as srv:
        srv.set("/town.rss", feed(items), headers={"Content-Type": "application/rss+xml"})
        sources = (f"  - name: Town feed\n    url: {srv.url('/town.rss')}\n"
                   f"  - name: Town again\n    url: {srv.url('/town.rss').replace('127.0.0.1', 'localhost')}\n")
        extra = "fetch:\n  allow_hosts: ['127.0.0.1', 'localhost', '::1']\n"
        with make_app(tmp_path, sources, extra) as app:
            report = app.run(now=NOW)
            assert report.errors == [] and report.new_articles == 4  # both read: a warning, not a refusal
            view = app.build_view(NOW.date())
    assert len(view.stories) == 2 and all(not s.also and s.outlets == 1 for s in view.stories)
    assert view.duplicates_collapsed == 2
