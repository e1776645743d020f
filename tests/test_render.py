"""digest.output.render: Markdown/HTML/email/JSON output of hostile digests; template lookup."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.output.dates import format_day, format_time
from digest.output.render import (
    excerpt,
    make_env,
    render,
    render_email_html,
    render_html,
    render_json,
    render_markdown,
    render_text,
)
from digest.output.sanitize import find_active_content
from digest.output.templates import default_template_dirs
from digest.records import DigestView, StoryView, VersionView
from tests.support.examples_count import examples
from tests.support.views import NOON, hostile_view

REPO_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
def _hrefs(html: str, ids_here: bool = True) -> list[str]:
    """The links leaving the page (an in-page ``#id`` must name an element of the page,
    unless ``ids_here`` is false: plain Markdown leaves heading ids to the viewer)."""
    root = lxml.html.document_fromstring(html)
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    hrefs = [a.get("href") for a in root.iter("a") if a.get("href") is not None]
    assert all(h[1:] in ids or not ids_here for h in hrefs if h.startswith("#")), hrefs
    return [h for h in hrefs if not h.startswith("#")]


# -- hostile input ------------------------------------------------------------


def test_html_has_no_active_content_and_only_http_links() -> None:
    html = render_html(hostile_view())
    assert find_active_content(html) == []
    hrefs = _hrefs(html)
    assert hrefs, "expected some links"
    assert all(re.match(r"https?://", h) for h in hrefs), hrefs
    assert "https://ex.example/budget?a=1&b=2" in hrefs
    root = lxml.html.document_fromstring(html)
    # no element or attribute that loads anything
    assert not [el for el in root.iter() if isinstance(el.tag, str) and el.get("src")]
    for a in root.iter("a"):
        assert a.get("rel") == "noopener noreferrer nofollow"
    # hostile markup is shown as text
    text = root.text_content()
    assert "<script>alert('t')</script>Budget passes" in text
    assert "[click me](javascript:alert(1))" in text
    assert "{{ 7 * 7 }} {% raw %} {# c #}" in text
    assert "49" not in text


def test_email_html_inline_css_and_safe() -> None:
    html = render_email_html(hostile_view())
    assert find_active_content(html) == []
    assert "<style" not in html
    root = lxml.html.document_fromstring(html)
    for tag in ("h1", "h2", "a"):
        els = list(root.iter(tag))
        assert els and all(el.get("style") for el in els), tag
    assert all(re.match(r"https?://", h) for h in _hrefs(html))


def test_markdown_itself_is_inert_without_sanitizer() -> None:
    """Any Markdown viewer (no nh3 afterwards) must see only http(s) links and no HTML."""
    md_text = render_markdown(hostile_view())
    html = markdown.markdown(md_text)
    assert find_active_content(html) == []
    assert all(re.match(r"https?://", h) for h in _hrefs(html, ids_here=False))
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    allowed = {"h1", "h2", "p", "strong", "em", "a", "ul", "ol", "li", "hr"}
    assert {el.tag for el in root.iter() if el is not root} <= allowed
    # destinations in the raw Markdown too (a renderer with other extensions)
    for dest in re.findall(r"\]\(([^)\s]*)\)", md_text):
        assert dest.startswith(("http://", "https://")) or re.fullmatch(r"#[\w-]+", dest), dest


def test_markdown_keeps_a_headlines_parentheses_and_exclamation_marks_and_stays_inert() -> None:
    """A feed value's "(" and "!" are no longer escaped ("Vote passes (narrowly)!" was
    "Vote passes \\(narrowly\\)\\!" in the ``.md`` file).  Every feed value here opens with a
    "(" (after a template's "]" it would be a link's destination) and ends with a "!" (before
    a template's "[", an image): no link but the versions', no image, in either reading."""
    from markdown_it import MarkdownIt

    from digest.records import FailingSource

    said = "(https://tracker.example/p.gif) Vote passes (narrowly)!"
    stories = [
        StoryView(f"s{i}", said, VersionView(said, said, url, NOON, said),
                  [VersionView(said, said, url, NOON), VersionView(said, "", url, NOON)],
                  first_seen=NOON)
        for i, url in enumerate(["https://ok.example/a", None])
    ]
    view = DigestView("2024-05-01", stories, 6, 4, title=said, generated=NOON,
                      failing=[FailingSource(said, NOON, 2, said)])
    md_text = render_markdown(view)
    assert "Vote passes (narrowly)!" in md_text and "\\(" not in md_text and "\\!" not in md_text
    for html in (markdown.markdown(md_text), MarkdownIt("commonmark").render(md_text)):
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        assert not list(root.iter("img"))
        assert {a.get("href") for a in root.iter("a")} <= {"https://ok.example/a", "#s0", "#s1"}


def test_json_schema_raw_text_and_null_urls() -> None:
    view = hostile_view()
    doc = json.loads(render_json(view))
    assert doc["date"] == "2024-05-01"
    assert doc["counts"] == {"articles_read": 123, "stories": 9, "duplicates_collapsed": 45, "muted_articles": 0,
                             "also_reported": 0, "backlog": 0}
    assert [s["story_id"] for s in doc["stories"]] == [s.story_id for s in view.stories]
    for s, sv in zip(doc["stories"], view.stories, strict=True):
        assert set(s) >= {"title", "lead", "also"}
        assert set(s["lead"]) >= {"source", "url", "title", "text"}
        assert s["lead"]["text"] == sv.lead.text  # full text, raw
        assert s["lead"]["title"] == sv.lead.title
        for a in s["also"]:
            assert set(a) >= {"source", "url", "title"}
        for u in [s["lead"]["url"], *(a["url"] for a in s["also"])]:
            assert u is None or u.startswith(("http://", "https://"))
    assert [s["lead"]["url"] for s in doc["stories"][:6]] == [None] * 6
    assert doc["stories"][8]["lead"]["url"] == "https://ex.example/budget?a=1&b=2"


def test_json_keeps_non_ascii() -> None:
    view = DigestView("2024-05-01", [StoryView("x", "Zürich", VersionView("Süd", "Zürich – «Ja»", None, None, "Grüße"), [])], 1, 0)  # fmt: skip
    out = render_json(view)
    assert "Zürich – «Ja»" in out
    assert json.loads(out)["stories"][0]["lead"]["text"] == "Grüße"


# -- content --------------------------------------------------------------------


def _view(n: int = 3, **kw: object) -> DigestView:
    stories = [
        StoryView(
            f"id{i}",
            f"Story number {i}",
            VersionView(f"Source {i}", f"Story number {i}", f"https://s{i}.example/a", NOON, f"Text of story {i}."),
            [VersionView(f"Echo {i}", f"Echo title {i}", f"https://e{i}.example/", NOON)],
        )
        for i in (5, 1, 9, 3)[:n]
    ]  # fmt: skip
    args: dict[str, object] = {"date": "2024-05-01", "stories": stories, "articles_read": 17,
                               "duplicates_collapsed": 4}  # fmt: skip
    args.update(kw)
    return DigestView(**args)  # type: ignore[arg-type]


def test_order_and_counts_in_every_format() -> None:
    view = _view(4)
    md_text = render_markdown(view)
    heads = re.findall(r"^## \[Story number (\d)\]", md_text, re.M)
    assert heads == ["5", "1", "9", "3"]
    assert "**17** articles read · **4** stories · **4** duplicates collapsed" in md_text
    html = render_html(view)
    root = lxml.html.document_fromstring(html)
    assert [h.text_content() for h in root.iter("h2")] == [
        f"Story number {i}" for i in (5, 1, 9, 3)
    ]
    counts = root.find_class("counts")[0].text_content()
    # the dot tied to the word before it (a no-break space), as every " · " of the page
    assert counts == "17 articles read\u00a0· 4 stories\u00a0· 4 duplicates collapsed"
    assert [s["story_id"] for s in json.loads(render_json(view))["stories"]] == [
        "id5",
        "id1",
        "id9",
        "id3",
    ]


def test_singular_counts_and_empty_digest() -> None:
    md_text = render_markdown(_view(1, articles_read=1, duplicates_collapsed=1))
    assert "**1** article read · **1** story · **1** duplicate collapsed" in md_text
    empty = render_markdown(DigestView("2024-05-02", [], 0, 0))
    assert "No new stories." in empty
    assert find_active_content(render_html(DigestView("2024-05-02", [], 0, 0))) == []


def test_also_reported_by_links_outlets() -> None:
    view = _view(1)
    view.stories[0].also.append(VersionView("No Title Daily", "", "https://ntd.example/x", None))
    view.stories[0].also.append(
        VersionView("Bad Link Gazette", "Gazette says", "javascript:x", None)
    )
    md_text = render_markdown(view)
    assert "- **Echo 5**: [Echo title 5](https://e5.example/) ·\u00a0Wed\u00a01\u00a0May,\u00a012:30\u00a0UTC" in md_text
    assert "- [No Title Daily](https://ntd.example/x)" in md_text
    assert "- **Bad Link Gazette**: Gazette says\n" in md_text


def test_markdown_has_no_html_hooks() -> None:
    md_text = render_markdown(hostile_view())
    assert "\\{: .evil onclick" in md_text  # the feed's attempt, escaped
    assert not re.search(r"(?<!\\)\{:", md_text)


def test_excerpt_in_output_is_cut() -> None:
    text = "First sentence here. " + "Second sentence is rather long and keeps going. " * 20
    view = _view(1)
    view.stories[0].lead.text = text
    md_text = render_markdown(view, excerpt_chars=120)
    para = next(line for line in md_text.splitlines() if line.startswith("First sentence"))
    assert para.endswith("…") and len(para) <= 125
    assert text.strip() not in md_text
    assert json.loads(render_json(view))["stories"][0]["lead"]["text"] == text  # JSON keeps it all


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short text.", 400, "Short text."),
        ("  spaced\n\nout   text ", 400, "spaced out text"),
        ("One two three. Four five six seven eight nine ten eleven.", 26, "One two three. …"),
        (
            "One two three. Four five six seven eight nine ten eleven.",
            30,
            "One two three. Four five six…",
        ),
        ("Alpha beta gamma delta epsilon zeta eta theta", 20, "Alpha beta gamma…"),
        ("Alpha beta, gamma delta epsilon", 12, "Alpha beta…"),
        ("x" * 50, 10, "x" * 10 + "…"),
        ("A. Bcdefghijklmnopqrstuvwxyz abcdefghij klm", 30, "A. Bcdefghijklmnopqrstuvwxyz…"),
        # a title's stop is no sentence end (the one splitter, digest.text.sentences)
        ("The mayor met with Dr. Reid at noon and they talked", 28, "The mayor met with Dr. Reid…"),
        ("Then it rained. “Nobody came,” he said.", 28, "Then it rained. …"),
        ("It rained all day… Nobody came to the fair that day.", 30, "It rained all day…"),
        # a summary's own cut mark is the ellipsis ("\\[...\\]" in the Markdown digest)
        ("Firefighters fought the blaze for five [...]", 400, "Firefighters fought the blaze for five …"),
        ("Firefighters fought the blaze for five [ … ]", 400, "Firefighters fought the blaze for five …"),
        ("The ruling [...] was upheld on appeal.", 400, "The ruling [...] was upheld on appeal."),
    ],
)
def test_excerpt_boundaries(text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit) == expected


def test_timezone_display() -> None:
    view = _view(1)
    nb = "\u00a0"  # times never wrap
    berlin = render_markdown(view, tz=ZoneInfo("Europe/Berlin"))
    # one format, on the digest's own day too: the date, the time, the zone; no year this year
    assert f"**Source 5** ·{nb}Wed{nb}1{nb}May,{nb}14:30{nb}CEST\n" in berlin
    assert f"**Source 5** ·{nb}Wed{nb}1{nb}May,{nb}08:30{nb}EDT\n" in render_markdown(
        view, tz=ZoneInfo("America/New_York")
    )
    assert f"**Source 5** ·{nb}Wed{nb}1{nb}May,{nb}12:30{nb}UTC\n" in render_markdown(view)
    # UTC+14: already the next day there
    kiri = render_markdown(view, tz=ZoneInfo("Pacific/Kiritimati"))
    assert f"**Source 5** ·{nb}Thu{nb}2{nb}May,{nb}02:30{nb}+14\n" in kiri
    tokyo = format_time(datetime(2024, 1, 1, 23, 0), ZoneInfo("Asia/Tokyo"))
    assert tokyo == f"Tue,{nb}2{nb}Jan{nb}2024,{nb}08:00{nb}JST"  # no day given: with the year
    assert (
        format_time(datetime(2024, 1, 1, 23, 0), ZoneInfo("Asia/Tokyo"), day="2024-01-02")
        == f"Tue{nb}2{nb}Jan,{nb}08:00{nb}JST"
    )
    assert format_time(datetime(2023, 12, 31, 9, 0), day="2024-01-02") == (
        f"Sun,{nb}31{nb}Dec{nb}2023,{nb}09:00{nb}UTC"  # another year: with the year
    )
    assert format_time(None) == ""
    assert format_time(NOON, timezone(timedelta(hours=-4))).startswith(f"Wed,{nb}1{nb}May{nb}2024,{nb}08:30")


def test_dates_follow_the_locale_and_never_break() -> None:
    nb = "\u00a0"
    when = datetime(2026, 12, 1, 10, 6, tzinfo=UTC)
    assert format_time(when, day="2026-12-01") == f"Tue{nb}1{nb}Dec,{nb}10:06{nb}UTC"
    assert format_time(when, day="2026-12-01", locale="en_US") == (
        f"Tue,{nb}Dec{nb}1,{nb}10:06{nb}AM{nb}UTC"
    )
    assert format_time(when, day="2026-12-01", locale="de_DE") == f"Di.,{nb}1.{nb}Dez.,{nb}10:06{nb}UTC"
    for locale in ("en_GB", "en_US", "de", "fr", "ja", "nl", "fi", "ar"):
        shown = format_time(when, ZoneInfo("Europe/Berlin"), locale=locale)
        assert shown and not re.search(r"[\s-]", shown.replace(nb, "")), (locale, shown)
    assert format_day("2026-11-20") == "Friday, 20 November 2026"
    assert format_day("2026-11-20", "de") == "Freitag, 20. November 2026"
    # one format in the whole digest: the heading's day, each version's time, the footer
    md_text = render_markdown(_view(2, generated=when), locale="en_GB")
    assert md_text.startswith("# digest · Wednesday, 1 May 2024\n")
    assert f"*Generated Tue,{nb}1{nb}Dec{nb}2026,{nb}10:06{nb}UTC.*" in md_text  # another year
    assert "2024-05-01" not in md_text
    html = render_html(_view(2, generated=when))
    spans = lxml.html.document_fromstring(html).find_class("time")
    assert [" ".join(s.text_content().split()) for s in spans] == [
        "Wednesday, 1 May 2024",
        "Wed 1 May, 12:30 UTC", "Wed 1 May, 12:30 UTC", "Wed 1 May, 12:30 UTC", "Wed 1 May, 12:30 UTC",
        "Tue, 1 Dec 2026, 10:06 UTC",
    ]  # fmt: skip
    # whole: the heading's day never wider than the line, a time in a line never broken (not an
    # inline block: a line broke after one, before its "· same text as ...", stop 61)
    assert "span.time { white-space: nowrap; }" in html
    assert "h1 span.time, p.per-day span.time { display: inline-block; max-width: 100%;" in html
    email = lxml.html.document_fromstring(render_email_html(_view(1)))
    heading, *times = email.find_class("time")
    assert "display:inline-block" in (heading.get("style") or "") and heading.getparent().tag == "h1"
    assert times and all((s.get("style") or "") == "white-space:nowrap" for s in times)


def test_html_page_shell() -> None:
    html = render_html(_view())
    assert '<meta name="viewport"' in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "max-width" in html
    assert not re.search(r"""(?:src|@import|url\()\s*=?\s*["']?https?:""", html)
    assert html.count("<style>") == 1


def test_render_dispatch() -> None:
    view = _view()
    assert render(view, "md") == render_markdown(view)
    assert render(view, "html") == render_html(view)
    assert render(view, "json") == render_json(view)
    with pytest.raises(ValueError, match="unknown digest format 'xml'"):
        render(view, "xml")  # type: ignore[arg-type]


# -- templates ----------------------------------------------------------------------


def test_user_template_overrides_whole_digest(tmp_path: Path) -> None:
    (tmp_path / "digest.md.j2").write_text(
        "DIGEST {{ date|md }}\n{% for s in stories %}* {{ s.title|md }} <{{ s.url }}>\n{% endfor %}"
    )
    out = render_markdown(_view(2), env=make_env(tmp_path))
    assert out == (
        "DIGEST 2024-05-01\n"
        "* Story number 5 <https://s5.example/a>\n"
        "* Story number 1 <https://s1.example/a>\n"
    )


def test_user_partial_overrides_story_only(tmp_path: Path) -> None:
    (tmp_path / "_story.md.j2").write_text("### {{ s.title|md }} (custom)\n\n")
    out = render_markdown(_view(2), env=make_env(tmp_path))
    assert "### Story number 5 (custom)" in out
    assert "articles read" in out  # main template still the default
    html = render_html(_view(2), env=make_env(tmp_path))
    assert "<h3>Story number 5 (custom)</h3>" in html


def test_missing_user_template_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        make_env(tmp_path / "nope")


@pytest.mark.parametrize(("text", "said"), [
    ("# {{ title }}\n{{ broken \n", "digest.md.j2:2: unexpected end of template"),
    ("# {{ title }}\n\n{{ no_such.field }}\n", "digest.md.j2:3: UndefinedError: 'no_such' is undefined"),
])
def test_a_broken_user_template_is_one_line_naming_its_file_and_line(tmp_path: Path, text: str, said: str) -> None:
    """A user's template (``templates:``) that does not parse, or names a value the digest
    has not, was a Jinja2 traceback out of ``digest run``; one line now, as every other error."""
    from digest.errors import DigestError

    (tmp_path / "digest.md.j2").write_text(text)
    with pytest.raises(DigestError) as err:
        render_markdown(_view(2), env=make_env(tmp_path))
    line = str(err.value)
    assert line.startswith("templates: ") and "\n" not in line, line
    assert said in line and str(tmp_path) in line, line


def test_html_templates_autoescape(tmp_path: Path) -> None:
    (tmp_path / "digest.html.j2").write_text("<title>{{ title }}</title>{{ body }}")
    html = render_html(hostile_view(), env=make_env(tmp_path))
    assert html.startswith("<title>My &lt;digest&gt;</title>")
    assert find_active_content(html) == []


def _copy_templates(dest: Path) -> None:
    shutil.copytree(REPO_TEMPLATES, dest)


def test_default_templates_wheel_layout(tmp_path: Path) -> None:
    """Installed wheel: site-packages/digest/templates (pyproject maps templates there)."""
    pkg = tmp_path / "site-packages" / "digest"
    pkg.mkdir(parents=True)
    _copy_templates(pkg / "templates")
    assert default_template_dirs(pkg) == [pkg / "templates"]
    (pkg / "templates" / "digest.md.j2").write_text("wheel copy {{ date }}\n")
    assert render_markdown(_view(), env=make_env(package_dir=pkg)) == "wheel copy 2024-05-01\n"


def test_default_templates_source_layout(tmp_path: Path) -> None:
    """Source checkout / editable install: repo/digest next to repo/templates."""
    pkg = tmp_path / "repo" / "digest"
    pkg.mkdir(parents=True)
    _copy_templates(tmp_path / "repo" / "templates")
    assert default_template_dirs(pkg) == [tmp_path / "repo" / "templates"]
    assert "**17** articles read" in render_markdown(_view(), env=make_env(package_dir=pkg))
    # both present: the wheel copy wins
    _copy_templates(pkg / "templates")
    assert default_template_dirs(pkg)[0] == pkg / "templates"


def test_no_default_templates_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="default templates not found"):
        make_env(package_dir=tmp_path / "digest")


def test_this_checkout_finds_repo_templates() -> None:
    assert REPO_TEMPLATES in default_template_dirs()


# -- property ------------------------------------------------------------------------

_hostile_bits = st.sampled_from(
    ["<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "](", "[", ")",
     "<a href='javascript:x'>", "&", "&#x09;", "{{", "}}", "{:", ".x}", '"', "'", "`", "*", "_",
     "#", "\n", "    ", "<!--", "-->", "<style>", "<svg/onload=alert(1)>", "data:", " ", "é", "a"]
)  # fmt: skip
_text = st.one_of(st.text(max_size=40), st.lists(_hostile_bits, max_size=15).map("".join))
_url = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.tuples(st.sampled_from(["https://", "http://", "javascript:", "java\tscript:", "data:", " "]),
              st.lists(_hostile_bits, max_size=6).map("".join)).map("".join),
)  # fmt: skip
_versions = st.builds(
    VersionView, source=_text, title=_text, url=_url, published=st.none(), text=_text
)
_stories = st.builds(
    StoryView, story_id=st.text(max_size=5), title=_text, lead=_versions,
    also=st.lists(_versions, max_size=2),
)  # fmt: skip


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_stories, max_size=3), _text)
def test_property_random_views_are_inert(stories: list[StoryView], title: str) -> None:
    view = DigestView("2024-05-01", stories, 3, 1, title=title)
    html = render_html(view)
    assert find_active_content(html) == []
    assert all(h.startswith(("http://", "https://")) for h in _hrefs(html))
    assert find_active_content(render_email_html(view)) == []
    md_html = markdown.markdown(render_markdown(view))
    assert find_active_content(md_html) == []
    assert all(h.startswith(("http://", "https://")) for h in _hrefs("<div>" + md_html + "</div>", False))
    doc = json.loads(render_json(view))
    assert len(doc["stories"]) == len(stories)
    for s in doc["stories"]:
        assert s["lead"]["url"] is None or s["lead"]["url"].startswith(("http://", "https://"))


