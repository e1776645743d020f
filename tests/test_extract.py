"""HTML to text: pages through trafilatura (with fallback), fragments through a tag strip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.text.clean import clean_text
from digest.text.extract import MAX_INPUT_CHARS, clean_title, extract_many, html_to_text
from tests.support.examples_count import examples

FIXTURES = Path(__file__).parent / "fixtures" / "clean"
PAGE = (FIXTURES / "page_with_comments.html").read_text("utf-8")

LEAKS = ("LEAK", "trackingMarker", "steal()", "evil()", "alert(", "javascript:", "secret-style")


def assert_no_leak(text: str) -> None:
    for marker in LEAKS:
        assert marker not in text
    assert "<" not in text and ">" not in text


def test_page_body_title_and_no_furniture() -> None:
    text, title = html_to_text(PAGE, url="https://courier.example/library", page=True)
    assert title == "Library Extends Opening Hours for Exam Season"
    for start in (
        "The central library will stay open until midnight",
        "The head librarian, Tomas Berg, said",
        "Extra staff will be hired on short contracts",
        "The library board will decide in June",
        "Residents can find the full timetable",
    ):
        assert start in text
    assert "COMMENT-MARKER" not in text
    assert "FOOTER-MARKER" not in text
    assert "Sport" not in text
    assert_no_leak(text)
    # Paragraphs are separated by exactly one blank line.
    assert "\n\n\n" not in text
    assert text.count("\n\n") >= 4
    # Cleaning then removes the headline repeated above the body.
    res = clean_text(text, title=title)
    assert res.text.startswith("The central library")
    assert res.junk == ["Library Extends Opening Hours for Exam Season"]


def test_page_fallback_when_extractor_finds_nothing() -> None:
    html = (
        "<html><body><aside>ASIDEMARK</aside><div id='comments'><p>The only paragraph lives in a "
        "comments box here.</p></div><script>SCRIPT-LEAK</script><footer>FOOTMARK</footer>"
        "</body></html>"
    )
    text, _ = html_to_text(html, page=True)
    assert text == "The only paragraph lives in a comments box here."


def test_fragment_blocks_breaks_entities() -> None:
    html = (
        "<p>First &amp; foremost,\n   a wrapped\tline.</p><p>Second<br>line two<br/>line three</p>"
        "<ul><li>one</li><li>two</li></ul><h2>Head</h2>tail &eacute;t&#233; &lt;b&gt;"
    )
    text, title = html_to_text(html, page=False)
    assert title is None
    assert text == (
        "First & foremost, a wrapped line.\n\nSecond\nline two\nline three\n\n"
        "one\n\ntwo\n\nHead\n\ntail été <b>"
    )


def test_fragment_drops_active_content() -> None:
    html = (
        '<p onclick="evil()">Safe text</p><script>alert("SCRIPT-LEAK")</script>'
        "<style>.x{color:red} STYLE-LEAK</style><noscript>NOSCRIPT-LEAK</noscript>"
        '<iframe src="javascript:alert(1)">IFRAME-LEAK</iframe><iframe src="x"/>after iframe'
        '<a href="javascript:alert(\'x\')">link text</a><img src=x onerror="alert(1)">'
        "<svg><script>SVG-LEAK</script><text>SVG-TEXT-LEAK</text></svg>end"
    )
    text, _ = html_to_text(html, page=False)
    assert_no_leak(text)
    assert text == "Safe text\n\nafter iframelink textend"


@pytest.mark.parametrize(
    "html",
    [
        "<script>never closed SCRIPT-LEAK",
        "<p>ok</p><script>document.write('SCRIPT-LEAK')",
        "<style>STYLE-LEAK",
        "<p>ok<noscript><p>NOSCRIPT-LEAK",
        "<<<>>><p <p>>< /p>",
        "<!-- unterminated comment LEAK",
        "<![CDATA[ LEAK",
        "\x00\x01\x02<p>\ud800</p>",
        "<div>" * 50_000 + "deep",
        "&#0; &#xD800; &#99999999; &bogus;",
    ],
)
def test_hostile_html_never_raises_never_leaks(html: str) -> None:
    for page in (False, True):
        text, _ = html_to_text(html, page=page)
        assert isinstance(text, str)
        assert "LEAK" not in text


_FERRY = "<p>The harbour board approved the new ferry timetable on Tuesday evening.</p>"


@pytest.mark.parametrize(
    "html",
    [
        # a tag named 'title\x01' (a browser's and lxml's reading) is no <title>; trafilatura's
        # loader dropped the control character before parsing, and the open <title> it made
        # held the script as its text: that text became the page's title and its body
        f"<html><body><title\x01>x<script>SECRET1X</script>{_FERRY}</body></html>",
        # lxml closes <title/>; the loader's repair of a self-closed <html/> took the slash of
        # the first '/>' after '<html' on a line ending in '/>', here the title's
        f"<html><body><title/><script>SECRET2X</script>{_FERRY}<br/>",
    ],
)
def test_a_page_is_read_as_parsed_its_scripts_never_become_text(html: str) -> None:
    text, title = html_to_text(html, url="https://ok.example/a", page=True)
    assert "SECRET" not in text and "SECRET" not in (title or "")
    assert "<script" not in text and "<script" not in (title or "")
    assert "The harbour board approved the new ferry timetable" in text


def test_a_self_closed_html_tag_still_reads_the_page() -> None:
    """libxml2 ends the document at '<html .../>' (a browser reads on): that one repair is kept."""
    closed = PAGE.replace('<html lang="en">', '<html lang="en" />', 1)
    assert closed != PAGE
    assert html_to_text(closed, page=True) == html_to_text(PAGE, page=True)


def test_control_characters_in_a_page_are_dropped_and_the_page_still_reads() -> None:
    """lxml parses them but refuses them in a tree trafilatura edits: the parsed tree loses them."""
    noisy = PAGE.replace("The central library", "The\x01 central\x0b library", 1)
    noisy = noisy.replace("<body ", '<body data-x="\x02" data\x03y="1" ', 1)
    assert noisy != PAGE
    assert html_to_text(noisy, page=True) == html_to_text(PAGE, page=True)


@pytest.mark.parametrize("html", ["<script\x00>shown</script>", "<sc\x00ript>shown</script>"])
def test_a_nul_in_a_tag_name_makes_no_script_and_no_script_text(html: str) -> None:
    """A browser (and lxml) reads the NUL as U+FFFD in the tag's name: an unknown element.

    Python's parser ended the name at the NUL and gave the tag as text, '<script>' once the
    NUL was dropped from it (the property test's 'no invented <script' check)."""
    for page in (False, True):
        assert html_to_text(html, page=page) == ("shown", None)


def test_non_string_and_empty_input() -> None:
    assert html_to_text("", page=True) == ("", None)
    assert html_to_text(None, page=False) == ("", None)  # type: ignore[arg-type]
    assert html_to_text(b"<p>x</p>", page=True) == ("", None)  # type: ignore[arg-type]


def test_input_is_capped() -> None:
    html = "<p>" + "word " * (MAX_INPUT_CHARS // 4)
    text, _ = html_to_text(html, page=False)
    assert 0 < len(text) <= MAX_INPUT_CHARS


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<br>",
                    "<script>",
                    "</script>",
                    "<div>",
                    "&amp;",
                    "<a href=",
                    "javascript:",
                    '"',
                    "<style>",
                    "</style>",
                    "<!--",
                    "-->",
                    "<iframe>",
                    "LEAK",
                ]
            ),
        ),
        max_size=40,
    )
)
def test_property_fragment_output_is_plain_text(parts: list[str]) -> None:
    text, _ = html_to_text("".join(parts), page=False)
    assert "\n\n\n" not in text
    assert text == text.strip()
    assert "<script" not in text.lower()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Library Extends Opening Hours | The Valley Courier", "Library Extends Opening Hours"),
        ("Storm closes the mountain pass - Daily Gazette", "Storm closes the mountain pass"),
        ("Spider-Man - Review", "Spider-Man - Review"),  # too short to be a suffix split
        ("  Lots   of\n space &amp; entities  ", "Lots of space & entities"),
        ("", None),
        (None, None),
    ],
)
def test_clean_title(raw: str | None, expected: str | None) -> None:
    assert clean_title(raw) == expected


