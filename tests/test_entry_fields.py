"""What a reader sees of a feed entry (stop 33): the link, the title, the text and the date
chosen among the fields real publishers write."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.sources.feeds import parse_feed

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
