"""Review (stop 36): the feeds people actually subscribe to, through ``digest run``.

Each feed here is written after the real format (a Mastodon account's RSS, a Google Alert's
Atom, a podcast's RSS, Hacker News and Reddit, a Substack post), served over a loopback HTTP
server, read by ``digest run`` into a SQLite store on disk, and the day's digest built as JSON:
what a reader is shown of it is checked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from digest.cli import main
from digest.sources.feeds import parse_feed
from digest.text.prepare import prepare
from tests.support.daemon import loopback_config
from tests.support.httpd import TestServer

RSS = "application/rss+xml"
ATOM = "application/atom+xml"
NOW = datetime.now(UTC)


def rfc822(minutes: int) -> str:
    return format_datetime(NOW - timedelta(minutes=minutes))


def iso(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest_of(tmp: Path, feeds: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """The stories of today's digest after one ``digest run`` over ``feeds`` (name -> (document,
    content type)), each served at ``/name`` on a loopback server."""
    with TestServer() as srv:
        for name, (body, ctype) in feeds.items():
            srv.set(f"/{name}", body.encode(), headers={"Content-Type": ctype})
        cfg = loopback_config(tmp, srv, {name: f"/{name}" for name in feeds})
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    out = tmp / "digest.json"
    assert main(["build", "--config", str(cfg), "-o", str(out)]) == 0
    stories: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["stories"]
    return stories


def versions(stories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for s in stories for v in (s["lead"], *s["also"])]


# ---- Google Alerts: the article, not Google's redirect -----------------------------------------

ARTICLE = "https://news.example.com/local/2026/riverside-bridge-closure"


def google_alert(usg: str, *, with_id: bool = True) -> str:
    redirect = (
        "https://www.google.com/url?rct=j&amp;sa=t&amp;url="
        f"{ARTICLE.replace(':', '%3A')}%3Futm_source%3Drss%26utm_medium%3Dalert"
        f"&amp;ct=ga&amp;cd=CAIyGjM&amp;usg={usg}"
    )
    entry_id = "<id>tag:google.com,2013:googlealerts/feed:1111</id>" if with_id else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
<id>tag:google.com,2005:reader/user/0123/state/com.google/alert/456</id>
<title>Google Alert - riverside bridge</title>
<link href="https://www.google.com/alerts/feeds/0123/456" rel="self"></link><updated>{iso(1)}</updated>
<entry>{entry_id}
<title type="html">City council votes to close &lt;b&gt;Riverside bridge&lt;/b&gt; for repairs</title>
<link href="{redirect}"></link>
<published>{iso(3)}</published><updated>{iso(3)}</updated>
<content type="html">The city council voted 7-2 on Tuesday to close the &lt;b&gt;Riverside bridge&lt;/b&gt; for
repairs starting in March, officials said ...</content>
<author><name></name></author></entry>
</feed>"""


def test_a_google_alert_shows_the_article_it_found_not_googles_redirect(tmp_path: Path) -> None:
    # The shown link was https://www.google.com/url?rct=j&sa=t&url=...&usg=...: a redirect
    # through Google, its tracking inside (and a full-text fetch went to Google)
    (story,) = digest_of(tmp_path, {"alerts": (google_alert("AOvVaw1abc"), ATOM)})
    assert story["lead"]["url"] == ARTICLE
    assert story["lead"]["title"] == "City council votes to close Riverside bridge for repairs"


def test_two_redirects_to_one_article_are_one_article() -> None:
    # An alert without an id is known by its link: Google's redirect differs at each poll (usg,
    # cd), the article does not
    keys = set()
    for usg in ("AOvVaw1abc", "AOvVaw9xyz"):
        (entry,) = parse_feed(google_alert(usg, with_id=False).encode(), source="alerts")
        article = prepare(entry)
        assert article is not None and article.url == ARTICLE
        keys.add(article.key)
    assert len(keys) == 1


# ---- Mastodon: posts without a title ------------------------------------------------------------

REPLY = (
    '<p><span class="h-card"><a href="https://social.example/@bob" class="u-url mention">'
    "@<span>bob</span></a></span> yes! the new library branch on Oak Avenue opens Saturday with a "
    "reading marathon for kids and a small book fair in the park next door, and the mayor is "
    "coming too</p>"
)
ANNOUNCEMENT = (
    "<p>The city council voted 7-2 tonight to close the Riverside bridge for repairs starting in "
    "March.</p><p>Commuters will need to use the Elm Street crossing for about six months. "
    '<a href="https://social.example/tags/riverside" class="mention hashtag" rel="tag">'
    "#<span>Riverside</span></a></p>"
)


