"""digest.output.sanitize: safe_url, escape_md, clean_html, find_active_content."""

from __future__ import annotations

import lxml.html
import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from digest.output.sanitize import clean_html, escape_md, find_active_content, safe_url

# -- safe_url ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "/relative/path",
        "relative.html",
        "//evil.example/protocol-relative",
        "ftp://files.example/x",
        "mailto:a@example.org",
        "https://",
        "http:///nohost",
        "http://exa mple.org/",
        "https://ex\x00ample.org/",
        "http://[::1",
    ],
)
def test_safe_url_rejects(url: str | None) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("  http://example.org/a  ", "http://example.org/a"),
        ("HTTPS://Example.org/", "https://Example.org/"),
        ("https://exa\tmple.org/a\n", "https://example.org/a"),
        ("https://e.org/a b", "https://e.org/a%20b"),
        (
            "https://e.org/x)](javascript:alert(1))",
            "https://e.org/x%29%5D%28javascript:alert%281%29%29",
        ),
        ('https://e.org/"onmouseover="x', "https://e.org/%22onmouseover=%22x"),
        ("https://e.org/?q=<b>&r=1#frag", "https://e.org/?q=%3Cb%3E&r=1#frag"),
        ("https://e.org/caf%C3%A9", "https://e.org/caf%C3%A9"),
    ],
)
def test_safe_url_keeps_and_neutralises(url: str, expected: str) -> None:
    assert safe_url(url) == expected


# -- escape_md ----------------------------------------------------------------


def _visible(md_text: str) -> tuple[str, list[str]]:
    """Text a reader sees and the tags Python-Markdown produced."""
    html = markdown.markdown(md_text)
    if not html.strip():
        return "", []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    tags = [el.tag for el in root.iter() if el is not root]
    return root.text_content(), tags


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "*bold* _it_ `code` **x**",
        "# Not a heading",
        "C# and F# ##",
        "- not a list",
        "+ not a list",
        "1984. A year",
        "> not a quote",
        "AT&T &amp; &lt;b&gt;",
        "{: .evil onclick=alert(1) }",
        "![img](https://tracker.example/p.gif)",
        "<https://autolink.example>",
        "back\\slash \\*",
        "</textarea><script>x</script>",
    ],
)
def test_escape_md_shows_text_literally(text: str) -> None:
    seen, tags = _visible(escape_md(text))
    assert seen == text
    assert tags == ["p"]


def test_escape_md_leaves_the_markdown_file_readable() -> None:
    """The ``.md`` digest is read as a file too: "Station Road &amp; Church Lane" there, for a
    title with a plain ``&``, read as markup.  Only what could make an entity or open markup
    is one."""
    assert escape_md("Station Road & Church Lane") == "Station Road & Church Lane"
    assert escape_md("Rates up 2 > 1 and 1 < 2") == "Rates up 2 > 1 and 1 < 2"
    # "< script>" is text to HTML and Markdown, but a tag to a lax filter reading the .md file
    assert escape_md("sang. < script>alert(1)") == "sang. &lt; script>alert(1)"
    assert escape_md("AT&T &amp; <b>") == "AT&T &amp;amp; &lt;b>"


def test_a_lt_at_the_end_of_a_part_makes_no_email_link_with_what_follows() -> None:
    """What follows a text is not the text's: the "Developing" line is escaped part by part
    ("Toll <", the changed figure "12" made ``**12**``, "@x.y> now"), and ``<**12**@x.y>`` is
    an e-mail link to CommonMark and Python-Markdown both; so is Python-Markdown's
    ``<`` before a line's end, ``<\\n@x.y>``.  A ``<`` before a space still stays ("1 < 2")."""
    from digest.output.newsline import marked_md, news_parts

    line = "Toll <12@x.y> now"
    md = "**Developing**: " + marked_md(news_parts(line, line, ((6, 8, "10"),)))
    pm = markdown.Markdown(extensions=["attr_list", "md_in_html"], output_format="html")
    for html in (pm.convert(md), MarkdownIt("commonmark").render(md), pm.reset().convert(escape_md("a <\n@x.y> b"))):
        assert "<a " not in html and "mailto" not in html, html
    assert escape_md("1 < 2") == "1 < 2"


def test_escape_md_multiline_block_markers() -> None:
    text = "line one\n# two\n- three\n===\n2. four\n    indented  \n\t\ttabbed"
    seen, tags = _visible(escape_md(text))
    assert " ".join(seen.split()) == " ".join(text.split())
    assert tags == ["p"]


