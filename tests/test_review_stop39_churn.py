"""Feeds that change under a reader who runs digest every day (review, stop 39).

Real parts: a feed on loopback HTTP whose body changes between runs, a SQLite store on
disk, ``App.run`` at each day's clock (as ``digest run`` with ``clock:``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.support.config import MakeApp
from tests.support.httpd import TestServer

LOOPBACK = "fetch:\n  allow_hosts: ['127.0.0.1']\n"
DAY1 = datetime(2026, 11, 5, 20, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)

STORIES = [
    ("Harbour crane collapses onto container ship at Port Corrin",
     "A gantry crane collapsed onto a container ship at Port Corrin on Wednesday morning, "
     "injuring two dock workers. The harbour master, Ellen Vasquez, said the crane's boom "
     "failed during a routine lift. Inspectors from the maritime safety agency arrived by "
     "noon and the berth was closed. The ship, the Nordic Star, was carrying timber."),
    ("Valley council approves new tram line to Eastfield",
     "The Valley council voted eleven to four on Tuesday night to build a tram line from the "
     "central station to Eastfield. Mayor Tomas Reyes called the vote historic. Construction "
     "is expected to start next spring and cost 240 million. Opponents said the money should "
     "have gone to buses and to repairing the ring road."),
    ("Northgate library reopens after two-year restoration",
     "The Northgate public library reopened on Saturday after a two-year restoration of its "
     "Victorian reading room. Librarian Amara Okafor said visitors queued from eight in the "
     "morning. The restored dome lets daylight into the hall again, and a new children's "
     "wing adds four thousand books to the collection."),
    ("Storm Idris cuts power to thousands along the west coast",
     "Storm Idris brought gusts of 130 kilometres an hour to the west coast overnight, cutting "
     "power to about 18,000 homes. The grid operator said crews would work through Sunday. "
     "Ferries between Kelby and the islands were cancelled and two coastal roads were shut "
     "by fallen trees near Marrow Point."),
]
PUBLISHED = datetime(2026, 11, 4, 9, tzinfo=UTC)


def rss(items: list[tuple[str, str, int, datetime]]) -> bytes:
    """An RSS 2.0 feed of (guid, link, story index, published)."""
    parts = "".join(
        f'<item><guid isPermaLink="false">{escape(guid)}</guid><link>{escape(link)}</link>'
        f"<title>{escape(STORIES[i][0])}</title><description>{escape(STORIES[i][1])}</description>"
        f"<pubDate>{format_datetime(pub)}</pubDate></item>"
        for guid, link, i, pub in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>'
            f"<link>https://site.example/</link><description>d</description>{parts}</channel></rss>").encode()


def serve(srv: TestServer, path: str, items: list[tuple[str, str, int, datetime]]) -> None:
    srv.set(path, rss(items), headers={"Content-Type": "application/rss+xml"})


def old_scheme(i: int) -> tuple[str, str, int, datetime]:
    return (f"http://site.example/?p={100 + i}", f"http://site.example/?p={100 + i}", i, PUBLISHED + timedelta(hours=i))


def new_scheme(i: int) -> tuple[str, str, int, datetime]:
    slug = f"https://site.example/2026/11/story-{i}/"
    return (slug, slug + "?utm_source=rss", i, PUBLISHED + timedelta(hours=i))


def test_a_site_that_moves_to_new_ids_and_links_shows_only_its_new_story_the_next_day(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """Every item's guid and link change (http to https, ?p=N to slugs), the texts stay:
    the next digest shows the one new story, not the three read yesterday again (they were
    each an "also reported since" line naming the outlet already shown)."""
    with TestServer() as srv:
        serve(srv, "/feed.xml", [old_scheme(i) for i in range(3)])
        with make_app(tmp_path, {"Site": srv.url("/feed.xml")}, LOOPBACK) as app:
            assert app.run(now=DAY1).new_articles == 3
            assert len(app.build_view(DAY1.date()).stories) == 3
            serve(srv, "/feed.xml", [new_scheme(i) for i in range(4)])
            assert app.run(now=DAY2).new_articles == 4  # stored: nothing is lost
            view = app.build_view(DAY2.date())
    assert [s.lead.title for s in view.stories] == [STORIES[3][0]]
    assert view.stories[0].status == "new"
    assert view.articles_read == 4 and view.duplicates_collapsed == 3


def test_an_item_republished_under_a_new_guid_days_later_is_not_shown_again(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A feed takes an item down and puts it back as a new entry (new guid and link, the date
    bumped), word for word: the reader read it; the day is empty."""
    with TestServer() as srv:
        serve(srv, "/feed.xml", [old_scheme(i) for i in range(3)])
        with make_app(tmp_path, {"Site": srv.url("/feed.xml")}, LOOPBACK) as app:
            app.run(now=DAY1)
            later = DAY1 + timedelta(days=4)
            back = ("repost-1", "http://site.example/?p=901", 1, later - timedelta(hours=3))
            serve(srv, "/feed.xml", [old_scheme(0), back, old_scheme(2)])
            assert app.run(now=later).new_articles == 1
            view = app.build_view(later.date())
    assert view.stories == [] and view.duplicates_collapsed == 1


