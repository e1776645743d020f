"""What the templates read of a digest's parts: each story, version and failing source as a
plain dict (display title, safe URLs, local times, excerpt), so the templates stay dumb and a
user's template folder can restyle everything without touching escaping rules
(``digest.output.render`` says where each format escapes).

Special cases: empty titles fall back to the outlet name; naive datetimes are taken as UTC;
an excerpt begins at the lead's first line that ends like a sentence, after a short
subheadline, caption or date line over it and after its dateline (:func:`opening`), and ends
before a table the text holds (:func:`before_table`, then with "…"); one longer than
``excerpt_chars`` is cut at the last sentence end in the second half of the window, else the
last space, else (one enormous word) hard, and gets "…".  Thai and Lao end a sentence with a
space and Khmer and Burmese with "។" and "။" (``sentences.display_ends``); their words are not
spaced and a space ends a phrase, so there the last space a quarter of the window in or further is taken before a
hard cut (``params.EXCERPT_PHRASE_SPACE``: one nearer the start left an excerpt of its first
word, "กรุงเทพฯ…", where a phrase ran past the window), and a hard cut keeps a letter's cluster
whole (``scripts.safe_cut``).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import tzinfo
from typing import Any

from digest.output import dates
from digest.output.dates import format_time
from digest.output.entries import told_order
from digest.output.headlines import headline_words, words_read
from digest.output.news import adds_nothing
from digest.output.newsline import (
    after_line,
    before_line,
    from_line,
    news_parts,
    outlet_parts,
    plain_news,
    shown_news,
)
from digest.output.openings import before_table, inner, opening
from digest.output.params import EARLIER_EXCERPT_CHARS, EXCERPT_PHRASE_SPACE
from digest.output.reading import READ_SHARE, Read, passages, read_of
from digest.output.sanitize import safe_url
from digest.records import ALSO_REPORTED, FailingSource, StoryView, VersionView
from digest.text.scripts import has_phrase_spaced_script, safe_cut
from digest.text.sentences import display_ends
from digest.text.shown import contained_bidi, headline, one_line

#: A summary's own mark of being cut short, at its end: "[...]", "[…]", "[&hellip;]".
_CUT_MARK = re.compile(r"\s*\[\s*(?:\.\.\.|…)\s*\]\s*$")
def excerpt(text: str, limit: int = 400) -> str:
    """The first ~``limit`` characters of ``text`` on one line (from its :func:`opening`), cut
    cleanly, with "…" (a summary's own "[...]" at its end is that "…": it showed as "\\[...\\]"
    in Markdown); the bidi runs it opens closed before its "…" (:func:`_contained`)."""
    return _contained(_excerpt(text, limit))


def _contained(cut: str) -> str:
    """``cut`` with the bidi runs it opens closed before its "…" (``text.shown.contained_bidi``):
    an excerpt opening a right-to-left override and never closing it turned the digest's own
    "…" around, and a cut could leave out the closer of a run the text closed later (stop 56)."""
    body = cut.removesuffix("…")
    text = body.rstrip()
    return contained_bidi(text) + cut[len(text):]


def _excerpt(text: str, limit: int) -> str:
    """:func:`excerpt`, its bidi runs as the text left them."""
    shown, table = before_table(inner(opening(text)))
    flat = _CUT_MARK.sub(" …", " ".join(shown.split()))
    if len(flat) <= limit:
        return f"{flat.rstrip(' :')} …" if table and not flat.endswith("…") else flat
    window = flat[: limit + 1]
    half = limit // 2
    # the last sentence whose stop is in the window (the next one's start is read too)
    stops = (len(flat[:end].rstrip()) for end in display_ends(flat[: limit + 40]))
    sentence = max((stop for stop in stops if stop <= limit), default=-1)
    if sentence >= half:  # a sentence that ends in an ellipsis needs no other
        return flat[:sentence] if flat[:sentence].endswith("…") else flat[:sentence] + " …"
    space = max(window.rfind(" "), window.rfind("\u200b"))  # a zero-width space parts words too
    # a phrase of Thai, Lao, Khmer or Burmese ends at a space nearer the start
    phrase = space >= limit * EXCERPT_PHRASE_SPACE and has_phrase_spaced_script(flat[limit - 1 : limit + 1])
    cut = flat[:space] if space >= half or phrase else flat[: safe_cut(flat, limit)]  # a letter keeps its marks
    return cut.rstrip(" ,;:-–—(") + "…"


def first_sentence(text: str, limit: int) -> str:
    """The :func:`excerpt` of ``text`` cut at its first sentence's end, "…" after it where more
    followed (a developing story's lead the reader read before, under "Earlier": what the story
    is, in a line); a first sentence longer than ``limit`` cut as an excerpt is."""
    cut = _excerpt(text, limit)
    body = cut.removesuffix("…").rstrip()
    first = next((stop for end in display_ends(body) if 0 < (stop := len(body[:end].rstrip())) < len(body)), None)
    return _contained(cut if first is None else body[:first] + " …")


def copies_named(s: StoryView) -> dict[str, tuple[str, bool]]:
    """:func:`same_text`, worked out once a story view (``StoryView.copies``) however many
    formats render it (a day's digest is rendered in up to four, each reading every story)."""
    if s.copies is None:
        s.copies = same_text(s)
    return s.copies


def same_text(s: StoryView) -> dict[str, tuple[str, bool]]:
    """The outlet each of the story's "also reported by" versions repeats, by key, and whether
    it is the same text both ways (else a summary, a part of it): the lead, else the first
    version read before it (arrival, then publication: the wire's original before its copies
    read in one poll, as the story page's ``entries.kinds``) that it adds nothing to
    (``news.adds_nothing``, the story page's "copy"), of another outlet; neither a notice (its
    words are ours), an entry's revision nor a headline without text is one, nor is one
    repeated.  Else unlisted.  A reader clicked three outlets of one list carrying one wire
    text (stop 54)."""
    ordered = sorted(s.also, key=lambda v: told_order(v.arrived, v.published, v.key))
    plain = {v.key for v in (s.lead, *ordered) if not (v.own_title or v.revised)}
    has_text: dict[str, bool] = {}
    seen: dict[str, set[str]] = {}  # each version's words and passages, worked out once, when needed
    read: dict[str, Read] = {}
    words = {v.key: set((v.text or "").lower().split()) for v in (s.lead, *ordered) if v.key in plain}

    def repeats(v: VersionView, c: VersionView) -> bool:
        """Whether ``v`` adds nothing to ``c``: first what cannot (under ``READ_SHARE`` of its
        words in ``c``'s, where each passage needs that share of its 3-grams; a headline alone;
        its headline's words), then ``adds_nothing``.  ECB+ dev replayed over 13 days (335
        stories, up to 21 versions each): 1.8-3.1 s without the words' test, 1.0 s with it, the
        same 35 labelled; the rendering in one format takes 1.2 s."""
        if len(words[v.key] & words[c.key]) < READ_SHARE * len(words[v.key]):
            return False
        for x in (v, c):  # a headline alone (no text) repeats no text
            if x.key not in has_text:
                has_text[x.key] = next(passages(x.text or ""), None) is not None
        if not (has_text[v.key] and has_text[c.key]):
            return False
        if c.key not in seen:
            seen[c.key] = words_read([c])
        if headline_words(v) - seen[c.key]:
            return False
        if c.key not in read:
            read[c.key] = read_of([c])
        return adds_nothing(v, [c], read[c.key], seen[c.key])

    out: dict[str, tuple[str, bool]] = {}
    for i, v in enumerate(ordered):
        if v.key not in plain:
            continue
        name = one_line(v.outlet_name)
        for c in (s.lead, *ordered[:i]):
            if c.key in plain and one_line(c.outlet_name) not in ("", name) and repeats(v, c):
                out[v.key] = one_line(c.outlet_name), repeats(c, v)
                break
    return out


def _version(
    v: VersionView, tz: tzinfo | None, day: str | None, locale: str | None = None,
    copy_of: tuple[str, bool] = ("", False),
) -> dict[str, Any]:
    source = one_line(v.outlet_name) or "unknown source"
    title = headline(v.title)
    return {
        #: the outlet whose version this one repeats (:func:`same_text`), or "", and our words
        #: before it: "same text as" (each adds nothing to the other), else "adds nothing to"
        "copy_of": copy_of[0],
        "copy_said": "same text as" if copy_of[1] else "adds nothing to",
        "source": source,
        "title": title or source,
        "has_title": bool(title),
        "url": safe_url(v.url),
        "when": dates.version_time(v.published, v.arrived if v.revised else None, tz, day=day, locale=locale,
                                   day_only=v.published_day),
        "new": v.new,
        "lang": part_lang(v.lang),
        "title_lang": "" if v.own_title else part_lang(v.lang),  # a notice's row: our words
    }


#: The language of the pages' own words ("also reported by", the counts).
PAGE_LANG = "en"


def part_lang(tag: str | None) -> str:
    """The ``lang`` a version's words get in the HTML: its stated language when that is not
    the page's (``de``, ``pt-BR``), else "" (they read as the page does).  Tags are checked at
    the source (``digest.sources.fields.language_tag``): letters, digits and hyphens only."""
    if not tag or tag.split("-", 1)[0].lower() == PAGE_LANG:
        return ""
    return tag


#: A new source's earlier story whose line says its versions ("· 2 versions") names at most this
#: many of their other titles, then "and N more" (:func:`other_titles`; stop 65).
BACKLOG_TITLES = 3


def other_titles(lead: dict[str, Any], also: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The versions of ``also`` (:func:`_version`'s) whose title is none of the lead's nor an
    earlier one's (capitals and spacing aside), in order, each with ``outlet``: its source where
    that is not the lead's, else "".  A new source's earlier story said "· 2 versions" and showed
    one title: the blog's second post was nowhere in the digest (stop 64 review, stop 65)."""
    seen = {" ".join(str(lead["title"]).casefold().split())}
    out = []
    for v in also:
        key = " ".join(str(v["title"]).casefold().split())
        if v["has_title"] and key not in seen:
            seen.add(key)
            out.append({**v, "outlet": v["source"] if v["source"] != lead["source"] else ""})
    return out


#: A digest of this many stories or more opens with a table of contents.
TOC_MIN = 4
#: An "also reported by" list this long shows its first ``ALSO_SHOWN`` and "and N more"
#: (:func:`fold`: a developing story's new versions are never folded, up to ``ALSO_FOLD - 1``).
ALSO_FOLD = 10
ALSO_SHOWN = 5
#: Longest heading id (a viewer's own slug of a longer title no longer matches it).
ANCHOR_CHARS = 80
_NOT_SLUG = re.compile(r"[^\w\- ]")


def fold(also: list[dict[str, Any]], developing: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A long "also reported by" list (``ALSO_FOLD`` or more) as the rows shown and the rows
    folded into "and N more", each in the list's order.

    A new story shows its first ``ALSO_SHOWN``.  A developing story is shown again for its new
    versions, and its list is in publication order, so they came last, in the fold: in the
    Markdown and text digests "and 6 more: Outlet E, ..., Outlet Z", the new report's row, its
    link and its *new* unseen (stop 47).  There every new version is shown (the earliest
    ``ALSO_FOLD - 1`` of them), topped up to ``ALSO_SHOWN`` with the earlier versions."""
    if len(also) < ALSO_FOLD:
        return also, []
    if not developing:
        return also[:ALSO_SHOWN], also[ALSO_SHOWN:]
    new = [i for i, v in enumerate(also) if v["new"]][: ALSO_FOLD - 1]
    keep = {*new, *[i for i, v in enumerate(also) if not v["new"]][: max(0, ALSO_SHOWN - len(new))]}
    return [v for i, v in enumerate(also) if i in keep], [v for i, v in enumerate(also) if i not in keep]


def folded_outlets(more: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The outlets of "and N more", each named once in the fold's order: ``source``, and
    ``count`` " (2)" where that many of the N are its versions ("" for one).

    N counts versions, and an outlet may have several (its rewrite, an update under a new
    link): named once a version, "Outlet B, Outlet B" read as two outlets (stop 48)."""
    counts = Counter(v["source"] for v in more)
    return [{"source": name, "count": f" ({n})" if n > 1 else ""} for name, n in counts.items()]


def anchor(title: str, taken: set[str]) -> str:
    """The id a heading gets, as GitHub and most Markdown viewers make it (lower case,
    punctuation dropped, spaces as hyphens; "-1", "-2" for a repeat); added to ``taken``.

    An underscore is a hyphen too: in the HTML's ``{: #id }`` hook, ``_a_`` would be
    emphasis."""
    slug = _NOT_SLUG.sub("", title.strip().lower()).replace(" ", "-").replace("_", "-")
    base = slug[:ANCHOR_CHARS] or "story"
    slug, n = base, 0
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def story_context(
    s: StoryView,
    tz: tzinfo | None,
    excerpt_chars: int,
    day: str | None = None,
    locale: str | None = None,
    taken: set[str] | None = None,
) -> dict[str, Any]:
    """What the story templates see: display strings, safe URLs, no raw HTML.

    Times in the year of the digest's ``day`` are shown without the year.  ``anchor`` is
    the heading's id (unique among ``taken``); a long "also reported by" list is split
    into ``also_shown`` and ``also_more`` (``also`` holds them all).
    """
    lead = _version(s.lead, tz, day, locale)
    title = headline(s.lead.title) or headline(s.title) or lead["source"]
    same = copies_named(s) if s.also else {}
    listed = s.also_listed
    also = [_version(v, tz, day, locale, same.get(v.key, ("", False))) for v in listed]
    also_shown, also_more = fold(also, s.status != "new")
    told = s.news_lead or s.lead  # the version the excerpt is cut from: the day's, where the lead is not
    body = told.text or ""
    if s.news_lead is not None:  # from its first passage with news (stop 64), else from the line's
        body = from_line(body, s.news_from or s.whats_new)
    cut = excerpt(body, excerpt_chars)
    news = shown_news(s.whats_new, title, "" if s.news_lead else cut, bool(s.whats_new_figures or s.news_lead))
    parts = news_parts(news, s.whats_new, s.whats_new_figures)
    ours = outlet_parts(shown_news(s.whats_new, title, cut), s.whats_new_outlet, s.whats_new_figures)
    page = "".join(p["text"] for p in ours["whats_new_more"]) if ours["whats_new_outlet"] else news
    if page and (s.whats_new_figures or ours["whats_new_outlet"] or s.news_lead):  # the line opens the lead: the rest
        cut = excerpt(rest, excerpt_chars) if (rest := after_line(body, page)) is not None else cut
    if page and s.news_lead is not None and (opening := before_line(body, page)):
        # the excerpt begins at an opening with news before the line's passage: it stops before the
        # line, said over it (stop 64: said twice in one entry); the line and the opening both shown
        cut = excerpt(opening, excerpt_chars)
    others = other_titles({**lead, "title": title}, also) if s.backlog else []
    return {
        "story_id": s.story_id,
        "anchor": anchor(title, set() if taken is None else taken),
        "title": title,
        "url": lead["url"],
        "source": lead["source"],
        "when": lead["when"] or format_time(s.first_seen, tz, day=day, locale=locale),
        "excerpt": cut,
        "excerpt_lang": part_lang(told.lang),
        "note": (told.url or "").startswith("file:"),  # the user's own file: its excerpt's URLs are linked
        #: a developing story whose lead is an earlier day's: the day's version the entry leads
        #: with (its excerpt is ``excerpt``), and the lead's excerpt cut short, under "Earlier"
        "news_lead": _version(s.news_lead, tz, day, locale) if s.news_lead is not None else None,
        "earlier_excerpt": first_sentence(s.lead.text or "", EARLIER_EXCERPT_CHARS) if s.news_lead is not None else "",
        "also": also,
        "also_shown": also_shown,
        "also_more": also_more,
        "also_more_outlets": folded_outlets(also_more),
        "outlets": s.outlets,
        #: its versions listed (the lead and ``also``): a new source's earlier news says them where
        #: an outlet had more than one (stop 64 review: two posts of one blog in one story, one
        #: title shown, the other nowhere in the digest)
        "versions": 1 + len(s.also),
        #: those versions' other titles, where the line says the versions (``versions`` more than
        #: ``outlets``): the first ``BACKLOG_TITLES`` named, the rest counted
        "other_titles": others[:BACKLOG_TITLES],
        "other_titles_left": max(0, len(others) - BACKLOG_TITLES),
        "developing": s.status == "developing",
        "also_reported": s.status == ALSO_REPORTED,
        #: when a developing (or "also reported") story was first reported (the earliest
        #: publication of the versions before the day's, else when digest first read it), and
        #: how many of its versions came before the day's
        "first_reported": dates.version_time(s.first_reported or s.first_seen, None, tz, day=day, locale=locale,
                                             day_only=s.first_reported_day and s.first_reported is not None)
        if s.earlier else "",
        "earlier": s.earlier,
        #: an "also reported" story's new versions (the copies)
        "fresh": [v for v, raw in ((lead, s.lead), *zip(also, listed, strict=True)) if raw.new],
        "whats_new": news,
        #: the line in parts, each ``text``, whether it is a figure the line is new by (``new``)
        #: and the one that figure replaced (``was``)
        "whats_new_parts": parts,
        #: the line as plain text, each figure changed followed by the one it replaced
        "whats_new_plain": plain_news(parts),
        "whats_new_lang": part_lang(s.whats_new_lang),
        **ours,
        "lead_new": s.lead.new,
        "lang": lead["lang"],
    }


def failing_context(f: FailingSource, tz: tzinfo | None, day: str, locale: str | None) -> dict[str, Any]:
    return {
        "name": one_line(f.name) or "unknown source",
        "since": format_time(f.since, tz, day=day, locale=locale),
        "failures": f.failures,
        "error": excerpt(f.error, 200),
        "paused": f.paused,
    }
