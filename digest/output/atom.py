"""An Atom 1.0 feed of deduplicated stories (one entry per story, not per article).

Observations
------------
* Titles, outlet names, texts and URLs come from feeds: hostile.  The feed
  is built as an ``xml.etree.ElementTree`` tree, so every text and attribute
  is escaped by the serializer; no feed text is ever concatenated into XML.
* XML 1.0 forbids most C0 control characters (even as character
  references), lone surrogates and U+FFFE/U+FFFF; ElementTree writes them
  through and the result would not parse.  :func:`xml_text` drops them.
* Links are http(s) only (:func:`digest.output.sanitize.safe_url`); the HTML
  ``content`` (a list of every outlet's version) is built as elements,
  serialized, and sanitized with :func:`digest.output.sanitize.clean_html`.

How it works
------------
The feed's ``id`` is the archive's own (``urn:uuid:``, ``digest.store.marks.ARCHIVE_ID``),
the same under every host name and port it is served at; its URL only for a store no article
was stored in since that id came (stop 62).  Each entry's ``id`` is a ``tag:`` URI made from
the story id alone (stable across restarts and host names), ``link rel="alternate"`` is the lead
article (or the permalink when the lead has no usable URL), and
``link rel="related"`` is the story's permalink on the web server.
``published`` is when the story was first seen; ``updated`` the newest of
that and its versions' publication and arrival times (never later than the
feed's ``updated``): a developing story's entry is updated, not repeated, and its
``content`` opens with the day's line of what is new ("Developing: Coast News retracted its
report"), which a feed reader shows with the entry it marks unread again; then the lead's
excerpt, which the ``summary`` holds too: a feed reader shows an entry's ``content`` where it has
one, and not its ``summary`` (the excerpt was the summary's alone: no sentence of the story shown).
Where the lead is an earlier day's version (``StoryView.news_lead``), the content says the day's
news as the day's digest does, in its words (``context.story_context``): the day's version's
outlet and time marked new, its excerpt, the lead's first sentence under "Earlier, <outlet>"; the
summary the day's version's excerpt (the lead's was what the reader read the day before).  A new source's backlog
(``StoryView.backlog``: old items of its first read) is dated by its versions' publication alone,
``published`` and ``updated``: a feed reader files it among the news of its time, not today's.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import quote

from ..records import StoryView, VersionView
from ..store.base import aware
from ..text.shown import headline
from .context import PAGE_LANG, excerpt, story_context
from .dates import date_lang, version_time
from .newsline import OURS_END, after_line, from_line, news_parts, outlet_parts, was_said
from .sanitize import clean_html, safe_url

#: ``xml:lang``, as ElementTree names it (written out with the ``xml`` prefix).
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

__all__ = ["ATOM_NS", "entry_updated", "latest_update", "permalink", "stories_atom", "story_tag", "xml_text"]

ATOM_NS = "http://www.w3.org/2005/Atom"
#: ``tag:`` URI prefix for story ids: authority "digest", fixed date (RFC 4151).
TAG_PREFIX = "tag:digest,2024:story/"

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry (forbidden characters dropped)."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def _line(value: object) -> str:
    return " ".join(xml_text(value).split())


def _headline(value: str | None) -> str:
    """A headline as the digest shows it (``text.shown.headline``), as XML takes it."""
    return headline(xml_text(value))


def _rfc3339(dt: datetime) -> str:
    return aware(dt).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def story_tag(story_id: str) -> str:
    """The Atom entry id of a story."""
    return TAG_PREFIX + quote(xml_text(story_id), safe="")


def permalink(site_url: str, story_id: str) -> str:
    """The story's page on the web server (``site_url`` is the server's root URL)."""
    return site_url.rstrip("/") + "/story/" + quote(xml_text(story_id), safe="")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _news_html(body: ET.Element, story: StoryView) -> None:
    """A developing story's paragraph: "Developing: <what is new>".  The entry is in its
    lead's language (``xml:lang``); the digest's own words are marked in the pages' (``lang``),
    a line in the digest's words ("Coast News retracted its report") too, its outlet isolated
    (``dir="auto"``: a name in Arabic would turn the line), a version's headline in its
    version's language when its source stated one."""
    news = _line(story.whats_new)
    if story.status != "developing" or not news:
        return
    p = ET.SubElement(body, "p")
    ours = ET.SubElement(p, "span", {"lang": PAGE_LANG})
    strong = ET.SubElement(ours, "strong")
    strong.text = "Developing"
    strong.tail = ": "
    outlet = _line(story.whats_new_outlet)
    figures = story.whats_new_figures if news == story.whats_new else ()
    told = outlet_parts(news, outlet, figures)
    if told["whats_new_outlet"]:  # the digest's words about an outlet
        said = ET.SubElement(p, "span", {"lang": PAGE_LANG})
        name = ET.SubElement(said, "span", {"dir": "auto"})
        name.text = outlet
        name.tail = " " + told["whats_new_said"]
        if not told["whats_new_more"]:
            return
        said.tail = OURS_END  # and the page's words after ours: the report put back at 4,000 homes
        parts: list[dict[str, Any]] = told["whats_new_more"]
    else:
        parts = news_parts(news, news, figures)
    said = ET.SubElement(p, "span", {"dir": "auto"})
    if story.whats_new_lang:
        said.set("lang", story.whats_new_lang)
    _marked(said, parts)


