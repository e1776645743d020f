"""A daily reader's review (stop 52): what a feed reader and the archive's story page show.

Real parts: the Atom document parsed by feedparser (as a feed reader reads it), the archive
served over HTTP from a SQLite store on disk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import lxml.html

from digest.output.atom import stories_atom
from digest.records import StoryView, VersionView

DAY1 = datetime(2016, 1, 17, 12, tzinfo=UTC)
DAY3 = DAY1 + timedelta(days=2)
FIRST = ("Baton Rouge Police have charged a 17-year-old with negligent homicide in the city's latest "
         "shooting death. Investigators say the two friends were playing with a shotgun on a porch.")
ARREST = "A 17-year-old was arrested Saturday night in connection with the shooting death on Birch Street, police said."
LATER = (ARREST + " He was booked into the parish prison on a charge of negligent homicide, the police "
         "department said. The two were playing with a shotgun on the front porch when it went off.")


def _content(story: StoryView) -> lxml.html.HtmlElement:
    text = stories_atom([story], title="t", feed_url="https://n.example/feed.atom", site_url="https://n.example/",
                        updated=DAY3 + timedelta(hours=12))
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.get("bozo_exception")
    [entry] = feed.entries
    return lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")


def test_a_feed_readers_entry_shows_the_lead_excerpt_in_its_content() -> None:
    """A feed reader shows an entry's ``content`` (NetNewsWire, Miniflux, Feedly, Thunderbird)
    and the ``summary`` only when there is none: the excerpt was in the summary alone, so the
    reader saw a list of outlets and raw times and not one sentence of the story."""
    lead = VersionView("Outlet 1d", "Teen charged with negligent homicide", None, DAY1, FIRST)
    story = StoryView("s1", lead.title, lead, [], first_seen=DAY1, status="new")
    body = _content(story)
    paras = [p.text_content() for p in body.iter("p")]
    assert paras == [FIRST], paras
    assert body.find(".//li") is not None  # the outlets' list is still there


def test_a_developing_entry_does_not_say_its_line_twice() -> None:
    """The new version leads and its first sentence is the line of what is new: the content
    says it once ("Developing: ..."), the excerpt going on from the next sentence."""
    old = VersionView("Outlet 1d", "Teen charged with negligent homicide", None, DAY1, FIRST)
    lead = VersionView("Outlet 48", "Teen arrested in fatal shooting on Birch Street", None, DAY3, LATER, new=True)
    story = StoryView("s1", lead.title, lead, [old], first_seen=DAY1, status="developing", whats_new=ARREST)
    body = _content(story)
    paras = [p.text_content() for p in body.iter("p")]
    assert paras[0] == "Developing: " + ARREST
    assert len(paras) == 2 and paras[1].startswith("He was booked into the parish prison"), paras
    assert body.text_content().count("arrested Saturday night") == 1