def test_url_with_markdown_metacharacters_survives_intact() -> None:
    url = "https://e.org/a_b_c*d*/__init__?x=**y**&z=_1_#f_g_"
    view = DigestView("2024-05-01", [StoryView("x", "t", VersionView("S", "Title_with *stars*", url, None, "t"), [])], 1, 0)  # fmt: skip
    assert _hrefs(render_html(view)) == [url]
    assert "## [Title\\_with \\*stars\\*](" + url + ")" in render_markdown(view)


# -- reading a long digest -------------------------------------------------------------


def _long_view(stories: int = 5, also: int = 12) -> DigestView:
    view = _view(4)
    view.stories = [
        StoryView(
            f"id{i}", f"Story {i}",
            VersionView(f"Lead {i}", f"Story {i}: what_happened next", f"https://l{i}.example/", NOON, "Text."),
            [VersionView(f"Outlet {i}.{k}", f"Take {k}", f"https://o{k}.example/{i}", NOON) for k in range(also if i == 0 else i % 3)],
            status="developing" if i == 2 else "new",
        )
        for i in range(stories)
    ]  # fmt: skip
    return view


def test_a_long_digest_opens_with_its_contents_linked_to_each_story() -> None:
    view = _long_view()
    html = render_html(view)
    root = lxml.html.document_fromstring(html)
    label = root.find_class("toc-label")[0]
    assert label.text_content() == "In this digest:"
    toc = label.getnext()
    assert toc.tag == "ol"
    entries = [" ".join(li.text_content().split()) for li in toc.iter("li")]
    assert entries == [
        "Story 0: what_happened next · 13 outlets", "Story 1: what_happened next · 2 outlets",
        "Story 2: what_happened next · 3 outlets · developing", "Story 3: what_happened next · 1 outlet",
        "Story 4: what_happened next · 2 outlets",
    ]  # fmt: skip
    heads = {h.get("id"): h for h in root.iter("h2")}
    targets = [a.get("href") for a in toc.iter("a")]
    assert targets[0] == "#story-0-what-happened-next" and targets[3] == "#story-3-what-happened-next"
    assert [heads[t[1:]].text_content() for t in targets] == [s.lead.title for s in view.stories]
    # one line says how the stories are ordered
    assert " ".join(root.find_class("order")[0].text_content().split()) == "Stories are listed most outlets first."
    # the Markdown: the same list, linked to the ids Markdown viewers give the headings
    md_text = render_markdown(view)
    nb = "\u00a0"  # a count stays with its word
    assert f"In this digest:\n\n1. [Story 0: what\\_happened next](#story-0-what-happened-next) ·{nb}13{nb}outlets\n" in md_text
    assert f"3. [Story 2: what\\_happened next](#story-2-what-happened-next) ·{nb}3{nb}outlets ·{nb}developing\n" in md_text
    assert "Stories are listed most outlets first." in md_text
    assert "In this digest" in render_email_html(view)
    # a short digest has none; one story needs no word on the order
    short = render_markdown(_long_view(3))
    assert "In this digest" not in short and "most outlets first" in short
    assert "most outlets first" not in render_markdown(_long_view(1))