def _marked(said: ET.Element, parts: list[dict[str, Any]]) -> None:
    """The line's text in ``said`` (its ``newsline.news_parts``), each figure it is new by alone
    ``<strong>`` and followed by the one it took the place of, " (was 4,000)", as the digest's
    pages show them (the digest's words in the pages' language, left to right, in a line in the
    feed's); the text alone where the line is not the view's, as written."""
    last: ET.Element | None = None
    for part in parts:
        text: str = part["text"]
        if part["new"]:
            last = ET.SubElement(said, "strong")
            last.text, last.tail = text, ""
            if part["was"]:
                last.tail = " "
                last = ET.SubElement(said, "span", {"lang": PAGE_LANG, "dir": "ltr"})
                last.text, last.tail = was_said(part["was"]).strip(), ""
        elif last is None:
            said.text = (said.text or "") + text
        else:
            last.tail = (last.tail or "") + text


def _lead_excerpt(story: StoryView, excerpt_chars: int) -> str:
    """The lead's excerpt as the entry's content shows it under the line of what is new: from
    after that line where the excerpt opens with it (the new version leads: its first sentence
    is the line), as the digest's pages do not say it twice."""
    cut = excerpt(xml_text(story.lead.text), excerpt_chars)
    # ``newsline.after_line``, as the pages' excerpt under a line: a line cut short ("… ", a
    # sentence over ``news.WHATS_NEW_CHARS``) is not a sentence, and the excerpt from after it
    # opened mid-sentence ("Birch Street, police said. He was ..."): it stays whole
    rest = after_line(cut, _line(story.whats_new)) if story.status == "developing" else None
    if rest is None:
        return cut
    return "" if rest in ("", "…") else rest


def _by_line(p: ET.Element, source: str, when: str, locale: str | None) -> ET.Element:
    """An outlet and its version's time in ``p``, as the digest's meta line: "<strong>Harbor
    Herald</strong> · Wed 11 Nov, 09:00 UTC" (a date in another language says so); the last
    element written, its tail free."""
    name = ET.SubElement(p, "strong", {"dir": "auto"})
    name.text = _line(source)
    if not when:
        return name
    name.tail = " · "
    said = ET.SubElement(p, "span", {"lang": lang} if (lang := date_lang(locale)) else {})
    said.text = _line(when)
    return said