def test_title_prefers_og_then_title_then_h1() -> None:
    head = "<html><head>{}</head><body>{}<p>Some body text for the page.</p></body></html>"
    og = '<meta property="og:title" content="OG Title Wins Here">'
    assert (
        html_to_text(head.format(og + "<title>T</title>", ""), page=True)[1] == "OG Title Wins Here"
    )
    assert html_to_text(head.format("<title>Only Title</title>", ""), page=True)[1] == "Only Title"
    assert html_to_text(head.format("", "<h1>Heading One</h1>"), page=True)[1] == "Heading One"


def test_a_title_is_one_elements_not_every_ones_joined() -> None:
    """Pages that carry their title twice (two og:title metas, a second <title> in the body,
    a site-name <h1> before the article's) had all of them joined into one title: 8 of the
    181 real pages of the extraction corpus ("How to Adopt an Online Leader Success Mindset
    How to Adopt an Online Leader Success Mindset")."""
    body = "<p>" + "Some body text for the page. " * 20 + "</p>"
    og = '<meta property="og:title" content="{}">'
    page = f"<html><head>{og.format('One Title Here')}{og.format('One Title Here')}</head><body>{body}</body></html>"
    assert html_to_text(page, page=True)[1] == "One Title Here"
    page = f"<html><head><title>Head Title</title></head><body>{body}<title>Stray Body Title</title>{body}</body></html>"
    assert html_to_text(page, page=True)[1] == "Head Title"
    page = f"<html><body><h1>The <em>Real</em> Heading</h1><h1>Another</h1>{body}</body></html>"
    assert html_to_text(page, page=True)[1] == "The Real Heading"


