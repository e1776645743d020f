"""A review's finding (stop 63) on a developing story in the Atom feed, and on a day whose only
news of a story is an outlet taking its report back.  The story is replayed over two days
through ``digest replay`` (a real SQLite store on disk), the archive served on a loopback port,
``/feed.atom`` fetched with httpx and read with feedparser.

Before: the feed's entry for the story moved its ``updated`` to the day it developed, so a feed
reader showed it unread again, but its content and summary were the lead's excerpt the reader
read the day before: the day's digest led with the follow-up's words, the feed with Tuesday's.
And a day whose news was a notice ("Valley Wire removed its report") led, under that line, with
Tuesday's excerpt again, the notice one row among the outlets."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import lxml.html

from digest.config.reading import load_config
from digest.output.atom import story_tag
from digest.output.sanitize import find_active_content
from tests.support.replays import replayed
from tests.support.web import site
from tests.test_review_stop63_developing import (
    LEDE,
    NEWS,
    SECOND,
    earlier,
    first_excerpt,
    flat,
    two_days,
)
from tests.test_timeline import TUE, record

#: The notice's own words (what the outlet said when it took its report back).
NOTICE = "This article has been removed."


def feed_entry(cfg: Path) -> tuple[Any, str]:
    """The feed's one entry (feedparser, checked well formed) and its HTML content."""
    with site(load_config(cfg)) as s:
        r = s.get("/feed.atom")
    assert r.status_code == 200
    parsed = feedparser.parse(r.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    [entry] = parsed.entries
    [content] = entry.content
    assert content.type == "text/html" and find_active_content(content.value) == []
    return entry, content.value


def paras(html: str) -> list[str]:
    return [flat(p.text_content()) for p in lxml.html.fragment_fromstring(html, create_parent="div").iter("p")]


def test_the_feed_entry_says_what_the_day_added_as_the_digest_does(tmp_path: Path) -> None:
    """Its content: the line of what is new, the follow-up's outlet marked new, its excerpt (the
    day's HTML digest's, word for word), then Tuesday's lede cut short under "Earlier" (the
    digest's words); its summary the follow-up's words; its id the story's, as on Tuesday."""
    cfg = two_days(tmp_path)
    out = tmp_path / "out"
    [story] = json.loads((out / "digest-2026-11-11.json").read_text(encoding="utf-8"))["stories"]
    entry, html = feed_entry(cfg)
    assert entry.id == story_tag(story["story_id"])
    [first] = json.loads((out / "digest-2026-11-10.json").read_text(encoding="utf-8"))["stories"]
    assert first["story_id"] == story["story_id"]  # the same entry, updated, not a new one
    assert entry.updated.startswith("2026-11-11")
    day = lxml.html.document_fromstring((out / "digest-2026-11-11.html").read_text(encoding="utf-8"))
    said = paras(html)
    assert said[0].startswith("Developing:")
    assert said[1].startswith("Harbor Herald") and said[1].endswith("new"), said[1]
    assert said[2] == first_excerpt(day) and NEWS in said[2] and LEDE not in said[2]
    assert said[3] == earlier(day) and LEDE in said[3] and SECOND not in said[3]
    assert NEWS in entry.summary and LEDE not in entry.summary
    assert flat(lxml.html.fragment_fromstring(html, create_parent="div").text_content()).count(LEDE) == 1


def test_hostile_words_of_the_days_version_stay_text(tmp_path: Path) -> None:
    """The day's version's text is a feed's: markup in it is text in the entry, a control
    character XML cannot carry is dropped, and feedparser reads the feed (bozo 0)."""
    rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
            record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=9))]
    rows[1]["text"] = rows[1]["text"].replace("Council engineers", "<script>alert(1)</script>\x07 <b>Council</b> engineers", 1)
    cfg = replayed(tmp_path, rows)
    _, html = feed_entry(cfg)
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    assert not doc.xpath("//script|//b") and "\x07" not in html
    assert "<script>alert(1)</script>" in paras(html)[2] and NEWS in paras(html)[2]


def notice_days(tmp_path: Path) -> Path:
    """Tuesday: the quake's first report (Coast News, the lead) and Valley Wire's.  Wednesday:
    Valley Wire's report replaced in place by a notice: the day's only news of the story."""
    rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
            record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)),
            {"id": "quake-2", "title": "Article removed", "text": NOTICE, "source": "Valley Wire",
             "published": (TUE + timedelta(days=1, hours=9)).isoformat()}]
    cfg = replayed(tmp_path, rows)
    return cfg


def test_a_day_whose_news_is_a_notice_leads_with_it(tmp_path: Path) -> None:
    """Wednesday's entry: "Developing: Valley Wire removed its report", then Valley Wire marked
    new and its notice's words, then Tuesday's lede cut short under "Earlier, Coast News"; not
    Tuesday's excerpt again.  The same in the Markdown, the HTML and the feed's entry."""
    cfg = notice_days(tmp_path)
    out = tmp_path / "out"
    [story] = json.loads((out / "digest-2026-11-11.json").read_text(encoding="utf-8"))["stories"]
    assert story["whats_new"] == "Valley Wire removed its report" and story["lead"]["id"] == "quake-1"
    assert story["news_lead"]["id"] == "quake-2" and story["news_lead"]["text"] == NOTICE
    md = (out / "digest-2026-11-11.md").read_text(encoding="utf-8")
    said = md[md.index("**Developing**"):].split("\n\n")
    assert said[1].startswith("**Valley Wire**") and said[1].endswith("*new*"), said[1]
    assert said[2] == NOTICE
    assert said[3].startswith("Earlier, **Coast News**") and LEDE in said[3] and SECOND not in md
    assert SECOND in (out / "digest-2026-11-10.md").read_text(encoding="utf-8")
    day = lxml.html.document_fromstring((out / "digest-2026-11-11.html").read_text(encoding="utf-8"))
    assert first_excerpt(day) == NOTICE and earlier(day).startswith("Earlier, Coast News")
    _, html = feed_entry(cfg)
    lines = paras(html)
    assert lines[0] == "Developing: Valley Wire removed its report"
    assert lines[1].startswith("Valley Wire") and lines[2] == NOTICE and lines[3] == earlier(day)