def mastodon(*posts: str) -> str:
    items = "".join(
        f'<item><guid isPermaLink="true">https://social.example/@jane/{110 + i}</guid>'
        f"<link>https://social.example/@jane/{110 + i}</link><pubDate>{rfc822(5 + i)}</pubDate>"
        f"<description>{post.replace('&', '&amp;').replace('<', '&lt;')}</description></item>"
        for i, post in enumerate(posts)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:webfeeds="http://webfeeds.org/rss/1.0">'
        "<channel><title>Jane Doe</title><description>Public posts from @jane@social.example</description>"
        f"<link>https://social.example/@jane</link>{items}</channel></rss>"
    )


def test_an_untitled_post_is_headed_by_its_first_sentence_or_cut_at_a_word(tmp_path: Path) -> None:
    # A post of one long sentence was headed by its first 120 characters, cut mid-word and
    # without a mark ("... a small book fair in the park ne"): the reader took it for the title
    shown = {v["url"]: v["title"] for v in versions(digest_of(tmp_path, {"jane": (mastodon(REPLY, ANNOUNCEMENT), RSS)}))}
    assert shown["https://social.example/@jane/111"] == (
        "The city council voted 7-2 tonight to close the Riverside bridge for repairs starting in March."
    )
    cut = shown["https://social.example/@jane/110"]
    assert cut.endswith("…") and "<" not in cut and 60 <= len(cut) <= 125
    text = "@bob yes! the new library branch on Oak Avenue opens Saturday with a reading marathon"
    words = cut.removesuffix("…").split()
    assert " ".join(words) in text + " for kids and a small book fair in the park next door, and the mayor is coming too"
    assert text.startswith(" ".join(words[:5]))  # whole words from the start


# ---- podcasts: an episode with only its file and the iTunes fields ------------------------------


def test_an_episode_without_a_title_takes_its_itunes_title(tmp_path: Path) -> None:
    # <itunes:title> without <title> (Apple's spec allows it): the episode was headed by the
    # first sentence of its summary
    feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>City Hall Weekly</title><link>https://pod.example/</link>
