"""Accessibility of what digest renders, as markup (stop 33; the axe audit is in
docs/evaluation.md): named navigation, a skip link on the archive's pages, link names
that say which story, and the email's language where webmail drops ``<html>``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html

from digest.output.render import render_email_html, render_html
from digest.records import DigestView, StoryView, VersionView
from digest.service.webpages import decorate_day
from digest.store.base import open_store
from tests.support.archive import HOSTILE, NOW, fill
from tests.support.config import MakeConfig
from tests.support.views import hostile_view
from tests.support.web import Site, active
from tests.support.web import site as open_site

PAGES = ("/", "/day/2026-03-14", "/story/quake", "/search?q=quake", "/search?q=quake&since=x", "/nope")


def _doc(site: Site, path: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(site.get(path).text)


def test_the_day_pages_navigation_landmarks_each_have_their_own_name(site: Site) -> None:
    """axe: landmark-unique.  The day page has the site's links and the previous/next day
    above and below the digest: three unnamed ``<nav>`` a screen reader listed alike.  The
    day links were named by their arrows ("left arrow Fri 13 Mar")."""
    doc = _doc(site, "/day/2026-03-14")
    names = [nav.get("aria-label") for nav in doc.iter("nav")]
    assert len(names) == 3 and all(names) and len(set(names)) == 3, names
    # named by their content (stop 62: the date in it can say its language), the arrow hidden
    days = [(a.get("rel"), a.get("aria-label"), " ".join(a.xpath("string(.)").split()),
             " ".join("".join(a.xpath(".//text()[not(ancestor::*[@aria-hidden='true'])]")).split()))
            for a in doc.find_class("days")[0].iter("a")]  # fmt: skip
    assert days == [("prev", None, "← Previous day: Fri, 13 Mar 2026", "Previous day: Fri, 13 Mar 2026")]
    for path in PAGES:  # the other pages' one nav is named too
        assert all(nav.get("aria-label") for nav in _doc(site, path).iter("nav")), path


def test_every_archive_page_opens_with_a_skip_link_past_the_navigation_and_search(site: Site) -> None:
    """Six Tab stops (site links, search box, day links) came before a day's first story, on
    every page; the first stop is now a link to the content that follows them."""
    for path in PAGES:
        doc = _doc(site, path)
        first = next(el for el in doc.body.iter("a", "input", "button") if el.tag != "a" or el.get("href"))
        assert first.get("class") == "skip" and first.get("href", "").startswith("#"), path
        target = doc.get_element_by_id(first.get("href")[1:])
        assert target.xpath("ancestor::main"), path
        before = target.xpath("preceding::*[self::nav or self::form]")  # everything to skip
        assert before and not target.xpath(".//nav | .//form"), path
        assert len([el for el in doc.iter() if el.get("id") == target.get("id")]) == 1, path
    heading = _doc(site, "/day/2026-03-14").get_element_by_id("content")
    assert heading.tag == "h1"


def test_each_permalink_names_the_story_it_goes_to(site: Site) -> None:
    """A screen reader's list of links read "all versions", "permalink", "permalink": each
    one's name now starts with its words and ends with its story's title (feed text, escaped,
    its control character dropped)."""
    page = site.get("/day/2026-03-14").text
    assert active(page) == []
    doc = lxml.html.document_fromstring(page)
    # (named by their content since stop 62: the title for screen readers only, in its language)
    names = {a.get("href"): (a.text, a.xpath("string(.)")) for a in doc.find_class("permalink")}
    assert names["/story/quake?day=2026-03-14"] == ("all versions", "all versions: Quake shakes Opunake")
    assert names["/story/hostile?day=2026-03-14"] == ("permalink", "permalink: " + " ".join(HOSTILE.replace("\x07", "").split()))
    assert "<script>" not in page


def test_the_skip_links_target_never_takes_a_story_anchors_id() -> None:
    """A story titled "Content" has the anchor ``content``: the skip link's target gets
    another id, and the story keeps its own."""
    at = datetime(2026, 11, 20, 9, tzinfo=UTC)
    stories = [StoryView(f"s{i}", "Content", VersionView("Wire", "Content", f"https://w.example/{i}", at), [])
               for i in range(2)]  # fmt: skip
    page = decorate_day(render_html(DigestView("2026-11-20", stories, 2, 0)), stories, date(2026, 11, 19))
    doc = lxml.html.document_fromstring(page)
    ids = [el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids)) and {"content", "content-1"} <= set(ids), ids
    skip = doc.find_class("skip")[0]
    assert doc.get_element_by_id(skip.get("href")[1:]).tag == "h1"


def test_the_emails_body_carries_its_language_and_is_named_an_email(tmp_path: Path) -> None:
    """Webmail keeps only the ``<body>``'s content: the ``lang`` of ``<html>`` was lost, and
    a screen reader met the digest unannounced in the client's page.  The wrapper says both;
    its name is the (escaped) title."""
    html = render_email_html(hostile_view())
    doc = lxml.html.document_fromstring(html)
    wrapper = doc.body[0]
    assert (wrapper.get("lang"), wrapper.get("dir"), wrapper.get("role")) == ("en", "ltr", "article")
    assert wrapper.get("aria-label") == "My <digest> · 2024-05-01"
    assert 'aria-label="My &lt;digest&gt; · 2024-05-01"' in html


def test_dates_in_a_locale_not_english_are_marked_with_its_language(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """With ``locale: de_DE`` the dates read "Freitag, 20. November 2026" in a page whose
    words are English (``lang="en"``): each date says its language (WCAG 3.1.2), in the
    digest, the email and the archive's pages; an English locale adds nothing."""
    view, at = hostile_view(), datetime(2024, 5, 1, 9, tzinfo=UTC)
    view.generated = at
    for html in (render_html(view, locale="de_DE"), render_email_html(view, locale="de_DE")):
        spans = lxml.html.document_fromstring(html).find_class("time")
        assert spans and {s.get("lang") for s in spans} == {"de-DE"}, html
        assert "Mittwoch, 1. Mai 2024" in [s.text_content() for s in spans]
    for html in (render_html(view), render_html(view, locale="en_US")):
        assert "lang=" not in html.replace('<html lang="en">', "")
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), locale="de_DE")
    with open_store(cfg.database_url) as store:
        fill(store)
    with open_site(cfg, clock=lambda: NOW) as s:
        for path in ("/", "/day/2026-03-14", "/story/quake", "/search?q=quake&since=2026-03-01"):
            doc = _doc(s, path)
            dated = [el for el in doc.body.iter() if isinstance(el.tag, str) and "März" in (el.text or "")]
            assert dated and all(el.get("lang") == "de-DE" for el in dated), path
            assert doc.getroottree().getroot().get("lang") == "en"
