"""The archive's day page: the digest's own HTML (``render_html``) with the archive's
navigation, search box, skip link and a permalink under each story added as elements (lxml).

Special cases
-------------
* A story's heading is ``h2.story``, or ``h3.story`` under a section's ``h2``
  (``templates/_story.md.j2``); both get their permalink.  With a user template
  whose story headings (``h1``-``h6`` of class ``story``) do not match the
  stories one for one, the day page gets a list of permalinks at its end instead.
* The digest's own policy forbids forms (``form-action 'none'``: a digest file or mail has
  none); the day page's becomes ``'self'`` so that the search box may submit.
"""

from __future__ import annotations

from datetime import date
from html import escape

import lxml.html

from ..output.context import part_lang
from ..output.dates import date_lang, short_day
from ..output.sanitize import NOT_TEXT
from ..records import StoryView
from ..text.shown import headline
from .webstory import story_href
from .webtemplates import VH_STYLE

#: Characters no page shows (see ``webpages._CONTROL``).
_CONTROL = NOT_TEXT


def one_line(s: object) -> str:
    return " ".join(str(s or "").split())


def _day_links(
    before: date | None, after: date | None, locale: str, label: str, root: str
) -> lxml.html.HtmlElement:
    """``<nav class="days">``: the previous and the next day of the archive, where there is one.
    Named (``label``): the page has three navigation landmarks, and a screen reader's list of
    them read "navigation" three times; each link's name says "previous day", not an arrow.
    The name is the link's content (``day_link``), so that its date can say its language."""
    nav = lxml.html.Element("nav")
    nav.set("class", "days")
    nav.set("aria-label", label)
    nav.set("style", "display:flex;justify-content:space-between;gap:1rem;font-size:0.9rem;margin:0.5rem 0 1rem")
    for rel, d, words in (("prev", before, "Previous day"), ("next", after, "Next day")):
        if d is None:
            nav.append(lxml.html.Element("span"))  # keeps the next day on the right
            continue
        link = day_link(f"{root}day/{d.isoformat()}", rel, words, short_day(d, locale), date_lang(locale))
        nav.append(lxml.html.fragment_fromstring(link))
    return nav


def day_link(href: str, rel: str, words: str, label: str, lang: str) -> str:
    """An ``<a>`` to the day (or month) before or after, shown "← Fri, 13 Mar 2026" (or
    "... →") and named "Previous day: Fri, 13 Mar 2026" by its content: the arrow hidden from
    screen readers, the words shown to them only (``.vh``), the date in its own language
    (``lang``, e.g. ``de-DE``; "" for English).  An ``aria-label`` named it before: the
    date in it could not say its language, and a ``lang`` on the link made the English words
    German (WCAG 3.1.2)."""
    date_part = f'<span lang="{escape(lang)}">{escape(label)}</span>' if lang else escape(label)
    said = f'<span class="vh" style="{VH_STYLE}">{escape(words)}: </span>{date_part}'  # hidden without our CSS
    shown = f'<span aria-hidden="true">← </span>{said}' if rel == "prev" else f'{said}<span aria-hidden="true"> →</span>'
    return f'<a href="{escape(href)}" rel="{rel}">{shown}</a>'