<item><guid isPermaLink="false">pod-ep-43</guid><pubDate>{rfc822(21)}</pubDate>
<enclosure url="https://cdn.pod.example/ep43.mp3" length="3421630" type="audio/mpeg"/>
<itunes:title>Episode 43: Library opening</itunes:title><itunes:episode>43</itunes:episode>
<itunes:summary>The new Oak Avenue library branch opens, and we visit the reading marathon.</itunes:summary>
</item></channel></rss>"""
    (story,) = digest_of(tmp_path, {"pod": (feed, RSS)})
    assert story["lead"]["title"] == "Episode 43: Library opening"
    assert story["lead"]["url"] == "https://cdn.pod.example/ep43.mp3"
    assert story["lead"]["text"] == "The new Oak Avenue library branch opens, and we visit the reading marathon."


# ---- Hacker News and Reddit: the item is a link and its counters -------------------------------

HN = f"""<rss version="2.0"><channel><title>Hacker News: Front Page</title>
<link>https://news.ycombinator.com/</link><description>Hacker News RSS</description><generator>hnrss v2.1</generator>
<item><title><![CDATA[Show HN: A tiny bridge load simulator]]></title>
<description><![CDATA[<p>Article URL: <a href="https://sim.example.org/bridge">https://sim.example.org/bridge</a></p>
<hr><p>Comments URL: <a href="https://news.ycombinator.com/item?id=39000001">https://news.ycombinator.com/item?id=39000001</a></p>
<p>Points: 112</p><p># Comments: 45</p>]]></description>
<pubDate>{rfc822(15)}</pubDate><link>https://sim.example.org/bridge</link>
<comments>https://news.ycombinator.com/item?id=39000001</comments>
<guid isPermaLink="false">https://news.ycombinator.com/item?id=39000001</guid></item>
</channel></rss>"""

REDDIT = f"""<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<category term="news" label="r/news"/><updated>{iso(1)}</updated><id>/r/news/.rss</id>
<link rel="self" href="https://www.reddit.com/r/news/.rss" type="application/atom+xml" /><title>News</title>
<entry><author><name>/u/someuser</name><uri>https://www.reddit.com/user/someuser</uri></author>
<category term="news" label="r/news"/>
<content type="html">&lt;table&gt; &lt;tr&gt;&lt;td&gt; &lt;a href=&quot;https://www.reddit.com/r/news/comments/abc123/riverside/&quot;&gt;
&lt;img src=&quot;https://b.thumbs.redditmedia.com/x.jpg&quot; alt=&quot;Riverside bridge&quot; /&gt; &lt;/a&gt; &lt;/td&gt;&lt;td&gt;
&amp;#32; submitted by &amp;#32; &lt;a href=&quot;https://www.reddit.com/user/someuser&quot;&gt; /u/someuser &lt;/a&gt; &lt;br/&gt;
&lt;span&gt;&lt;a href=&quot;https://news.example.com/local/riverside-bridge&quot;&gt;[link]&lt;/a&gt;&lt;/span&gt; &amp;#32;
&lt;span&gt;&lt;a href=&quot;https://www.reddit.com/r/news/comments/abc123/riverside/&quot;&gt;[comments]&lt;/a&gt;&lt;/span&gt;
&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</content>
<id>t3_abc123</id><link href="https://www.reddit.com/r/news/comments/abc123/riverside/" />
<updated>{iso(8)}</updated><published>{iso(8)}</published>
<title>City council votes to close Riverside bridge for six months</title></entry>
</feed>"""


def test_an_aggregators_link_and_counters_are_no_text(tmp_path: Path) -> None:
    # Hacker News' "Article URL: ...", "Points: 112", "# Comments: 45" and Reddit's "submitted
    # by /u/someuser" were the item's text: shown as its excerpt, and counted as content by the
    # lead choice (an HN item's counters outweighed a one-line report of the same thing)
    stories = digest_of(tmp_path, {"hn": (HN, RSS), "reddit": (REDDIT, ATOM)})
    texts = {s["lead"]["source"]: s["lead"]["text"] for s in stories}
    assert texts == {"hn": "", "reddit": ""}


# ---- Substack: the subscribe box inside the post -----------------------------------------------


def test_a_substack_posts_subscribe_box_is_not_its_text(tmp_path: Path) -> None:
    paras = [
        "Last autumn, inspectors climbing under the Riverside bridge found something they did not "
        "like: rust eating into the steel supports that hold up the deck.",
        "On Tuesday the council voted to close the bridge for repairs. Here is what I learned from "
        "the engineering report and from the people who will be affected.",
        "The report runs to forty pages. The short version is that two of the six support beams have "
        "lost a fifth of their thickness, and the city cannot wait another winter.",
        "The Elm Street crossing will take the traffic. Shop owners on Bridge Road say they are "
        "worried, and the council has promised a small grant for the ones who lose the most.",
    ]
    box = (
        '<div class="subscription-widget-wrap"><div class="subscription-widget show-subscribe">'
        '<div class="preamble"><p class="cta-caption">City Notes is a reader-supported publication. '
        "To receive new posts and support my work, consider becoming a free or paid subscriber.</p></div>"
        '<form class="subscription-widget-subscribe"><input type="email" class="email-input" name="email" '
        'placeholder="Type your email…" tabindex="-1"><input type="submit" class="button primary" '
        'value="Subscribe"></form></div></div>'
    )
    thanks = "<p>Thanks for reading City Notes! Subscribe for free to receive new posts and support my work.</p>"
    buttons = (
        '<p class="button-wrapper"><a class="button primary" href="https://citynotes.substack.com/p/'
        'why/comments"><span>Leave a comment</span></a></p><p class="button-wrapper"><a class="button '
        'primary" href="https://citynotes.substack.com/subscribe?"><span>Subscribe now</span></a></p>'
    )
    body = f"<p>{paras[0]}</p><p>{paras[1]}</p>{box}<p>{paras[2]}</p>{thanks}<p>{paras[3]}</p>{buttons}"
    feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
<channel><title><![CDATA[City Notes]]></title><link>https://citynotes.substack.com</link>
<item><title><![CDATA[Why the bridge is closing]]></title>
<description><![CDATA[What the inspection found, and what comes next]]></description>
<link>https://citynotes.substack.com/p/why</link><guid isPermaLink="false">https://citynotes.substack.com/p/why</guid>
<dc:creator><![CDATA[Sam Writer]]></dc:creator><pubDate>{rfc822(25)}</pubDate>
<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"""
    (story,) = digest_of(tmp_path, {"notes": (feed, RSS)})
    assert story["lead"]["text"].split("\n\n") == paras


# ---- what was right already: tracking links; and what is left: one generic title ---------------

REPORT = (
    "The city council voted seven to two on Tuesday night to close the Riverside bridge for structural "
    "repairs beginning in March. Engineers found corrosion in the steel supports during an inspection "
    "last autumn. Commuters will be directed to the Elm Street crossing, which the city says can absorb "
    "the extra traffic."
)


def test_one_article_through_feedburner_and_a_tracked_link_is_one_story_at_its_clean_url(tmp_path: Path) -> None:
    page = "https://news.example.com/local/riverside-bridge"
    burner = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
        "<channel><title>Local A</title><link>https://a.example/</link><item><title>Riverside bridge to close</title>"
        "<link>http://feedproxy.google.com/~r/newsexample/~3/AbC123/</link>"
        f"<feedburner:origLink>{page}?utm_source=feedburner&amp;utm_medium=feed&amp;utm_campaign=Feed%3A+x</feedburner:origLink>"
        f"<pubDate>{rfc822(10)}</pubDate><description>{REPORT}</description></item></channel></rss>"
    )
    tracked = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Local B</title><link>https://b.example/</link>'
        f"<item><title>Riverside bridge to close</title><link>{page}?fbclid=IwAR0xyz&amp;gclid=abc</link>"
        f"<pubDate>{rfc822(12)}</pubDate><description>{REPORT}</description></item></channel></rss>"
    )
    (story,) = digest_of(tmp_path, {"a": (burner, RSS), "b": (tracked, RSS)})
    assert [v["url"] for v in (story["lead"], *story["also"])] == [page, page]