def test_repeated_titles_get_their_own_anchors() -> None:
    view = _long_view()
    for s in view.stories:
        s.lead.title = "Same title"
    root = lxml.html.document_fromstring(render_html(view))
    assert [h.get("id") for h in root.iter("h2")] == [
        "same-title", "same-title-1", "same-title-2", "same-title-3", "same-title-4"
    ]


def test_a_long_also_reported_by_list_shows_five_and_folds_the_rest() -> None:
    view = _long_view(also=12)
    html = render_html(view)
    root = lxml.html.document_fromstring(html)
    first = root.find_class("also-label")[0].getnext()
    assert [li.text_content().split(":")[0] for li in first.iter("li")] == [f"Outlet 0.{k}" for k in range(5)]
    more = first.getnext()
    assert more.tag == "details" and more.get("class") == "more" and more.get("open") is None
    assert more.find("summary").text_content() == "and 7 more"
    assert [li.text_content().split(":")[0] for li in more.iter("li")] == [f"Outlet 0.{k}" for k in range(5, 12)]
    assert all(a.get("href", "").startswith("https://") for a in more.iter("a"))
    assert find_active_content(html) == []
    email = lxml.html.document_fromstring(render_email_html(view))
    assert email.find(".//details/summary").text_content() == "and 7 more"
    md_text = render_markdown(view)
    assert "- **Outlet 0.4**: [Take 4](https://o4.example/0) ·" in md_text
    assert "- and 7 more: Outlet 0.5, Outlet 0.6, Outlet 0.7, Outlet 0.8, Outlet 0.9, Outlet 0.10, Outlet 0.11\n" in md_text
    assert "<details" not in md_text and "Take 5" not in md_text
    # nine are shown whole
    nine = render_html(_long_view(also=9))
    assert "<details" not in nine and "Take 8" in nine