_md_text = st.lists(
    st.sampled_from(
        [*"ab #*_-+=.!()[]{}<>&`\\|~:/\n\t1", "    ", "javascript:", "http://", "&amp;"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_md_text)
def test_escape_md_property(text: str) -> None:
    seen, tags = _visible(escape_md(text))
    assert set(tags) <= {"p"}
    assert " ".join(seen.split()) == " ".join(text.split())


def _commonmark_visible(md_text: str) -> tuple[str, set[str]]:
    """Text a reader sees and the token types markdown-it produced (CommonMark, with GFM's
    tables and strikethrough)."""
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    types, stack = set(), list(parser.parse(md_text))
    while stack:
        tok = stack.pop()
        types.add(tok.type)
        stack.extend(tok.children or [])
    html = parser.render(md_text)
    if not html.strip():
        return "", types
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content(), types


_PLAIN_TOKENS = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak"}


def test_escape_md_keeps_parentheses_and_exclamation_marks() -> None:
    """A headline's "(" and "!" were backslash-escaped everywhere: "Vote passes \\(narrowly\\)\\!"
    in the ``.md`` file.  With every "[" and "]" escaped no link or image can form, so "!" is
    escaped before a "[" only, "(" after a "]" only."""
    assert escape_md("Vote passes (narrowly)!") == "Vote passes (narrowly)!"
    assert escape_md("Wow! (see [1])") == "Wow! (see \\[1\\])"
    assert escape_md("![p](https://t.example/p.gif)") == "\\!\\[p\\]\\(https://t.example/p.gif)"


@pytest.mark.parametrize(
    "text",
    [
        "Vote passes (narrowly)!",
        "[click](javascript:alert(1))",
        "![img](https://tracker.example/p.gif)",
        "!![x](https://tracker.example/p.gif)!",
        "[x] (https://evil.example)",
        "[x][1]\n\n[1]: https://evil.example",
        "[a]: https://evil.example\n[a]",
        "\\](https://evil.example) \\![x](y)",
        "[text](<https://evil.example>)",
        '[t](https://evil.example "title")',
        "x]\n(https://evil.example)",
        "(1) first\n1) second",
        "a ![ b ]( c )",
    ],
)
def test_escape_md_makes_no_link_or_image_in_either_reading(text: str) -> None:
    words = text.split()
    seen, tags = _visible(escape_md(text))
    assert seen.split() == words and set(tags) == {"p"}, tags
    seen, types = _commonmark_visible(escape_md(text))
    assert seen.split() == words and types <= _PLAIN_TOKENS, types


@settings(max_examples=300, deadline=None)
@given(_md_text)
def test_escape_md_property_commonmark(text: str) -> None:
    seen, types = _commonmark_visible(escape_md(text))
    assert types <= _PLAIN_TOKENS | {"hardbreak"}, types
    assert " ".join(seen.split()) == " ".join(text.split())


# -- clean_html ---------------------------------------------------------------


def test_clean_html_removes_active_content() -> None:
    dirty = (
        '<p onclick="x()">hi<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">j</a>'
        '<a href="java&#x09;script:alert(1)">j2</a>'
        '<a href="/relative">r</a>'
        '<a href="https://ok.example/" target="_blank" style="color:red">ok</a>'
        '<a href="mailto:x@example.org">m</a>'
        '<img src="https://t.example/p.gif" width="1" height="1">'
        '<img src=x onerror="alert(1)">'
        "<iframe src=https://e.org></iframe><style>body{}</style>"
        '<form action="https://e.org"><input name=q></form>'
        '<object data="x.swf"></object><embed src="x.swf">'
        '<svg onload="alert(1)"><circle/></svg>'
        '<base href="https://evil.example/"><meta http-equiv="refresh" content="0">'
        '<p class="meta evil">keep</p>'
    )
    out = clean_html(dirty)
    assert find_active_content(out) == []
    for bad in ("<script", "onclick", "onerror", "javascript", "<img", "<iframe", "<style",
                "<form", "<object", "<embed", "<svg", "<base", "<meta", "style=", "target="):  # fmt: skip
        assert bad not in out, bad
    assert "alert(1)" not in out
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">ok</a>' in out
    assert 'href="mailto:x@example.org"' in out
    assert 'href="/relative"' not in out
    assert '<p class="meta">keep</p>' in out


# -- find_active_content ------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "needle"),
    [
        ("<p>x<script>alert(1)</script></p>", "<script>"),
        ("<SCRIPT SRC=//e.org/x.js></SCRIPT>", "<script>"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("<body onload=alert(1)>", "onload"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="  JaVaScRiPt:alert(1)">x</a>', "javascript:"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "javascript:"),
        ('<a href="java&Tab;script:alert(1)">x</a>', "javascript:"),
        ('<a href="vbscript:x">x</a>', "vbscript:"),
        ('<iframe src="data:text/html,x"></iframe>', "<iframe>"),
        ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "data:"),
        ('<form action="https://e.org"><button>go</button></form>', "<form>"),
        ('<button formaction="javascript:alert(1)">x</button>', "javascript:"),
        ("<object data=x></object>", "<object>"),
        ("<embed src=x>", "<embed>"),
        ('<base href="https://evil.example/">', "<base>"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "refresh"),
        ("<html><body><style>p{}</style></body></html>", "<style> outside"),
        ("<html><head><style>@import url(https://e.org/x.css);</style></head></html>", "@import"),
        ('<div style="background:url(https://t.example/p.gif)">x</div>', "style attribute"),
        ('<link rel="stylesheet" href="https://e.org/x.css">', "<link>"),
        ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', "srcdoc"),
    ],
)
def test_find_active_content_reports(html: str, needle: str) -> None:
    found = find_active_content(html)
    assert any(needle in f for f in found), found


@pytest.mark.parametrize(
    "html",
    [
        "",
        "plain text",
        '<p>Hello <a href="https://e.org/?a=1&amp;b=2">link</a> &lt;script&gt;</p>',
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        "<style>p { color: red }</style></head><body><p>x</p></body></html>",
        '<p style="color:#333;margin:0">on the record: javascript: is a word here</p>',
        '<a href="mailto:x@example.org">mail</a>',
    ],
)
def test_find_active_content_quiet_on_safe_html(html: str) -> None:
    assert find_active_content(html) == []