def test_a_feeds_daily_items_under_one_title_stay_apart(tmp_path: Path) -> None:
    # Five short items a day apart, all titled "Daily update", were two stories, four items
    # behind one heading: the title weighed more than the short texts (fixed in the engine:
    # a title its source gave an earlier article is read as none, dedup.doc.title_key)
    texts = [
        "Water main repairs on Pine Street will close two lanes until Friday afternoon, the public works department said.",
        "The farmers market moves indoors to the community hall this weekend because of the storm forecast, organisers said.",
        "School buses on route 12 will run twenty minutes late all week while the bridge detour is in place, the district said.",
        "Library hours are extended until midnight during exam season, starting Monday, for students with a valid card.",
        "Snow plows will be out overnight; residents should park on the odd-numbered side of the street until further notice.",
    ]
    items = "".join(
        f"<item><title>Daily update</title><link>https://town.example/u/{i}</link><guid>https://town.example/u/{i}</guid>"
        f"<pubDate>{rfc822(24 * 60 * i + 5)}</pubDate><description>{t}</description></item>"
        for i, t in enumerate(texts)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Town</title><link>https://town.example/</link>{items}</channel></rss>'
    assert len(digest_of(tmp_path, {"town": (feed, RSS)})) == len(texts)


def test_a_title_a_source_used_before_is_read_as_none_and_another_sources_still_counts() -> None:
    """The engine (pure): two short items of one source under one title stay apart; the same
    two under that title from two sources, or one source's items under two different titles,
    are compared as before (their titles count)."""
    from digest.dedup.doc import Doc, title_key
    from digest.dedup.engine import Engine

    a = "Water main repairs on Pine Street will close two lanes until Friday, the works department said."
    b = "The farmers market moves indoors to the community hall this weekend, organisers said."
    one = Engine()
    one.add(Doc(id="1", title="Daily update", text=a, source="town"))
    fp = one.fingerprint(Doc(id="2", title="Daily Update!", text=b, source="town"))
    bare = one.fingerprint(Doc(id="2", title="", text=b, source="town"))
    assert list(fp.ids) == list(bare.ids)  # case and punctuation aside, the same title: none
    one.add(Doc(id="2", title="Daily Update!", text=b, source="town"))
    assert one.story_of("1") != one.story_of("2")

    other = Engine()
    other.add(Doc(id="1", title="Daily update", text=a, source="town"))
    titled = other.fingerprint(Doc(id="2", title="Daily update", text=b, source="county"))
    assert len(titled.ids) > len(bare.ids)  # another source's title counts
    assert title_key("", "Daily update") is None and title_key("town", "") is None  # no source: as before
