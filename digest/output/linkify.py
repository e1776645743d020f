"""Bare http(s) URLs in the excerpt of the user's own note (a ``.md``, ``.txt`` or ``.html`` file
a ``path:`` source reads) made links in the HTML outputs: the page, the email's HTML part and
the archive's day and story pages, as GFM's autolinks do in a Markdown viewer.

Observations (stop 62)
----------------------
* Every excerpt is plain text by the time a digest is written: a feed's HTML and a ``.md`` note
  are read to text (``digest.sources.textarticles``), so a note's ``https://...``, its
  ``<https://...>`` and the address of its ``[text](https://...)`` lose their link.  The first
  two stay in the excerpt as text, which the ``.md`` digest in a GFM viewer (GitHub, cmark-gfm)
  shows as a link and the HTML page did not: the reader copied it by hand.
* A note only, known by its ``file:`` address (a feed's links are http(s) only, ``fields.http_url``):
  the user wrote it.  A feed's text stays text, as stop 52 left it: a link in a digest is a
  version's, never one a feed's words make (``test_hostile``: no link to an attacker's host).
* Only ``http://`` and ``https://`` with a host are linked (:func:`~.sanitize.safe_url`, its
  characters that would end an attribute percent-encoded), and the HTML goes through nh3
  afterwards as before (``clean_html``: its schemes and ``rel``).  ``javascript:``, ``data:``,
  ``mailto:``, a bare ``www.example.com`` or ``example.com`` stay text: markdown-it's linkify
  linked "Fox59.com" (stop 52), and a name is not a link its writer gave.
* As GFM: a URL ends at a space or ``<>"`` and backtick; trailing ``.,:;!?'*_~`` are left out,
  and a ``)`` with no ``(`` in the URL (a URL in brackets).  The excerpt's "…" ends a URL: the
  cut is at a space (a URL is whole) but where the window's second half has none, a URL of
  more than half the excerpt (``excerpt_chars``) cut mid-way.  A URL running into a "…" stays
  text: it linked the cut part, a page the note never named (stop 62 review: a 700-character
  URL linked ``https://long.example/segment00/.../segme``).
* A Markdown note's ``[words](https://...)`` reaches the excerpt as its words alone; the links
  are kept apart (``StoredArticle.links``, stop 63) and each one's words linked again where the
  excerpt has them, in order (:func:`link_note`), on the same terms: http(s) only, a note only.
* Text inside ``<a>`` or ``<code>`` / ``<pre>`` is left as it is.  A note's code span reaches the
  excerpt as plain text (its markup is gone when it is read): a URL there is linked too; its
  code blocks are not in its text at all.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from .sanitize import LINK_REL, clean_html, safe_url

#: A bare URL: the scheme not inside a word or another URL ("xhttps://", "javascript:https://").
_URL = re.compile(r"(?<![\w/.:@+-])https?://[^\s<>\"`\u2026]+", re.IGNORECASE)
_TRAILING = ".,:;!?'*_~"
#: A note's excerpt paragraph in Python-Markdown's output (marked by ``_story.md.j2``'s
#: ``data-note``, taken off here), and the tags inside one.
#: A note's mark carries its story's id (``i`` and hex digits): its links are found by it.
NOTE_MARK = ' data-note="'
_EXCERPT = re.compile(r'(<p class="excerpt"[^>]*?)' + re.escape(NOTE_MARK) + r'([\w-]*)"([^>]*>)(.*?)(</p>)', re.DOTALL)
Links = Sequence[tuple[str, str]]
_TAG = re.compile(r"(<[^>]*>)")
_OPAQUE = re.compile(r"<(/?)(a|code|pre)\b", re.IGNORECASE)


def _trimmed(url: str) -> str:
    while url:
        if url[-1] in _TRAILING or (url[-1] == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def link_urls(text: str) -> str:
    """Plain ``text`` as HTML: escaped, each bare http(s) URL a link to itself."""
    out: list[str] = []
    at = 0
    for m in _URL.finditer(text):
        url = _trimmed(m.group())
        end = m.start() + len(url)
        href = safe_url(url)
        if href is None or text.startswith("\u2026", m.end()):  # cut by the excerpt's "…": not the URL written
            continue
        out.append(html.escape(text[at : m.start()], quote=False))
        out.append(f'<a href="{html.escape(href)}" rel="{LINK_REL}">{html.escape(url, quote=False)}</a>')
        at = end
    out.append(html.escape(text[at:], quote=False))
    return "".join(out)


def _words_at(text: str, words: str, at: int) -> int:
    """Where ``text`` has a link's ``words`` from ``at`` on, as words of their own (not "here"
    in "there") and not inside a bare URL (linked as itself); -1 where it has none."""
    urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
    pattern = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)")
    for m in pattern.finditer(text, at):
        if not any(start < m.end() and m.start() < end for start, end in urls):
            return m.start()
    return -1


def link_note(text: str, links: Links) -> tuple[str, int]:
    """Plain ``text`` as HTML (:func:`link_urls`), each of a note's ``links`` (its words and
    address, in the note's order) linked where ``text`` has its words, after the one before;
    and how many of ``links`` it used up (the rest are looked for further on).  A link whose
    words ``text`` lacks (in the note's title, before the excerpt's start, cut off) is passed
    over: it kept every link after it unlinked (stop 63 review)."""
    out: list[str] = []
    at = used = 0
    for i, (words, url) in enumerate(links):
        found = _words_at(text, words, at)
        if found < 0:
            continue
        used = i + 1
        href = safe_url(url)
        if href is None:  # not http(s): its words stay text
            continue
        out.append(link_urls(text[at:found]))
        out.append(f'<a href="{html.escape(href)}" rel="{LINK_REL}">{html.escape(words, quote=False)}</a>')
        at = found + len(words)
    out.append(link_urls(text[at:]))
    return "".join(out), used


def note_excerpt(text: str, url: str | None, links: Links = ()) -> str:
    """An excerpt as a page shows it: a note's (its ``url`` a ``file:`` one) as sanitized HTML,
    its bare URLs and its links' words linked; any other as the text it is."""
    return Markup(clean_html(link_note(text, links)[0])) if (url or "").startswith("file:") else text


def link_excerpts(body: str, links: Mapping[str, Links] | None = None) -> str:
    """``body`` (Python-Markdown's HTML of a digest) with the bare URLs of its notes' excerpt
    paragraphs linked (:func:`link_urls`), and the words of their links (``links``, by the
    story id each mark names), and their mark taken off; nothing else changed."""

    def paragraph(m: re.Match[str]) -> str:
        depth = 0
        left = list((links or {}).get(m.group(2), ()))
        parts = _TAG.split(m.group(4))
        for i, part in enumerate(parts):
            if i % 2:
                if (tag := _OPAQUE.match(part)) is not None:
                    depth = max(depth + (-1 if tag.group(1) else 1), 0)
            elif depth == 0 and ("http" in part.lower() or left):
                linked, used = link_note(html.unescape(part), left)
                if "<a " in linked:
                    parts[i], left = linked, left[used:]  # else as it was, byte for byte
        return m.group(1) + m.group(3) + "".join(parts) + m.group(5)

    return _EXCERPT.sub(paragraph, body)
