"""read_opml on hand-written OPML (tests/fixtures/parse/subscriptions.opml)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from digest.errors import ParseError
from digest.sources.opml import read_opml, read_opml_report

FIX = Path(__file__).parent / "fixtures" / "parse"


def test_nested_outlines_dedup_and_schemes() -> None:
    feeds = read_opml((FIX / "subscriptions.opml").read_bytes(), source="subs.opml")
    assert feeds == [
        {"name": "Harbour Gazette", "url": "https://gazette.example/feed.xml", "category": "News",
         "site": "https://gazette.example/"},  # its htmlUrl (stop 55)
        {"name": "Valley Post (title)", "url": "https://valley.example/atom", "category": "News"},
        {"name": "Nested", "url": "http://nested.example/rss", "category": "News / Deeper"},
        {"name": "noname.example", "url": "https://noname.example/feed"},  # its host, not its URL (stop 63)
    ]


def test_an_untitled_outline_is_named_without_its_password_or_token() -> None:
    """Stop 63: an outline with neither ``title`` nor ``text`` was named by its whole URL, and a
    private feed's password (``user:pass@``) or token (a long random part of its path) was in
    the source's name, shown in the digest, the email and the archive's pages."""
    token, uuid = "3f9a8c7b2e1d4f6a9b8c7d6e5f4a3b2c", "5a1b2c3d-1111-2222-3333-444455556666"
    doc = ('<opml version="2.0"><body><outline type="rss" xmlUrl="https://ann:hunter2@private.example/world/rss"/>'
           f'<outline xmlUrl="https://news.example/feed/{token}/rss"/><outline xmlUrl="https://c.example/u/{uuid}/atom"/>'
           '<outline xmlUrl="https://d.example/private/aB3x-K9mQ_2pL7vN4wR8tY/feed.xml"/></body></opml>')
    names = [f["name"] for f in read_opml(doc.encode(), source="s")]
    assert names == ["private.example/world", "news.example", "c.example/u", "d.example/private"]


def test_valid_opml_without_feeds() -> None:
    assert read_opml(b'<opml version="1.0"><head/><body><outline text="x"/></body></opml>', source="s") == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty document"),
        (b"<opml><body><outline xmlUrl='https://a.example/'>", "not valid OPML"),
        (b"<rss version='2.0'><channel/></rss>", "no <opml> root"),
        (b"\x00\xff\xfe garbage", "not valid OPML"),
    ],
)
def test_broken_opml_is_one_line_error(data: bytes, words: str) -> None:
    with pytest.raises(ParseError) as info:
        read_opml(data, source="subs.opml")
    assert str(info.value).startswith("subs.opml: ") and words in str(info.value)
    assert "\n" not in str(info.value)


def test_entities_are_not_expanded_or_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("OPML-SECRET")
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "lol">{lol}'
        f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<opml version="2.0"><body>'
        '<outline text="&xxe;" xmlUrl="https://a.example/feed"/>'
        '<outline text="&l9;" xmlUrl="https://b.example/feed"/>'
        "</body></opml>"
    )
    start = time.perf_counter()
    try:
        feeds = read_opml(doc.encode(), source="s")
    except ParseError:
        feeds = []
    assert time.perf_counter() - start < 2
    text = repr(feeds)
    assert "OPML-SECRET" not in text and "lollol" not in text


def test_feeds_inside_a_feed_outline_are_taken_and_its_items_passed_over() -> None:
    """Seen before: the feeds under an outline that has an xmlUrl itself were lost without a
    word; Overcast's export nests each podcast's episodes so, and those are not feeds."""
    doc = b"""<opml version="1.0"><body>
    <outline text="Parent" xmlUrl="https://parent.example/feed">
      <outline text="Child" xmlUrl="https://child.example/feed"/>
      <outline text="Deeper"><outline text="Grandchild" xmlUrl="https://grand.example/feed"/></outline>
    </outline>
    <outline text="feeds">
      <outline type="rss" text="ATP" xmlUrl="https://atp.example/rss">
        <outline type="podcast-episode" title="600: Episode" url="https://atp.example/600"/>
      </outline>
    </outline>
    </body></opml>"""
    feeds, skipped = read_opml_report(doc, source="s")
    assert [(f["name"], f.get("category")) for f in feeds] == [
        ("Parent", None), ("Child", "Parent"), ("Grandchild", "Parent / Deeper"), ("ATP", "feeds"),
    ]
    assert skipped == []


def test_a_feed_in_two_folders_is_taken_once_in_the_first_and_said_so() -> None:
    """Seen before: Feedly writes a feed once per folder it is in, and the second was said
    "listed twice in the file", which read as a mistake in the export."""
    doc = b"""<opml version="1.0"><body>
    <outline text="Tech"><outline type="rss" text="Ars" xmlUrl="http://feeds.example/ars"/></outline>
    <outline text="Must Read"><outline type="rss" text="Ars" xmlUrl="http://feeds.example/ars"/></outline>
    <outline text="Ars again" xmlUrl="https://feeds.example/ars/"/>
    <outline text="Solo" xmlUrl="https://solo.example/feed"/><outline text="Solo" xmlUrl="https://solo.example/feed"/>
    </body></opml>"""
    feeds, skipped = read_opml_report(doc, source="s")
    assert [(f["name"], f.get("category")) for f in feeds] == [("Ars", "Tech"), ("Solo", None)]
    assert skipped == [
        "Ars: listed again in the folder 'Must Read': added once, in the folder 'Tech' (a source has one category)",
        "Ars again: listed again outside any folder: added once, in the folder 'Tech' (a source has one category)",
        "Solo: listed twice in the file (as 'Solo' first)",
    ]
