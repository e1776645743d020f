"""What a reader sees of a feed entry (stop 33): the link, the title, the text and the date
chosen among the fields real publishers write."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from digest.articles import article_key_of
from digest.sources.feeds import parse_feed
from digest.text.prepare import prepare

FETCHED = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _rss(items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Pub</title><link>https://pub.example/</link>{items}</channel></rss>"
    ).encode()


def test_a_feedburner_entry_links_to_its_original_page_not_the_redirect() -> None:
    # As w3c-feedvalidator's rss/must/atom_link.xml (rss-world.info): <link> is FeedBurner's
    # redirect, feedburner:origLink the publisher's page.
    data = _rss(
        "<item><title>Harbour wall repaired</title>"
        "<link>http://feeds.feedburner.com/~r/pub/~3/Xy12/</link>"
        "<feedburner:origLink>https://pub.example/2026/11/harbour-wall</feedburner:origLink>"
        '<guid isPermaLink="false">pub-141</guid><description>The wall is repaired.</description></item>'
    )
    (entry,) = parse_feed(data, source="Pub", url="https://feeds.feedburner.com/pub", fetched=FETCHED)
    assert entry.url == "https://pub.example/2026/11/harbour-wall"
    assert entry.entry_id == "pub-141"


def test_a_bad_orig_link_leaves_the_feeds_link() -> None:
    data = _rss(
        "<item><title>T</title><link>https://pub.example/a</link>"
        "<feedburner:origLink>javascript:alert(1)</feedburner:origLink><description>x</description></item>"
    )
    (entry,) = parse_feed(data, source="Pub", fetched=FETCHED)
    assert entry.url == "https://pub.example/a"


def _json(items: list[dict[str, object]]) -> bytes:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Pub", "home_page_url": "https://pub.example/"}
    return json.dumps({**doc, "items": items}).encode()


def _atom(entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Pub</title><id>urn:pub</id><updated>2026-11-19T10:00:00Z</updated>{entries}</feed>"
    ).encode()


def test_entities_escaped_in_a_plain_text_title_are_decoded() -> None:
    # WordPress's JSON Feed plugin writes the HTML title into JSON Feed's plain-text field.
    data = _json([{"id": "1", "url": "https://pub.example/1", "title": "It&#8217;s AT&amp;T &amp;amp; Q&A &copy 2", "content_text": "Body."}])
    (entry,) = parse_feed(data, source="Pub", fetched=FETCHED)
    assert entry.title == "It\u2019s AT&T & Q&A &copy 2"


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ('<title type="text">AT&amp;amp;T ends &amp;#8220;unlimited&amp;#8221;</title>', "AT&T ends \u201cunlimited\u201d"),
        ('<title type="html">Tom &amp;amp;amp; Jerry</title>', "Tom & Jerry"),
        ('<title type="text">Why 3 &lt; 5 &amp; 7 &gt; 2</title>', "Why 3 < 5 & 7 > 2"),
    ],
)
def test_an_atom_title_escaped_twice_reads_as_its_text(title: str, shown: str) -> None:
    data = _atom(f'<entry>{title}<id>tag:pub,1</id><link href="https://pub.example/1"/><updated>2026-11-19T10:00:00Z</updated><summary>x</summary></entry>')
    (entry,) = parse_feed(data, source="Pub", fetched=FETCHED)
    assert entry.title == shown


def test_a_publication_date_not_believed_gives_way_to_the_entrys_next_date() -> None:
    rss = _rss(
        "<item><title>T</title><link>https://pub.example/a</link>"
        "<pubDate>Thu, 19 Nov 2036 10:00:00 GMT</pubDate><dc:date>2026-11-19T10:00:00Z</dc:date>"
        "<description>x</description></item>"
    )
    atom = _atom(
        '<entry><title>T</title><id>tag:pub,1</id><link href="https://pub.example/1"/>'
        "<published>1970-01-01T00:00:00Z</published><updated>2026-11-19T10:00:00Z</updated><summary>x</summary></entry>"
    )
    feed = _json(
        [{"id": "1", "url": "https://pub.example/1", "title": "T", "content_text": "x",
          "date_published": "2036-11-19T10:00:00Z", "date_modified": "2026-11-19T10:00:00Z"}]
    )  # fmt: skip
    for data in (rss, atom, feed):
        (entry,) = parse_feed(data, source="Pub", fetched=FETCHED)
        assert entry.published == datetime(2026, 11, 19, 10, tzinfo=UTC)


def test_with_no_date_believed_the_fetch_time_stands_in() -> None:
    data = _rss("<item><title>T</title><link>https://pub.example/a</link><pubDate>Thu, 19 Nov 2036 10:00:00 GMT</pubDate><description>x</description></item>")
    (entry,) = parse_feed(data, source="Pub", fetched=FETCHED)
    assert entry.published is None


ARTICLE = (
    "The harbour wall at Kestrel Point was repaired on Thursday after the November storms tore "
    "a forty-metre gap in it, the council said, and the fishing fleet can use the inner basin again."
)


def test_a_stub_of_a_content_gives_way_to_the_description_holding_the_article() -> None:
    data = _rss(
        "<item><title>Harbour wall repaired</title><link>https://pub.example/a</link>"
        f"<description>{ARTICLE}</description>"
        '<content:encoded><![CDATA[<p><img src="wall.jpg"> Continue reading &rarr;</p>]]></content:encoded></item>'
    )
    (entry,) = parse_feed(data, source="Pub", fetched=FETCHED)
    assert entry.content_html == ARTICLE
    assert entry.summary_html is None
    article = prepare(entry, fetched=FETCHED)
    assert article is not None and "forty-metre gap" in article.text


def test_a_json_feed_item_reads_its_fullest_text() -> None:
    items: list[dict[str, object]] = [
        {"id": "1", "url": "https://pub.example/1", "title": "T", "content_text": "See the link.", "summary": ARTICLE},
        {"id": "2", "url": "https://pub.example/2", "title": "T", "content_html": "<p>Read it.</p>", "content_text": ARTICLE},
    ]
    for entry in parse_feed(_json(items), source="Pub", fetched=FETCHED):
        article = prepare(entry, fetched=FETCHED)
        assert article is not None and article.text == ARTICLE


def test_a_content_fuller_than_its_summary_stays_and_a_teaser_a_little_longer_does_not_replace_it() -> None:
    data = _rss(
        "<item><title>T</title><link>https://pub.example/a</link>"
        "<description>Short teaser of the harbour story. The post Harbour appeared first on Pub.</description>"
        "<content:encoded><![CDATA[<p>Short teaser of the harbour story, written whole.</p>]]></content:encoded></item>"
        f"<item><title>U</title><link>https://pub.example/b</link><description>The wall was repaired.</description>"
        f"<content:encoded><![CDATA[<p>{ARTICLE}</p>]]></content:encoded></item>"
    )
    first, second = parse_feed(data, source="Pub", fetched=FETCHED)
    assert first.content_html == "<p>Short teaser of the harbour story, written whole.</p>"
    assert second.content_html == f"<p>{ARTICLE}</p>"


def test_a_podcast_episode_with_no_page_links_to_its_file() -> None:
    rss = _rss(
        '<item><title>Episode 12: the harbour</title><guid isPermaLink="false">ep12</guid>'
        '<enclosure url="https://cdn.pub.example/ep12.mp3" length="1" type="audio/mpeg"/>'
        "<description>We talk about the wall.</description></item>"
        '<item><title>Episode 13</title><link>https://pub.example/ep13</link><guid>ep13</guid>'
        '<enclosure url="https://cdn.pub.example/ep13.mp3" length="1" type="audio/mpeg"/>'
        "<description>Show notes.</description></item>"
    )
    feed = _json(
        [{"id": "ep14", "title": "Episode 14", "summary": "Notes.",
          "attachments": [{"url": "https://cdn.pub.example/ep14.mp3", "mime_type": "audio/mpeg"}]}]
    )  # fmt: skip
    atom = _atom(
        '<entry><title>Episode 15</title><id>tag:pub,15</id><link rel="enclosure" href="https://cdn.pub.example/ep15.mp3"/>'
        '<link rel="replies" href="https://pub.example/ep15#comments"/><updated>2026-11-19T10:00:00Z</updated><summary>Notes.</summary></entry>'
    )
    links = [e.url for data in (rss, feed, atom) for e in parse_feed(data, source="Pub", fetched=FETCHED)]
    assert links == [
        "https://cdn.pub.example/ep12.mp3",
        "https://pub.example/ep13",  # a page wins
        "https://cdn.pub.example/ep14.mp3",
        "https://cdn.pub.example/ep15.mp3",  # a comments link is no page of the episode
    ]


def test_a_guid_every_item_shares_is_no_identity() -> None:
    # A CMS writing its home page as every item's guid: read as ids, the feed showed its
    # first item only, and at the next poll the newest was "stored already".
    items = "".join(
        f"<item><title>Story {n}</title><link>https://pub.example/story-{n}</link>"
        f"<guid>https://pub.example/</guid><description>Text of story {n}.</description></item>"
        for n in (3, 2, 1)
    )
    entries = parse_feed(_rss(items), source="Pub", fetched=FETCHED)
    assert [e.url for e in entries] == [f"https://pub.example/story-{n}" for n in (3, 2, 1)]
    assert {e.entry_id for e in entries} == {None}
    assert len({article_key_of(e) for e in entries}) == 3
    newer = parse_feed(_rss(items.replace("Story 1<", "Story 4<").replace("story-1<", "story-4<")), source="Pub", fetched=FETCHED)
    assert article_key_of(newer[2]) not in {article_key_of(e) for e in entries}


def test_one_page_listed_twice_under_its_id_is_one_entry() -> None:
    item = '<item><title>T</title><link>https://pub.example/a</link><guid isPermaLink="false">a1</guid><description>x</description></item>'
    assert len(parse_feed(_rss(item + item), source="Pub", fetched=FETCHED)) == 1


def test_two_pages_under_one_id_are_one_entry_first_wins() -> None:
    # An Atom entry's two versions, its link moved between them (tests/fixtures/hostile/duplicate_ids.atom).
    items = "".join(
        f'<item><title>T{n}</title><link>https://pub.example/a-{n}</link><guid isPermaLink="false">a</guid><description>x</description></item>'
        for n in (1, 2)
    )
    assert [e.url for e in parse_feed(_rss(items), source="Pub", fetched=FETCHED)] == ["https://pub.example/a-1"]


@pytest.mark.parametrize(
    ("stated", "utc"),
    [
        ("Thu, 19 Nov 2026 10:00:00 CEST", datetime(2026, 11, 19, 8, tzinfo=UTC)),
        ("Thu, 19 Nov 2026 10:00:00 AEDT", datetime(2026, 11, 18, 23, tzinfo=UTC)),
        ("Thu, 19 Nov 2026 10:00:00 BST", datetime(2026, 11, 19, 9, tzinfo=UTC)),
        ("2026-11-19 10:00:00 +0530", datetime(2026, 11, 19, 4, 30, tzinfo=UTC)),
        ("Thu, 19 Nov 2026 10:00:00 EST", datetime(2026, 11, 19, 15, tzinfo=UTC)),
        ("Thu, 19 Nov 26 10:00:00 GMT", datetime(2026, 11, 19, 10, tzinfo=UTC)),
    ],
)
def test_a_publication_time_is_read_in_the_zone_it_names(stated: str, utc: datetime) -> None:
    data = _rss(f"<item><title>T</title><link>https://pub.example/a</link><pubDate>{stated}</pubDate><description>x</description></item>")
    (entry,) = parse_feed(data, source="Pub", fetched=FETCHED)
    assert entry.published == utc
