"""A daily reader's review (stop 52): what a feed reader and the archive's story page show.

Real parts: the Atom document parsed by feedparser (as a feed reader reads it), the archive
served over HTTP from a SQLite store on disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import lxml.html

from digest.config import load_config
from digest.output.atom import stories_atom
from digest.records import StoryView, VersionView
from tests.support.replays import replayed
from tests.support.web import site

DAY1 = datetime(2016, 1, 17, 12, tzinfo=UTC)
DAY3 = DAY1 + timedelta(days=2)
FIRST = ("Baton Rouge Police have charged a 17-year-old with negligent homicide in the city's latest "
         "shooting death. Investigators say the two friends were playing with a shotgun on a porch.")
ARREST = "A 17-year-old was arrested Saturday night in connection with the shooting death on Birch Street, police said."
FERRY = ("The passenger ferry Aurora ran aground on a sandbar near Kestrel Point early on Friday, and all 212 "
         "passengers were brought ashore safely, the Coastguard said. The vessel struck the bar in heavy fog.")
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


def test_a_developing_entry_under_a_line_cut_short_keeps_its_excerpt_whole() -> None:
    """A first sentence longer than a line of what is new is cut (" …"): the excerpt went on
    from where the line was cut, its paragraph opening mid-sentence ("Street, police said. He
    was ..."); it is whole, as the pages keep it under such a line (``newsline.after_line``)."""
    from digest.output.news import WHATS_NEW_CHARS, _cut

    long = ("A 17-year-old was arrested late on Saturday night in connection with the shooting death of "
            "his friend on the front porch of a house on Birch Street in the city's Mid City neighbourhood, "
            "where the two had been playing with a shotgun they believed was unloaded, police said.")
    assert len(long) > WHATS_NEW_CHARS
    old = VersionView("Outlet 1d", "Teen charged with negligent homicide", None, DAY1, FIRST)
    lead = VersionView("Outlet 48", "Teen arrested in fatal shooting", None, DAY3, long + " He was booked.", new=True)
    story = StoryView("s1", lead.title, lead, [old], first_seen=DAY1, status="developing", whats_new=_cut(long))
    paras = [p.text_content() for p in _content(story).iter("p")]
    assert paras[0] == "Developing: " + _cut(long)
    assert len(paras) == 2 and paras[1].startswith("A 17-year-old was arrested"), paras



def _times(page: str) -> list[str]:
    doc = lxml.html.document_fromstring(page)
    return [" ".join(t.text_content().split()) for t in doc.xpath("//main//span[@class='time']")]


def test_a_story_page_of_another_year_says_the_year_of_its_times(tmp_path: Path) -> None:
    """A story page reached from a search or the feed years on said "first seen Sun 17 Jan,
    12:00 UTC" and its versions "Tue 19 Jan": the year was left out as the year of the story's
    first digest, which the page does not show.  Its times now carry their year unless it is
    this one."""
    cfg = replayed(tmp_path, [
        {"id": "a1", "source": "Outlet 1d", "title": "Teen charged with negligent homicide", "text": FIRST,
         "published": "2016-01-17T12:00:00+00:00"},
        {"id": "b1", "source": "Outlet 48", "title": "Teen arrested in fatal shooting on Birch Street",
         "text": FIRST + " " + LATER, "published": "2016-01-19T12:00:00+00:00"},
    ])
    doc = json.loads((tmp_path / "out" / "digest-2016-01-19.json").read_text(encoding="utf-8"))
    [story] = doc["stories"]
    assert story["status"] == "developing"  # one story over the two days
    path = f"/story/{story['story_id']}"
    with site(load_config(cfg), clock=lambda: datetime(2026, 12, 6, 6, tzinfo=UTC)) as web:
        years_on = _times(web.get(path).text)
    # the nav's "Digest of Sunday, 17 January 2016", then "first reported", then each version's
    assert years_on[1:] == ["Sun, 17 Jan 2016, 12:00 UTC", "Tue, 19 Jan 2016, 12:00 UTC",
                            "Sun, 17 Jan 2016, 12:00 UTC"], years_on
    with site(load_config(cfg), clock=lambda: datetime(2016, 1, 20, 8, tzinfo=UTC)) as web:
        that_year = _times(web.get(path).text)
    assert that_year[1:] == ["Sun 17 Jan, 12:00 UTC", "Tue 19 Jan, 12:00 UTC", "Sun 17 Jan, 12:00 UTC"], that_year


def test_a_story_page_says_when_it_was_first_reported_not_when_digest_read_it(tmp_path: Path) -> None:
    """Read once a day at 20:00, a story of reports published at 07:40 and 10:20 said "first
    seen Fri 20 Nov, 20:00 UTC" on its page, above versions dated hours before: the poll's
    time.  The day pages say when it was first reported (stop 45); its page now does too."""
    title = "Ferry Aurora runs aground near Kestrel Point"
    cfg = replayed(tmp_path, [
        {"id": "h1", "source": "Harbor Herald", "title": title, "text": FERRY, "url": "https://h.example/1",
         "published": "2026-11-20T07:40:00Z", "arrived": "2026-11-20T20:00:00Z"},
        {"id": "m1", "source": "Metro Daily", "title": "Fog blamed as ferry grounds off Kestrel Point",
         "text": FERRY + " Fog was thick over the point all morning.", "url": "https://m.example/1",
         "published": "2026-11-20T10:20:00Z", "arrived": "2026-11-20T20:00:00Z"},
    ])
    doc = json.loads((tmp_path / "out" / "digest-2026-11-20.json").read_text(encoding="utf-8"))
    [story] = doc["stories"]
    with site(load_config(cfg), clock=lambda: datetime(2026, 11, 21, 8, tzinfo=UTC)) as web:
        page = web.get(f"/story/{story['story_id']}").text
    counts = " ".join(lxml.html.document_fromstring(page).find_class("counts")[0].text_content().split())
    assert counts == "2 versions from 2 outlets · first reported Fri 20 Nov, 07:40 UTC", counts


def test_a_feed_entrys_versions_are_timed_as_the_digest_times_them(tmp_path: Path) -> None:
    """The entry's list of versions said "(2026-11-20 07:40:00 UTC, lead)", in UTC, where the
    digest's pages say "Fri 20 Nov, 08:40 CET" in the reader's zone and locale: the feed now
    writes them as the pages do (the year where it is not this one), a date in another language
    marked as such."""
    title = "Ferry Aurora runs aground near Kestrel Point"
    cfg = replayed(tmp_path, [
        {"id": "h1", "source": "Harbor Herald", "title": title, "text": FERRY, "url": "https://h.example/1",
         "published": "2026-11-20T07:40:00Z", "arrived": "2026-11-20T08:00:00Z"},
    ])
    text = cfg.read_text(encoding="utf-8").replace("timezone: UTC", "timezone: Europe/Berlin")

    def entry_items(config: str, now: datetime) -> list[lxml.html.HtmlElement]:
        cfg.write_text(config, encoding="utf-8")
        with site(load_config(cfg), clock=lambda: now) as web:
            feed = feedparser.parse(web.get("/feed.atom").content)
        [entry] = feed.entries
        return list(lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div").iter("li"))

    [item] = entry_items(text, datetime(2026, 11, 21, 8, tzinfo=UTC))
    assert " ".join(item.text_content().split()) == f"Harbor Herald: {title} (Fri 20 Nov, 08:40 CET, lead)"
    [item] = entry_items(text, datetime(2027, 1, 2, 8, tzinfo=UTC))  # the feed read next year
    assert " ".join(item.text_content().split()) == f"Harbor Herald: {title} (Fri, 20 Nov 2026, 08:40 CET, lead)"
    [item] = entry_items(text + "locale: de_DE\n", datetime(2026, 11, 21, 8, tzinfo=UTC))
    [date] = item.xpath(".//span[@lang]")
    assert date.get("lang") == "de-DE" and " ".join(date.text_content().split()) == "Fr., 20. Nov., 08:40 CET"