def _day_news_html(body: ET.Element, story: StoryView, told: dict[str, Any], locale: str | None) -> None:
    """A developing story whose lead is an earlier day's (``StoryView.news_lead``), as the day's
    digest shows it (``context.story_context``, the same words): the day's version's outlet
    and time marked new, its excerpt, then the lead's first sentence under "Earlier, <outlet>"
    (the entry's excerpt was the one a feed reader showed the day before)."""
    news = told["news_lead"]
    meta = ET.SubElement(body, "p")
    # its row as the digest's, "<outlet>: <headline linked> · <time> · new": named once, here,
    # and not again in the list of versions (stop 64: it was, *new* beside neither)
    day = story.news_lead
    name = ET.SubElement(meta, "strong", {"dir": "auto"})
    name.text = _line(news["source"])
    url = safe_url(day.url) if day is not None else None
    title = _headline(day.title) if day is not None else ""
    last: ET.Element = name
    if title or url:
        name.tail = ": "
        last = ET.SubElement(meta, "a", {"href": url}) if url else ET.SubElement(meta, "span")
        last.text = title or _line(news["source"])
        if day is not None and day.lang:
            last.set("lang", day.lang)
    if news["when"]:
        last.tail = " · "
        last = ET.SubElement(meta, "span", {"lang": lang} if (lang := date_lang(locale)) else {})
        last.text = _line(news["when"])
    last.tail = " · "
    new = ET.SubElement(meta, "em", {})
    new.text = "new"
    if told["excerpt"]:
        para = ET.SubElement(body, "p", {"dir": "auto"})
        said = ET.SubElement(para, "span", {"lang": story.news_lead.lang} if story.news_lead and story.news_lead.lang else {})
        said.text = _line(told["excerpt"])
    if told["earlier_excerpt"]:
        para = ET.SubElement(body, "p", {"dir": "auto"})
        ours = ET.SubElement(para, "span", {"lang": PAGE_LANG})
        ours.text = "Earlier, "
        last = _by_line(para, told["source"], told["when"], locale)
        last.tail = ": "
        lead = ET.SubElement(para, "span", {"dir": "auto"})
        lead.text = _line(told["earlier_excerpt"])


def _versions_html(
    versions: Iterable[tuple[VersionView, bool]], story: StoryView | None = None, lead_excerpt: str = "",
    *, tz: tzinfo | None = None, locale: str | None = None, today: str | None = None,
    told: dict[str, Any] | None = None,
) -> str:
    """Every outlet's version as a sanitized HTML list, after a paragraph saying what is new
    when ``story`` is developing (``_news_html``) and the lead's ``lead_excerpt``: a feed reader
    shows an entry's ``content`` and not its ``summary``, so the excerpt is in both.  ``told``:
    the story as the day's digest shows it, where it leads with the day's version
    (``_day_news_html`` then stands for the lead's excerpt)."""
    body = ET.Element("div")
    if story is not None:
        _news_html(body, story)
    if told is not None and story is not None:
        _day_news_html(body, story, told, locale)
    elif lead_excerpt:
        para = ET.SubElement(body, "p", {"dir": "auto"})
        para.text = lead_excerpt
    ul = ET.SubElement(body, "ul")
    for v, is_lead in versions:
        li = ET.SubElement(ul, "li")
        strong = ET.SubElement(li, "strong")
        strong.text = _line(v.outlet_name) or "unknown source"
        strong.tail = ": "
        url = safe_url(v.url)
        title = _headline(v.title) or _line(v.outlet_name) or "untitled"
        if url:
            a = ET.SubElement(li, "a", {"href": url})
            a.text = title
            last = a
        else:
            span = ET.SubElement(li, "span")
            span.text = title
            last = span
        # its time as the digest's pages write it, in its zone and locale ("Tue 19 Jan, 12:00
        # UTC"; the year where it is not this one), not "2016-01-19 12:00:00 UTC"
        when = (version_time(v.published, None, tz, day=today, locale=locale, day_only=v.published_day)
                if v.published is not None else "")
        lead_said = ", lead" if is_lead else ""
        if when and (lang := date_lang(locale)):  # a date in another language says so
            last.tail = " ("
            said = ET.SubElement(li, "span", {"lang": lang})
            said.text, said.tail = when, lead_said + ")"
        elif when or is_lead:
            last.tail = f" ({when}{lead_said})" if when else " (lead)"
    return clean_html(ET.tostring(body, encoding="unicode", method="html"))