def test_an_outlets_two_items_under_one_title_with_other_texts_are_both_shown(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """Guard: a repeat is the same title *and* text; an outlet's recurring headline over
    another text (a second update under one title) is news."""
    with TestServer() as srv:
        items = [old_scheme(0)]
        serve(srv, "/feed.xml", items)
        with make_app(tmp_path, {"Site": srv.url("/feed.xml")}, LOOPBACK) as app:
            app.run(now=DAY1)
            update = rss([old_scheme(0)]).replace(
                b"</channel>",
                f'<item><guid isPermaLink="false">u2</guid><link>http://site.example/?p=999</link>'
                f"<title>{escape(STORIES[0][0])}</title><description>{escape(STORIES[0][1])} Port "
                f"officials said on Thursday that a third worker, a crane operator, had died in "
                f"hospital overnight, and the berth will stay closed until Monday.</description>"
                f"<pubDate>{format_datetime(DAY2 - timedelta(hours=2))}</pubDate></item></channel>".encode(),
            )
            srv.set("/feed.xml", update, headers={"Content-Type": "application/rss+xml"})
            assert app.run(now=DAY2).new_articles == 1
            view = app.build_view(DAY2.date())
    assert len(view.stories) == 1 and view.stories[0].status == "developing"


def test_one_feed_listed_twice_with_a_tracking_query_shows_each_story_once(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """``feed.xml`` and ``feed.xml?utm_source=x`` are one feed (the configuration warns, and
    the file still loads): each page is stored through both, and listed once."""
    with TestServer() as srv:
        serve(srv, "/feed.xml", [old_scheme(i) for i in range(3)])
        sources = {"Site": srv.url("/feed.xml"), "Site again": srv.url("/feed.xml?utm_source=x")}
        with make_app(tmp_path, sources, LOOPBACK) as app:
            assert app.run(now=DAY1).new_articles == 6
            view = app.build_view(DAY1.date())
    assert len(view.stories) == 3
    assert all(s.also == [] for s in view.stories), [(s.lead.source, [v.source for v in s.also]) for s in view.stories]
    assert view.articles_read == 6 and view.duplicates_collapsed == 3


def test_a_feed_that_read_fine_and_now_lists_no_entries_says_so_once_and_keeps_its_stories(
    tmp_path: Path, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    """After days of good data the feed is well-formed and empty (a generator that broke):
    not a failure, nothing stored is lost, and one line names the source, once; ``digest
    sources`` keeps it while it lasts, and the feed's entries back are no news."""
    empty = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>'
             b"<link>https://site.example/</link><description>d</description></channel></rss>")
    with TestServer() as srv:
        serve(srv, "/feed.xml", [old_scheme(i) for i in range(3)])
        with make_app(tmp_path, {"Site": srv.url("/feed.xml")}, LOOPBACK) as app:
            app.run(now=DAY1)
            srv.set("/feed.xml", empty, headers={"Content-Type": "application/rss+xml"})
            caplog.clear()
            with caplog.at_level(logging.WARNING):
                report = app.run(now=DAY2)
                again = app.run(now=DAY2 + timedelta(hours=1))
            said = [r.getMessage() for r in caplog.records if "no entries" in r.getMessage()]
            state = app.store.get_source_state("Site")
            assert report.errors == [] and again.errors == []
            assert said == ["Site: the feed lists no entries now (its stored articles are kept)"]
            assert state is not None and "no entries" in str(state)
            assert len(app.build_view(DAY1.date()).stories) == 3  # kept
            serve(srv, "/feed.xml", [old_scheme(i) for i in range(3)])
            assert app.run(now=DAY2 + timedelta(hours=2)).new_articles == 0
            state = app.store.get_source_state("Site")
            assert state is not None and state.note is None


def test_the_daemons_poll_round_says_an_emptied_feed_once_too(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The daemon reads fetched feeds in its own round (``service.pollround``): the same note."""
    import random

    from digest.app import open_app
    from digest.service.daemon import Daemon
    from tests.support.daemon import Clock, loopback_config

    with TestServer() as srv:
        serve(srv, "/feed.xml", [old_scheme(i) for i in range(3)])
        cfg_path = loopback_config(tmp_path, srv, {"Site": "/feed.xml"}, schedule={"poll_minutes": 1})
        clock = Clock()
        with open_app(cfg_path) as app:
            d = Daemon(app, rng=random.Random(3), clock=clock)
            assert d.poll_due().new_articles == 3
            srv.set("/feed.xml", rss([]), headers={"Content-Type": "application/rss+xml"})
            with caplog.at_level(logging.WARNING):
                for _ in range(2):
                    clock.now += timedelta(minutes=2)
                    assert d.poll_due().errors == []
            said = [r.getMessage() for r in caplog.records if "no entries" in r.getMessage()]
            state = app.store.get_source_state("Site")
    assert said == ["Site: the feed lists no entries now (its stored articles are kept)"]
    assert state is not None and state.note == said[0].removeprefix("Site: ")
