"""Accessibility re-review of every page digest renders (stop 62; WCAG 2.2 AA, the audit in
docs/evaluation.md, "Stop 62: accessibility, again (review)"): the email's contents a finger's
width apart, page titles that tell pages apart, and no English name marked as another language."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from digest.output.render import render_email_html, render_html
from digest.records import DigestView, StoryView, VersionView
from digest.service.webday import decorate_day
from digest.store.base import open_store
from tests.support.archive import NOW, fill
from tests.support.config import MakeConfig
from tests.support.web import Site
from tests.support.web import site as open_site

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _title(site: Site, path: str) -> str:
    return lxml.html.document_fromstring(site.get(path).text).findtext(".//title")


def test_the_emails_contents_lines_are_a_fingers_width_apart() -> None:
    """The email's contents list a title per line, the link most of it ("Ferry Aurora runs
    aground ... · 4 outlets"): 14px at line-height 1.5 put two 16px links 21px apart, under
    WCAG 2.5.8's 24px (the page's own contents are 25px apart).  Now 25px, as the page."""
    stories = [StoryView(f"s{i}", f"Story number {i}",
                         VersionView("Wire", f"Story number {i}", f"https://w.example/{i}", AT, "Text. " * 30),
                         [VersionView("Coast", f"Story {i} again", f"https://c.example/{i}", AT, "Text. " * 9)])
               for i in range(4)]  # fmt: skip
    doc = lxml.html.document_fromstring(render_email_html(DigestView("2026-11-20", stories, 4, 0), tz=UTC))
    contents = list(doc.iter("ol"))
    assert contents and all(len(ol.findall("li/a")) == 4 for ol in contents)
    for ol in contents:
        style = dict(p.split(":", 1) for p in ol.get("style").split(";") if p)
        pitch = float(style["font-size"].removesuffix("px")) * float(style["line-height"])
        assert pitch >= 24, style


def test_a_day_without_a_digest_is_titled_so(site: Site) -> None:
    """The 404 page of a day with no digest was titled "Saturday, 7 March 2026 · digest": a
    screen reader's first words (the title) named the day as if its digest were there
    (WCAG 2.4.2).  The title says there is none; a day with one keeps its own."""
    r = site.get("/day/2026-03-07")
    assert r.status_code == 404
    title = lxml.html.document_fromstring(r.text).findtext(".//title")
    assert title.startswith("No digest: ") and "7 March 2026" in title, title
    assert not _title(site, "/day/2026-03-14").startswith("No digest"), _title(site, "/day/2026-03-14")
    assert _title(site, "/day/2026-02-30").startswith("No such day"), _title(site, "/day/2026-02-30")


def test_each_search_page_has_a_title_of_its_own(site: Site) -> None:
    """Page 2 of a search and its newest-first order were titled as page 1 ("quake · Search ·
    digest"), and so was a search since a day: a screen reader's list of tabs, or the history,
    could not tell them apart (WCAG 2.4.2).  Each says its order, page and day."""
    paths = ["/search?q=quake", "/search?q=quake&page=2", "/search?q=quake&sort=newest",
             "/search?q=quake&sort=newest&page=2", "/search?q=quake&since=2026-03-14"]  # fmt: skip
    titles = [_title(site, p) for p in paths]
    assert len(set(titles)) == len(titles), titles
    assert titles[0].startswith("quake · Search ·"), titles
    assert ", page 2" in titles[1] and ", newest first" in titles[2], titles
    assert titles[4].replace("\xa0", " ").startswith("quake since Sat, 14 Mar 2026 · Search"), titles
    assert _title(site, "/search?q=%21%21").startswith("!! · Search ·")  # no words: no page


def _text(el: lxml.html.HtmlElement, leave_out: str) -> str:
    """``el``'s text without the elements ``leave_out`` (an XPath predicate) finds in it."""
    parts = el.xpath(f".//text()[not(ancestor::*[{leave_out}])]")
    return " ".join("".join(parts).split())


def _name(a: lxml.html.HtmlElement) -> str:
    """What a screen reader names the link: its ``aria-label``, else its content but what is
    hidden from it."""
    return a.get("aria-label") or _text(a, "@aria-hidden='true'")


def test_the_day_and_month_links_say_their_words_in_english_and_their_dates_in_the_locales(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """With ``locale: de_DE`` the month page's "Previous month: Januar 2026" and the no-digest
    day's "Previous day with a digest: Fr., 13. März 2026" links carried ``lang="de-DE"``: a
    screen reader read their English words with the German voice; the day page's were named
    by an English ``aria-label`` whose German date could not say its language (WCAG 3.1.2,
    left by stop 33).  Each is named by its content now: the words English (shown to screen
    readers only), the date in a ``span lang="de-DE"``, the arrow hidden; shown as before.
    No element named by an ``aria-label`` is marked as another language."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), locale="de_DE")
    with open_store(cfg.database_url) as store:
        fill(store)
    links = {}
    with open_site(cfg, clock=lambda: NOW) as s:
        for path in ("/", "/month/2026-03", "/month/2026-01", "/day/2026-03-14", "/day/2026-03-10", "/day/2026-02-30",
                     "/story/quake", "/search?q=quake&since=2026-03-01"):  # fmt: skip
            doc = lxml.html.document_fromstring(s.get(path).text)
            named = [el for el in doc.body.iter() if isinstance(el.tag, str) and el.get("aria-label")]
            marked = [(el.get("aria-label"), el.get("lang")) for el in named
                      if (el.xpath("ancestor-or-self::*[@lang][1]/@lang") or ["en"])[0] != "en"]  # fmt: skip
            assert marked == [], (path, marked)
            for a in doc.xpath("//nav[@class='days' or @class='months']//a"):
                links[path, a.get("rel")] = a
    assert set(links) >= {("/month/2026-03", "prev"), ("/month/2026-01", "next"), ("/day/2026-03-14", "prev"),
                          ("/day/2026-03-10", "prev"), ("/day/2026-03-10", "next")}  # fmt: skip
    for (path, rel), a in links.items():
        name, shown = _name(a), _text(a, "@class='vh'")
        words, _, day = name.partition(": ")
        assert words in {"Previous day", "Next day", "Previous month", "Next month", "Previous day with a digest",
                         "Next day with a digest"}, (path, name)  # fmt: skip
        assert shown == (f"← {day}" if rel == "prev" else f"{day} →"), (path, shown)
        (dated,) = a.xpath(".//*[@lang]")
        assert dated.get("lang") == "de-DE" and " ".join(dated.text_content().split()) == day, (path, name)
        assert a.get("lang") is None and ("März" in day or "Jan" in day), (path, name)


def test_a_permalinks_name_gives_its_title_the_language_of_its_version() -> None:
    """The day page's "all versions" link was named by an ``aria-label``, "All versions:
    Stadtrat beschließt Haushalt": the German title of a German feed's story, said to be
    German in its heading (stop 34), was read with the English voice in the link's name
    (WCAG 3.1.2).  The title is the link's content now, for screen readers only, in a span
    of its version's language; the link shows "all versions" as before."""
    title = "Stadtrat beschließt Haushalt"
    lead = VersionView("Zeitung", title, "https://z.example/1", AT, "Der Stadtrat hat den Haushalt beschlossen.", lang="de")
    stories = [StoryView("s0", title, lead, [VersionView("Wire", "Council passes budget", "https://w.example/1", AT, "x")])]
    doc = lxml.html.document_fromstring(decorate_day(render_html(DigestView("2026-11-20", stories, 2, 0)), stories))
    (a,) = doc.find_class("permalink")
    assert a.get("aria-label") is None and a.text == "all versions"
    assert " ".join(a.xpath("string(.)").split()) == f"all versions: {title}"
    (hidden,) = a.find_class("vh")
    (said,) = hidden.xpath(".//*[@lang]")
    assert (said.get("lang"), said.text) == ("de", title)