def test_the_plain_text_is_not_markdown() -> None:
    view = _long_view(also=12)
    view.stories[1].lead.title = "Budget of 6.1 billion (74 million pounds) *approved*"
    view.stories[1].lead.text = "The council [approved] it: 6.1 billion (74 million pounds).\x07 " * 4
    text = render_text(view)
    for markup in ("**", "](", "\\(", "\\.", "\\[", "&lt;", "{:", "<span", "\x07"):
        assert markup not in text, markup
    lines = text.splitlines()
    story = lines.index("Budget of 6.1 billion (74 million pounds) *approved*")
    assert lines[story + 1] == "Lead 1 · Wed\u00a01\u00a0May,\u00a012:30\u00a0UTC"
    assert lines[story + 2] == "https://l1.example/"
    assert lines[story + 4].startswith("The council [approved] it: 6.1 billion (74 million pounds).")
    assert max(len(line) for line in lines[story + 4 : story + 8]) <= 72
    also = lines.index("* Outlet 1.0 · Wed\u00a01\u00a0May,\u00a012:30\u00a0UTC")
    assert lines[also + 1 : also + 3] == ["  Take 0", "  https://o0.example/1"]
    assert " 1. Story 0: what_happened next (13 outlets)" in lines
    assert "* and 7 more: Outlet 0.5, Outlet 0.6, Outlet 0.7, Outlet 0.8, Outlet" in lines


def test_every_field_of_the_json_digest_is_in_the_readme() -> None:
    """The README named 7 of the JSON digest's 40-odd fields (``counts``, ``outlets``,
    ``first_seen``, ``sections``, ``muted``, ``per_day``... were in no document): a reader
    writing a consumer had to guess their types.  Each key is named in the README now."""
    from digest.records import FailingSource, SectionView

    view = _view()
    view.sections = [SectionView("World", view.stories)]
    view.muted = [("Horoscope", "horoscope")]
    view.per_day = [("2024-05-01", 1)]
    view.failing = [FailingSource("Wire", datetime(2024, 5, 1, tzinfo=UTC), 2, "timed out")]
    keys: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            keys.update(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(render_json(view)))
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    json_part = readme[readme.index("The JSON digest") : readme.index("## How dedup works")]
    assert sorted(k for k in keys if f"`{k}`" not in json_part) == []