def _skip_link(doc: lxml.html.HtmlElement, main: lxml.html.HtmlElement, at: int) -> None:
    """A "Skip to the digest" link first in the page (shown when a Tab reaches it), to the
    digest's first element after the navigation and the search box (``main[at]``): six stops
    came before the first story's link.  Its id is kept, else one no story anchor has."""
    if at >= len(main):
        return
    target = main[at]
    if not target.get("id"):
        taken = {el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")}
        target.set("id", next(f"content{n or ''}" for n in range(len(taken) + 1) if f"content{n or ''}" not in taken))
    skip = lxml.html.Element("a", href="#" + target.get("id", ""))
    skip.set("class", "skip")
    skip.text = "Skip to the digest"
    doc.body.insert(0, skip)


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _permalink(head: lxml.html.HtmlElement, story: StoryView, root: str, day: date | None) -> None:
    """A permalink at the end of the story's meta line (one is made when it has none): the
    first ``p.meta`` after the story's heading and before the next heading of any level;
    ``day``: the page's (the story page's navigation goes back to it)."""
    link = lxml.html.Element("a", href=story_href(story.story_id, root, day))
    link.set("class", "permalink")
    link.set("style", "white-space:nowrap")  # "all versions" is not split at a narrow width
    link.text = "all versions" if story.also else "permalink"
    # its name says which story: a screen reader's list of links read "all versions" five times.
    # The title is in the link's content for screen readers only (.vh), in its version's language
    # (an aria-label's "All versions: Stadtrat beschließt ..." was read with the English voice)
    title = headline(_CONTROL.sub("", story.lead.title or "")) or headline(_CONTROL.sub("", story.title or ""))
    if title:
        said = lxml.html.Element("span")
        said.set("class", "vh")
        said.set("style", VH_STYLE)  # hidden under a user's own CSS too
        said.text = ": "
        named = lxml.html.Element("span", dir="auto")
        named.text = title
        if lang := part_lang(story.lead.lang):
            named.set("lang", lang)
        said.append(named)
        link.append(said)
    meta = None
    for sib in head.itersiblings():
        if sib.tag in _HEADINGS:
            break
        if sib.tag == "p" and "meta" in (sib.get("class") or "").split():
            meta = sib
            break
    if meta is None:
        meta = lxml.html.Element("p")
        meta.set("class", "meta")
        head.addnext(meta)
    elif len(meta):
        meta[-1].tail = (meta[-1].tail or "") + "\u00a0· "
    else:
        meta.text = (meta.text or "") + "\u00a0· "
    meta.append(link)


def decorate_day(
    page: str,
    stories: list[StoryView],
    before: date | None = None,
    after: date | None = None,
    locale: str = "en_GB",
    search_box: str = "",
    root: str = "/",
    day: date | None = None,
) -> str:
    """Add navigation (all days, the previous and next day), the search box and a permalink
    under each story to a rendered day page (``day``: its day, which each permalink names)."""
    doc = lxml.html.document_fromstring(page)
    for meta in doc.iter("meta"):  # the digest's own policy forbids forms: ours goes to /search
        if (meta.get("http-equiv") or "").lower() == "content-security-policy":
            meta.set("content", (meta.get("content") or "").replace("form-action 'none'", "form-action 'self'"))
    main = doc.find(".//main")
    if main is None:
        main = doc.body
    nav = lxml.html.fragment_fromstring(
        '<nav class="site" aria-label="Archive"><a>All days</a>\u00a0· <a>Atom feed</a></nav>'
    )
    nav[0].set("href", root)
    nav[1].set("href", f"{root}feed.atom")
    nav.set("style", "font-size:0.9rem;margin:0.25rem 0 0.5rem")
    main.insert(0, nav)
    at = 1
    if search_box:
        main.insert(at, lxml.html.fragment_fromstring(search_box))
        at += 1
    if before is not None or after is not None:
        main.insert(at, _day_links(before, after, locale, "Days", root))
        main.append(_day_links(before, after, locale, "Days, again", root))
        at += 1
    _skip_link(doc, main, at)
    heads = [h for h in main.iter(*_HEADINGS) if "story" in (h.get("class") or "").split()]
    if len(heads) == len(stories):  # in page order, which is the stories' (sections flattened)
        for head, story in zip(heads, stories, strict=True):
            _permalink(head, story, root, day)
    elif stories:
        section = lxml.html.Element("section")
        section.set("class", "permalinks")
        h = lxml.html.Element("h2")
        h.text = "Permalinks"
        section.append(h)
        ul = lxml.html.Element("ul")
        for story in stories:
            li = lxml.html.Element("li")
            a = lxml.html.Element("a", href=story_href(story.story_id, root, day))
            title = headline(_CONTROL.sub("", story.lead.title or "")) or headline(_CONTROL.sub("", story.title or ""))
            a.text = title or _CONTROL.sub("", story.story_id)  # lxml refuses control characters
            li.append(a)
            ul.append(li)
        section.append(ul)
        main.append(section)
    out: str = lxml.html.tostring(doc, encoding="unicode", doctype="<!doctype html>")
    return out + "\n"