def test_extract_many_matches_sequential_in_order() -> None:
    pages: list[tuple[str, str | None]] = [
        (
            f"<html><head><title>Page number {i} here</title></head><body><article>"
            f"<p>This is the body of page {i}, written so that the extractor keeps it whole.</p>"
            f"</article></body></html>",
            f"https://example.test/{i}",
        )
        for i in range(12)
    ]
    pages.append(("<script>SCRIPT-LEAK</script>", None))
    expected = [html_to_text(h, url=u, page=True) for h, u in pages]
    assert extract_many(pages, workers=2) == expected  # process pool
    assert extract_many(pages[:3], workers=2) == expected[:3]  # small batch, in-process
    assert extract_many(pages, workers=1) == expected
    assert [t for t, _ in expected[:12]] == [
        f"This is the body of page {i}, written so that the extractor keeps it whole."
        for i in range(12)
    ]
    assert extract_many([]) == []


DOUBLE_ESCAPED_RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>E</title><link>https://e.example/</link>
<item><guid>e1</guid><title>Marks &amp;amp; Sons to close Ashby store</title><link>https://e.example/1</link><pubDate>Thu, 03 Dec 2026 09:00:00 GMT</pubDate>
<description>&amp;lt;p&amp;gt;Department store Marks &amp;amp;amp; Sons will close its Ashby branch in March with the loss of 45 jobs, the company said on Thursday.&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;The store opened in 1962.&amp;lt;/p&amp;gt;</description></item>
<item><guid>e2</guid><title>A tag's history</title><link>https://e.example/2</link>
<description>Use the &amp;lt;b&amp;gt; tag for bold and &amp;lt;i&amp;gt; for italics, the course notes say.</description></item>
</channel></rss>
"""


def test_a_feed_description_escaped_twice_is_decoded_once() -> None:
    from digest.sources.feeds import parse_feed
    from digest.text.prepare import prepare

    shop, prose = (prepare(e) for e in parse_feed(DOUBLE_ESCAPED_RSS, source="E"))
    assert shop is not None and prose is not None
    assert shop.title == "Marks & Sons to close Ashby store"
    assert shop.text == (
        "Department store Marks & Sons will close its Ashby branch in March with the loss of 45 jobs,"
        " the company said on Thursday.\n\nThe store opened in 1962."
    )
    # a text that only mentions tags keeps them as words
    assert prose.text == "Use the <b> tag for bold and <i> for italics, the course notes say."


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("<p>One.</p><p>Two.</p>", True),
        ('<img src="a.jpg" />A caption and the story', True),
        ("Lead paragraph.</p><p>Second.</p><p>Third.</p>", True),
        ("Use the <b> tag for bold.", False),
        ("<b> is bold, <i> italic.", False),
        ("if a<b and c>d then", False),
        ("tail été <b>", False),
    ],
)
def test_escaped_markup_tells_markup_from_prose_about_tags(text: str, markup: bool) -> None:
    from digest.text.fragments import escaped_markup

    assert escaped_markup(text) is markup