def entry_updated(story: StoryView, cap: datetime) -> datetime:
    """A story entry's ``updated``: the newest of when it was first seen and its versions'
    publication and arrival (a developing story's entry moves with its new versions; not with
    a copy of what it said, ``VersionView.copy``: a feed reader would show it unread again)."""
    versions = [v for v in (story.lead, *story.also) if not v.copy]
    times = [story.first_seen, *(v.published for v in versions), *(v.arrived for v in versions)]
    if story.backlog:  # a new source's old item: dated as published, among the news of its time
        times = [v.published for v in versions] or times
    return min(max((aware(t) for t in times if t is not None), default=cap), cap)


def latest_update(stories: Iterable[StoryView], cap: datetime) -> datetime:
    """The feed's ``updated``: the newest date of the stories, at most ``cap`` (now)."""
    return max((entry_updated(s, cap) for s in stories), default=cap)


def stories_atom(
    stories: list[StoryView],
    *,
    title: str,
    feed_url: str,
    site_url: str,
    updated: datetime,
    excerpt_chars: int = 400,
    tz: tzinfo | None = None,
    locale: str | None = None,
    today: str | None = None,
    feed_id: str | None = None,
) -> str:
    """The stories as an Atom 1.0 document (text, with an XML declaration); the versions' times
    in the content in ``tz`` and ``locale``, with their year where it is not ``today``'s; the
    feed's ``id`` is ``feed_id`` (an IRI that never changes), else ``feed_url``."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    feed.set(_XML_LANG, PAGE_LANG)  # the feed's own words; an entry in another language says its own
    _el(feed, "id", xml_text(feed_id or feed_url))
    _el(feed, "title", _line(title) or "digest")
    _el(feed, "updated", _rfc3339(updated))
    _el(feed, "link", rel="self", type="application/atom+xml", href=xml_text(feed_url))
    _el(feed, "link", rel="alternate", type="text/html", href=xml_text(site_url))
    author = _el(feed, "author")
    _el(author, "name", _line(title) or "digest")
    _el(feed, "generator", "digest")
    seen: set[str] = set()
    for story in stories:
        if story.story_id in seen:
            continue
        seen.add(story.story_id)
        entry = _el(feed, "entry")
        lead = story.lead
        if lead.lang:  # the language the lead's source stated (checked: letters, digits, hyphens)
            entry.set(_XML_LANG, lead.lang)
        _el(entry, "id", story_tag(story.story_id))
        _el(
            entry,
            "title",
            _headline(lead.title) or _headline(story.title) or _line(lead.outlet_name) or "untitled",
        )
        page = permalink(site_url, story.story_id)
        lead_url = safe_url(lead.url)
        _el(entry, "link", rel="alternate", type="text/html", href=lead_url or page)
        _el(entry, "link", rel="related", type="text/html", href=page, title="All versions")
        first = story.first_seen or lead.published
        if story.backlog:  # its publication, not the day it was first read (``entry_updated``)
            first = min((v.published for v in (lead, *story.also) if v.published is not None), default=first)
        if first is not None:
            _el(
                entry,
                "published",
                _rfc3339(min(aware(first), updated)),
            )
        _el(entry, "updated", _rfc3339(entry_updated(story, updated)))
        entry_author = _el(entry, "author")
        _el(entry_author, "name", _line(lead.outlet_name) or "unknown source")
        # a developing story whose lead is an earlier day's: the entry says the day's news, as the
        # day's digest does (its ``updated`` moved with it; its lead's excerpt was yesterday's)
        told = story_context(story, tz, excerpt_chars, day=today, locale=locale) if story.news_lead else None
        said = lead if story.news_lead is None else story.news_lead
        body = xml_text(said.text) if story.news_lead is None else from_line(xml_text(said.text), story.news_from or _line(story.whats_new))
        summary = excerpt(body, excerpt_chars)
        if summary:
            _el(entry, "summary", summary, type="text")
        # the day's version a developing entry leads with is named over its excerpt, not listed
        versions = [(lead, True), *((v, False) for v in story.also_listed)]
        _el(entry, "content", _versions_html(versions, story, _lead_excerpt(story, excerpt_chars),
                                                tz=tz, locale=locale, today=today, told=told), type="html")
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
